"""The instructor's steps that are nbgrader's own commands, each run in a process of its own.

Release, feedback, its return and the export run `nbgrader <command>` with
the course folder as the working directory (so its nbgrader_config.py
applies); a failure is a StepResult with nbgrader's first error, never an
exception. Autograding is the engine's (`course.grading.engine`).
"""
from dataclasses import dataclass
import os
import re
from pathlib import Path
import shutil
import signal
import subprocess
import sys

from .course import path_with_this_environment

@dataclass
class StepResult:
    """What one nbgrader run did: ok, and the lines of its log worth showing."""

    ok: bool
    message: str
    log: str = ""


def nbgrader(root, *args, timeout=None, env=None):
    """Run `nbgrader *args` in course folder `root`; never raises for nbgrader's own failures."""
    command = [sys.executable, "-m", "nbgrader", *args]
    # A session of its own, so a timeout ends nbgrader and the kernels it started.
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PATH": path_with_this_environment(), **(env or {})}, start_new_session=True)
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return StepResult(False, f"stopped after {timeout} s: the notebook ran too long", log)
    if process.returncode == 0:
        return StepResult(True, "ok", log)
    return StepResult(False, first_error(log) or f"nbgrader exited with code {process.returncode}", log)


# What nbgrader's generic "error processing assignment" means, said so an instructor can act on it.
CAUSES = {
    "NotJSONError": "the file is not a notebook (not valid JSON): ask the student to hand it in again",
    "NotebookValidationError": "the file is not a valid notebook: ask the student to hand it in again",
}


def first_error(log):
    """nbgrader's first ERROR or CRITICAL message in a log (its command's or its API's format), or None.

    When a traceback above names a known cause (CAUSES), the message says it first.
    """
    errors = [line.split("]", 1)[-1].strip() for line in log.splitlines()
              if re.match(r"\[(\w+ \| )?(ERROR|CRITICAL)\]", line)
              and "see the above traceback" not in line and "see the the above traceback" not in line]
    causes = [why for name, why in CAUSES.items() if re.search(rf"\b{name}\b", log)]
    if causes and errors:
        return f"{causes[0]} ({errors[0]})"
    return errors[0] if errors else None


def release(root, assignment_id):
    """Generate the student version release/<id>/ from source/<id>/."""
    return nbgrader(root, "generate_assignment", assignment_id, "--force")


def generate_feedback(root, assignment_id):
    """Write feedback/<student>/<id>/<id>.html for every autograded student."""
    return nbgrader(root, "generate_feedback", assignment_id, "--force")


def return_feedback(root, assignment_id):
    """Hand each graded student's feedback back; a StepResult.

    Submissions that came through nbgrader's exchange (`nbgrader collect`
    leaves a submission_secret.txt) go back through it (`nbgrader
    release_feedback`, then the students' `nbgrader fetch_feedback`). Those
    collected from an LMS or a folder cannot: their feedback is copied to
    returned/<id>/<student>/ and zipped as returned/<id>_feedback.zip, one
    folder per student, for the LMS's bulk upload.
    """
    import zipfile

    root = Path(root)
    students = sorted(p.parent.name for p in (root / "feedback").glob(f"*/{assignment_id}"))
    if not students:
        return StepResult(False, "no feedback to return: grade and generate feedback first")
    if all((root / "submitted" / s / assignment_id / "submission_secret.txt").exists() for s in students):
        return nbgrader(root, "release_feedback", assignment_id)
    returned = root / "returned" / assignment_id
    shutil.rmtree(returned, ignore_errors=True)
    returned.mkdir(parents=True)
    with zipfile.ZipFile(returned.parent / f"{assignment_id}_feedback.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
        for student in students:
            for page in (root / "feedback" / student / assignment_id).glob("*.html"):
                (returned / student).mkdir(parents=True, exist_ok=True)
                shutil.copy(page, returned / student / page.name)
                bundle.write(page, f"{student}/{page.name}")
    return StepResult(True, f"{len(students)} students' feedback in returned/{assignment_id}/ "
                            f"and returned/{assignment_id}_feedback.zip")


def export_grades(root, path="grades.csv"):
    """nbgrader's CSV export of the gradebook: one row per student and assignment, penalties applied."""
    return nbgrader(root, "export", f"--to={path}")
