"""Do 09's checks of `Sigmoid` (a torch.autograd.Function) pass a right one and name the typical wrong ones?"""
import pytest
import torch

from course.checks import check
from course.kernel import plain
from course.checks.a09_tiny_autograd.custom_function import SIGMOID
from course.gradcheck import explain_gradcheck, explain_jacobians, jacobians
from course.kernel.runner import ADAPTERS


def sigmoid_function(save=lambda x, out: out, rule=lambda out, grad_out: grad_out * out * (1 - out)):
    """A Sigmoid Function whose forward saves `save(x, out)` and whose backward returns `rule(saved, grad_out)`."""
    class Sigmoid(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = torch.sigmoid(x)
            ctx.save_for_backward(save(x, out))
            return out

        @staticmethod
        def backward(ctx, grad_out):
            (saved,) = ctx.saved_tensors
            return rule(saved, grad_out)
    return Sigmoid


class KeptOnCtx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.out = torch.sigmoid(x)
        return ctx.out

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * ctx.out * (1 - ctx.out)


def _failure(target, hidden=False, seed=3):
    with pytest.raises(AssertionError) as failure:
        check("Sigmoid_tests", target, hidden=hidden, seed=seed)
    return str(failure.value)


def test_a_right_sigmoid_passes_visible_and_hidden(capsys):
    """Does the right Function pass the examples and the hidden trials, and say so in one line each?"""
    check("Sigmoid_tests", sigmoid_function())
    check("Sigmoid_tests", sigmoid_function(), hidden=True, seed=11)
    assert capsys.readouterr().out.splitlines() == ["Sigmoid: the examples are right.",
                                                   "Sigmoid: all 9 hidden trials passed."]


@pytest.mark.parametrize("target, phrase", [
    (sigmoid_function(save=lambda x, out: x), "used the INPUT x as if it were the output"),
    (sigmoid_function(rule=lambda out, g: out * (1 - out)), "backward must multiply it by grad_out"),
    (sigmoid_function(rule=lambda out, g: g * (1 - out ** 2)), "that is the rule of tanh"),
    (sigmoid_function(rule=lambda out, g: g * out), "the factor (1 - out)"),
    (sigmoid_function(rule=lambda out, g: -g * out * (1 - out)), "the sign is flipped"),
    (sigmoid_function(save=lambda x, out: x, rule=lambda x, g: g * torch.sigmoid(x) * (1 - torch.sigmoid(x))),
     "forward saved the input x, not its output"),
    (KeptOnCtx, "forward saved no tensor with ctx.save_for_backward"),
    (3, "must be a class derived from torch.autograd.Function"),
])
def test_a_typical_wrong_sigmoid_is_named(target, phrase):
    """Does each typical wrong Function fail the examples (and the hidden trials) with its own diagnosis?"""
    assert phrase in _failure(target)
    assert phrase in _failure(target, hidden=True)


def test_a_forward_that_is_not_the_sigmoid_is_named():
    """Is a wrong forward reported as Sigmoid.apply(x) differing from torch.sigmoid(x)?"""
    class TanhForward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return torch.tanh(x)

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out
    assert "Sigmoid.apply(x)" in _failure(TanhForward)


def test_the_gradcheck_trial_explains_a_failure_with_the_jacobians():
    """When gradcheck fails in the kernel, does the grader say what its two Jacobians show?"""
    trial = SIGMOID.visible()[-1]   # the gradcheck trial
    wrong = sigmoid_function(rule=lambda out, g: g * (1 - out ** 2))
    record = ADAPTERS["autograd_function"](wrong, list(trial.args), trial.kwargs, False, "Sigmoid")
    assert record["passed"] is False
    with pytest.raises(AssertionError) as failure:
        trial.judge(plain.decode(plain.encode(record)))
    message = str(failure.value)
    assert "gradcheck(Sigmoid.apply, (x,)) failed: Jacobian mismatch" in message
    assert "The largest difference is at row" in message


def test_jacobians_are_laid_out_as_gradcheck_prints_them():
    """Row i, column j: d out_j / d x_i, for a function whose Jacobian is not symmetric?"""
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    numerical, analytical = jacobians(lambda v: torch.stack([v[0] * v[1], v[0]]), x)
    expected = torch.tensor([[2.0, 1.0], [1.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(analytical, expected)
    torch.testing.assert_close(numerical, expected)


@pytest.mark.parametrize("analytical, phrase", [
    (torch.zeros(3, 3), "all zeros"),
    (torch.ones(3, 3), "backward ignores grad_out"),
    (2 * torch.eye(3), "2 times the numerical one"),
])
def test_explain_jacobians_names_what_a_mismatch_means(analytical, phrase):
    """Are zeros, an ignored grad_out and a constant factor each said in words?"""
    assert phrase in explain_jacobians(torch.eye(3, dtype=torch.float64), analytical.double())


def test_explain_gradcheck_prints_one_line_on_success_and_the_reason_for_float32(capsys):
    """Does explain_gradcheck pass a right Function in float64 and explain why float32 fails?"""
    explain_gradcheck(sigmoid_function().apply, torch.linspace(-3, 3, 5, dtype=torch.float64))
    assert capsys.readouterr().out.startswith("gradcheck passed")
    explain_gradcheck(sigmoid_function().apply, torch.linspace(-3, 3, 4))
    assert "Run gradcheck on float64 inputs" in capsys.readouterr().out


@pytest.mark.parametrize("record", [
    {"out": "text"}, {"out": torch.tensor([0.5]), "grad": "text", "saved": "text"},
    {"passed": False, "numerical": [1], "analytical": None}, {"loss": 3, "grads": {"a": 1}}, [1, 2], None,
])
def test_a_malformed_answer_is_a_failed_trial_not_a_crash(record):
    """Does every judge turn an answer of the wrong form into an AssertionError, never another exception?"""
    for trial in SIGMOID.visible():
        with pytest.raises(AssertionError):
            trial.judge(record)
