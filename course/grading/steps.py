"""The instructor's steps over a course folder, each through nbgrader itself.

Release and feedback run nbgrader in its own process, with the course
folder as its working directory (so its nbgrader_config.py applies).
Autograding goes through `course.grading.engine`: many students at once,
and a notebook that hangs, crashes its kernel or misbehaves costs that
student a clear error message and nobody else anything.
"""
from dataclasses import dataclass
import os
import re
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile

@dataclass
class StepResult:
    """What one nbgrader run did: ok, and the lines of its log worth showing."""

    ok: bool
    message: str
    log: str = ""


def path_with_this_environment():
    """PATH with this Python's bin folder first: nbgrader runs `alembic` by name when it makes a gradebook."""
    here = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    return path if here in path.split(os.pathsep) else os.pathsep.join([here, path])


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


def assignment_ids(root):
    """The assignments of the course, in teaching order (their ids sort that way)."""
    return sorted(p.name for p in (Path(root) / "source").iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").exists())


def release(root, assignment_id):
    """Generate the student version release/<id>/ from source/<id>/."""
    return nbgrader(root, "generate_assignment", assignment_id, "--force")


def submitted_students(root, assignment_id):
    folder = Path(root) / "submitted"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / assignment_id).is_dir())


def matplotlib_cache():
    """A warm matplotlib font cache that each grading kernel copies (building one takes seconds)."""
    import matplotlib

    cache = Path(tempfile.gettempdir()) / f"course-mpl-cache-{matplotlib.__version__}"
    if not cache.exists():
        staging = Path(tempfile.mkdtemp(prefix="course-mpl-"))
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                       env={**os.environ, "MPLCONFIGDIR": str(staging)}, check=True)
        try:
            staging.rename(cache)
        except OSError:  # another grader made it first
            shutil.rmtree(staging, ignore_errors=True)
    return cache


def autograde(root, assignment_id, students=None, timeout=None, **settings):
    """Autograde students' submissions of one assignment, in parallel (course.grading.engine).

    `timeout`: seconds each notebook may take; `settings`: other GradingEngine settings.
    Returns {student: StepResult}.
    """
    from . import engine

    students = students or submitted_students(root, assignment_id)
    results = engine.grade(root, [(assignment_id, s) for s in students], notebook_timeout=timeout, **settings)
    return {student: results[assignment_id, student] for student in students}


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
