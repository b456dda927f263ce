"""Do 09's checks pass a right Value engine and name what is wrong with the typical wrong ones?"""
import pytest

from course.checks import check
from course.kernel.runner import ADAPTERS

from . import value_engines as engines

VALUE_CELLS = ["Value_tests", "Value_reuse_tests", "Value_ops_tests", "Value_graph_tests"]


def _failure(grade_id, target, hidden=False, seed=3):
    with pytest.raises(AssertionError) as failure:
        check(grade_id, target, hidden=hidden, seed=seed)
    return str(failure.value)


@pytest.mark.parametrize("grade_id", VALUE_CELLS)
def test_a_right_engine_passes_visible_and_hidden(grade_id, capsys):
    """Does a right Value pass the examples and the hidden trials, and say so in one line each?"""
    check(grade_id, engines.Value)
    check(grade_id, engines.Value, hidden=True, seed=11)
    assert capsys.readouterr().out.splitlines()[0] == "Value: the examples are right."


@pytest.mark.parametrize("engine, grade_id, phrase", [
    (engines.OverwritingValue, "Value_reuse_tests", "instead of adding to it (`x.grad += ...`)"),
    (engines.RecursiveValue, "Value_reuse_tests", "passed on an incomplete gradient"),
    (engines.UnreversedValue, "Value_tests", "reverse topological order"),
    (engines.TanhWithoutSquare, "Value_ops_tests", "1 - tanh(a)**2"),
    (engines.RsubBackwards, "Value_ops_tests", "must compute other - self"),
    (engines.WithoutRsub, "Value_ops_tests", "define __rsub__(self, other)"),
])
def test_a_typical_wrong_engine_is_named(engine, grade_id, phrase):
    """Does each typical wrong engine fail the examples with its own diagnosis?"""
    assert phrase in _failure(grade_id, engine)


@pytest.mark.parametrize("hidden", [False, True])
def test_a_relu_that_passes_the_gradient_at_zero_is_told_so_in_the_examples_and_when_graded(hidden):
    """A relu written with >= 0 (07's habit): is it told '1 at exactly 0', never '1 at a negative input'?"""
    message = _failure("Value_ops_tests", engines.ReluOneAtZero, hidden=hidden)
    assert "that is 1 at exactly 0" in message and "negative input" not in message


@pytest.mark.parametrize("engine, phrase", [
    (engines.PowFromOutput, "ZeroDivisionError"),
])
def test_a_rule_wrong_only_at_exact_zeros_is_caught_by_the_hidden_trials(engine, phrase):
    """Does a rule that is right everywhere but at 0 pass the examples and fail the hidden trials?"""
    check("Value_ops_tests", engine)
    assert phrase in _failure("Value_ops_tests", engine, hidden=True)


def test_a_wrong_op_in_a_random_graph_is_found_by_testing_it_alone():
    """In a random graph, is the wrong tanh named by checking each op on its own?"""
    message = _failure("Value_graph_tests", engines.TanhWithoutSquare, hidden=True)
    assert "Testing each operation of the expression on its own finds" in message or "tanh" in message


def test_a_missing_class_is_a_clear_failure():
    """Is a Value that is not a class a failed check with a message, not a crash?"""
    assert "Value(1.5) raised TypeError" in _failure("Value_tests", 3)


def _sgd(update):
    def value_sgd_step(params, lr):
        for p in params:
            update(p, lr)
    return value_sgd_step


def _right(p, lr):
    p.data -= lr * p.grad
    p.grad = 0.0


def test_a_right_sgd_step_passes():
    """Does the update of 05, on stand-ins for Values, pass the example and the hidden trials?"""
    check("value_sgd_step_tests", _sgd(_right))
    check("value_sgd_step_tests", _sgd(_right), hidden=True, seed=5)


