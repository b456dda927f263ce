"""Do 03_backward's checks (course.checks.a03_backward) pass right answers and name the typical wrong ones?"""
import pytest
import torch

from course.checks import check

from .failing import fails


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_right_vjp_of_view_passes(seed):
    check("vjp_of_view_tests", lambda v: 2 * v.reshape(4))
    check("vjp_of_view_tests", lambda v: 2 * v.reshape(4), hidden=True, seed=seed)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_vjp_read_column_by_column_is_told_so(hidden):
    message = fails("vjp_of_view_tests", lambda v: 2 * v.t().reshape(4), hidden=hidden)
    assert "the right values in column order" in message and "row by row" in message


@pytest.mark.parametrize("wrong, phrase", [
    (lambda v: v.reshape(4), "0.5 times the right answer"),
    (lambda v: -2 * v.reshape(4), "the sign is flipped"),
    (lambda v: 2 * v, "must have shape (4,)"),
])
def test_other_vjp_mistakes_are_not_called_column_order(wrong, phrase):
    message = fails("vjp_of_view_tests", wrong)
    assert phrase in message and "column order" not in message


def test_a_symmetric_v_is_not_mistaken_for_column_order():
    """Where v equals its transpose, the right answer read either way is the same: is it passed, not diagnosed?"""
    from course.checks.a03_backward import _vjp_of_view_trial
    from course.checks.core.exercise import Trial

    v = torch.tensor([[1.0, 2.0], [2.0, 3.0]])
    trial = _vjp_of_view_trial(v)
    assert isinstance(trial, Trial)
    trial.judge(2 * v.reshape(4))                     # raises nothing
