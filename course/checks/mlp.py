"""08_mlp: the checks of the MLP's pieces, from nn.Linear's math to training on the digits.

References are torch's own answers: `nn.Linear`, autograd through
`F.cross_entropy`, the std that `nn.init.xavier_normal_` and
`nn.init.kaiming_normal_` draw with (read off their samples), `StepLR`'s
rates, and, for a training run, the test accuracy that the grader measures
itself on the returned parameters. Hidden trials of `mlp_grads` include
hidden pre-activations `X @ W1 + b1` that are exactly 0, where torch.relu
blocks the gradient and a mask `Z >= 0` does not.
"""
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from .calling import LearnerError, call
from .compare import SIGN_FLIPPED, assert_close, compare
from .exercise import Exercise, Trial
from .reference import autograd_vjp, finite_difference_grad, generators, random_tensor
from .runner import adapter


def _tensor(values):
    return torch.tensor(values, dtype=torch.float32)


def mlp_logits(X, params, relu=torch.relu):
    """d2l's net in torch, weights stored (in, out): relu(X W1 + b1) W2 + b2."""
    W1, b1, W2, b2 = params
    return F.linear(relu(F.linear(X, W1.T, b1)), W2.T, b2)


def _is_float(value):
    return isinstance(value, (float, int)) and not isinstance(value, bool)


def _python_float_check(function, value):
    if isinstance(value, torch.Tensor):
        raise AssertionError(f"{function} must return a Python float, not a tensor: use math.sqrt.")
    if not _is_float(value):
        raise AssertionError(f"{function} must return a Python float, but it returned {value!r}.")


# ---- linear_forward ---------------------------------------------------------

@adapter("linear_forward")
def call_with_layout_hint(target, args, kwargs, by_hand, name):
    """Call linear_forward(x, W, b); a shape error gets a reminder of nn.Linear's layout."""
    x, W, b = args
    try:
        return call(target, x, W, b, name=name)
    except LearnerError as error:
        if "cannot be multiplied" not in str(error) or not isinstance(W, torch.Tensor) or W.dim() != 2:
            raise
        raise LearnerError(
            f"{error}\nW has nn.Linear's layout (out_features, in_features) = {tuple(W.shape)}, and x has "
            f"in_features = {W.shape[1]} in its last dimension: x multiplies the transpose of W, x @ W.T."
        ) from None


def _linear_trial(x, W, b):
    def judge(got):
        out_features, in_features = W.shape
        layer = nn.Linear(in_features, out_features, dtype=W.dtype)
        with torch.no_grad():
            layer.weight.copy_(W)
            layer.bias.copy_(b)
            want = layer(x)
        if isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype:
            if in_features == out_features and torch.allclose(got, x @ W + b):
                raise AssertionError(
                    "linear_forward computed x @ W + b, but nn.Linear stores W as (out_features, in_features): "
                    "the input multiplies the transpose of W, x @ W.T + b.")
            if torch.allclose(got, F.linear(x, W)):
                raise AssertionError("linear_forward returned x @ W.T without the bias: add b "
                                     "(shape (out_features,); it broadcasts over the leading dimensions).")
        assert_close(got, want, "linear_forward(x, W, b)", causes=[])
    return Trial((x, W, b), judge, case=f"for x of shape {tuple(x.shape)} and W of shape {tuple(W.shape)}")


def _linear_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        n_in = int(torch.randint(1, 7, (1,), generator=gen))
        n_out = n_in if trial in (2, 5) else int(torch.randint(1, 7, (1,), generator=gen))
        if trial == 1:
            n_out = n_in + 2   # unequal, so a transpose cannot pass
        lead = [(1,), (5,), (), (2, 3), (4,), (3,), (1, 1), (6,)][trial]
        trials.append(_linear_trial(random_tensor(lead + (n_in,), gen),
                                    random_tensor((n_out, n_in), gen, away_from_zero=0.1),
                                    random_tensor((n_out,), gen, away_from_zero=0.5)))
    return trials


LINEAR_FORWARD = Exercise(
    "linear_forward_tests", "linear_forward", adapter="linear_forward",
    # Two examples with 3 features, a layer with 2 outputs: W is (2, 3), b is (2,).
    visible=lambda: [_linear_trial(_tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]),
                                   _tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), _tensor([0.5, -1.0]))],
    hidden=_linear_hidden,
)


