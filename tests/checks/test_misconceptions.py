"""The catalogue of misconceptions (course/checks/core/misconceptions.toml) and how verdicts are tagged.

Fast tests, no nbgrader: the catalogue's form, its sections against the notebooks, the tagging in
`Exercise.judge`, and real diagnoses made here (misconception_cases). That every pattern matches a real
diagnosis of a graded mistake, and every mistake shows its declared misconception, is tested through
nbgrader in tests/test_assignments.py.
"""
from pathlib import Path
import re

import nbformat
import pytest
import torch

from course.checks.core import misconceptions
from course.checks.core.compare import assert_close
from course.checks.core.exercise import Exercise, Trial
from course.checks.registry import ASSIGNMENTS, EXERCISES
from course.grading.mistakes import declaration_problem, load_mistakes

from . import misconception_cases

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = misconceptions.catalogue()


def _headings(assignment):
    nb = nbformat.read(str(ROOT / "source" / assignment / f"{assignment}.ipynb"), as_version=4)
    return {line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")}


def test_the_catalogue_has_unique_kebab_case_ids_and_every_field():
    assert len(CATALOGUE) >= 30
    for misconception_id, entry in CATALOGUE.items():
        assert entry.id == misconception_id and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", misconception_id)
        assert entry.name and len(entry.name) <= 100, misconception_id
        sentences = re.findall(r"[.!?](\s|$)", entry.explanation)
        assert 2 <= len(sentences) <= 3, (misconception_id, entry.explanation)
        assert entry.shows, misconception_id
    names = [entry.name for entry in CATALOGUE.values()]
    assert len(set(names)) == len(names)


def test_parsing_refuses_a_duplicate_id_a_bad_id_and_a_missing_field():
    entry = ('[[misconception]]\nid = "{id}"\nname = "n"\nexplanation = "e."\nassignment = "01_randn"\n'
             'section = "s"\nshows = ["x"]\n')
    assert list(misconceptions.parse(entry.format(id="a-b"))) == ["a-b"]
    with pytest.raises(ValueError, match="given twice"):
        misconceptions.parse(entry.format(id="a-b") + entry.format(id="a-b"))
    with pytest.raises(ValueError, match="kebab-case"):
        misconceptions.parse(entry.format(id="A_b"))
    with pytest.raises(ValueError, match="lacks"):
        misconceptions.parse(entry.format(id="a").replace('section = "s"\n', ""))
    with pytest.raises(ValueError, match="a pattern is"):
        misconceptions.parse(entry.format(id="a").replace('shows = ["x"]', 'shows = [{regex = "x"}]'))


@pytest.mark.parametrize("entry", CATALOGUE.values(), ids=lambda entry: entry.id)
def test_each_section_is_a_heading_of_its_notebook(entry):
    """Does the section a failed check sends the learner to exist, word for word, in source/<id>/<id>.ipynb?"""
    assert entry.assignment in ASSIGNMENTS
    assert entry.section in _headings(entry.assignment), f"{entry.id}: no heading {entry.section!r}"


def test_scoped_patterns_name_test_cells_that_exist():
    for entry in CATALOGUE.values():
        for pattern in entry.shows:
            assert set(pattern.cells) <= set(EXERCISES), (entry.id, pattern.cells)


def test_every_mistake_declares_a_known_misconception_or_why_none():
    problems = [declaration_problem(m, CATALOGUE) for a in ASSIGNMENTS for m in load_mistakes(ROOT, a)]
    assert not [p for p in problems if p]


def test_every_misconception_is_shown_by_a_mistake_or_a_case_here():
    declared = {m.misconception for a in ASSIGNMENTS for m in load_mistakes(ROOT, a)}
    declared |= {case.shows for case in misconception_cases.CASES}
    assert set(CATALOGUE) - declared == set()


@pytest.mark.parametrize("case", misconception_cases.CASES, ids=lambda case: case.name)
def test_a_wrong_answer_is_tagged_and_its_message_ends_with_the_name_and_where_to_reread(case):
    verdict = misconception_cases.run(case)
    entry = CATALOGUE[case.shows]
    assert not verdict.passed and case.shows in verdict.misconceptions
    assert verdict.message.endswith(entry.line) and entry.line.startswith(f"Misconception: {entry.name}; reread ")
    assert "Misconception:" not in verdict.diagnosis  # what the class report groups stays the diagnosis alone
    assert verdict.record()["misconceptions"] == list(verdict.misconceptions)


def test_passing_messages_match_no_pattern():
    """Does no pattern match what a check says when an answer is right?"""
    for exercise in EXERCISES.values():
        for label in (exercise.visible_label(1), exercise.visible_label(2), exercise.hidden_label(12)):
            assert misconceptions.shown_by(label, exercise.grade_id) == (), label


def _toy(judge, grade_id="toy_tests"):
    return Exercise(grade_id, "toy", visible=lambda: [Trial((1,), judge, case="for x = 1")], hidden=lambda seed: [])


def _raising(message):
    def judge(got):
        raise AssertionError(message)
    return judge


def test_a_diagnosis_that_cannot_tell_the_cause_shows_no_misconception():
    """Generic diagnoses (which elements differ, a constant factor without a cause, NaN outside the
    exercises where only exp can overflow) carry no id, and their message gets no line."""
    generic = []
    for got, want in [(torch.tensor([1.0, 5.0]), torch.tensor([1.0, 2.0])),
                      (torch.tensor([3.0, 6.0]), torch.tensor([1.0, 2.0])),
                      (torch.tensor([float("nan"), 1.0]), torch.tensor([1.0, 2.0]))]:
        with pytest.raises(AssertionError) as raised:
            assert_close(got, want, "grad")
        generic.append(str(raised.value))
    for message in generic:
        verdict = _toy(_raising(message)).judge([Trial((1,), _raising(message))], [{"value": None}], str)
        assert verdict.misconceptions == () and "Misconception:" not in verdict.message, message


def test_a_scoped_pattern_holds_only_in_its_cells():
    """A NaN names exp's overflow only in tanh, sigmoid and softmax, where no division or log is involved."""
    nan = "the result contains NaN (first at index (0,)) where the right answer is finite: look for a division."
    assert misconceptions.shown_by(nan, "sigmoid_backward_tests") == ("exp-overflow",)
    assert misconceptions.shown_by(nan, "mean_backward_tests") == ()
    assert misconceptions.shown_by(nan) == ()


def test_judge_tags_the_failure_and_keeps_the_case_notes_and_diagnosis_apart():
    diagnosis = "grad_b has shape (2, 3), but it must have shape (3,).\n(3,) broadcasts to (2, 3): when an input " \
                "was broadcast in the forward pass, its gradient must be summed over the broadcast dimensions."
    exercise = _toy(_raising(diagnosis))
    verdict = exercise.judge(exercise.visible(), [{"value": None, "notes": ["UserWarning: careful"]}], str)
    line = CATALOGUE["broadcast-grad-sum"].line
    assert verdict.misconceptions == ("broadcast-grad-sum",) and verdict.diagnosis == diagnosis
    assert verdict.message == f"for x = 1: {diagnosis}\nUserWarning: careful\n{line}"
    assert line == ("Misconception: A broadcast input's gradient is summed over the broadcast dimensions; reread "
                    "03_backward, section 'Broadcasting, and why its backward is a sum'")


def test_an_error_the_learner_function_raised_is_looked_up_too():
    exercise = _toy(_raising("unused"))
    error = ("toy raised RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.")
    verdict = exercise.judge(exercise.visible(), [{"error": error}], str)
    assert verdict.misconceptions == ("update-outside-no-grad",)


def test_in_jupyterlab_a_failed_check_ends_with_the_misconception_and_where_to_reread():
    """What a test cell shows: `check` raises CheckFailed, which IPython renders as its message alone."""
    from course.checks import check
    from course.checks.local import CheckFailed

    with pytest.raises(CheckFailed) as raised:
        check("relu_backward_tests", lambda x, grad_out: (x > 0).to(x.dtype))   # the local derivative alone
    line = CATALOGUE["chain-rule-grad-out"].line
    assert str(raised.value).endswith(line) and raised.value._render_traceback_()[0].endswith(line)


def test_a_factor_with_two_likely_causes_shows_neither():
    """0.5 with a batch of 2 is a lost 2 of a square or a division by N too many: the diagnosis names both
    causes, so the verdict may name neither misconception."""
    from course.checks.core.compare import SQUARE_TWO_MISSING

    want = torch.tensor([1.0, 2.0, 4.0])
    with pytest.raises(AssertionError) as raised:
        assert_close(want / 2, want, "grad_W", causes=[SQUARE_TWO_MISSING], factors={"the batch size": 2})
    assert "2 likely causes" in str(raised.value)
    assert misconceptions.shown_by(str(raised.value), "two_layer_grads_tests") == ()
    with pytest.raises(AssertionError) as raised:
        assert_close(want / 2, want, "grad_W", causes=[SQUARE_TWO_MISSING])
    assert misconceptions.shown_by(str(raised.value), "two_layer_grads_tests") == ("power-rule",)
