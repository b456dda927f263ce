"""Do 08's checks pass right answers and name the typical wrong ones, without nbgrader?"""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course.checks import check
from course.checks.a08_mlp import HE, XAVIER, _linear_trial, torch_init_std
from course.checks.registry import EXERCISES

from .failing import SEED, failure


def linear_forward(x, W, b):
    return x @ W.T + b


def ce_grad_with(finish, shift=True):
    def softmax_cross_entropy_grad(logits, targets):
        shifted = logits - logits.max(dim=1, keepdim=True).values if shift else logits
        probs = torch.exp(shifted) / torch.exp(shifted).sum(dim=1, keepdim=True)
        one_hot = F.one_hot(targets, logits.shape[1]).to(logits.dtype)
        return finish(probs, one_hot, logits.shape[0])
    return softmax_cross_entropy_grad


softmax_cross_entropy_grad = ce_grad_with(lambda p, y, n: (p - y) / n)


def mlp_grads_with(mask):
    def mlp_grads(X, y, params):
        W1, b1, W2, b2 = params
        Z = X @ W1 + b1
        H = torch.relu(Z)
        grad_O = softmax_cross_entropy_grad(H @ W2 + b2, y)
        grad_Z = grad_O @ W2.T * mask(Z)
        return [X.T @ grad_Z, grad_Z.sum(dim=0), H.T @ grad_O, grad_O.sum(dim=0)]
    return mlp_grads


def xavier_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def he_std(fan_in):
    return math.sqrt(2.0 / fan_in)


def init_mlp_with(weight):
    def init_mlp(num_inputs, num_hiddens, num_outputs, scheme, generator=None):
        def std(fan_in, fan_out):
            return {"xavier": xavier_std(fan_in, fan_out), "he": he_std(fan_in)}.get(scheme, scheme)
        return [weight(num_inputs, num_hiddens, std, generator), nn.Parameter(torch.zeros(num_hiddens)),
                weight(num_hiddens, num_outputs, std, generator), nn.Parameter(torch.zeros(num_outputs))]
    return init_mlp


init_mlp = init_mlp_with(lambda i, o, std, g: nn.Parameter(torch.randn(i, o, generator=g) * std(i, o)))


def step_decay_lr(lr0, epoch, drop, every):
    return lr0 * drop ** (epoch // every)


def train_mlp_with(update=lambda p, lr: p.sub_(lr * p.grad), clear=True, record=None):
    def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, num_epochs=10, batch_size=64,
                  lr=0.5, drop=0.5, every=4, generator=None):
        params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
        history = {"loss": [], "train_acc": [], "test_acc": []}

        def accuracy(X, y):
            W1, b1, W2, b2 = params
            return ((torch.relu(X @ W1 + b1) @ W2 + b2).argmax(dim=1) == y).float().mean().item()
        for epoch in range(num_epochs):
            order = torch.randperm(len(X_train), generator=generator)
            for start in range(0, len(X_train), batch_size):
                batch = order[start:start + batch_size]
                W1, b1, W2, b2 = params
                loss = F.cross_entropy(torch.relu(X_train[batch] @ W1 + b1) @ W2 + b2, y_train[batch])
                loss.backward()
                with torch.no_grad():
                    for p in params:
                        update(p, step_decay_lr(lr, epoch, drop, every))
                        if clear:
                            p.grad = None
                history["loss"].append(loss.item())
            with torch.no_grad():
                history["train_acc"].append(accuracy(X_train, y_train))
                history["test_acc"].append(accuracy(*(record or (X_test, y_test))))
        return params, history
    return train_mlp


@pytest.mark.parametrize("grade_id, fn", [
    ("linear_forward_tests", linear_forward),
    ("softmax_cross_entropy_grad_tests", softmax_cross_entropy_grad),
    ("mlp_grads_tests", mlp_grads_with(lambda Z: Z > 0)),
    ("xavier_std_tests", xavier_std),
    ("he_std_tests", he_std),
    ("init_mlp_tests", init_mlp),
    ("step_decay_lr_tests", step_decay_lr),
    ("train_mlp_tests", train_mlp_with()),
])
def test_right_answers_pass_visible_and_hidden(grade_id, fn):
    """Does a correct implementation pass the example and the hidden trials?"""
    check(grade_id, fn)
    check(grade_id, fn, hidden=True, seed=SEED)


