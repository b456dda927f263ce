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


# ---- inputs that are not contiguous (#18, class 1) -------------------------------------------------------

def test_every_rule_is_tried_on_an_input_that_is_not_contiguous():
    """Does every exercise of 03 hand its function, in some hidden trial, a tensor that is not contiguous, as
    the notebook says (Exercise 1's note)?"""
    from course.checks.a03_backward import EXERCISES

    for exercise in EXERCISES:
        tensors = [a for trial in exercise.hidden(5) for a in trial.args if isinstance(a, torch.Tensor)]
        assert any(not t.is_contiguous() for t in tensors), exercise.grade_id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_view_on_a_transposed_v_fails_saying_so_and_naming_reshape(seed):
    message = fails("vjp_of_view_tests", lambda v: 2 * v.view(4), hidden=True, seed=seed)
    assert message.startswith("for v not contiguous (stored transposed): vjp_of_view raised RuntimeError")
    assert "Use .reshape" in message and "this tensor is not contiguous in memory" in message
    check("vjp_of_view_tests", lambda v: 2 * v.view(4))       # the contiguous examples pass


def test_sum_to_shape_through_view_fails_on_a_grad_stored_in_reverse_order():
    def viewed(grad, shape):
        lead = grad.dim() - len(shape)
        grad = grad.view(-1, *grad.shape[lead:]).sum(0) if lead else grad
        for dim, size in enumerate(shape):
            if size == 1 and grad.shape[dim] != 1:
                grad = grad.sum(dim=dim, keepdim=True)
        return grad
    message = fails("sum_to_shape_tests", viewed, hidden=True)
    assert "for grad not contiguous (its dimensions stored in another order)" in message and ".reshape" in message


def _sum_backward(x_shape, grad_out, dim=None, keepdim=False):
    if dim is not None and not keepdim:
        for d in sorted(d % len(x_shape) for d in ((dim,) if isinstance(dim, int) else dim)):
            grad_out = grad_out.unsqueeze(d)
    return grad_out.expand(tuple(x_shape)).clone()


@pytest.mark.parametrize("seed", [4, 5])
def test_the_rules_right_answers_pass_every_layout(seed):
    check("matmul_backward_tests", lambda A, B, g: (g @ B.T, A.T @ g), hidden=True, seed=seed)
    check("sum_backward_tests", _sum_backward, hidden=True, seed=seed)
    check("vjp_of_view_tests", lambda v: 2 * v.flatten(), hidden=True, seed=seed)


# ---- the ends of each domain (#18, class 2) and pow near 0 (class 3) ------------------------------------

def test_a_sigmoid_of_raw_exponentials_is_told_where_and_why():
    message = fails("sigmoid_backward_tests", lambda x, g: g * torch.exp(-x) / (1 + torch.exp(-x)) ** 2)
    assert message.startswith("for x = [-100, -2, 0, 0.5, 3, 100]: at x = -100 (float32) your sigmoid_backward "
                              "gives nan; torch gives 0")
    assert "exp overflows float32 above x ≈ 88.7228" in message
    assert "rewrite it so that no exp of a large positive number is taken" in message


def test_raw_exponentials_in_float64_fail_beyond_709_in_the_hidden_trials():
    """In float64, e^100 is finite: the visible examples pass, the ends of the domain (here 710) do not."""
    raw = lambda x, g: g * torch.exp(-x) / (1 + torch.exp(-x)) ** 2  # noqa: E731
    message = fails("sigmoid_backward_tests", lambda x, g: raw(x, g) if x.dtype == torch.float64 else
                    g * torch.sigmoid(x) * (1 - torch.sigmoid(x)), hidden=True)
    assert "(float64) your sigmoid_backward gives nan" in message and "exp overflows float64 above x ≈ 709.783" in message


