"""Read grades back from the gradebook: per test cell, and as a class table."""
from contextlib import contextmanager
import json
import os
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader


def course_config(root):
    """The traitlets config of course `root`: its nbgrader_config.py, with the root set."""
    config = Config()
    config_file = os.path.join(root, "nbgrader_config.py")
    if os.path.exists(config_file):
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    config.CourseDirectory.root = os.path.abspath(root)
    return config


def _course_directory(root):
    return CourseDirectory(config=course_config(root))


@contextmanager
def gradebook(root):
    """The course's gradebook, as its nbgrader_config.py names it."""
    coursedir = _course_directory(root)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        yield gb


def cell_scores(root, assignment_id, student_id):
    """{grade_id: (score, max_score)} of one student's notebook; score None = needs manual grading."""
    with gradebook(root) as gb:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student_id)
        return {grade.name: (None if grade.needs_manual_grade else grade.score, grade.max_score)
                for grade in notebook.grades}


RECORD_FILE = "judge.json"  # the grader's record beside each graded notebook (TrustedExecute.record_file)


def record_file(root):
    """The name TrustedExecute writes its record under, as the course's config sets it."""
    return course_config(root).TrustedExecute.get("record_file", RECORD_FILE)


def integrity_findings(root, assignment_id, student_id, record_name=RECORD_FILE):
    """The grader's integrity findings on one submission ([{cell, line, what}]), from its record."""
    record = Path(root) / "autograded" / student_id / assignment_id / record_name
    try:
        return json.loads(record.read_text()).get("integrity", [])
    except (OSError, ValueError):
        return []


def class_table(root, assignment_ids, failures=None):
    """Rows [student, score of each assignment..., total] as text; `failures` marks failed runs.

    A "!" marks a submission with integrity findings; they are listed under the table.
    """
    failures = failures or {}
    findings, record_name = [], record_file(root)
    with gradebook(root) as gb:
        students = sorted(s.id for s in gb.students)
        maxima = [gb.find_assignment(a).max_score for a in assignment_ids]
        rows = []
        for student in students:
            row, total = [student], 0.0
            for assignment_id in assignment_ids:
                if (assignment_id, student) in failures:
                    row.append("error")
                    continue
                try:
                    submission = gb.find_submission(assignment_id, student)
                except MissingEntry:
                    row.append("-")
                    continue
                total += submission.score
                manual = " *" if submission.needs_manual_grade else ""
                found = integrity_findings(root, assignment_id, student, record_name)
                findings += [f"  {student} / {assignment_id}, {f['cell']} line {f['line']}: {f['what']}" for f in found]
                row.append(f"{submission.score:g}{manual}{' !' if found else ''}")
            rows.append(row + [f"{total:g}"])
    header = ["student", *(f"{a} (/{m:g})" for a, m in zip(assignment_ids, maxima)), f"total (/{sum(maxima):g})"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = "\n(* : written answers still to be graded by hand in the formgrader)"
    if findings:
        legend += "\n(! : signs of tampering the grader found in the code; the cells' scores stand as judged)\n"
        legend += "\n".join(findings)
    return "\n".join(lines) + legend
