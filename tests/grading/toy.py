"""A toy assignment for the grading tests: one exercise (double, judged by the grader: toy_checks.py), its tests
with a hidden part, a written answer."""
import atexit
import functools
import os
from pathlib import Path
import shutil
import tempfile

import nbformat

from course import authoring
from course.grading import steps

ROOT = Path(__file__).resolve().parents[2]

CORRECT = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
SETUP = "import torch\nfrom course.checks import check"
TESTS = """check("double_tests", double)
### BEGIN HIDDEN TESTS
check("double_tests", double, hidden=True)
### END HIDDEN TESTS"""


def toy_notebook(double_code=CORRECT):
    return authoring.notebook([
        authoring.markdown("# Toy assignment"),
        authoring.code(SETUP),
        authoring.solution("double", double_code),
        authoring.tests("double_tests", TESTS, points=2),
        authoring.markdown("Why is doubling linear?"),
        authoring.written("why_linear", "Because 2(a + b) = 2a + 2b.", points=1),
    ])


def submit(root, student, nb_or_text):
    folder = Path(root) / "submitted" / student / "toy"
    folder.mkdir(parents=True)
    path = folder / "toy.ipynb"
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text)
    else:
        nbformat.write(nb_or_text, str(path))


def make_toy_course(root, cell_timeout=None):
    """A course folder at `root` with the course's config and the released toy assignment."""
    root = Path(root)
    if os.environ.get("COURSE_GRADEBOOK_URL"):  # a gradebook elsewhere: the release must write there
        _release_toy_course(root)
    else:
        shutil.copytree(_released_toy_course(), root, dirs_exist_ok=True)
    if cell_timeout:
        with open(root / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.SandboxedExecute.timeout = {cell_timeout}\n")
    return root


@functools.cache
def _released_toy_course():
    """The toy course, released once per test process; each test gets a copy. A release is an nbgrader
    process, and a new gradebook runs alembic in another: about 3 s of CPU, paid by some 40 tests."""
    root = Path(tempfile.mkdtemp(prefix="toy-course-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return _release_toy_course(root)


def _release_toy_course(root):
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    with open(root / "nbgrader_config.py", "a") as config:
        config.write('\nc.TrustedExecute.exercise_modules = ["tests.grading.toy_checks"]\n')
    (root / "source" / "toy").mkdir(parents=True)
    nbformat.write(toy_notebook(), str(root / "source" / "toy" / "toy.ipynb"))
    released = steps.release(root, "toy")
    assert released.ok, released.log
    return root