# ---- softmax_cross_entropy_grad ---------------------------------------------

def _ce_grad_trial(logits, targets, fd=False):
    def judge(got):
        (want,) = autograd_vjp(lambda z: F.cross_entropy(z, targets), (logits,))
        if (isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype
                and bool(torch.isfinite(got).all())):
            row_sums = got.sum(dim=1)
            if not bool((row_sums.abs() <= 1e-5 / logits.shape[0]).all()):
                k = int(row_sums.abs().argmax())
                raise AssertionError(
                    f"Each row of the gradient must sum to 0 (the softmax row sums to 1, and so does the "
                    f"one-hot row of the target), but row {k} sums to {float(row_sums[k]):.6g}: subtract the "
                    "one-hot of the targets from the softmax probabilities.")
        assert_close(got, want, "the gradient of F.cross_entropy with respect to the logits",
                     causes=[SIGN_FLIPPED], factors={"the batch size": logits.shape[0]})
        if fd:  # a second witness: finite differences of the loss
            assert_close(got, finite_difference_grad(lambda z: F.cross_entropy(z, targets), logits),
                         "the gradient (against finite differences)", rtol=1e-5, atol=1e-7, causes=[])
    largest = float(logits.abs().max())
    return Trial((logits, targets), judge,
                 case=f"for logits of shape {tuple(logits.shape)} (largest |logit| {largest:.4g})")


def _ce_grad_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        n = [1, 3, 7, 1, 5, 12, 4, 9][trial]
        c = int(torch.randint(2, 8, (1,), generator=gen))
        logits = random_tensor((n, c), gen) * 3
        if trial in (3, 4):
            logits = logits * 400           # logits of order 1e3: exp overflows without the shift
        if trial == 6:
            logits = logits + 1500.0        # every logit large
        targets = torch.randint(0, c, (n,), generator=gen)
        trials.append(_ce_grad_trial(logits, targets, fd=trial == 2))
    return trials


SOFTMAX_CROSS_ENTROPY_GRAD = Exercise(
    "softmax_cross_entropy_grad_tests", "softmax_cross_entropy_grad", by_hand=True,
    # Three examples, four classes; the last row has logits of 1000, where a literal exp overflows.
    visible=lambda: [_ce_grad_trial(_tensor([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0],
                                             [1000.0, -1000.0, 999.0, 0.0]]), torch.tensor([1, 3, 2]))],
    hidden=_ce_grad_hidden,
)


# ---- mlp_grads --------------------------------------------------------------

_GRAD_NAMES = ("grad_W1", "grad_b1", "grad_W2", "grad_b2")


def _mlp_grads_reference(X, y, params, relu=torch.relu):
    return autograd_vjp(lambda *p: F.cross_entropy(mlp_logits(X, p, relu), y), tuple(params))


def _mlp_grads_trial(X, y, params, fd=False, case=""):
    options = dict(factors={"the batch size": X.shape[0]}, causes=[SIGN_FLIPPED])

    def judge(got):
        want = _mlp_grads_reference(X, y, params)
        if isinstance(got, (tuple, list)) and len(got) == 4:
            ok = [compare(a, e, **options).passed for a, e in zip(got, want)]
            if ok[2] and ok[3] and not (ok[0] and ok[1]):
                at_zero = _mlp_grads_reference(X, y, params, relu=lambda z: z.clamp(min=0))
                if all(compare(a, e).passed for a, e in zip(got, at_zero)):
                    raise AssertionError(
                        "grad_W1 and grad_b1 are right except where a hidden pre-activation "
                        "Z = X @ W1 + b1 is exactly 0: there torch.relu blocks the gradient (its gradient "
                        "at 0 is 0), but yours passes it. The mask is Z > 0, not Z >= 0.")
                try:
                    assert_close(got, want, _GRAD_NAMES, **options)
                except AssertionError as error:
                    raise AssertionError(
                        f"{error}\ngrad_W2 and grad_b2 are right, so the mistake is in the backward pass "
                        "through the hidden layer: grad_H = grad_O @ W2.T, then the ReLU (keep the gradient "
                        "only where Z = X @ W1 + b1 is > 0), then grad_W1 = X.T @ grad_Z and grad_b1 = "
                        "grad_Z summed over the rows.") from None
        assert_close(got, want, _GRAD_NAMES, **options)
        if fd:  # a second witness for W1: finite differences
            assert_close(got[0], finite_difference_grad(
                lambda v: F.cross_entropy(mlp_logits(X, [v, *params[1:]]), y), params[0]),
                "grad_W1 (against finite differences)", rtol=1e-5, atol=1e-7, causes=[])
    sizes = f"X of shape {tuple(X.shape)}, W1 {tuple(params[0].shape)}, W2 {tuple(params[2].shape)}"
    return Trial((X, y, list(params)), judge, case=case or f"for {sizes}")


