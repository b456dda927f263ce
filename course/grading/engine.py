"""Parallel autograding into one gradebook: many notebooks at once, each failing alone.

`grade` runs `grade_notebook` for every (assignment, student) on an
executor (`course.grading.executors`: worker processes here, or Dask).
Each task runs nbgrader's own autograde (its Python API, the formgrader's)
in a long-lived worker, so nbgrader is imported once per worker and the
kernel is forked warm (`course.grading.sandbox.forkserver`); the workers
and their kernel templates stay for the process's next run
(`course.grading.executors.local`).

One gradebook, many writers: nbgrader opens the gradebook only for short
transactions around a notebook's execution, never during it. The students
are created before any task starts, so no two tasks insert the same row;
on SQLite, which takes one writer at a time, a writer waits for the file
lock (`sqlite_busy_timeout`) instead of failing. PostgreSQL takes them all.

A task never raises: invalid JSON, a dead kernel, a timeout or a duplicated
cell come back as a failed `StepResult` with nbgrader's reason, and the
other students are graded.
"""
from contextlib import contextmanager
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings

from traitlets import Bool, Enum, Integer, Unicode
from traitlets.config import LoggingConfigurable

from . import executors, graded
from .course import Course
from .sandbox import homes
from .steps import StepResult, first_error


# nbgrader's autograde touches relationships of rows it has just merged: SQLAlchemy warns, twice a notebook,
# about an add it rightly skips. Nothing is lost (the engine tests compare every grade); the noise hid real errors.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module=r"nbgrader\.")
# A test cell nbgrader puts back (OverwriteCells.add_missing_cells) has no cell id; nbformat adds one and warns.
warnings.filterwarnings("ignore", message=r"Cell is missing an id field", module=r"nbformat\.")


class GradingEngine(LoggingConfigurable):
    """How `course grade` spreads the notebooks; configurable in nbgrader_config.py like nbgrader's settings."""

    jobs = Integer(os.cpu_count() or 1, help="Notebooks graded at once (default: this machine's cores)").tag(config=True)
    executor = Enum(executors.EXECUTORS, "local", help="Where notebooks are graded: worker processes on "
                                                       "this machine, or Dask's distributed scheduler").tag(config=True)
    scheduler = Unicode("", help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                 "(empty: a LocalCluster of `jobs` workers)").tag(config=True)
    notebook_timeout = Integer(20 * 60, help="Seconds one student's notebook may take in all; "
                                             "its kernel is killed after that").tag(config=True)
    run_timeout = Integer(0, help="Seconds the whole run may take (0: no limit); notebooks not "
                                  "finished by then are reported as not graded").tag(config=True)
    sqlite_busy_timeout = Integer(600, help="Seconds an SQLite gradebook writer waits for another "
                                            "writer to finish").tag(config=True)
    progress = Bool(True, help="Show a progress bar (only ever on a terminal)").tag(config=True)


def defaults(course="."):
    """The engine's settings for `course`: its traitlet defaults, then nbgrader_config.py."""
    return GradingEngine(config=Course.of(course).config)


def _kill_kernels():
    from .plugins.sandboxed_execute import SandboxKernelManager

    for pid in list(SandboxKernelManager.running):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