@pytest.mark.parametrize("update, phrase", [
    (lambda p, lr: setattr(p, "data", p.data - lr * p.grad), "must be reset to 0.0"),
    (lambda p, lr: (setattr(p, "data", p.data + lr * p.grad), setattr(p, "grad", 0.0)), "the sign is flipped"),
    (lambda p, lr: None, "p.data did not change"),
])
def test_a_wrong_sgd_step_is_named(update, phrase):
    """Are a kept gradient, an ascent and an update of nothing each named?"""
    assert phrase in _failure("value_sgd_step_tests", _sgd(update))


def test_a_step_that_is_right_once_but_not_after_is_caught():
    """Is an update that halves lr after the first call caught by the hidden steps?"""
    calls = []

    def value_sgd_step(params, lr):
        calls.append(lr)
        for p in params:
            p.data -= (lr if len(calls) == 1 else lr / 2) * p.grad
            p.grad = 0.0
    message = _failure("value_sgd_step_tests", value_sgd_step, hidden=True)
    assert "the change of p.data in step 2" in message


def test_the_sgd_adapter_reports_each_step_as_plain_numbers():
    """Does the kernel report every step's .data and .grad as floats?"""
    steps = ADAPTERS["value_sgd_steps"](_sgd(_right), [[1.0, -2.0], [[0.5, -1.0], [1.0, 1.0]], 0.1], {},
                                        False, "value_sgd_step")
    assert steps == [{"data": [0.95, -1.9], "grad": [0.0, 0.0]}, {"data": [0.85, -2.0], "grad": [0.0, 0.0]}]


# ---- what 09 says about torch (and its engine), checked on this torch ---------------------------

def test_torchs_graph_of_a_times_b_plus_c_and_a_node_used_twice():
    """09 sections 1-2: out = a * b + c records MulBackward0, AddBackward0 and AccumulateGrad nodes, grads -3, 2, 1;
    x + x gives x.grad = 2 (torch adds up the two uses)."""
    import torch
    a, b, c = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, -3.0, 10.0))
    out = a * b + c
    assert type(out.grad_fn).__name__ == "AddBackward0"
    assert [type(f).__name__ for f, _ in out.grad_fn.next_functions] == ["MulBackward0", "AccumulateGrad"]
    out.backward()
    assert (out.item(), a.grad.item(), b.grad.item(), c.grad.item()) == (4.0, -3.0, 2.0, 1.0)
    x = torch.tensor(3.0, requires_grad=True)
    (x + x).backward()
    assert x.grad.item() == 2.0


def test_a_second_backward_on_the_diamond_gives_84_in_the_engine_and_42_or_an_error_in_torch():
    """09 Question 1: the engine keeps intermediate grads (84 after a second call); torch frees the graph (an error),
    and with retain_graph=True its leaf gets exactly one more 21 (42)."""
    import torch
    x = engines.Value(2.0)
    a = x * 3
    out = a * 2 + a * 5
    out.backward()
    out.backward()
    assert x.grad == 84.0
    xt = torch.tensor(2.0, requires_grad=True)
    at = xt * 3
    ot = at * 2 + at * 5
    ot.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        ot.backward()
    xt = torch.tensor(2.0, requires_grad=True)
    at = xt * 3
    ot = at * 2 + at * 5
    ot.backward(retain_graph=True)
    ot.backward()
    assert xt.grad.item() == 42.0
    with pytest.warns(UserWarning, match="not a leaf"):
        assert at.grad is None                                # no .grad kept on a non-leaf


def test_a_function_is_one_node_named_after_it_and_its_saved_tensor_is_guarded():
    """09 section 5: Fn.apply records a node FnBackward; a tensor saved with save_for_backward that is changed in
    place before backward makes backward raise (the version counter)."""
    import torch

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            e = torch.exp(x)
            ctx.save_for_backward(e)
            return e

        @staticmethod
        def backward(ctx, grad_out):
            (e,) = ctx.saved_tensors
            return grad_out * e

    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    out = Exp.apply(x)
    assert type(out.grad_fn).__name__ == "ExpBackward"
    with torch.no_grad():
        out.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