def _mlp_grads_visible():
    # A batch of 3 examples, 4 inputs, 5 hidden units, 3 classes, from a seeded generator.
    gen = torch.Generator().manual_seed(8)
    X = torch.randn(3, 4, generator=gen)
    params = [torch.randn(shape, generator=gen) for shape in [(4, 5), (5,), (5, 3), (3,)]]
    return [_mlp_grads_trial(X, torch.tensor([0, 2, 1]), params)]


def small_integers(shape, gen, low=-2, high=3):
    """Integer values in float64: sums of their products are exact, so X @ W1 + b1 hits 0 exactly."""
    return torch.randint(low, high, shape, generator=gen).to(torch.float64)


def _mlp_grads_hidden(seed):
    gens = generators(seed, 10)
    trials = []
    for trial, gen in enumerate(gens[:7]):
        n = [1, 6, 4, 9, 2, 5, 13][trial]
        d = int(torch.randint(1, 7, (1,), generator=gen))
        h = int(torch.randint(2, 9, (1,), generator=gen))
        q = int(torch.randint(2, 6, (1,), generator=gen))
        if trial == 1:
            d, h, q = 3, 7, 4           # all unequal, so no transpose can pass
        X = random_tensor((n, d), gen)
        params = [random_tensor((d, h), gen, away_from_zero=0.1), random_tensor((h,), gen),
                  random_tensor((h, q), gen, away_from_zero=0.1), random_tensor((q,), gen)]
        trials.append(_mlp_grads_trial(X, torch.randint(0, q, (n,), generator=gen), params, fd=trial == 3))
    # Hidden pre-activations exactly at the kink, as a trained ReLU network hits them.
    for (n, d, h, q), gen in zip([(5, 3, 6, 3), (8, 4, 5, 4), (1, 6, 7, 2)], gens[7:]):
        while True:
            X, W1, b1 = small_integers((n, d), gen), small_integers((d, h), gen), small_integers((h,), gen)
            if bool((X @ W1 + b1 == 0).any()):
                break
        params = [W1, b1, random_tensor((h, q), gen, away_from_zero=0.1), random_tensor((q,), gen)]
        zeros = int((X @ W1 + b1 == 0).sum())
        trials.append(_mlp_grads_trial(X, torch.randint(0, q, (n,), generator=gen), params,
                                       case=f"for X @ W1 + b1 with {zeros} pre-activations exactly 0"))
    return trials


MLP_GRADS = Exercise("mlp_grads_tests", "mlp_grads", by_hand=True,
                     visible=_mlp_grads_visible, hidden=_mlp_grads_hidden)


# ---- xavier_std and he_std ----------------------------------------------------

def torch_init_std(init, fan_in, fan_out, seed=0):
    """The std `init` (an nn.init function) draws a (fan_out, fan_in) weight with, read off its sample.

    nn.init's normal initializers draw std * z from the generator's standard
    normal z, so dividing by z drawn from the same seed gives torch's std.
    """
    sample = init(torch.empty(fan_out, fan_in, dtype=torch.float64), generator=torch.Generator().manual_seed(seed))
    unit = torch.empty(fan_out, fan_in, dtype=torch.float64).normal_(generator=torch.Generator().manual_seed(seed))
    return float((sample.reshape(-1)[:16] / unit.reshape(-1)[:16]).median())


def _xavier_normal(weight, generator):
    return nn.init.xavier_normal_(weight, generator=generator)


def _kaiming_normal_relu(weight, generator):
    return nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)