@pytest.mark.parametrize("grade_id, wrong, phrase", [
    ("exp_backward_tests", lambda x, g: g * torch.exp(x.clamp(max=80)), "as if x were clamped to at most 80"),
    ("log_backward_tests", lambda x, g: g / (x + 1e-12), "as if x were clamped to at least 1e-12 or a small constant"),
    ("sigmoid_backward_tests", lambda x, g: g * torch.sigmoid(x.clamp(-10, 10)) * (1 - torch.sigmoid(x.clamp(-10, 10))),
     "as if x were clamped to ±10"),
    ("tanh_backward_tests", lambda x, g: g * (1 - torch.tanh(x.clamp(-5, 5)) ** 2), "as if x were clamped to ±5"),
    ("relu_backward_tests", lambda x, g: g * (x > 1e-10).to(g.dtype), "does your code compare x with a small threshold"),
    ("log_backward_tests", lambda x, g: g * x / x ** 2, "x ** 2 underflows to 0"),
    ("exp_backward_tests", lambda x, g: g * torch.exp(x + 1) / torch.e, "such as exp(x + 1), exp(2x) or exp(x) ** 2"),
])
def test_a_guard_or_an_overflow_at_the_ends_is_named(grade_id, wrong, phrase):
    message = fails(grade_id, wrong, hidden=True)
    assert phrase in message and "torch gives" in message


@pytest.mark.parametrize("grade_id, right", [
    ("sigmoid_backward_tests", lambda x, g: g * torch.where(x >= 0, torch.exp(-x) / (1 + torch.exp(-x)) ** 2,
                                                            torch.exp(x) / (1 + torch.exp(x)) ** 2)),
    ("sigmoid_backward_tests", lambda x, g: g * torch.sigmoid(x) * torch.sigmoid(-x)),
    ("tanh_backward_tests", lambda x, g: g / torch.cosh(x) ** 2),
    ("tanh_backward_tests", lambda x, g: g * (1 - torch.tanh(x)) * (1 + torch.tanh(x))),
    ("log_backward_tests", lambda x, g: g * (1 / x)),
    ("log_backward_tests", lambda x, g: g * x ** -1),
    ("exp_backward_tests", lambda x, g: torch.exp(x) * g),
    ("relu_backward_tests", lambda x, g: torch.where(x > 0, g, torch.zeros_like(g))),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_right_answers_written_another_way_pass_at_the_ends(grade_id, right, seed):
    check(grade_id, right, hidden=True, seed=seed)


def _pow_no_zero_case(x, p, g):
    return g * p * x ** (p - 1)


def test_pow_without_the_p_zero_case_is_told_why_at_x_0():
    message = fails("pow_backward_tests", _pow_no_zero_case)
    assert message.startswith("for p = 0, x = [0, -1, 2, 3]: at x = 0 with p = 0 (float32) your pow_backward gives nan")
    assert "x ** 0 is 1 for every x" in message and "return zeros when p == 0" in message


@pytest.mark.parametrize("p", [1.5, 2.5])
def test_a_fractional_power_through_x_to_the_p_over_x_fails_at_0(p):
    """For p > 1 torch's p * 0 ** (p - 1) is 0; x ** p / x is 0 / 0 there."""
    from course.checks.a03_backward import _pow_near_zero

    trials = [t for t in _pow_near_zero(3) if t.args[1] == p and "near x = 0" in t.case]
    assert trials and all(bool((t.args[0] == 0).any()) for t in trials)
    x, _, g = trials[0].args
    with pytest.raises(AssertionError, match="A formula that divides by x"):
        trials[0].judge(g * p * x ** p / x)


def test_pow_near_zero_keeps_only_points_where_torch_is_finite():
    from course.checks.a03_backward import _pow_near_zero

    for trial in _pow_near_zero(1):
        x, p, g = trial.args
        leaf = x.clone().requires_grad_()
        (grad,) = torch.autograd.grad(leaf ** p, leaf, g)
        assert torch.isfinite(grad).all() and (float(p).is_integer() or bool((x >= 0).all()))
