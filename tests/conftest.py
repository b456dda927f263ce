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
