"""Are predictions checked key by key, without giving the answer away in visible checks?"""
import pytest

from course.checks.core.predictions import check_predictions

TRUTH = {"dtype": "torch.float64", "is_leaf": True}


def test_right_predictions_pass():
    check_predictions({"dtype": "torch.float64", "is_leaf": True}, TRUTH)


def test_wrong_missing_and_unfilled_predictions_are_listed():
    """Is each wrong, missing or unfilled key named, and the right answer kept back?"""
    with pytest.raises(AssertionError) as failure:
        check_predictions({"dtype": ..., "is_leaf": 1}, {**TRUTH, "shape": (2,)})
    message = str(failure.value)
    assert "3 of 3" in message and "still `...`" in message and "'shape' is missing" in message
    assert "torch says" not in message


def test_a_bool_is_not_an_int():
    """Is 1 not accepted for True (a prediction of is_leaf must be a bool)?"""
    with pytest.raises(AssertionError, match="you predicted 1"):
        check_predictions({"dtype": "torch.float64", "is_leaf": 1}, TRUTH)


def test_reveal_gives_the_answer():
    with pytest.raises(AssertionError, match="torch says True"):
        check_predictions({"dtype": "torch.float64", "is_leaf": False}, TRUTH, reveal=True)


@pytest.mark.parametrize("grade_id", ["RANDN_DTYPE_ANSWERS_tests", "GRAPH_PREDICTIONS_tests"])
def test_every_prediction_has_a_short_why(grade_id):
    """Does each key torch answers come with one short line saying why?"""
    from course.checks.registry import EXERCISES

    exercise = EXERCISES[grade_id]
    assert set(exercise.why) == set(exercise.truth())
    assert all(0 < len(line) <= 100 and "\n" not in line for line in exercise.why.values())


def test_reveal_marks_each_prediction_and_gives_torchs_answer():
    """Does reveal say which predictions were right, with torch's answer (run by torch) and why?"""
    import torch

    from course.checks.core.predictions import reveal
    from course.checks.registry import EXERCISES

    exercise = EXERCISES["RANDN_DTYPE_ANSWERS_tests"]
    got = {"dtype of torch.randn(()) * torch.randn(3, dtype=float)": (torch.float64, "torch.float64"),
           "shape of torch.randn(()) * torch.randn(3)": ((), "()"),
           "dtype of torch.randn(()) * torch.randn((), dtype=float)": (..., "Ellipsis")}
    rows = {row.key: row for row in reveal(exercise, got)}
    assert set(rows) == set(exercise.truth())
    assert rows["dtype of torch.randn(()) * torch.randn(3, dtype=float)"].right
    wrong = rows["shape of torch.randn(()) * torch.randn(3)"]
    assert not wrong.right and wrong.predicted == "()" and wrong.answer == "(3,)" and "one number" in wrong.why
    assert rows["dtype of torch.randn(()) * torch.randn((), dtype=float)"].predicted.startswith("...")
    assert rows["dtype of torch.randn(3) * torch.randn((), dtype=float)"].predicted == "(missing)"


def test_reveal_of_an_unreadable_answer_counts_nothing_as_predicted():
    from course.checks.core.predictions import reveal
    from course.checks.registry import EXERCISES

    rows = reveal(EXERCISES["GRAPH_PREDICTIONS_tests"], "GRAPH_PREDICTIONS raised NameError")
    assert rows and not any(row.right for row in rows)


def test_the_notebooks_reveal_prints_each_prediction_with_torchs_answer(capsys):
    """Does reveal(grade_id, dict), typed into a notebook after predicting, print the rows `course check --reveal`
    prints, and refuse (printing no answer) while a prediction is not filled in?"""
    from course.checks import reveal
    from course.checks.a01_randn import RANDN_CALLS

    answers = {key: how() for key, how in RANDN_CALLS.items()}
    answers["shape of torch.randn(()) * torch.randn(3)"] = ()
    reveal("RANDN_DTYPE_ANSWERS_tests", answers)
    out = capsys.readouterr().out
    assert out.startswith(f"RANDN_DTYPE_ANSWERS_tests: {len(answers) - 1} of {len(answers)} predictions right")
    assert "[ ] shape of torch.randn(()) * torch.randn(3): torch says (3,) (you said ())" in out
    assert "why: A tensor with no dimensions is one number" in out

    with pytest.raises(AssertionError, match="is still `...`.*\nFill in every prediction first"):
        reveal("RANDN_DTYPE_ANSWERS_tests", {**answers, "shape of torch.randn(()) * torch.randn(3)": ...})
    assert "torch says" not in capsys.readouterr().out
    with pytest.raises(ValueError, match="not a prediction exercise"):
        reveal("normal_sample_tests", answers)
