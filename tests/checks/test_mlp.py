"""Do 08's checks pass right answers and name the typical wrong ones, without nbgrader?"""
import math
import warnings

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


@pytest.mark.parametrize("hidden", [False, True])
def test_mask_at_zero_is_caught_by_the_example_and_the_hidden_trials(hidden):
    """Does the mask Z >= 0 (07's clamp habit) fail at exact zeros of X @ W1 + b1, named as such, visibly as when graded?"""
    message = failure("mlp_grads_tests", mlp_grads_with(lambda Z: Z >= 0), hidden)
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
    (train_mlp_with(record=(torch.zeros(5, 64), torch.zeros(5, dtype=torch.long))), 'history["test_acc"]['),
])
def test_training_mistakes_are_named(fn, words):
    assert words in failure("train_mlp_tests", fn, False)


def test_update_recorded_by_autograd_gets_the_no_grad_hint():
    """Does an update outside torch.no_grad() fail with torch's error and the hint to use it?"""
    def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, generator=None, **options):
        params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
        params[0] -= 0.1 * torch.ones_like(params[0])
    assert "torch.no_grad()" in failure("train_mlp_tests", train_mlp, False)


# ---- what 08 says about torch, checked on this torch ----------------------------------------

def test_a_parameter_is_a_registered_leaf_and_a_scaled_randn_is_not_a_leaf():
    """08 section 2: randn(..., requires_grad=True) * 0.01 is a MulBackward0 output; nn.Parameter(...) is a leaf
    that requires grad, and a module registers it (a plain tensor attribute it does not)."""
    scaled = torch.randn(4, 3, requires_grad=True) * 0.01
    assert not scaled.is_leaf and type(scaled.grad_fn).__name__ == "MulBackward0"
    W = nn.Parameter(torch.randn(4, 3) * 0.01)
    assert W.is_leaf and W.requires_grad and W.grad_fn is None and isinstance(W, torch.Tensor)

    class Module(nn.Module):
        def __init__(self):
            super().__init__()
            self.W = nn.Parameter(torch.zeros(2))
            self.scale = torch.ones(1, requires_grad=True)
    assert [name for name, _ in Module().named_parameters()] == ["W"]
    assert torch.randn(2, dtype=float).dtype == torch.float64


def test_nn_linear_multiplies_by_its_weights_transpose():
    """08 section 3: weight (out, in) = (2, 3); a wrong input width names a 3x2 second matrix, the transpose;
    an nn.Linear accepts any leading dimensions."""
    layer = nn.Linear(3, 2)
    assert tuple(layer.weight.shape) == (2, 3) and tuple(layer.bias.shape) == (2,)
    with pytest.raises(RuntimeError, match=r"\(4x2 and 3x2\)"):
        layer(torch.randn(4, 2))
    for shape in [(3,), (4, 3), (2, 5, 3)]:
        assert tuple(layer(torch.randn(shape)).shape) == shape[:-1] + (2,)


def test_a_literal_softmax_overflows_where_torchs_does_not():
    """08 section 4: exp(1000.) is inf in float32 (max about 3.4e38), float64 overflows just above e^709, the literal
    softmax of [1000, 0] has a nan, torch.softmax and F.cross_entropy do not."""
    z = torch.tensor([1000.0, 0.0])
    assert torch.isinf(torch.exp(z[0])) and torch.finfo(torch.float32).max == pytest.approx(3.4e38, rel=0.01)
    assert torch.isfinite(torch.exp(torch.tensor(709.0, dtype=torch.float64)))
    assert torch.isinf(torch.exp(torch.tensor(710.0, dtype=torch.float64)))
    assert torch.isnan(torch.exp(z) / torch.exp(z).sum()).any()
    assert torch.softmax(z, dim=0).tolist() == [1.0, 0.0]
    assert F.cross_entropy(z[None], torch.tensor([1])).item() == 1000.0


