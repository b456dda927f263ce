"""Shared fixtures: the repository root, throwaway course folders, and the example classes graded once."""
import atexit
import functools
import gc
import os
from pathlib import Path
import shutil
import tempfile

import pytest
import torch

from course.grading.mistakes import read_notebook
from examples import example_class
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
# One test worker per core: torch's own thread per core in each made them wait on each other
# (tests/checks/test_mlp.py took 17 s beside the other worker, 3 s alone). Grading kernels set their own.
torch.set_num_threads(1)
# What the imports made lives as long as the worker: frozen, the cyclic collector skips it (10% of the checks'
# tests' time; the grading workers and kernel templates do the same).
gc.freeze()
# COURSE_TEST_ASSIGNMENTS="03_backward 05_manual_updates" grades only those (while working on them).
ASSIGNMENTS = os.environ.get("COURSE_TEST_ASSIGNMENTS", "").split() or Course.of(ROOT).assignment_ids()


@pytest.fixture(scope="session")
def repo_root():
    return ROOT


def new_course(folder):
    """example_class.new_course in `folder`, with an empty gradebook (`with_empty_gradebook`)."""
    return with_empty_gradebook(example_class.new_course(folder, ROOT))


def with_empty_gradebook(root):
    """Course folder `root` with an empty gradebook copied in: nbgrader makes a new gradebook by running
    alembic in a process of its own (2.5 s of CPU), so a test process does it once."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("COURSE_GRADEBOOK_URL"):  # a gradebook elsewhere: nbgrader makes it there
        shutil.copy(_empty_gradebook(), root / "gradebook.db")
    return root


@functools.cache
def _empty_gradebook():
    folder = Path(tempfile.mkdtemp(prefix="empty-gradebook-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with Course.new(folder, ROOT).gradebook():
        pass
    return folder / "gradebook.db"


@pytest.fixture
def course_dir(tmp_path):
    """An empty throwaway course folder with the course's nbgrader_config.py and source/."""
    return new_course(tmp_path / "course")


def attack_notebooks():
    """{(assignment, "attack-<technique>"): notebook} of the course-wide tamper corpus (tests/grading/tamper_corpus.py)."""
    from .grading.tamper_corpus import course_attacks, tampered

    return {(assignment, f"attack-{technique}"):
            tampered(read_notebook(ROOT / "release" / assignment / f"{assignment}.ipynb"), code)
            for (assignment, technique), code in course_attacks().items()}


def alternative_notebooks():
    """{(assignment, "alternatives-<k>"): notebook}: the solution with mistakes/alternatives.py's correct
    variants in its cells, as many notebooks as it takes for no two variants to share a cell."""
    import runpy

    from course.grading.mistakes import apply_mistakes, group_disjoint

    alternatives = runpy.run_path(str(ROOT / "mistakes" / "alternatives.py"))["ALTERNATIVES"]
    notebooks = {}
    for assignment, variants in alternatives.items():
        source = read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb")
        for k, group in enumerate(group_disjoint(variants), 1):
            notebooks[assignment, f"alternatives-{k}"] = apply_mistakes(source, group)
    return notebooks


@pytest.fixture(scope="session")
def graded_classes(tmp_path_factory):
    """Every assignment's example class (solution, stub, every group of mistakes), the correct alternatives
    and the tamper corpus's attacks, graded in one parallel run; shared by the tests of the assignments,
    of the corpus and of `course check`'s verdicts."""
    root = new_course(tmp_path_factory.mktemp("example-classes"))
    extra = {**attack_notebooks(), **alternative_notebooks()}
    return root, example_class.grade(root, ROOT, ASSIGNMENTS, all_mistakes=True, extra=extra)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Spread the tests over the xdist workers, keeping those that share one graded class together.

    A module- or session-scoped fixture is built once per worker that runs
    one of its tests: split freely, every worker would grade the example
    classes again. So the tests of the assignments (their id ends in
    `[<assignment id>]`; the grading engine grades all their classes at once,
    on every core) go to one worker, with `course check`'s comparison on those classes; the tests of
    the hostile class and of the browser's JupyterLab server go to one each; the tests of any other
    module stay together too.
    (xdist's own `loadgroup` does not work with pytest 9: it renames items
    through an attribute pytest no longer reads.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ByGradedClass(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            if (("test_assignments.py" in nodeid or "test_verdicts_equal_the_autograders" in nodeid)
                    and nodeid.endswith("]")) or "test_tamper_course.py" in nodeid:
                return "example-classes"
            for module in ("test_hostile_submissions.py", "test_tampering.py", "test_selfcheck.py", "test_browser.py",
                           "test_hub.py"):
                if module in nodeid:
                    return module
            # A module's tests share its module-scoped fixtures (the example term, the regraded class):
            # split by test, each worker that runs one would build them again.
            return nodeid.split("::")[0]

    return ByGradedClass(config, log)
