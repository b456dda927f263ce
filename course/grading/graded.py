"""Which submissions are graded: a mark beside each graded notebook, so that a run can be resumed.

After nbgrader's autograde of a submission succeeds, the engine writes
`graded.json` beside the autograded notebook with a fingerprint of what was
submitted (the notebook and its timestamp.txt). A submission is graded when
that mark is there and the submission is unchanged: a run that was stopped
at any moment (Ctrl-C, a killed process, its time limit) left no mark on
what it had not finished, and the next run grades exactly that; a student's
new submission is graded again. `course grade --force` ignores the marks.
"""
import hashlib
import json
from pathlib import Path

MARK_FILE = "graded.json"


def _fingerprint(root, assignment_id, student_id):
    folder = Path(root) / "submitted" / student_id / assignment_id
    digest = hashlib.sha256()
    for name in (f"{assignment_id}.ipynb", "timestamp.txt"):
        path = folder / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _mark(root, assignment_id, student_id):
    return Path(root) / "autograded" / student_id / assignment_id / MARK_FILE


def mark(root, assignment_id, student_id):
    path = _mark(root, assignment_id, student_id)
    path.write_text(json.dumps({"submission": _fingerprint(root, assignment_id, student_id)}))


def is_graded(root, assignment_id, student_id):
    try:
        recorded = json.loads(_mark(root, assignment_id, student_id).read_text()).get("submission")
    except (OSError, ValueError, AttributeError):
        return False
    return recorded == _fingerprint(root, assignment_id, student_id)