def test_torchs_init_reads_fan_in_from_dimension_one_and_its_gains():
    """08 section 6: kaiming_normal_ on a (64, 256) tensor uses fan_in = 256; mode='fan_out' uses 64; the ReLU gain
    is sqrt(2); a uniform bound is sqrt(3) times the std; nn.Linear's default init is U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    assert torch_init_std(HE, 256, 64) == pytest.approx(math.sqrt(2 / 256), rel=1e-9)   # shape (64, 256)
    W = torch.empty(64, 256, dtype=torch.float64)
    nn.init.kaiming_normal_(W, mode="fan_out", nonlinearity="relu", generator=torch.Generator().manual_seed(0))
    z = torch.empty(64, 256, dtype=torch.float64).normal_(generator=torch.Generator().manual_seed(0))
    assert torch.allclose(W, z * math.sqrt(2 / 64))
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    U = nn.init.xavier_uniform_(torch.empty(300, 500, dtype=torch.float64), generator=torch.Generator().manual_seed(0))
    assert float(U.abs().max()) <= math.sqrt(3) * math.sqrt(2 / 800) and float(U.std()) == pytest.approx(
        math.sqrt(2 / 800), rel=0.02)
    weight = nn.Linear(400, 300).weight.detach()
    assert float(weight.abs().max()) <= 1 / math.sqrt(400)
    assert float(weight.std()) == pytest.approx(1 / math.sqrt(400) / math.sqrt(3), rel=0.02)


def test_sgds_step_is_add_with_alpha_and_zero_grad_sets_none():
    """08 section 7: p.add_(p.grad, alpha=-lr) is bitwise optimizer.step(); zero_grad() sets .grad to None
    (set_to_none=False: zeros); p -= lr * p.grad rounds twice and differs in the last bit somewhere."""
    g = torch.Generator().manual_seed(0)
    start, grad = torch.randn(1000, generator=g), torch.randn(1000, generator=g)
    theirs = nn.Parameter(start.clone())
    optimizer = torch.optim.SGD([theirs], lr=0.1)
    theirs.grad = grad.clone()
    optimizer.step()
    assert torch.equal(start.clone().add_(grad, alpha=-0.1), theirs.detach())
    assert not torch.equal(start - 0.1 * grad, theirs.detach())
    optimizer.zero_grad()
    assert theirs.grad is None
    theirs.grad = grad.clone()
    optimizer.zero_grad(set_to_none=False)
    assert torch.equal(theirs.grad, torch.zeros(1000))


def test_step_lr_drops_after_every_epochs_and_warns_when_stepped_first():
    """08 section 8: StepLR(step_size=3, gamma=0.5) from 0.1 gives 0.1 x3, 0.05 x3, 0.025 x2; stepping the scheduler
    before the optimizer warns."""
    p = nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([p], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    lrs = []
    for _ in range(8):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025] * 2)
    optimizer = torch.optim.SGD([p], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()
        optimizer.step()
    assert any("optimizer.step()" in str(w.message) for w in caught)


def test_a_zero_first_layer_trains_only_b2_with_torch_relu_and_everything_with_clamp():
    """08 Question 1: W1 = 0, b1 = 0, W2 random: with torch.relu only b2 gets a gradient, at every step; with
    clamp(min=0) W1 and b1 get one at once, a different column for each hidden unit (W2's rows differ)."""
    g = torch.Generator().manual_seed(0)
    X, y = torch.rand(32, 6, generator=g), torch.randint(0, 4, (32,), generator=g)
    W2_init = torch.randn(5, 4, generator=g) * math.sqrt(2 / 5)

    def run(relu, steps):
        params = [torch.zeros(6, 5), torch.zeros(5), W2_init.clone(), torch.zeros(4)]
        params = [p.requires_grad_() for p in params]
        for _ in range(steps):
            F.cross_entropy(relu(X @ params[0] + params[1]) @ params[2] + params[3], y).backward()
            norms = [float(p.grad.norm()) for p in params]
            with torch.no_grad():
                for p in params:
                    p -= 0.5 * p.grad
                    p.grad = None
        return norms, params

    norms, params = run(torch.relu, 5)
    assert norms[:3] == [0.0, 0.0, 0.0] and norms[3] > 0
    assert float(params[0].detach().abs().max()) == 0.0 and torch.equal(params[2].detach(), W2_init)
    norms, params = run(lambda z: z.clamp(min=0), 1)
    assert norms[0] > 0 and norms[1] > 0 and norms[2] == 0.0
    columns = params[0].detach().T
    assert all(not torch.allclose(columns[i], columns[j]) for i in range(5) for j in range(i + 1, 5))


# ---- init_mlp's draws and train_mlp's run (#18: the draws themselves, reproducibility, the replay) ----------

def _uniform_weight(i, o, std, g):
    bound = math.sqrt(3) * std(i, o)
    return nn.Parameter(torch.empty(i, o).uniform_(-bound, bound, generator=g))


def _kaiming_uniform_fan_out(i, o, std, g):
    W = torch.empty(i, o)
    nn.init.kaiming_uniform_(W, mode="fan_out", nonlinearity="relu", generator=g)
    return nn.Parameter(W)


def _laplace_weight(i, o, std, g):
    """Laplace values of the right std (b = std / sqrt(2)): neither normal nor uniform."""
    magnitude = torch.empty(i, o).exponential_(generator=g) * std(i, o) / math.sqrt(2)
    sign = torch.where(torch.rand(i, o, generator=g) < 0.5, -1.0, 1.0)
    return nn.Parameter(magnitude * sign)


@pytest.mark.parametrize("weight, words", [
    (_uniform_weight, "look uniform on [-a, a], not normal"),
    (_kaiming_uniform_fan_out, "look uniform on [-a, a], not normal"),
    (_laplace_weight, "are not distributed as N(0, std^2), although their std is right"),
])
def test_draws_of_the_right_std_that_are_not_normal_are_named(weight, words):
    """Does a uniform (or Laplace) draw with the right std, which the moment checks pass, fail on its values,
    visibly and when graded?"""
    assert words in failure("init_mlp_tests", init_mlp_with(weight), False)
    assert words in failure("init_mlp_tests", init_mlp_with(weight), True)


@pytest.mark.parametrize("weight", [
    lambda i, o, std, g: nn.Parameter(torch.randn(o, i, generator=g).T * std(i, o)),     # drawn (out, in)
    lambda i, o, std, g: nn.Parameter(torch.normal(0.0, std(i, o), (i, o), generator=g)),
])
def test_normal_draws_in_another_layout_or_spelling_pass(weight):
    """Are right draws that are not the solution's values (a transposed draw) or are them by another call passed?"""
    check("init_mlp_tests", init_mlp_with(weight))
    check("init_mlp_tests", init_mlp_with(weight), hidden=True, seed=SEED)


def test_the_normality_test_keeps_its_false_alarm_rate():
    """The threshold is the Dvoretzky-Kiefer-Wolfowitz bound; right draws in another layout stay well below it,
    seed after seed, and a uniform draw of the same std is far above it."""
    from course.checks.a08_mlp import FALSE_ALARM, _normal_cdf, ks_distance, ks_threshold
    assert ks_threshold(10_000) == pytest.approx(math.sqrt(math.log(2 / FALSE_ALARM) / 20_000))
    worst = 0.0
    for seed in range(200):
        g = torch.Generator().manual_seed(seed)
        for i, o in [(64, 256), (200, 40)]:
            z = torch.randn(o, i, generator=g).T.reshape(-1).double()
            worst = max(worst, ks_distance(z, _normal_cdf)[0] / ks_threshold(z.numel(), FALSE_ALARM / 3))
    assert worst < 0.8
    u = (torch.rand(64 * 256, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 2 - 1) * math.sqrt(3)
    assert ks_distance(u, _normal_cdf)[0] > 2 * ks_threshold(u.numel(), FALSE_ALARM / 3)


def test_a_normal_weight_has_8_percent_of_its_values_beyond_the_uniform_bound():
    """08 (and the catalogue): U(-a, a) with a = sqrt(3) std has the std of N(0, std^2), no value beyond a, where
    N(0, std^2) has 8.3% of its values."""
    assert 2 * (1 - float(torch.special.ndtr(torch.tensor(math.sqrt(3), dtype=torch.float64)))) == pytest.approx(
        0.0833, abs=5e-5)
    U = nn.init.kaiming_uniform_(torch.empty(400, 300, dtype=torch.float64), mode="fan_out", nonlinearity="relu",
                                 generator=torch.Generator().manual_seed(0))
    std = math.sqrt(2 / 400)
    assert float(U.std()) == pytest.approx(std, rel=0.01) and float(U.abs().max()) <= math.sqrt(3) * std


def train_mlp_like(rate=None, shuffle_once=False, global_order=False, cast=None, train_acc_on_batch=False,
                   loss_after=False):
    """train_mlp as the exercise writes it, with one thing changed."""
    def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, num_epochs=10, batch_size=64,
                  lr=0.5, drop=0.5, every=4, generator=None):
        params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
        if cast:
            params = [nn.Parameter(p.detach().to(cast)) for p in params]
        history = {"loss": [], "train_acc": [], "test_acc": []}

        def accuracy(X, y):
            W1, b1, W2, b2 = params
            return ((torch.relu(X.to(W1.dtype) @ W1 + b1) @ W2 + b2).argmax(dim=1) == y).float().mean().item()
        order = torch.randperm(len(X_train), generator=generator) if shuffle_once else None
        step = 0
        for epoch in range(num_epochs):
            if not shuffle_once:
                order = torch.randperm(len(X_train), generator=None if global_order else generator)
            for start in range(0, len(X_train), batch_size):
                batch = order[start:start + batch_size]
                W1, b1, W2, b2 = params
                forward = lambda: F.cross_entropy(torch.relu(X_train[batch].to(W1.dtype) @ W1 + b1) @ W2 + b2,
                                                  y_train[batch])
                loss = forward()
                loss.backward()
                this = rate(lr, epoch, step, drop, every) if rate else step_decay_lr(lr, epoch, drop, every)
                with torch.no_grad():
                    for p in params:
                        p -= this * p.grad
                        p.grad = None
                    if loss_after:
                        loss = forward()
                history["loss"].append(loss.item())
                step += 1
            with torch.no_grad():
                X, y = (X_train[batch], y_train[batch]) if train_acc_on_batch else (X_train, y_train)
                history["train_acc"].append(accuracy(X, y))
                history["test_acc"].append(accuracy(X_test, y_test))
        return params, history
    return train_mlp


@pytest.mark.parametrize("fn, words", [
    (train_mlp_like(rate=lambda lr, e, t, drop, every: lr), "Your rate never dropped"),
    (train_mlp_like(rate=lambda lr, e, t, drop, every: lr * drop ** ((e + 1) // every)), "one epoch too early"),
    (train_mlp_like(rate=lambda lr, e, t, drop, every: lr * drop ** (e / every)), "epoch // every (integer division)"),
    (train_mlp_with(clear=False), "the gradients were never cleared"),
    (train_mlp_with(update=lambda p, lr: p - lr * p.grad), "Rebinding a name (param = param - ...) leaves them"),
    (train_mlp_like(global_order=True), "Two calls with generators seeded alike gave different runs"),
    (train_mlp_like(cast=torch.float64), "W1 has dtype torch.float64, but the digits"),
    (train_mlp_like(loss_after=True), "it is the loss after the update"),
])
def test_the_short_run_names_what_each_epoch_shows(fn, words):
    """Does the short run (one minibatch per epoch, called with num_epochs = 0 to 5) name a wrong schedule,
    uncleared gradients, an update that never happened, a generator not used, a dtype and a loss recorded after
    the update, visibly (the short run comes first) and when graded?"""
    assert words in failure("train_mlp_tests", fn, False)
    hidden = failure("train_mlp_tests", fn, True)
    assert "first 200 training digits" in hidden or "dtype torch.float64" in hidden


def test_the_training_accuracy_of_the_last_minibatch_is_named():
    """On the whole split (minibatches of 64), a train_acc measured on the last minibatch is not the params'."""
    assert 'history["train_acc"][-1] is' in failure("train_mlp_tests", train_mlp_like(train_acc_on_batch=True), False)


def test_runs_in_another_order_pass():
    """Right runs that draw in another order (weights drawn (out, in), one order for all epochs) pass: the short
    run judges each epoch from the learner's own calls, whatever the order of its draws."""
    global init_mlp
    right = init_mlp
    check("train_mlp_tests", train_mlp_like(shuffle_once=True))
    try:
        init_mlp = init_mlp_with(lambda i, o, std, g: nn.Parameter(torch.randn(o, i, generator=g).T * std(i, o)))
        check("train_mlp_tests", train_mlp_with())
        check("train_mlp_tests", train_mlp_with(), hidden=True, seed=SEED)
    finally:
        init_mlp = right


def test_a_run_of_k_epochs_is_the_start_of_a_longer_one():
    """What the short run relies on: with one minibatch per epoch, train_mlp(num_epochs=k) from a generator
    seeded alike returns the params after epoch k of a longer run, and each epoch's step is -rate * gradient."""
    from course.checks.a08_mlp import SHORT, _fit_rate, _flat, _loss_and_gradient, _train_data, steplr_rates
    data = _train_data(SHORT["subset"])
    options = dict(num_hiddens=SHORT["num_hiddens"], batch_size=SHORT["subset"], lr=SHORT["lr"], drop=SHORT["drop"],
                   every=SHORT["every"])
    runs = [train_mlp_with()(*data, num_epochs=k, generator=torch.Generator().manual_seed(3), **options)
            for k in range(SHORT["num_epochs"] + 1)]
    full = runs[-1][1]
    rates = steplr_rates(SHORT["lr"], SHORT["drop"], SHORT["every"], SHORT["num_epochs"])
    for k in range(SHORT["num_epochs"]):
        assert runs[k][1]["loss"] == full["loss"][:k]
        loss, gradient = _loss_and_gradient(data[0], data[1], runs[k][0])
        assert full["loss"][k] == pytest.approx(loss, rel=1e-5)
        rate, off = _fit_rate(_flat(runs[k + 1][0]) - _flat(runs[k][0]), gradient)
        assert rate == pytest.approx(rates[k], rel=1e-4) and off < 1e-4
