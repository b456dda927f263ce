"""Shared fixtures: the repository root and throwaway course folders."""
from pathlib import Path

import pytest

from course.grading import example_class

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root():
    return ROOT


@pytest.fixture
def course_dir(tmp_path):
    """An empty throwaway course folder with the course's nbgrader_config.py and source/."""
    return example_class.new_course(tmp_path / "course", ROOT)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Spread the tests over the xdist workers, keeping those that share one graded class together.

    A module- or session-scoped fixture is built once per worker that runs
    one of its tests: split freely, every worker would grade the example
    classes again. So the tests of the assignments (their id ends in
    `[<assignment id>]`; the grading engine grades all their classes at once,
    on every core) go to one worker, and those of the hostile class, of `course check`'s class
    and of the browser's JupyterLab server to one each.
    (xdist's own `loadgroup` does not work with pytest 9: it renames items
    through an attribute pytest no longer reads.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class ByGradedClass(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            for module in ("test_hostile_submissions.py", "test_tampering.py", "test_selfcheck.py", "test_browser.py",
                           "test_hub.py"):
                if module in nodeid:
                    return module
            if "test_assignments.py" in nodeid and nodeid.endswith("]"):
                return "example-classes"
            return nodeid

    return ByGradedClass(config, log)