def test_linear_layout_mistakes_are_named():
    """Are x @ W (unmultipliable or, when square, untransposed) and a missing bias named?"""
    assert "x multiplies the transpose of W" in failure("linear_forward_tests", lambda x, W, b: x @ W + b, False)

    def untransposed_when_square(x, W, b):
        return x @ (W if W.shape[0] == W.shape[1] else W.T) + b
    assert "x @ W + b, but nn.Linear stores W" in failure("linear_forward_tests", untransposed_when_square)
    assert "without the bias" in failure("linear_forward_tests", lambda x, W, b: x @ W.T, False)


def test_one_input_feature_is_not_called_untransposed():
    """With one input and one output feature W == W.T: is x @ W + b right, and a wrong answer not misnamed?"""
    x, W, b = torch.tensor([[2.0], [-1.0]]), torch.tensor([[3.0]]), torch.tensor([0.5])
    _linear_trial(x, W, b).judge(x @ W + b)
    with pytest.raises(AssertionError) as raised:
        _linear_trial(x, W, b).judge(x @ W + 2 * b)
    assert "nn.Linear stores W" not in str(raised.value)


@pytest.mark.parametrize("finish, shift, words", [
    (lambda p, y, n: p / n, True, "subtract the one-hot"),
    (lambda p, y, n: p - y, True, "the batch size"),
    (lambda p, y, n: (y - p) / n, True, "the sign is flipped"),
    (lambda p, y, n: (p - y) / n, False, "NaN"),
])
def test_cross_entropy_grad_mistakes_are_named(finish, shift, words):
    """Are a missing one-hot, a missing 1/N, a flipped sign and an unshifted exp named?"""
    assert words in failure("softmax_cross_entropy_grad_tests", ce_grad_with(finish, shift), False)


def test_mask_at_zero_is_caught_only_by_the_hidden_trials():
    """Does the mask Z >= 0 pass the example but fail at exact zeros of X @ W1 + b1, named as such?"""
    wrong = mlp_grads_with(lambda Z: Z >= 0)
    check("mlp_grads_tests", wrong)
    message = failure("mlp_grads_tests", wrong)
    assert "exactly 0" in message and "Its mask is Z > 0" in message


def test_hidden_grad_trials_hold_exact_zeros():
    """Do some hidden trials of mlp_grads have pre-activations exactly 0?"""
    trials = EXERCISES["mlp_grads_tests"].hidden(SEED)
    assert sum(bool((X @ W1 + b1 == 0).any()) for X, _, (W1, b1, _, _) in (t.args for t in trials)) >= 3


def test_first_layer_mistakes_are_located():
    """Does a missing mask get told that the second layer is right and the ReLU is where to look?"""
    message = failure("mlp_grads_tests", mlp_grads_with(lambda Z: 1), False)
    assert "grad_W2 and grad_b2 are right" in message and "the ReLU" in message


def test_autograd_in_mlp_grads_fails():
    """Does mlp_grads that calls backward() fail in the kernel's check?"""
    def with_autograd(X, y, params):
        params = [p.clone().requires_grad_() for p in params]
        W1, b1, W2, b2 = params
        F.cross_entropy(torch.relu(X @ W1 + b1) @ W2 + b2, y).backward()
        return [p.grad for p in params]
    assert "by hand" in failure("mlp_grads_tests", with_autograd, False)