def _std_judge(function, torch_name, init, fan_in, fan_out, seed, known_slips):
    """The learner's std exactly as torch's, then against the std of a sample torch draws."""
    def judge(got):
        _python_float_check(function, got)
        want = torch_init_std(init, fan_in, fan_out)
        if not math.isclose(got, want, rel_tol=1e-9):
            why = next((w for v, w in known_slips(want) if math.isclose(got, v, rel_tol=1e-9)), None)
            call_text = f"{function}({fan_in}, {fan_out})" if function == "xavier_std" else f"{function}({fan_in})"
            raise AssertionError(f"{call_text} = {got:.6g}, but {torch_name} uses std = {want:.6g}"
                                 + (f". You computed {why}." if why else "."))
        sample = init(torch.empty(fan_out, fan_in, dtype=torch.float64), generator=torch.Generator().manual_seed(seed))
        sample_std = float(sample.std())
        assert abs(sample_std / got - 1) < 4 / math.sqrt(2 * sample.numel()) + 0.005, (
            f"a weight of shape (fan_out, fan_in) = {(fan_out, fan_in)} drawn by {torch_name.split('(')[0]} "
            f"has std {sample_std:.5g}, but {function} gives {got:.5g}.")
    return judge


def _xavier_slips(fan_in, fan_out):
    def slips(want):
        return [
            (math.sqrt(1.0 / fan_in), "sqrt(1 / fan_in), which uses only fan_in (that is LeCun's rule): "
             "Xavier balances fan_in and fan_out, sqrt(2 / (fan_in + fan_out))"),
            (math.sqrt(1.0 / fan_out), "sqrt(1 / fan_out), which uses only fan_out: Xavier balances fan_in "
             "and fan_out, sqrt(2 / (fan_in + fan_out))"),
            (want ** 2, "the variance 2 / (fan_in + fan_out), not the standard deviation: take the square root"),
            (want * math.sqrt(3.0), "sqrt(6 / (fan_in + fan_out)), the bound of xavier_uniform_: a uniform "
             "U(-a, a) has std a / sqrt(3), and xavier_normal_ uses the std itself"),
            (want / math.sqrt(2.0), "sqrt(1 / (fan_in + fan_out)): the 2 is missing"),
        ]
    return slips


def _he_slips(fan_in):
    def slips(want):
        return [
            (math.sqrt(1.0 / fan_in), "sqrt(1 / fan_in): the gain sqrt(2) of ReLU is missing (ReLU zeroes "
             "half of its inputs, and He doubles the variance to make up for it)"),
            (want ** 2, "the variance 2 / fan_in, not the standard deviation: take the square root"),
            (want * math.sqrt(3.0), "sqrt(6 / fan_in), the bound of kaiming_uniform_: a uniform U(-a, a) "
             "has std a / sqrt(3), and kaiming_normal_ uses the std itself"),
            (want * math.sqrt(2.0), "2 / sqrt(fan_in): the gain is sqrt(2), not 2 (the variance doubles)"),
        ]
    return slips


def _xavier_trial(fan_in, fan_out, seed):
    return Trial((fan_in, fan_out), _std_judge("xavier_std", "torch.nn.init.xavier_normal_", _xavier_normal,
                                               fan_in, fan_out, seed, _xavier_slips(fan_in, fan_out)))


def _he_trial(fan_in, fan_out, seed):
    return Trial((fan_in,), _std_judge("he_std", "torch.nn.init.kaiming_normal_(w, nonlinearity='relu')",
                                       _kaiming_normal_relu, fan_in, fan_out, seed, _he_slips(fan_in)))


def _xavier_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        fan_in = int(torch.randint(100, 700, (1,), generator=gen))
        fan_out = int(torch.randint(100, 700, (1,), generator=gen))
        if abs(fan_in - fan_out) < 50:
            fan_out = fan_in + 150     # unequal, so fan_in alone cannot pass
        if trial % 2:
            fan_in, fan_out = fan_out, fan_in
        trials.append(_xavier_trial(fan_in, fan_out, seed + trial))
    return trials


def _he_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        fan_in = int(torch.randint(20, 900, (1,), generator=gen))
        fan_out = int(torch.randint(100, 400, (1,), generator=gen))
        trials.append(_he_trial(fan_in, fan_out, seed + trial))
    return trials


# d2l's first layer: 784 inputs, 256 outputs.
XAVIER_STD = Exercise("xavier_std_tests", "xavier_std", visible=lambda: [_xavier_trial(784, 256, 0)],
                      hidden=_xavier_hidden)
