"""Do 07's checks pass right answers and name the typical wrong ones, without nbgrader?"""
import json

import pytest
import torch

from course.checks import check
from course.kernel import plain, runner
from course.checks.registry import EXERCISES

from .failing import SEED, failure


def two_layer_forward(X, W1, W2):
    return X.mm(W1).clamp(min=0).mm(W2)


def two_layer_grads_with(mask):
    def two_layer_grads(X, y, W1, W2):
        h = X.mm(W1)
        h_relu = h.clamp(min=0)
        grad_y_pred = 2 * (h_relu.mm(W2) - y)
        grad_h = grad_y_pred.mm(W2.t()) * mask(h)
        return X.t().mm(grad_h), h_relu.t().mm(grad_y_pred)
    return two_layer_grads


def train_two_layer(X, y, W1, W2, lr, steps, clear=True):
    losses = []
    for _ in range(steps):
        loss = (two_layer_forward(X, W1, W2) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            W1 -= lr * W1.grad
            W2 -= lr * W2.grad
            if clear:
                W1.grad.zero_()
                W2.grad.zero_()
    return losses


@pytest.mark.parametrize("grade_id, fn", [
    ("two_layer_forward_tests", two_layer_forward),
    ("two_layer_grads_tests", two_layer_grads_with(lambda h: h >= 0)),
    ("train_two_layer_tests", train_two_layer),
])
def test_right_answers_pass_visible_and_hidden(grade_id, fn):
    """Does a correct implementation pass the example and the hidden trials?"""
    check(grade_id, fn)
    check(grade_id, fn, hidden=True, seed=SEED)


def test_relu_missing_is_named():
    """Does a forward pass without the ReLU get told the ReLU is missing?"""
    assert "the ReLU is missing" in failure("two_layer_forward_tests", lambda X, W1, W2: X.mm(W1).mm(W2), False)


@pytest.mark.parametrize("hidden", [False, True])
def test_mask_at_zero_is_caught_by_the_example_and_the_hidden_trials(hidden):
    """Does the mask h > 0 fail at exact zeros of X @ W1, named as such, in the example as when graded?"""
    message = failure("two_layer_grads_tests", two_layer_grads_with(lambda h: h > 0), hidden)
    assert "exactly 0" in message and "h >= 0" in message


def test_hidden_grad_trials_hold_exact_zeros():
    """Do some hidden trials of two_layer_grads have pre-activations exactly 0?"""
    trials = EXERCISES["two_layer_grads_tests"].hidden(SEED)
    assert sum(bool((X @ W1 == 0).any()) for X, _, W1, _ in (t.args for t in trials)) >= 3


def test_mask_missing_and_dropped_two_are_named():
    """Do a missing mask and a dropped 2 of the square get named?"""
    assert "without the ReLU's mask" in failure("two_layer_grads_tests", two_layer_grads_with(lambda h: 1), False)

    def half(X, y, W1, W2):
        return tuple(g / 2 for g in two_layer_grads_with(lambda h: h >= 0)(X, y, W1, W2))
    assert "the 2 from differentiating a square" in failure("two_layer_grads_tests", half, False)


def test_autograd_in_a_by_hand_function_fails():
    """Does two_layer_grads that calls backward() fail in the kernel's check?"""
    def with_autograd(X, y, W1, W2):
        W1, W2 = W1.clone().requires_grad_(), W2.clone().requires_grad_()
        (two_layer_forward(X, W1, W2) - y).pow(2).sum().backward()
        return W1.grad, W2.grad
    assert "by hand" in failure("two_layer_grads_tests", with_autograd, False)


def test_uncleared_grads_are_named():
    """Does a training loop that never clears .grad get told so?"""
    message = failure("train_two_layer_tests", lambda *a: train_two_layer(*a, clear=False), False)
    assert "never cleared" in message


def test_updates_through_data_are_named():
    """Does a loop that updates W1 and W2 through .data (right values, unseen by autograd) fail, visibly and when
    graded, on their version counters, while the same loop updating the tensors under no_grad passes?"""
    def through_data(X, y, W1, W2, lr, steps):
        losses = []
        for _ in range(steps):
            loss = (two_layer_forward(X, W1, W2) - y).pow(2).sum()
            losses.append(loss.item())
            loss.backward()
            for W in (W1, W2):
                W.data -= lr * W.grad
                W.grad.zero_()
        return losses
    for hidden in (False, True):
        message = failure("train_two_layer_tests", through_data, hidden)
        assert "version counter (W1._version)" in message and "through .data" in message
    check("train_two_layer_tests", train_two_layer)
    check("train_two_layer_tests", train_two_layer, hidden=True, seed=SEED)


def test_training_adapter_returns_plain_data():
    """Does the training adapter send back only plain data: losses, weights and flags?"""
    exercise = EXERCISES["train_two_layer_tests"]
    request = json.loads(json.dumps(exercise.request(exercise.visible())))
    outcomes = runner.run(train_two_layer, request)
    assert len(outcomes) == len(request["trials"])
    for outcome in outcomes:
        value = plain.decode(json.loads(json.dumps(outcome))["value"])
        assert set(value) == {"losses", "weights", "leaf_requires_grad", "version_changes"}
        assert all(type(v) is float for v in value["losses"]) and value["leaf_requires_grad"] == [True, True]
        assert all(type(c) is int and c >= 1 for c in value["version_changes"])
        assert all(type(w) is torch.Tensor for w in value["weights"])


# ---- two_layer_bias_grads: the variation with biases and a mean ------------------------

def two_layer_bias_grads_with(divide=lambda y: y.numel(), sum_bias=True, mask=lambda h: h >= 0):
    def two_layer_bias_grads(X, y, W1, b1, W2, b2):
        h = X.mm(W1) + b1
        h_relu = h.clamp(min=0)
        grad_y_pred = 2 * (h_relu.mm(W2) + b2 - y) / divide(y)
        grad_h = grad_y_pred.mm(W2.t()) * mask(h)
        grad_b1, grad_b2 = (grad_h.sum(0), grad_y_pred.sum(0)) if sum_bias else (grad_h, grad_y_pred)
        return X.t().mm(grad_h), grad_b1, h_relu.t().mm(grad_y_pred), grad_b2
    return two_layer_bias_grads


def test_right_bias_grads_pass_visible_and_hidden():
    """Do the gradients of the mean loss with biases pass the examples and the hidden trials?"""
    check("two_layer_bias_grads_tests", two_layer_bias_grads_with())
    check("two_layer_bias_grads_tests", two_layer_bias_grads_with(), hidden=True, seed=SEED)


@pytest.mark.parametrize("wrong, phrase", [
    (two_layer_bias_grads_with(divide=lambda y: y.shape[0]), "you divided by N"),
    (two_layer_bias_grads_with(divide=lambda y: 1), "that is the gradient of the .sum() loss"),
    (two_layer_bias_grads_with(sum_bias=False), "its gradient is the sum of the rows"),
])
def test_a_typical_wrong_bias_grad_is_named_by_the_examples(wrong, phrase):
    """Are the mean over N only, the sum's gradient and an unsummed bias gradient each named?"""
    assert phrase in failure("two_layer_bias_grads_tests", wrong, hidden=False)


@pytest.mark.parametrize("hidden", [False, True])
def test_the_mask_at_zero_is_caught_by_the_bias_example_and_the_hidden_trials(hidden):
    """Does torch.relu's mask h > 0 fail the example and the hidden trials, which hold exact zeros?"""
    wrong = two_layer_bias_grads_with(mask=lambda h: h > 0)
    assert "the mask is h >= 0" in failure("two_layer_bias_grads_tests", wrong, hidden)


@pytest.mark.parametrize("answer", [None, "text", (1, 2, 3, 4), [torch.zeros(2)] * 4, (torch.zeros(3, 4),)])
def test_a_malformed_bias_grads_answer_is_a_failed_trial_not_a_crash(answer):
    """Does the judge of two_layer_bias_grads turn an answer of the wrong form into an AssertionError?"""
    for trial in EXERCISES["two_layer_bias_grads_tests"].visible():
        with pytest.raises(AssertionError):
            trial.judge(answer)


# ---- two_layer_forward must be clamp(min=0), also in its gradient at exactly 0 --------

def _relu_forward(relu):
    return lambda X, W1, W2: relu(X.mm(W1)).mm(W2)


@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize("relu, slope", [
    (torch.relu, "slope at 0 is 0"),
    (torch.nn.functional.relu, "slope at 0 is 0"),
    (lambda h: h * (h > 0), "slope at 0 is 0"),
    (lambda h: torch.maximum(h, torch.zeros_like(h)), "slope at 0 is 1/2"),
    (lambda h: (h + h.abs()) / 2, "slope at 0 is 1/2"),
])
def test_a_relu_with_another_choice_at_zero_fails_the_forward(relu, slope, hidden):
    """Does a forward whose ReLU has clamp's values but not its gradient at 0 fail, example and hidden trials alike?"""
    message = failure("two_layer_forward_tests", _relu_forward(relu), hidden)
    assert "its ReLU is not clamp(min=0)" in message and slope in message


@pytest.mark.parametrize("relu", [lambda h: h.clamp_min(0), lambda h: torch.clamp(h, min=0),
                                  lambda h: torch.where(h >= 0, h, torch.zeros_like(h)), lambda h: h * (h >= 0)])
def test_other_spellings_of_clamps_relu_pass_the_forward(relu):
    """Is a ReLU with clamp's values and clamp's gradient at 0 accepted, however it is written?"""
    check("two_layer_forward_tests", _relu_forward(relu))
    check("two_layer_forward_tests", _relu_forward(relu), hidden=True, seed=SEED)


def test_a_forward_autograd_cannot_differentiate_is_told_so():
    """Does a forward computed under no_grad (right values, no graph) fail with the reason?"""
    def detached(X, W1, W2):
        with torch.no_grad():
            return X.mm(W1).clamp(min=0).mm(W2)
    assert "autograd cannot differentiate them" in failure("two_layer_forward_tests", detached, False)


def test_every_forward_example_and_some_hidden_trials_have_an_exact_zero_where_the_relus_differ():
    """Do the small example and at least three hidden trials of the forward tell clamp's and torch.relu's gradients apart?"""
    def differ(trials):
        count = 0
        for X, W1, W2, v in (t.args for t in trials):
            grads = [torch.autograd.grad((_relu_forward(relu)(X, W, W2) * v).sum(), W)[0]
                     for relu in (lambda h: h.clamp(min=0), torch.relu) for W in [W1.clone().requires_grad_()]]
            count += not torch.equal(*grads)
        return count
    exercise = EXERCISES["two_layer_forward_tests"]
    assert differ(exercise.visible()[:1]) == 1
    assert differ(exercise.hidden(SEED)) >= 3


def test_the_forward_adapter_returns_plain_data():
    """Does the forward's adapter send back the values and autograd's gradients of W1 and W2, as plain data?"""
    exercise = EXERCISES["two_layer_forward_tests"]
    request = json.loads(json.dumps(exercise.request(exercise.visible())))
    for outcome, trial in zip(runner.run(two_layer_forward, request), exercise.visible()):
        value = plain.decode(json.loads(json.dumps(outcome))["value"])
        assert set(value) == {"value", "grads"}
        assert [g.shape for g in value["grads"]] == [trial.args[1].shape, trial.args[2].shape]


def test_dividing_by_n_is_named_and_not_taken_for_a_lost_two():
    """With the example's N = 3, is a gradient divided by N told so, not told that the 2 of the square is missing?"""
    def divided(X, y, W1, W2):
        return tuple(g / X.shape[0] for g in two_layer_grads_with(lambda h: h >= 0)(X, y, W1, W2))
    message = failure("two_layer_grads_tests", divided, False)
    assert "1 / the batch size N" in message and "square" not in message


def test_a_bias_gradient_averaged_over_the_rows_is_named():
    """Is a bias gradient that is the mean over the rows, not the sum, told so (example N = 3)?"""
    def averaged(X, y, W1, b1, W2, b2):
        grad_W1, grad_b1, grad_W2, grad_b2 = two_layer_bias_grads_with()(X, y, W1, b1, W2, b2)
        return grad_W1, grad_b1, grad_W2, grad_b2 / X.shape[0]
    message = failure("two_layer_bias_grads_tests", averaged, False)
    assert "grad_b2 is 1/N = 1/3 of the right answer" in message and "not their mean" in message


# ---- what 07 says about torch, checked on this torch ------------------------------------

def test_clamp_relu_and_maximum_differ_only_in_their_gradient_at_zero():
    """07 section 3: same values; gradients at [-1, 0, 1] are [0, 1, 1], [0, 0, 1] and [0, 0.5, 1]; clamp's node is ClampBackward1."""
    grads = {}
    for name, op in [("clamp", lambda t: t.clamp(min=0)), ("relu", torch.relu),
                     ("maximum", lambda t: torch.maximum(t, torch.zeros_like(t)))]:
        x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
        out = op(x)
        assert out.tolist() == [0.0, 0.0, 1.0]
        out.sum().backward()
        grads[name] = (x.grad.tolist(), type(out.grad_fn).__name__)
    assert grads == {"clamp": ([0.0, 1.0, 1.0], "ClampBackward1"), "relu": ([0.0, 0.0, 1.0], "ReluBackward0"),
                     "maximum": ([0.0, 0.5, 1.0], "MaximumBackward0")}


def test_a_zero_start_is_a_fixed_point_with_relu_but_not_with_clamp():
    """07 section 3: with W1 = 0, torch.relu gives both weights a zero gradient; clamp(min=0) does not."""
    g = torch.Generator().manual_seed(0)
    X, y, W2_init = torch.randn(8, 5, generator=g), torch.randn(8, 3, generator=g), torch.randn(4, 3, generator=g)
    norms = {}
    for name, act in [("clamp", lambda t: t.clamp(min=0)), ("relu", torch.relu)]:
        W1, W2 = torch.zeros(5, 4, requires_grad=True), W2_init.clone().requires_grad_()
        (act(X.mm(W1)).mm(W2) - y).pow(2).sum().backward()
        norms[name] = (W1.grad.norm().item(), W2.grad.norm().item())
    assert norms["relu"] == (0.0, 0.0) and norms["clamp"][0] > 0


def _tutorial_setting(steps):
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(64, 1000, generator=g), torch.randn(64, 10, generator=g)
    return X, y, torch.randn(1000, 100, generator=g), torch.randn(100, 10, generator=g)


def test_hand_written_gradients_in_mms_order_equal_autograds_bit_for_bit():
    """07 section 4: grad @ B.T and A.T @ grad, written as MmBackward0 computes them, equal autograd's exactly."""
    X, y, W1, W2 = _tutorial_setting(1)
    mine = two_layer_grads_with(lambda h: h >= 0)(X, y, W1, W2)
    A, B = W1.clone().requires_grad_(), W2.clone().requires_grad_()
    (two_layer_forward(X, A, B) - y).pow(2).sum().backward()
    assert torch.equal(mine[0], A.grad) and torch.equal(mine[1], B.grad)


def _run(X, y, W1, W2, grads, steps, lr=1e-6):
    """The tutorial's tensor loop with gradients from `grads`: the losses and, per step, the count of h exactly 0."""
    losses, zeros = [], []
    for _ in range(steps):
        h = X.mm(W1)
        zeros.append(int((h == 0).sum()))
        losses.append((h.clamp(min=0).mm(W2) - y).pow(2).sum().item())
        grad_W1, grad_W2 = grads(X, y, W1, W2)
        W1, W2 = W1 - lr * grad_W1, W2 - lr * grad_W2
    return losses, zeros


def _autograd_grads(relu):
    def grads(X, y, W1, W2):
        W1, W2 = W1.clone().requires_grad_(), W2.clone().requires_grad_()
        (relu(X.mm(W1)).mm(W2) - y).pow(2).sum().backward()
        return W1.grad, W2.grad
    return grads


def test_the_tutorials_run_meets_exact_zeros_and_only_torch_relu_leaves_autograds_path():
    """07 section 5: in 500 steps of lr 1e-6, hand gradients with clamp's mask follow autograd (clamp) bit for bit;
    torch.relu's gradients leave that path after the first step with a pre-activation exactly 0.0."""
    X, y, W1, W2 = _tutorial_setting(500)
    autograd, zeros = _run(X, y, W1, W2, _autograd_grads(lambda h: h.clamp(min=0)), 500)
    by_hand, _ = _run(X, y, W1, W2, two_layer_grads_with(lambda h: h >= 0), 500)
    relu, _ = _run(X, y, W1, W2, _autograd_grads(torch.relu), 500)
    assert by_hand == autograd
    zero_steps = [t for t, count in enumerate(zeros) if count]
    differ = [t for t, (a, b) in enumerate(zip(relu, autograd)) if a != b]
    assert zero_steps and differ and differ[0] > zero_steps[0]


def test_a_list_of_loss_tensors_cannot_be_plotted():
    """07 section 5: matplotlib refuses loss tensors that require grad; floats from .item() plot."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    loss = (torch.ones(2, requires_grad=True) * 3).sum()
    fig = plt.figure()
    try:
        with pytest.raises(RuntimeError, match="requires grad"):
            plt.plot([loss, loss])
        plt.plot([loss.item(), loss.item()])
    finally:
        plt.close(fig)


def test_a_mean_loss_divides_both_weight_gradients_by_n_times_d_out():
    """07 Question 2: .pow(2).mean() over (64, 10) gives the .sum() loss's weight gradients divided by 640."""
    X, y, W1, W2 = _tutorial_setting(1)
    X, y, W1, W2 = X.double(), y.double(), W1.double(), W2.double()
    grads = {}
    for name, reduce in [("sum", torch.sum), ("mean", torch.mean)]:
        A, B = W1.clone().requires_grad_(), W2.clone().requires_grad_()
        reduce((two_layer_forward(X, A, B) - y).pow(2)).backward()
        grads[name] = (A.grad, B.grad)
    for summed, averaged in zip(grads["sum"], grads["mean"]):
        assert torch.allclose(summed / 640, averaged, rtol=1e-9, atol=1e-9)
