"""Are predictions checked key by key, without giving the answer away in visible checks?"""
import pytest

from course.checks import check_predictions

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