HE_STD = Exercise("he_std_tests", "he_std", visible=lambda: [_he_trial(784, 256, 0)], hidden=_he_hidden)


# ---- init_mlp -----------------------------------------------------------------

@adapter("init_mlp")
def init_twice(target, args, kwargs, by_hand, name):
    """Two calls with generators seeded alike: the parameters, and the second call's for reproducibility."""
    seed = kwargs["seed"]
    first = call(target, *args, generator=torch.Generator().manual_seed(seed), name=name)
    again = call(target, *args, generator=torch.Generator().manual_seed(seed), name=name)
    return {"params": first, "again": again}


def _init_std_wanted(scheme, fan_in, fan_out):
    if scheme == "xavier":
        return torch_init_std(_xavier_normal, fan_in, fan_out)
    if scheme == "he":
        return torch_init_std(_kaiming_normal_relu, fan_in, fan_out)
    return float(scheme)


def _judge_init_weight(name, W, scheme, fan_in, fan_out):
    want = _init_std_wanted(scheme, fan_in, fan_out)
    values = W.detach().double()
    std = float(values.std())
    tol = 5 / math.sqrt(2 * values.numel()) + 0.01
    if abs(std / want - 1) > tol:
        message = (f"{name} has std {std:.4g}, but scheme {scheme!r} asks for {want:.4g} "
                   f"(for {name} of shape {tuple(W.shape)}: fan_in = {fan_in}, fan_out = {fan_out}).")
        if scheme == "he" and abs(std / torch_init_std(_kaiming_normal_relu, fan_out, fan_in) - 1) < tol:
            message += (f" That is the He std for fan_in = {fan_out}, the size of dimension 1: "
                        "torch.nn.init reads fan_in from dimension 1 because nn.Linear stores W as "
                        "(out, in), but d2l's W is (in, out). Use he_std(fan_in) yourself, or pass "
                        "mode='fan_out'.")
        raise AssertionError(message)
    assert abs(float(values.mean())) < 5 * want / math.sqrt(values.numel()), \
        f"{name} has mean {float(values.mean()):.4g}, but the weights must have mean 0 (torch.randn)."


def _init_trial(ni, nh, no, scheme, seed):
    def judge(got):
        params = got.get("params") if isinstance(got, dict) else None
        assert isinstance(params, (list, tuple)) and len(params) == 4, "init_mlp must return a list [W1, b1, W2, b2]."
        shapes = ((ni, nh), (nh,), (nh, no), (no,))
        for name, p, shape in zip(("W1", "b1", "W2", "b2"), params, shapes):
            assert isinstance(p, nn.Parameter), (
                f"{name} is {getattr(p, 'description', 'a ' + type(p).__name__)}, but it must be an nn.Parameter: "
                "wrap it, nn.Parameter(torch.randn(...) * std), so that it is a leaf a module registers.")
            assert tuple(p.shape) == shape, (
                f"{name} has shape {tuple(p.shape)}, but it must have shape {shape}: d2l's layout, "
                "W1 of shape (num_inputs, num_hiddens) and W2 of shape (num_hiddens, num_outputs), used as X @ W1.")
            assert p.dtype == torch.float32, f"{name} has dtype {p.dtype}, but it must be float32."
        for name, p in (("b1", params[1]), ("b2", params[3])):
            assert not bool(p.detach().abs().max() > 0), f"{name} must start at zero (torch.zeros)."
        _judge_init_weight("W1", params[0], scheme, ni, nh)
        _judge_init_weight("W2", params[2], scheme, nh, no)
        again = got.get("again")
        assert (isinstance(again, (list, tuple)) and len(again) == 4
                and all(isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype
                        and torch.equal(a.detach(), b.detach())
                        for a, b in zip(params, again))), (
            "Two calls with generators seeded alike gave different parameters: pass generator=generator "
            "to every torch.randn, so that a seeded generator reproduces the initialization.")
    return Trial((ni, nh, no, scheme), judge, kwargs={"seed": seed},
                 case=f"for init_mlp({ni}, {nh}, {no}, {scheme!r})")


def _init_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        ni = int(torch.randint(200, 800, (1,), generator=gen))
        nh = int(torch.randint(40, 120, (1,), generator=gen))
        no = int(torch.randint(3, 12, (1,), generator=gen))
        scheme = ["he", "xavier", "he", 0.05, "xavier", "he"][trial]
        trials.append(_init_trial(ni, nh, no, scheme, seed % 10_000 + trial))
    return trials


