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


def nbgrader(root, *args, timeout=None, env=None):
    """Run `nbgrader *args` in course folder `root`; never raises for nbgrader's own failures."""
    command = [sys.executable, "-m", "nbgrader", *args]
    # nbgrader runs `alembic` by name when it creates a gradebook: put this environment's bin first.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    # A session of its own, so a timeout ends nbgrader and the kernels it started.
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PATH": path, **(env or {})}, start_new_session=True)
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        return StepResult(False, f"stopped after {timeout} s: the notebook ran too long", log)
    if process.returncode == 0:
        return StepResult(True, "ok", log)
    return StepResult(False, first_error(log) or f"nbgrader exited with code {process.returncode}", log)


def first_error(log):
    """nbgrader's first ERROR or CRITICAL message in a log (its command's or its API's format), or None."""
    errors = [line.split("]", 1)[-1].strip() for line in log.splitlines()
              if re.match(r"\[(\w+ \| )?(ERROR|CRITICAL)\]", line)
              and "see the above traceback" not in line and "see the the above traceback" not in line]
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
