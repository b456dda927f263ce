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


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Keep the tests that share one expensive graded course on one xdist worker.

    Module-scoped fixtures are built once per worker: without a group, every
    worker that ran a test of an assignment would grade the whole class again.
    """
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "graded" in params:
            item.add_marker(pytest.mark.xdist_group(f"graded-{params['graded']}"))
        elif item.module.__name__.endswith("test_hostile_submissions"):
            item.add_marker(pytest.mark.xdist_group("hostile-class"))