INIT_MLP = Exercise(
    "init_mlp_tests", "init_mlp", adapter="init_mlp",
    # The digits network, 64-256-10, with each scheme.
    visible=lambda: [_init_trial(64, 256, 10, scheme, 0) for scheme in ("he", "xavier", 0.01)],
    hidden=_init_hidden,
)


# ---- step_decay_lr ------------------------------------------------------------

@adapter("per_epoch")
def call_per_epoch(target, args, kwargs, by_hand, name):
    """step_decay_lr(lr0, epoch, drop, every) for epoch = 0, 1, ..., epochs - 1."""
    lr0, drop, every, epochs = args
    return [call(target, lr0, epoch, drop, every, name=name) for epoch in range(epochs)]


def steplr_rates(lr0, drop, every, epochs):
    """The rate StepLR sets for each epoch, stepped as the docs say: optimizer.step(), then scheduler.step()."""
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=every, gamma=drop)
        rates = []
        for _ in range(epochs):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return rates


def _step_decay_trial(lr0, drop, every, epochs):
    def judge(got):
        want = steplr_rates(lr0, drop, every, epochs)
        assert isinstance(got, list) and len(got) == epochs, "the checks got no usable answer from step_decay_lr."
        for value in got:
            if isinstance(value, torch.Tensor) or not _is_float(value):
                raise AssertionError(f"step_decay_lr must return a Python float, but it returned {value!r}.")

        def same(a, b):
            return math.isclose(a, b, rel_tol=1e-9)
        bad = [e for e in range(epochs) if not same(got[e], want[e])]
        if not bad:
            return
        e = bad[0]
        message = (f"With lr0={lr0:g}, drop={drop:g}, every={every}: at epoch {e}, step_decay_lr gives "
                   f"{got[e]:.6g}, but StepLR gives {want[e]:.6g}.")
        if all(same(got[k], want[k + 1]) for k in range(epochs - 1)):
            message += (" Your rate drops one epoch too early: epochs are counted from 0, and StepLR first "
                        "multiplies by drop at epoch `every`, after `every` whole epochs: epoch // every, "
                        "not (epoch + 1) // every.")
        elif all(same(got[k + 1], want[k]) for k in range(epochs - 1)):
            message += " Your rate drops one epoch too late: epochs are counted from 0."
        elif e > 0 and same(want[e], want[e - 1]) and not same(got[e], got[e - 1]):
            message += (f" StepLR keeps the rate constant from epoch {e - 1} to {e}, but yours changes: "
                        "the exponent must be a whole number of drops, epoch // every (integer division), "
                        "not epoch / every.")
        raise AssertionError(message)
    return Trial((lr0, drop, every, epochs), judge)


def _step_decay_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        lr0 = float(torch.empty(1, dtype=torch.float64).uniform_(0.01, 1.0, generator=gen))
        drop = float(torch.empty(1, dtype=torch.float64).uniform_(0.1, 0.9, generator=gen))
        every = [2, 1, 4, 5, 3, 7][trial]
        trials.append(_step_decay_trial(lr0, drop, every, 3 * every + 4))
    return trials


STEP_DECAY_LR = Exercise(
    "step_decay_lr_tests", "step_decay_lr", adapter="per_epoch",
    # lr0 0.1, halved every 3 epochs: 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, ...
    visible=lambda: [_step_decay_trial(0.1, 0.5, 3, 10)],
    hidden=_step_decay_hidden,
)


# ---- train_mlp ------------------------------------------------------------------

@adapter("train_mlp")
def train_from_seed(target, args, kwargs, by_hand, name):
    """Train with a generator seeded as asked; report what it returned and which grads were left."""
    options = dict(kwargs)
    generator = torch.Generator().manual_seed(options.pop("seed"))
    result = call(target, *args, generator=generator, name=name, **options)
    params = result[0] if isinstance(result, tuple) and len(result) == 2 else []
    left = [bool(isinstance(getattr(p, "grad", None), torch.Tensor) and p.grad.abs().max() > 0)
            for p in (params if isinstance(params, (list, tuple)) else [])]
    return {"result": result, "grads_left": left}