@contextmanager
def _deadline(seconds, on_expiry):
    if seconds == float("inf"):
        yield
        return
    timer = threading.Timer(max(seconds, 0.0), on_expiry)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def grade_notebook(root, assignment_id, student_id, deadline, busy_timeout):
    """Autograde one submission with nbgrader's Python API in this process; a StepResult, never raises.

    `deadline` is a time.time() by which the notebook must be done: its kernel is killed then.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    start = time.time()
    if start >= deadline:
        return StepResult(False, "not graded: the run's time limit was reached")
    expired = threading.Event()

    def expire():
        expired.set()
        _kill_kernels()

    try:
        config = Course.of(root).config
        coursedir = CourseDirectory(config=config)
        if coursedir.db_url.startswith("sqlite") and "timeout=" not in coursedir.db_url:
            coursedir.db_url += ("&" if "?" in coursedir.db_url else "?") + f"timeout={busy_timeout}"
        api = NbGraderAPI(coursedir=coursedir, config=config)
        # The kernels make their private homes in a scratch folder of this task, removed afterwards; made as
        # a home of this worker, it is swept by the next grader if the worker is killed before removing it.
        with homes.home() as scratch, \
                _environment(TMPDIR=scratch, COURSE_MPL_CACHE=str(matplotlib_cache())), \
                _deadline(deadline - start, expire):
            outcome = api.autograde(assignment_id, student_id, force=True, create=True)
            if _kernel_never_started(outcome) and not expired.is_set():
                # Before the first cell, so not the notebook's doing: most likely a port jupyter_client had
                # chosen for the kernel was taken by another process before the kernel could bind it.
                outcome = api.autograde(assignment_id, student_id, force=True, create=True)
    except Exception as error:  # a failure of this student's task, reported with the others
        outcome = {"success": False, "log": f"[ERROR] {type(error).__name__}: {error}"}
    log = outcome.get("log", "") + outcome.get("error", "")
    if expired.is_set():
        return StepResult(False, f"stopped after {time.time() - start:.0f} s: the notebook ran too long", log)
    if outcome["success"]:
        graded.mark(root, assignment_id, student_id)
        return StepResult(True, "ok", log)
    return StepResult(False, first_error(log) or "nbgrader failed without a message", log)


def _kernel_never_started(outcome):
    """Whether an autograde failed because its kernel died before it answered its first message."""
    text = outcome.get("log", "") + outcome.get("error", "")
    return not outcome["success"] and "Kernel died before replying to kernel_info" in text


@contextmanager
def _environment(**variables):
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    tempfile.tempdir = None
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        tempfile.tempdir = None


def _progress(total, enabled):
    from tqdm import tqdm

    # disable=None: tqdm shows itself only when stderr is a terminal.
    return tqdm(total=total, unit="notebook", desc="grading", file=sys.stderr, dynamic_ncols=True,
                disable=None if enabled else True)


ALREADY_GRADED = "already graded (unchanged since; --force grades it again)"
NOT_REACHED = "not graded: the run's time limit was reached"
INTERRUPTED = "not graded: the run was interrupted; grading again grades what is left"


def grade(course, submissions=None, force=False, **settings):
    """Autograde `submissions` [(assignment_id, student_id), ...] of `course` in parallel.

    Unless `force`, a submission graded successfully before and unchanged since is not graded again
    (course.grading.graded), so a run that was stopped, killed or timed out can simply be run again.
    `settings` override GradingEngine's (jobs, executor, scheduler, notebook_timeout, run_timeout,
    progress); None keeps the configured value. The run's time limit holds whatever the load: at it,
    every worker is stopped, with its kernels. Returns {(assignment_id, student_id): StepResult}.
    """
    course = Course.of(course)
    engine = defaults(course)
    for name, value in settings.items():
        if value is not None:
            setattr(engine, name, value)
    root = str(course.root)
    results = {key: StepResult(True, ALREADY_GRADED) for key in submissions
               if not force and graded.is_graded(root, *key)}
    todo = [key for key in submissions if key not in results]
    if not todo:
        return results
    with course.gradebook() as gb:
        for student in sorted({student for _, student in todo}):
            gb.update_or_create_student(student)
    run_deadline = time.time() + engine.run_timeout if engine.run_timeout else float("inf")
    tasks = [(root, assignment_id, student, engine.notebook_timeout or float("inf"), run_deadline,
              engine.sqlite_busy_timeout) for assignment_id, student in todo]
    runner = executors.executor(engine.executor, engine.jobs, engine.scheduler, tasks=len(tasks))
    failures, stopped = 0, None
    try:
        with _progress(len(tasks), engine.progress) as bar:
            for task, result in runner.run(_grade_task, tasks, deadline=run_deadline):
                results[task[1], task[2]] = result
                failures += not result.ok
                bar.set_postfix(failed=failures, refresh=False)
                bar.update()
        if len(results) < len(submissions):
            stopped = NOT_REACHED
    except KeyboardInterrupt:
        stopped = INTERRUPTED
    finally:
        if stopped:
            runner.abort()
        else:
            runner.close()
    for key in todo:
        results.setdefault(key, StepResult(False, stopped or NOT_REACHED))
    course.record_failures({key: results[key] for key in todo})
    return results


def _grade_task(root, assignment_id, student_id, notebook_timeout, run_deadline, busy_timeout):
    """grade_notebook with its clock started when a worker takes it, within the run's deadline."""
    deadline = min(time.time() + notebook_timeout, run_deadline)
    return grade_notebook(root, assignment_id, student_id, deadline, busy_timeout)


_matplotlib_cache = None


def matplotlib_cache():
    """A warm matplotlib font cache that each grading kernel copies (building one takes seconds). The one
    this process first found or made serves for as long as it exists, even after TMPDIR has changed: the
    kernel templates take its path with them (`course.grading.sandbox.forkserver`), and a new path would
    start new ones."""
    import matplotlib

    global _matplotlib_cache
    if _matplotlib_cache is not None and _matplotlib_cache.exists():
        return _matplotlib_cache
    cache = Path(tempfile.gettempdir()) / f"course-mpl-cache-{matplotlib.__version__}"
    if not cache.exists():
        staging = Path(tempfile.mkdtemp(prefix="course-mpl-"))
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                       env={**os.environ, "MPLCONFIGDIR": str(staging)}, check=True)
        try:
            staging.rename(cache)
        except OSError:  # another grader made it first
            shutil.rmtree(staging, ignore_errors=True)
    _matplotlib_cache = cache
    return cache


def autograde(course, assignment_id, students=None, timeout=None, **settings):
    """Autograde students' submissions of one assignment, in parallel.

    `timeout`: seconds each notebook may take; `settings`: other GradingEngine settings (force too).
    Returns {student: StepResult}.
    """
    students = students or Course.of(course).submitted_students(assignment_id)
    results = grade(course, [(assignment_id, s) for s in students], notebook_timeout=timeout, **settings)
    return {student: results[assignment_id, student] for student in students}
