"""Do the grading steps report failures per student and stop a notebook that runs too long?"""
import tempfile
import re

import pytest

from course.grading import steps
from course.grading.course import Course
from course.grading.table import class_table

from .toy import CORRECT, submit, toy_notebook
from course.grading import engine

pytestmark = pytest.mark.nbgrader


def test_a_notebook_over_its_total_time_is_stopped_with_a_message(toy_course):
    """Is a whole notebook that outlasts --timeout killed, kernel included, with a clear message?"""
    submit(toy_course, "slow", toy_notebook(CORRECT + "\nimport time\ntime.sleep(120)"))
    result = engine.autograde(toy_course, "toy", timeout=12)["slow"]
    assert not result.ok and "ran too long" in result.message
    # Measured on the task's own clock, not the machine's: stopped at its limit, long before the sleep ends.
    stopped_after = int(re.search(r"stopped after (\d+) s", result.message).group(1))
    assert 12 <= stopped_after < 120


def test_grade_table_shows_scores_and_pending_written_answers(toy_course, tmp_path, monkeypatch):
    """Are scores and pending written answers shown, and no kernel's scratch folder left behind?"""
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    submit(toy_course, "ada", toy_notebook())
    submit(toy_course, "bob", toy_notebook(CORRECT.replace("2 * x", "-2 * x")))
    results = engine.autograde(toy_course, "toy")
    assert all(r.ok for r in results.values())
    assert not [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith(("course-kernel-", "course-grading-"))]
    assert Course.of(toy_course).cell_scores("toy", "ada")["double_tests"] == (2.0, 2.0)
    assert Course.of(toy_course).cell_scores("toy", "bob")["double_tests"] == (0.0, 2.0)
    Course.of(toy_course).record_failures({("toy", "bob"): steps.StepResult(False, "boom")})
    table = class_table(toy_course, ["toy"])
    assert "toy (/3)" in table
    assert [line.split()[:2] for line in table.splitlines()[2:4]] == [["ada", "2"], ["bob", "error"]]
    assert "  bob / toy: boom" in table.splitlines()


def test_failures_are_recorded_for_later_commands_and_cleared_by_a_success(toy_course):
    """Does a failed grading stay on record (for `course table`, the report) until the student is graded?"""
    submit(toy_course, "cat", "{ this is not a notebook")
    assert not engine.autograde(toy_course, "toy")["cat"].ok
    assert "not valid JSON" in Course.of(toy_course).grading_failures()["toy", "cat"]
    (toy_course / "submitted" / "cat" / "toy" / "toy.ipynb").unlink()
    submit_again = toy_course / "submitted" / "cat" / "toy"
    submit_again.rmdir()
    submit(toy_course, "cat", toy_notebook())
    assert engine.autograde(toy_course, "toy")["cat"].ok
    assert ("toy", "cat") not in Course.of(toy_course).grading_failures()
