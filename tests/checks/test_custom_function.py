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
                                                   "Sigmoid: all 12 hidden trials passed."]


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


def _times_in_place(out, grad_out):
    grad_out *= out * (1 - out)
    return grad_out


@pytest.mark.parametrize("rule", [_times_in_place, lambda out, g: g.mul_(out).mul_(1 - out),
                                  lambda out, g: g.contiguous().mul_(out * (1 - out))])
def test_a_backward_that_writes_into_grad_out_is_named(rule):
    """Does a backward that changes grad_out in place, right when alone, fail in the graph x + Sigmoid.apply(x),
    visibly and when graded, named as such?"""
    for hidden in (False, True):
        message = _failure(sigmoid_function(rule=rule), hidden=hidden)
        assert "Sigmoid.apply(x) + x" in message and "changes grad_out in place" in message


def test_writing_into_the_expand_that_sum_hands_backward_is_named():
    """Is the error torch raises for an in-place write into .sum()'s expanded grad_out explained as such?"""
    trial = next(t for t in SIGMOID.visible() if "sum()" in t.case)
    record = ADAPTERS["autograd_function"](sigmoid_function(rule=_times_in_place), list(trial.args), trial.kwargs,
                                           False, "Sigmoid")
    assert "raised" in record
    with pytest.raises(AssertionError) as failure:
        trial.judge(plain.decode(plain.encode(record)))
    assert "an expand of a single 1" in str(failure.value) and "changed grad_out in place" in str(failure.value)


def test_a_backward_that_views_a_grad_out_not_contiguous_is_told_to_reshape():
    """Does a backward that flattens grad_out with .view fail on a grad_out stored transposed, with the reshape hint?"""
    def flat(out, grad_out):
        return (grad_out.view(-1) * (out * (1 - out)).view(-1)).view(out.shape)
    for hidden in (False, True):
        message = _failure(sigmoid_function(rule=flat), hidden=hidden)
        assert "grad_out not contiguous" in message and "Use .reshape" in message


def test_a_backward_that_works_in_place_on_its_own_copy_passes():
    """Is an in-place backward on a copy of grad_out (no write into autograd's tensor) right?"""
    def on_a_copy(out, grad_out):
        grad = grad_out.clone()
        grad.mul_(out).mul_(1 - out)
        return grad
    check("Sigmoid_tests", sigmoid_function(rule=on_a_copy))
    check("Sigmoid_tests", sigmoid_function(rule=on_a_copy), hidden=True, seed=4)


def test_autograd_shares_grad_out_in_an_add_and_expands_it_in_a_sum():
    """What the graph trials rely on, on this torch: a custom backward gets the caller's grad_out itself, the
    + hands the same tensor to both inputs (so an in-place write doubles the Sigmoid's part in x.grad), .sum()'s
    backward hands an expand (stride 0), and writing into it raises the error the judge recognizes."""
    seen = []

    class Watch(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = torch.sigmoid(x)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad_out):
            seen.append(grad_out)
            (out,) = ctx.saved_tensors
            return grad_out * out * (1 - out)
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    given = torch.randn(4, 3, dtype=torch.float64).mT
    Watch.apply(x).backward(given)
    assert seen[-1] is given and not seen[-1].is_contiguous()
    Watch.apply(x).sum().backward()
    assert seen[-1].stride() == (0, 0)
    x.grad = None
    s = torch.sigmoid(x.detach())
    upstream = given.clone()
    (sigmoid_function(rule=_times_in_place).apply(x) + x).backward(given)
    assert torch.allclose(x.grad, 2 * upstream * s * (1 - s))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single"):
        sigmoid_function(rule=_times_in_place).apply(x).sum().backward()


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