@pytest.mark.parametrize("fn, words", [
    (lambda fi, fo: math.sqrt(1.0 / fi), "only fan_in"),
    (lambda fi, fo: math.sqrt(1.0 / fo), "only fan_out"),
    (lambda fi, fo: 2.0 / (fi + fo), "take the square root"),
    (lambda fi, fo: math.sqrt(6.0 / (fi + fo)), "the bound of xavier_uniform_"),
    (lambda fi, fo: math.sqrt(1.0 / (fi + fo)), "the 2 is missing"),
    (lambda fi, fo: torch.tensor(xavier_std(fi, fo)), "not a tensor"),
])
def test_xavier_mistakes_are_named(fn, words):
    assert words in failure("xavier_std_tests", fn)


@pytest.mark.parametrize("fn, words", [
    (lambda fi: math.sqrt(1.0 / fi), "the gain sqrt(2) of ReLU is missing"),
    (lambda fi: 2.0 / fi, "take the square root"),
    (lambda fi: math.sqrt(6.0 / fi), "the bound of kaiming_uniform_"),
    (lambda fi: 2.0 / math.sqrt(fi), "the gain is sqrt(2), not 2"),
    (lambda fi: "0.1", "must return a Python float"),
])
def test_he_mistakes_are_named(fn, words):
    assert words in failure("he_std_tests", fn)


def test_torch_init_std_is_torchs_formula():
    """Is the std read off torch's draw the documented one, for small and large weights?"""
    for fan_in, fan_out in [(3, 2), (784, 256)]:
        assert math.isclose(torch_init_std(XAVIER, fan_in, fan_out), xavier_std(fan_in, fan_out), rel_tol=1e-12)
        assert math.isclose(torch_init_std(HE, fan_in, fan_out), he_std(fan_in), rel_tol=1e-12)


def _torch_init(i, o, std, g):
    W = torch.empty(i, o)
    nn.init.kaiming_normal_(W, nonlinearity="relu", generator=g)
    return nn.Parameter(W)


@pytest.mark.parametrize("fn, words", [
    (init_mlp_with(_torch_init), "reads fan_in from dimension 1"),
    (init_mlp_with(lambda i, o, std, g: (torch.randn(i, o, generator=g) * std(i, o)).requires_grad_()),
     "must be an nn.Parameter"),
    (init_mlp_with(lambda i, o, std, g: nn.Parameter(torch.randn(i, o) * std(i, o))), "generator=generator"),
    (init_mlp_with(lambda i, o, std, g: nn.Parameter(torch.randn(o, i, generator=g) * std(i, o))), "d2l's layout"),
    (init_mlp_with(lambda i, o, std, g: nn.Parameter(torch.randn(i, o, generator=g) * std(i, o) + 1)),
     "mean 0"),
])
def test_init_mistakes_are_named(fn, words):
    assert words in failure("init_mlp_tests", fn, False)


@pytest.mark.parametrize("fn, words", [
    (lambda lr0, e, drop, every: lr0 * drop ** ((e + 1) // every), "one epoch too early"),
    (lambda lr0, e, drop, every: lr0 * drop ** (max(e - 1, 0) // every), "one epoch too late"),
    (lambda lr0, e, drop, every: lr0 * drop ** (e / every), "integer division"),
    (lambda lr0, e, drop, every: torch.tensor(lr0), "must return a Python float"),
])
def test_step_decay_mistakes_are_named(fn, words):
    assert words in failure("step_decay_lr_tests", fn, False)


@pytest.mark.parametrize("fn, words", [
    (train_mlp_with(clear=False), "clear them after each step"),
    (train_mlp_with(update=lambda p, lr: p - lr * p.grad), "updated in place"),
    (train_mlp_with(record=(torch.zeros(5, 64), torch.zeros(5, dtype=torch.long))), 'history["test_acc"][-1]'),
])
def test_training_mistakes_are_named(fn, words):
    assert words in failure("train_mlp_tests", fn, False)


def test_update_recorded_by_autograd_gets_the_no_grad_hint():
    """Does an update outside torch.no_grad() fail with torch's error and the hint to use it?"""
    def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, generator=None, **options):
        params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
        params[0] -= 0.1 * torch.ones_like(params[0])
    assert "torch.no_grad()" in failure("train_mlp_tests", train_mlp, False)
