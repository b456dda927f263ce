"""The private home of each sandboxed process: made by the grader, removed by the grader, whoever started it.

A grading kernel or trial process gets an empty home of its own (HOME,
TMPDIR, IPython's profile, matplotlib's cache) where the learner's code may
write; the engine's scratch folder for one notebook, where its kernels'
homes are made, is one too. The grader makes it before the process starts, named after the
grader's pid (``course-kernel-<pid>-…`` in the temp folder), and removes it
when the process has stopped, whether `course grade` or nbgrader's own
autograde (the formgrader's button) started it. A grader that died before
removing its homes leaves them behind: the next grader to start removes
every home whose grader is gone.
"""
from contextlib import contextmanager
import os
import shutil
import tempfile

from . import processes

PREFIX = "course-kernel-"


def new_home():
    """A fresh, empty private home for one sandboxed process; the caller removes it (`remove`)."""
    sweep()
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")


@contextmanager
def home():
    """A new home (`new_home`), removed when the block ends."""
    made = new_home()
    try:
        yield made
    finally:
        remove(made)


def remove(home):
    if home:
        shutil.rmtree(home, ignore_errors=True)


_swept = set()


def sweep(folder=None):
    """Remove the homes left in `folder` (the temp folder) by graders that are no longer running; once per
    folder and process."""
    folder = folder or tempfile.gettempdir()
    if folder in _swept:
        return
    _swept.add(folder)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        owner = name[len(PREFIX):].split("-", 1)[0]
        if name.startswith(PREFIX) and owner.isdigit() and not processes.running(int(owner)):
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)
