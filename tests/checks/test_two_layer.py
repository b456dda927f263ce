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


def test_mask_at_zero_is_caught_only_by_the_hidden_trials():
    """Does the mask h > 0 pass the example but fail at exact zeros of X @ W1, named as such?"""
    wrong = two_layer_grads_with(lambda h: h > 0)
    check("two_layer_grads_tests", wrong)
    message = failure("two_layer_grads_tests", wrong)
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


def test_training_adapter_returns_plain_data():
    """Does the training adapter send back only plain data: losses, weights and flags?"""
    exercise = EXERCISES["train_two_layer_tests"]
    request = json.loads(json.dumps(exercise.request(exercise.visible())))
    outcomes = runner.run(train_two_layer, request)
    assert len(outcomes) == len(request["trials"])
    for outcome in outcomes:
        value = plain.decode(json.loads(json.dumps(outcome))["value"])
        assert set(value) == {"losses", "weights", "leaf_requires_grad"}
        assert all(type(v) is float for v in value["losses"]) and value["leaf_requires_grad"] == [True, True]
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


def test_the_mask_at_zero_is_caught_by_the_hidden_bias_trials_only():
    """Does torch.relu's mask h > 0 pass the examples and fail the hidden trials, which hold exact zeros?"""
    check("two_layer_bias_grads_tests", two_layer_bias_grads_with(mask=lambda h: h > 0))
    assert "the mask is h >= 0" in failure("two_layer_bias_grads_tests", two_layer_bias_grads_with(mask=lambda h: h > 0))


@pytest.mark.parametrize("answer", [None, "text", (1, 2, 3, 4), [torch.zeros(2)] * 4, (torch.zeros(3, 4),)])
def test_a_malformed_bias_grads_answer_is_a_failed_trial_not_a_crash(answer):
    """Does the judge of two_layer_bias_grads turn an answer of the wrong form into an AssertionError?"""
    for trial in EXERCISES["two_layer_bias_grads_tests"].visible():
        with pytest.raises(AssertionError):
            trial.judge(answer)