def test_accuracy(params, X, y):
    with torch.no_grad():
        return float((mlp_logits(X, [p.detach() for p in params]).argmax(dim=1) == y).float().mean())


def _judge_training(result, grads_left, digits, num_hiddens, num_epochs, batch_size):
    X_train, y_train, X_test, y_test = digits
    assert isinstance(result, tuple) and len(result) == 2, "train_mlp must return a tuple (params, history)."
    params, history = result
    shapes = [(X_train.shape[1], num_hiddens), (num_hiddens,), (num_hiddens, 10), (10,)]
    assert isinstance(params, (list, tuple)) and [tuple(getattr(p, "shape", ())) for p in params] == shapes, \
        f"params must be the list [W1, b1, W2, b2] with shapes {shapes}."
    assert isinstance(history, dict) and {"loss", "train_acc", "test_acc"} <= set(history), \
        'history must be a dict with the keys "loss", "train_acc" and "test_acc".'
    per_epoch = math.ceil(len(X_train) / batch_size)
    losses = history["loss"]
    assert (isinstance(losses, list) and len(losses) == num_epochs * per_epoch
            and all(isinstance(v, float) for v in losses)), (
        f'history["loss"] must hold {num_epochs * per_epoch} Python floats, one per minibatch ({num_epochs} '
        f"epochs of {per_epoch}): append loss.item() after each step.")
    for key in ("train_acc", "test_acc"):
        assert (isinstance(history[key], list) and len(history[key]) == num_epochs
                and all(isinstance(v, float) for v in history[key])), \
            f'history["{key}"] must hold {num_epochs} Python floats, one per epoch.'
    assert all(isinstance(p, torch.Tensor) and p.dtype.is_floating_point for p in params), \
        "params must hold the trained tensors W1, b1, W2, b2."
    accuracy = test_accuracy(params, X_test, y_test)
    if not accuracy >= 0.95:
        why = [f"After training, the test accuracy is {accuracy:.1%}, but it must be at least 95%; the "
               f"minibatch loss went from {losses[0]:.3g} to {losses[-1]:.3g}."]
        if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
            why.append("The loss grew (or became nan): the steps are far too large.")
        elif losses[-1] > 0.8 * losses[0]:
            why.append("The loss barely fell: are the parameters updated in place (param -= lr * param.grad, "
                       "under torch.no_grad())? Rebinding a name (param = param - ...) leaves them unchanged.")
        if any(flag is True for flag in grads_left):
            why.append("The parameters' .grad still hold a gradient after training: clear them after each "
                       "step (param.grad = None, or param.grad.zero_()), or every backward() adds the new "
                       "gradient to all the earlier ones.")
        raise AssertionError("\n".join(why))
    assert abs(history["test_acc"][-1] - accuracy) < 1e-6, (
        f'history["test_acc"][-1] is {history["test_acc"][-1]:.4f}, but the returned params have test '
        f"accuracy {accuracy:.4f}: record the accuracy on X_test, y_test after each epoch.")


def _train_trial(seed, num_hiddens=256):
    from course.data import load_digits  # the fixed split, loaded where the trial is judged too

    digits = load_digits()
    options = dict(num_hiddens=num_hiddens, num_epochs=10, batch_size=64, lr=0.5, drop=0.5, every=4)

    def judge(got):
        assert isinstance(got, dict) and {"result", "grads_left"} <= set(got), \
            "the checks got no usable answer from train_mlp."
        _judge_training(got["result"], got["grads_left"], digits, num_hiddens, options["num_epochs"],
                        options["batch_size"])
    return Trial(digits, judge, kwargs={**options, "seed": seed},
                 case=f"for the digits, 64-{num_hiddens}-10, seed {seed}")


TRAIN_MLP = Exercise(
    "train_mlp_tests", "train_mlp", adapter="train_mlp",
    # The digits, 64-256-10, 10 epochs of minibatches of 64.
    visible=lambda: [_train_trial(0)],
    # another initialization and a narrower hidden layer
    hidden=lambda seed: [_train_trial(seed % 100_000, 128)],
)

EXERCISES = [LINEAR_FORWARD, SOFTMAX_CROSS_ENTROPY_GRAD, MLP_GRADS, XAVIER_STD, HE_STD, INIT_MLP,
             STEP_DECAY_LR, TRAIN_MLP]
