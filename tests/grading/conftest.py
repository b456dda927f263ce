"""Fixtures of the grading tests."""
import pytest

from .toy import make_toy_course


@pytest.fixture
def toy_course(tmp_path):
    return make_toy_course(tmp_path)
