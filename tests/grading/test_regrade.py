"""`course regrade`: a class judged again from the recorded answers with today's checks, no kernel.

A small class of 03_backward (the solution, a typical mistake, the stub) is
graded once through the engine; the tests then change a check in this
process, as an instructor edits course/checks, and regrade.
"""
import dataclasses
import json
import time
from pathlib import Path

import pytest

from course import api
from course.checks import registry
from course.grading import steps
from course.grading.mistakes import apply_mistakes, load_mistakes, read_notebook
from course.grading.course import Course
from examples import example_class
from course.grading import engine
from ..conftest import new_course

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "03_backward"
CELL = "relu_backward_tests"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = new_course(tmp_path_factory.mktemp("regrade"))
    assert steps.release(root, ASSIGNMENT).ok
    source = read_notebook(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    wrong = [m for m in load_mistakes(ROOT, ASSIGNMENT) if m.cell == "relu_backward"][:1]
    example_class.submit(root, "solution", ASSIGNMENT, source)
    example_class.submit(root, "mistake", ASSIGNMENT, apply_mistakes(source, wrong))
    example_class.submit(root, "stub", ASSIGNMENT, read_notebook(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    results = engine.autograde(root, ASSIGNMENT)
    assert all(r.ok for r in results.values())
    assert steps.generate_feedback(root, ASSIGNMENT).ok
    return root


def _scores(root):
    return {s: Course.of(root).cell_scores(ASSIGNMENT, s) for s in ("solution", "mistake", "stub")}


def test_the_answers_are_recorded_beside_each_graded_notebook(graded):
    folder = graded / "autograded" / "solution" / ASSIGNMENT / "answers"
    assert {p.stem for p in folder.glob("*.json")} >= {CELL, "matmul_backward_tests"}
    record = json.loads((folder / f"{CELL}.json").read_text())
    assert {"request", "checks", "outcomes"} <= set(record) and len(record["outcomes"]) > 5


def test_with_no_check_changed_regrading_changes_nothing_and_runs_no_kernel(graded):
    before = _scores(graded)
    result = api.regrade(graded, [ASSIGNMENT])
    assert result.changes == [] and result.again == {} and result.graded_again == {}
    assert result.judged == 3 * 13
    assert _scores(graded) == before


def _stricter(exercise):
    """The same trials (same inputs, so the same request) with a judge that refuses every answer."""
    def refuse(got):
        raise AssertionError("a stricter check: nothing passes now")
    hidden = exercise.hidden
    return dataclasses.replace(exercise, hidden=lambda seed: [dataclasses.replace(t, judge=refuse) for t in hidden(seed)])


def test_a_changed_check_is_shown_by_a_dry_run_and_written_by_a_regrade(graded, monkeypatch):
    monkeypatch.setitem(registry.EXERCISES, CELL, _stricter(registry.EXERCISES[CELL]))
    before = _scores(graded)
    dry = api.regrade(graded, [ASSIGNMENT], cell=CELL, dry_run=True)
    assert [(c.student, c.before, c.after) for c in dry.changes] == [("solution", 1.0, 0.0)]
    assert _scores(graded) == before, "a dry run wrote something"
    start = time.monotonic()
    done = api.regrade(graded, [ASSIGNMENT], cell=CELL)
    assert done.changes == dry.changes and done.again == {}
    assert time.monotonic() - start < 60
    assert Course.of(graded).cell_scores(ASSIGNMENT, "solution")[CELL] == (0.0, 1.0)
    assert Course.of(graded).cell_scores(ASSIGNMENT, "solution")["matmul_backward_tests"] == before["solution"]["matmul_backward_tests"]
    record = json.loads((graded / "autograded" / "solution" / ASSIGNMENT / "judge.json").read_text())
    assert "a stricter check" in json.dumps(record["verdicts"][CELL])
    feedback = (graded / "feedback" / "solution" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "a stricter check: nothing passes now" in feedback
    # and back: the check as it was gives the solution its point again
    monkeypatch.undo()
    again = api.regrade(graded, [ASSIGNMENT], cell=CELL)
    assert [(c.student, c.before, c.after) for c in again.changes] == [("solution", 0.0, 1.0)]
    assert _scores(graded) == before


def test_changed_trials_send_the_submission_through_the_engine_and_say_why(graded, monkeypatch):
    exercise = registry.EXERCISES[CELL]
    moved = dataclasses.replace(exercise, visible=lambda: exercise.visible()[:1])
    monkeypatch.setitem(registry.EXERCISES, CELL, moved)
    dry = api.regrade(graded, [ASSIGNMENT], cell=CELL, dry_run=True)
    assert set(dry.again) == {(ASSIGNMENT, s) for s in ("solution", "mistake", "stub")}
    assert all("relu_backward_tests's trials changed" in why for why in dry.again.values())
