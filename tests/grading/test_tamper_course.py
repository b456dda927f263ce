"""The course-wide tamper corpus, graded through nbgrader with the example classes (tests/conftest.py).

Every class of attack of issue 23 meets every assignment with by-hand code,
and 09: names the reading cannot resolve, the course's own oracles, steering
the kernel, torch's backward kernels, code the reading cannot see. Each
attack computes torch's own gradients, so it would score full marks if the
grade came from the learner's kernel or a deny-list; each must earn 0 and
be named in the integrity record, and the honest solution, graded in the
same run, keeps full marks.
"""
import dataclasses
import json

import pytest

from course.checks.core.exercise import Verdict
from course.checks.local import verdict
from course.checks.registry import ASSIGNMENTS as CHECKS
from course.grading.course import Course

from ..conftest import ASSIGNMENTS
from .tamper_corpus import _VJP, ANSWERS, course_attacks

pytestmark = pytest.mark.nbgrader
ATTACKS = sorted((a, t) for a, t in course_attacks() if a in ASSIGNMENTS)


def _record(root, assignment, student):
    return json.loads((root / "autograded" / student / assignment / "judge.json").read_text())


def _autograded(root, assignment, student):
    return {cell: score for cell, (score, _) in Course.of(root).cell_scores(assignment, student).items() if score is not None}


@pytest.mark.parametrize("assignment, technique", ATTACKS)
def test_each_attack_earns_nothing_and_is_named(graded_classes, assignment, technique):
    root, graded = graded_classes
    student = f"attack-{technique}"
    assert graded[assignment][1][student].ok, graded[assignment][1][student].message
    assert sum(_autograded(root, assignment, student).values()) == 0
    record = _record(root, assignment, student)
    assert record["integrity"], f"{student} on {assignment} left no finding in judge.json"


@pytest.mark.parametrize("assignment", sorted({a for a, _ in ATTACKS}))
def test_the_honest_solution_graded_with_them_keeps_full_marks(graded_classes, assignment):
    root, graded = graded_classes
    scores = Course.of(root).cell_scores(assignment, "solution")
    assert all(score == maximum for score, maximum in scores.values() if score is not None)
    assert _record(root, assignment, "solution")["integrity"] == []


@pytest.mark.parametrize("assignment", sorted(ANSWERS))
def test_the_attacks_answers_are_right_when_nothing_stops_them(assignment):
    """The corpus is real: run in-process without the by-hand guard, its autograd answers pass the checks."""
    import torch

    namespace = {}
    exec("import torch\n_GRAD, _ENABLE = torch.autograd.grad, torch.enable_grad\n" + _VJP + ANSWERS[assignment],
         namespace)
    checked = [e for e in CHECKS[assignment].EXERCISES if e.reading in ("tensors", "python") and e.function in namespace]
    assert checked
    for exercise in checked:
        unguarded = dataclasses.replace(exercise, by_hand=False)
        result = verdict(unguarded, namespace[exercise.function], exercise.visible(), exercise.visible_label)
        assert isinstance(result, Verdict) and result.passed, (exercise.grade_id, result.message)
    assert torch.is_grad_enabled()
