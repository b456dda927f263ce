"""08_mlp: the checks of d2l's multilayer perceptron, piece by piece, trained on the digits.

References are torch's own answers: `F.linear` for the layer, autograd
through `F.cross_entropy` and the network written with `torch.relu` for the
gradients (central finite differences as a second witness), the std that
`nn.init.xavier_normal_` and `kaiming_normal_` draw with (read off their
draw from a seeded generator), `StepLR` for the schedule. The usual slips
get named by comparing with what they compute: `x @ W` without the
transpose, the bias or the one-hot left out, the ReLU's mask `Z >= 0` of
`clamp(min=0)` where the network uses `torch.relu`, LeCun's or the uniform
bound's std, a rate that drops an epoch early. A visible example and hidden
gradient trials include pre-activations `X @ W1 + b1` exactly 0, built from
integers so that every order of summation gives 0. `init_mlp` runs twice with generators
seeded alike; `train_mlp` trains in the kernel on the digits' fixed split,
and the grader measures the test accuracy of the parameters it sends back.
"""
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from .a03_backward import with_exact_zeros
from course.kernel.adapters import TRAINING, digits
from .core.compare import SIGN_FLIPPED, assert_close, assert_close_to_finite_differences, compare
from .core.exercise import Exercise, Trial
from .a06_linear_regression import a_seed
from .core.reference import autograd_vjp, generators, random_tensor
from .a07_two_layer_net import small_integers


def _tensor(values):
    return torch.tensor(values, dtype=torch.float32)


def _is_number(value):
    return isinstance(value, (float, int)) and not isinstance(value, bool)


# ---- linear_forward -----------------------------------------------------------


def _linear_trial(x, W, b):
    def judge(got):
        want = F.linear(x, W, b)
        if isinstance(got, torch.Tensor) and got.shape == want.shape and not compare(got, want).passed:
            out_features, in_features = W.shape
            # for one input feature W and W.T hold the same numbers: x @ W + b is then right
            if in_features == out_features > 1 and compare(got, x @ W + b).passed:
                raise AssertionError(
                    "linear_forward computed x @ W + b, but nn.Linear stores W as (out_features, in_features): "
                    "the input multiplies the transpose of W, x @ W.T + b.")
            if compare(got, F.linear(x, W)).passed:
                raise AssertionError("linear_forward returned x @ W.T without the bias: add b "
                                     "(shape (out_features,); it broadcasts over the leading dimensions).")
        assert_close(got, want, "linear_forward(x, W, b)", causes=[SIGN_FLIPPED])
    return Trial((x, W, b), judge, case=f"for x of shape {tuple(x.shape)}, W {tuple(W.shape)}")


def _linear_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        d_in = int(torch.randint(1, 7, (1,), generator=gen))
        d_out = d_in if trial in (2, 5) else int(torch.randint(1, 7, (1,), generator=gen))
        if trial == 1:
            d_out = d_in + 2   # unequal, so a transpose cannot pass
        lead = [(1,), (5,), (), (2, 3), (4,), (3,), (1, 1), (6,)][trial]
        trials.append(_linear_trial(random_tensor(lead + (d_in,), gen),
                                    random_tensor((d_out, d_in), gen, away_from_zero=0.1),
                                    random_tensor((d_out,), gen, away_from_zero=0.5)))
    return trials


LINEAR_FORWARD = Exercise(
    "linear_forward_tests", "linear_forward", adapter="linear_forward",
    visible=lambda: [_linear_trial(_tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]),
                                   _tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), _tensor([0.5, -1.0])),
                     # one example as a 1-D vector, in float64
                     _linear_trial(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64),
                                   torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]], dtype=torch.float64),
                                   torch.tensor([0.5, -1.0], dtype=torch.float64)),
                     # a batch of one example
                     _linear_trial(_tensor([[1.0, 2.0, 3.0]]), _tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]),
                                   _tensor([0.5, -1.0])),
                     # a batch of 2 sequences of length 1: two leading dimensions
                     _linear_trial(_tensor([[[1.0, 2.0, 3.0]], [[0.0, -1.0, 1.0]]]),
                                   _tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), _tensor([0.5, -1.0]))],
    hidden=_linear_hidden,
)


# ---- softmax_cross_entropy_grad -------------------------------------------------

def _ce_grad_trial(logits, targets, fd=False):
    def judge(got):
        (want,) = autograd_vjp(lambda z: F.cross_entropy(z, targets), (logits,))
        if (isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype
                and bool(torch.isfinite(got).all())):
            row_sums = got.sum(dim=1)
            if not bool((row_sums.abs() <= 1e-5 / logits.shape[0]).all()):
                k = int(row_sums.abs().argmax())
                raise AssertionError(
                    f"Each row of the gradient must sum to 0 (the softmax row sums to 1, and so does the one-hot "
                    f"row of the target), but row {k} sums to {float(row_sums[k]):.6g}: subtract the one-hot "
                    "of the targets from the softmax probabilities.")
        assert_close(got, want, "the gradient of F.cross_entropy with respect to the logits",
                     causes=[SIGN_FLIPPED], factors={"the batch size": logits.shape[0]})
        if fd:  # a second, independent witness: finite differences of the loss
            assert_close_to_finite_differences(got, lambda z: F.cross_entropy(z, targets), logits,
                                               "the gradient (against finite differences)", causes=[])
    largest = float(logits.abs().max()) if logits.numel() else 0.0
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
    visible=lambda: [_ce_grad_trial(_tensor([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0],
                                             [1000.0, -1000.0, 999.0, 0.0]]), torch.tensor([1, 3, 2])),
                     # a batch of one in float64, every logit near 1500
                     _ce_grad_trial(torch.tensor([[1500.0, 1502.0, 1499.0]], dtype=torch.float64), torch.tensor([0]))],
    hidden=_ce_grad_hidden,
)


# ---- mlp_grads --------------------------------------------------------------------

def mlp_loss(X, y, W1, b1, W2, b2, relu=torch.relu):
    """The notebook's loss, weights in d2l's layout (in, out): F.cross_entropy(relu(X W1 + b1) W2 + b2, y)."""
    return F.cross_entropy(F.linear(relu(F.linear(X, W1.T, b1)), W2.T, b2), y)


def _mlp_grads_trial(X, y, params, fd=False, case=""):
    names = ("grad_W1", "grad_b1", "grad_W2", "grad_b2")
    options = dict(causes=[SIGN_FLIPPED], factors={"the batch size": X.shape[0]})

    def judge(got):
        want = autograd_vjp(lambda *p: mlp_loss(X, y, *p), tuple(params))
        if isinstance(got, (tuple, list)) and len(got) == 4:
            ok = [compare(a, e, **options).passed for a, e in zip(got, want)]
            if ok[2] and ok[3] and not (ok[0] and ok[1]):
                # torch.relu passes no gradient at Z == 0; clamp(min=0), and the mask Z >= 0, pass it
                at_zero = autograd_vjp(lambda *p: mlp_loss(X, y, *p, relu=lambda z: z.clamp(min=0)), tuple(params))
                if all(compare(a, e, **options).passed for a, e in zip(got[:2], at_zero[:2])):
                    raise AssertionError(
                        "grad_W1 and grad_b1 are right except where a pre-activation Z = X @ W1 + b1 is exactly 0: "
                        "there yours passes the gradient (the mask Z >= 0, which is clamp(min=0)'s choice at 0), "
                        "but the network uses torch.relu, which passes none. Its mask is Z > 0.")
                try:
                    assert_close(got, want, names, **options)
                except AssertionError as error:
                    raise AssertionError(
                        f"{error}\ngrad_W2 and grad_b2 are right, so the mistake is in the backward pass through "
                        "the hidden layer: grad_H = grad_O @ W2.T, then the ReLU (keep the gradient only where "
                        "Z = X @ W1 + b1 is > 0), then grad_W1 = X.T @ grad_Z and grad_b1 = grad_Z summed over "
                        "the rows.") from None
        assert_close(got, want, names, **options)
        if fd:  # a second witness for W1: finite differences
            assert_close_to_finite_differences(got[0], lambda v: mlp_loss(X, y, v, *params[1:]), params[0],
                                               "grad_W1 (against finite differences)", causes=[])
    shapes = ", ".join(f"{name[5:]} {tuple(p.shape)}" for name, p in zip(names, params))
    return Trial((X, y, list(params)), judge, case=case or f"for X of shape {tuple(X.shape)}, {shapes}")


def _exact_zero_trial(n, d, h, q, gen):
    """Integer X, W1 and b1 whose pre-activations Z = X @ W1 + b1 are exactly 0 in some units of one row."""
    X, W1 = small_integers((n, d), gen), small_integers((d, h), gen)
    row = int(torch.randint(0, n, (1,), generator=gen))
    offsets = small_integers((h,), gen, 1, 3) * torch.where(torch.rand(h, generator=gen) < 0.5, -1.0, 1.0)
    while True:   # the units whose offset is 0 have Z[row] == 0
        b1 = with_exact_zeros(offsets, gen, share=0.5) - (X @ W1)[row]
        if bool(((X @ W1 + b1) == 0).any()):
            break
    params = [W1, b1, random_tensor((h, q), gen, away_from_zero=0.1), random_tensor((q,), gen)]
    y = torch.randint(0, q, (n,), generator=gen)
    zeros = int(((X @ W1 + b1) == 0).sum())
    return _mlp_grads_trial(X, y, params, case=f"for Z = X @ W1 + b1 with {zeros} pre-activations exactly 0")


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
        y = torch.randint(0, q, (n,), generator=gen)
        trials.append(_mlp_grads_trial(X, y, params, fd=trial == 3))
    # Pre-activations exactly at the kink, where the mask decides.
    for (n, d, h, q), gen in zip([(4, 3, 5, 3), (1, 4, 6, 2), (6, 2, 4, 5)], gens[7:]):
        trials.append(_exact_zero_trial(n, d, h, q, gen))
    return trials


def _mlp_grads_visible():
    # A batch of 3 examples, 4 inputs, 5 hidden units, 3 classes, from a seeded generator.
    gen = torch.Generator().manual_seed(8)
    X = torch.randn(3, 4, generator=gen)
    params = [torch.randn(4, 5, generator=gen), torch.randn(5, generator=gen),
              torch.randn(5, 3, generator=gen), torch.randn(3, generator=gen)]
    # Then a batch of one in float64: 3 inputs, 4 hidden units, 2 classes.
    gen64 = torch.Generator().manual_seed(9)
    X64 = torch.randn(1, 3, generator=gen64, dtype=torch.float64)
    params64 = [torch.randn(shape, generator=gen64, dtype=torch.float64) for shape in [(3, 4), (4,), (4, 2), (2,)]]
    # Then a batch of 3 in small integers (float64) whose Z = X @ W1 + b1 is exactly 0 in 2 units, where the mask decides.
    return [_mlp_grads_trial(X, torch.tensor([0, 2, 1]), params), _mlp_grads_trial(X64, torch.tensor([1]), params64),
            _exact_zero_trial(3, 4, 5, 3, torch.Generator().manual_seed(1))]


MLP_GRADS = Exercise("mlp_grads_tests", "mlp_grads", by_hand=True,
                     visible=_mlp_grads_visible, hidden=_mlp_grads_hidden)


# ---- xavier_std and he_std ----------------------------------------------------------

XAVIER = ("xavier_normal_", {})
HE = ("kaiming_normal_", {"nonlinearity": "relu"})


def torch_init_std(init, fan_in, fan_out):
    """The std torch.nn.init's `init` draws a weight (fan_out, fan_in) with, read off its draw.

    torch draws std * z from the generator's standard normals z: divided by the
    same z (the same seed), its draw gives back the std, exact to rounding.
    """
    name, options = init
    shape = (fan_out, fan_in)
    drawn = getattr(nn.init, name)(torch.empty(shape, dtype=torch.float64),
                                   generator=torch.Generator().manual_seed(0), **options)
    z = torch.empty(shape, dtype=torch.float64).normal_(generator=torch.Generator().manual_seed(0))
    k = int(z.abs().argmax())
    return float(drawn.view(-1)[k] / z.view(-1)[k])


def _std_judge(function, call_text, init, fan_in, fan_out, known):
    """The std exactly as torch.nn.init draws it; a known wrong formula is named. `known(want)`: [(value, why)]."""
    torch_call = f"torch.nn.init.{init[0]}" + ("(w, nonlinearity='relu')" if init[1] else "")

    def judge(got):
        if isinstance(got, torch.Tensor):
            raise AssertionError(f"{function} must return a Python float, not a tensor: use math.sqrt.")
        assert _is_number(got), f"{function} must return a Python float, but it returned {got!r}."
        want = torch_init_std(init, fan_in, fan_out)
        if not math.isclose(got, want, rel_tol=1e-9):
            why = next((w for v, w in known(want) if math.isclose(got, v, rel_tol=1e-9)), None)
            raise AssertionError(
                f"{call_text} = {got:.6g}, but {torch_call} uses std = {want:.6g} for a weight of shape "
                f"(fan_out, fan_in) = {(fan_out, fan_in)}" + (f". You computed {why}." if why else "."))
    return judge


def _xavier_trial(fan_in, fan_out):
    def known(want):
        return [
            (math.sqrt(1.0 / fan_in), "sqrt(1 / fan_in), which uses only fan_in (that is LeCun's rule): "
             "Xavier balances fan_in and fan_out, sqrt(2 / (fan_in + fan_out))"),
            (math.sqrt(1.0 / fan_out), "sqrt(1 / fan_out), which uses only fan_out: Xavier balances fan_in "
             "and fan_out, sqrt(2 / (fan_in + fan_out))"),
            (want ** 2, "the variance 2 / (fan_in + fan_out), not the standard deviation: take the square root"),
            (math.sqrt(3.0) * want, "sqrt(6 / (fan_in + fan_out)), the bound of xavier_uniform_: a uniform "
             "U(-a, a) has std a / sqrt(3), and xavier_normal_ uses the std itself"),
            (want / math.sqrt(2.0), "sqrt(1 / (fan_in + fan_out)): the 2 is missing"),
        ]
    judge = _std_judge("xavier_std", f"xavier_std({fan_in}, {fan_out})", XAVIER, fan_in, fan_out, known)
    return Trial((fan_in, fan_out), judge, case=f"for fan_in={fan_in}, fan_out={fan_out}")


def _xavier_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        fan_in = int(torch.randint(100, 700, (1,), generator=gen))
        fan_out = int(torch.randint(100, 700, (1,), generator=gen))
        if abs(fan_in - fan_out) < 50:
            fan_out = fan_in + 150     # unequal, so fan_in alone cannot pass
        if trial % 2:
            fan_in, fan_out = fan_out, fan_in
        trials.append(_xavier_trial(fan_in, fan_out))
    return trials


XAVIER_STD = Exercise("xavier_std_tests", "xavier_std", visible=lambda: [_xavier_trial(784, 256)],
                      hidden=_xavier_hidden)


def _he_trial(fan_in, fan_out):
    def known(want):
        return [
            (want / math.sqrt(2.0), "sqrt(1 / fan_in): the gain sqrt(2) of ReLU is missing (ReLU zeroes "
             "half of its inputs, and He doubles the variance to make up for it)"),
            (want ** 2, "the variance 2 / fan_in, not the standard deviation: take the square root"),
            (math.sqrt(3.0) * want, "sqrt(6 / fan_in), the bound of kaiming_uniform_: a uniform U(-a, a) "
             "has std a / sqrt(3), and kaiming_normal_ uses the std itself"),
            (math.sqrt(2.0) * want, "2 / sqrt(fan_in): the gain is sqrt(2), not 2 (the variance doubles)"),
        ]
    # fan_out does not change the std: it only shapes the weight torch draws
    judge = _std_judge("he_std", f"he_std({fan_in})", HE, fan_in, fan_out, known)
    return Trial((fan_in,), judge, case=f"for fan_in={fan_in}")


def _he_hidden(seed):
    trials = []
    for gen in generators(seed, 6):
        fan_in = int(torch.randint(20, 900, (1,), generator=gen))
        trials.append(_he_trial(fan_in, int(torch.randint(100, 400, (1,), generator=gen))))
    return trials


HE_STD = Exercise("he_std_tests", "he_std", visible=lambda: [_he_trial(784, 256)], hidden=_he_hidden)


# ---- init_mlp ---------------------------------------------------------------------

def _scheme_std(scheme, fan_in, fan_out):
    if scheme == "xavier":
        return torch_init_std(XAVIER, fan_in, fan_out)
    if scheme == "he":
        return torch_init_std(HE, fan_in, fan_out)
    return float(scheme)


def _judge_weight(name, W, scheme, fan_in, fan_out):
    """The std (against torch's) and the mean of one weight drawn by init_mlp."""
    want = _scheme_std(scheme, fan_in, fan_out)
    values = W.detach().double()
    std = float(values.std())
    tol = 5 / math.sqrt(2 * values.numel()) + 0.01
    if abs(std / want - 1) > tol:
        message = (f"{name} has std {std:.4g}, but scheme {scheme!r} asks for {want:.4g} "
                   f"(for {name} of shape {tuple(W.shape)}: fan_in = {fan_in}, fan_out = {fan_out}).")
        if scheme == "he" and abs(std / torch_init_std(HE, fan_out, fan_in) - 1) < tol:
            message += (f" That is the He std for fan_in = {fan_out}, the size of dimension 1: "
                        "torch.nn.init reads fan_in from dimension 1 because nn.Linear stores W as "
                        "(out, in), but d2l's W is (in, out). Use he_std(fan_in) yourself, or pass "
                        "mode='fan_out'.")
        raise AssertionError(message)
    assert abs(float(values.mean())) < 5 * want / math.sqrt(values.numel()), \
        f"{name} has mean {float(values.mean()):.4g}, but the weights must have mean 0 (torch.randn)."


# ---- init_mlp's draws: normal, as torch.randn draws them ----------------------------------------
#
# The exercise fixes what each weight is, torch.randn(..., generator=generator) * std, but not the order or
# layout of the draws: W2 before W1, a weight drawn (out, in) and transposed, or nn.init's *_normal_ with
# mode="fan_out" (section 6 shows it) are right and give other values. So the draws are checked as a sample,
# whatever their order: they must look normal, by a Kolmogorov-Smirnov test against N(0, std^2) whose
# false-alarm rate is at most one in a million, whatever the size (the Dvoretzky-Kiefer-Wolfowitz inequality,
# with Massart's constant); a uniform draw with the right std fails it on the trials' larger weights.

FALSE_ALARM = 1e-6
UNIFORM_BOUND = math.sqrt(3.0)     # U(-a, a) has std a / sqrt(3): the bound of a uniform draw, in stds


def ks_threshold(n, alpha=FALSE_ALARM):
    """The distance sup |F_n - F| that n independent draws from F exceed with probability at most alpha (DKW)."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def ks_distance(z, cdf):
    """sup |F_n - cdf| of the sample z (a 1-D float64 tensor), and the value where it is largest."""
    z, _ = torch.sort(z)
    n = len(z)
    F = cdf(z)
    above = torch.arange(1, n + 1, dtype=torch.float64) / n - F
    below = F - torch.arange(0, n, dtype=torch.float64) / n
    gaps = torch.maximum(above, below)
    k = int(gaps.argmax())
    return float(gaps[k]), float(z[k])


def _normal_cdf(z):
    return torch.special.ndtr(z)


def _uniform_cdf(z):
    return ((z + UNIFORM_BOUND) / (2 * UNIFORM_BOUND)).clamp(0, 1)


def _judge_draws(weights, stds):
    """W1 and W2 are draws of N(0, std^2): values that look normal to a KS test of false-alarm rate 1e-6."""
    W1, W2 = (W.detach() for W in weights)
    # Three tests (each weight, both together) at a third of the false-alarm rate each.
    samples = {"W1": W1.double().reshape(-1) / stds[0], "W2": W2.double().reshape(-1) / stds[1]}
    samples["W1 and W2"] = torch.cat(list(samples.values()))
    failed = []
    for name, z in samples.items():
        distance, where = ks_distance(z, _normal_cdf)
        limit = ks_threshold(len(z), FALSE_ALARM / 3)
        if distance > limit:
            failed.append((name, z, distance, where, limit))
    if not failed:
        return
    name, z, distance, where, limit = next((f for f in failed if f[0] != "W1 and W2"), failed[0])
    n, names = len(z), (name if name != "W1 and W2" else "W1 and W2 together")
    test = (f"the largest gap between the distribution of {names} and N(0, std^2) is {distance:.3f} (a normal "
            f"draw of {n} values exceeds {limit:.3f} less than once in a million)")
    if ks_distance(z, _uniform_cdf)[0] <= limit:
        beyond = int((z.abs() > UNIFORM_BOUND).sum())
        raise AssertionError(
            f"The values of {names} look uniform on [-a, a], not normal: {beyond} of their {n} values lie outside "
            f"+-a = +-sqrt(3) * std, where N(0, std^2) has 8.3% of its values (about {round(0.0833 * n)}), and "
            f"{test}. A uniform U(-a, a) with a = sqrt(3) * std has the right std, but it is another "
            "initialization: the uniform versions (torch.rand, nn.init's xavier_uniform_ and kaiming_uniform_) "
            "draw it. Each weight is torch.randn(..., generator=generator) * std, normal.")
    raise AssertionError(
        f"The values of {names} are not distributed as N(0, std^2), although their std is right: {test}, at "
        f"{where:.3g} stds. Draw each weight as torch.randn(..., generator=generator) * std.")


def _init_trial(ni, nh, no, scheme, seed):
    def judge(got):
        params, again = got
        assert isinstance(params, (list, tuple)) and len(params) == 4, \
            "init_mlp must return a list [W1, b1, W2, b2]."
        names = ("W1", "b1", "W2", "b2")
        for name, p, shape in zip(names, params, ((ni, nh), (nh,), (nh, no), (no,))):
            assert isinstance(p, nn.Parameter), (
                f"{name} is a {type(p).__name__}, but it must be an nn.Parameter: wrap it, "
                "nn.Parameter(torch.randn(...) * std), so that it is a leaf a module registers.")
            assert tuple(p.shape) == shape, (
                f"{name} has shape {tuple(p.shape)}, but it must have shape {shape}: d2l's layout, "
                "W1 of shape (num_inputs, num_hiddens) and W2 of shape (num_hiddens, num_outputs), used as X @ W1.")
            assert p.dtype == torch.float32, f"{name} has dtype {p.dtype}, but it must be float32."
        for name, p in (("b1", params[1]), ("b2", params[3])):
            assert not bool(p.detach().abs().max() > 0), f"{name} must start at zero (torch.zeros)."
        _judge_weight("W1", params[0], scheme, ni, nh)
        _judge_weight("W2", params[2], scheme, nh, no)
        _judge_draws((params[0], params[2]), (_scheme_std(scheme, ni, nh), _scheme_std(scheme, nh, no)))
        assert (isinstance(again, (list, tuple)) and len(again) == 4
                and all(isinstance(b, torch.Tensor) and torch.equal(a.detach(), b.detach())
                        for a, b in zip(params, again))), (
            "Two calls with generators seeded alike gave different parameters: pass generator=generator "
            "to every torch.randn, so that a seeded generator reproduces the initialization.")
    return Trial((ni, nh, no, scheme), judge, kwargs={"generator": seed},
                 case=f"for init_mlp({ni}, {nh}, {no}, {scheme!r})")


def _init_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        ni = int(torch.randint(200, 800, (1,), generator=gen))
        nh = int(torch.randint(40, 120, (1,), generator=gen))
        no = int(torch.randint(3, 12, (1,), generator=gen))
        trials.append(_init_trial(ni, nh, no, ["he", "xavier", "he", 0.05, "xavier", "he"][trial], a_seed(gen)))
    return trials


INIT_MLP = Exercise(
    "init_mlp_tests", "init_mlp", adapter="seeded_generator_twice",
    # The digits network, 64-256-10, with each scheme.
    visible=lambda: [_init_trial(64, 256, 10, scheme, 0) for scheme in ("he", "xavier", 0.01)],
    hidden=_init_hidden,
)


# ---- step_decay_lr ------------------------------------------------------------------


class RateHolder(torch.optim.Optimizer):
    """An optimizer with a learning rate and nothing to update, for StepLR to schedule.

    Optimizer.__init__ is skipped: its first call imports torch._dynamo, about 0.8 s of every grading run.
    """

    def __init__(self, lr):  # the parent's __init__ is not called, on purpose
        self.defaults, self.param_groups, self.state = {"lr": lr}, [{"lr": lr}], {}

    def step(self, closure=None):
        return None


def steplr_rates(lr0, drop, every, epochs):
    """The rate StepLR sets for each epoch, stepped as the docs say: optimizer.step(), then scheduler.step()."""
    optimizer = RateHolder(lr0)
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
        for value in got:
            if isinstance(value, torch.Tensor) or not _is_number(value):
                raise AssertionError(f"step_decay_lr must return a Python float, but it returned {value!r}.")
        want = steplr_rates(lr0, drop, every, epochs)

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


STEP_DECAY_LR = Exercise("step_decay_lr_tests", "step_decay_lr", adapter="every_epoch",
                         visible=lambda: [_step_decay_trial(0.1, 0.5, 3, 10)], hidden=_step_decay_hidden)


# ---- train_mlp ----------------------------------------------------------------------
#
# Two kinds of trials. On the digits' whole split, as the notebook trains: the parameters must reach 95% test
# accuracy, and the last recorded accuracies must be those of the params returned. A short run on the first
# SHORT["subset"] training digits, in ONE minibatch per epoch (batch_size = the subset), is called with
# num_epochs = 0, 1, ..., E (and E again, with a generator seeded alike: the two runs must be equal). A run of k
# epochs from a seeded generator is the first k epochs of a longer one, so the grader has the params after
# every epoch, from the learner's own calls; it replays nothing. From them it recomputes each recorded value:
# epoch k's loss is the loss of the whole subset at the params of k epochs, its accuracies those of the params
# of k + 1 epochs, and its step, params(k + 1) - params(k), must be -rate * gradient at params(k) (the gradient
# computed here with autograd): the rate actually used in epoch k, compared with step_decay_lr's.

def _logits(X, params):
    W1, b1, W2, b2 = params
    return F.linear(torch.relu(F.linear(X, W1.T, b1)), W2.T, b2)


def _accuracy(X, y, params):
    with torch.no_grad():
        return float((_logits(X, params).argmax(dim=1) == y).float().mean())


def _loss_and_gradient(X, y, params):
    """The mean cross-entropy of (X, y) at params and its gradient (flattened), in float64, by autograd."""
    leaves = [p.detach().double().requires_grad_() for p in params]
    with torch.enable_grad():
        loss = F.cross_entropy(_logits(X.double(), leaves), y)
        grads = torch.autograd.grad(loss, leaves)
    return float(loss.detach()), torch.cat([g.reshape(-1) for g in grads])


def _train_data(subset=None):
    X_train, y_train, X_test, y_test = digits()
    return (X_train[:subset], y_train[:subset], X_test, y_test) if subset else (X_train, y_train, X_test, y_test)


def _judge_result(result, X_train, num_hiddens, epochs, batch_size):
    """The form of train_mlp's answer: (params, history), shapes, float32, one float per minibatch and epoch."""
    assert isinstance(result, tuple) and len(result) == 2, "train_mlp must return a tuple (params, history)."
    params, history = result
    shapes = [(X_train.shape[1], num_hiddens), (num_hiddens,), (num_hiddens, 10), (10,)]
    assert (isinstance(params, (list, tuple)) and [tuple(getattr(p, "shape", ())) for p in params] == shapes
            and all(isinstance(p, torch.Tensor) for p in params)), \
        f"params must be the list [W1, b1, W2, b2] with shapes {shapes}."
    for name, p in zip(("W1", "b1", "W2", "b2"), params):
        assert p.dtype == X_train.dtype, (
            f"{name} has dtype {p.dtype}, but the digits and init_mlp's parameters are {X_train.dtype}: train the "
            "parameters init_mlp returns, in their dtype, without converting them.")
    assert isinstance(history, dict) and {"loss", "train_acc", "test_acc"} <= set(history), \
        'history must be a dict with the keys "loss", "train_acc" and "test_acc".'
    per_epoch = math.ceil(len(X_train) / batch_size)
    losses = history["loss"]
    assert (isinstance(losses, (list, tuple)) and len(losses) == epochs * per_epoch
            and all(isinstance(v, float) for v in losses)), (
        f'history["loss"] must hold {epochs * per_epoch} Python floats, one per minibatch ({epochs} epochs of '
        f"{per_epoch}): append loss.item() after each step.")
    for key in ("train_acc", "test_acc"):
        assert (isinstance(history[key], (list, tuple)) and len(history[key]) == epochs
                and all(isinstance(v, float) for v in history[key])), \
            f'history["{key}"] must hold {epochs} Python floats, one per epoch.'
    return params, history


def _judge_last_accuracies(params, history, data):
    """The last recorded accuracies against the accuracies of the params returned, computed here."""
    X_train, y_train, X_test, y_test = data
    params = [p.detach().to(X_test.dtype) for p in params]
    for key, X, y, where in (("train_acc", X_train, y_train, "X_train, y_train"),
                             ("test_acc", X_test, y_test, "X_test, y_test")):
        got, want = history[key][-1], _accuracy(X, y, params)
        assert abs(got - want) < 1e-6, (
            f'history["{key}"][-1] is {got:.4f}, but the returned params have accuracy {want:.4f} on {where}: '
            f"record the accuracy on {where} after each epoch, with the params you return.")


def _judge_reproducible(result, again):
    """The later calls with generators seeded alike gave the first call's params and history."""
    params, history = result
    for other in again:
        same = (isinstance(other, tuple) and len(other) == 2 and isinstance(other[0], (list, tuple))
                and len(other[0]) == len(params)
                and all(isinstance(q, torch.Tensor) and q.shape == p.shape and torch.equal(q.detach(), p.detach())
                        for p, q in zip(params, other[0]))
                and isinstance(other[1], dict)
                and all(list(other[1].get(key, ())) == list(history[key]) for key in ("loss", "train_acc", "test_acc")))
        assert same, (
            "Two calls with generators seeded alike gave different runs: draw every random number from the "
            "generator you are given, the initialization (init_mlp(..., generator=generator)) and each epoch's "
            "order (torch.randperm(n, generator=generator)), so that a seeded generator makes training reproducible.")


def _flat(params):
    return torch.cat([p.detach().double().reshape(-1) for p in params])


def _fit_rate(step, direction):
    """The rate r that makes step closest to -r * direction, and how far it stays (relative to the step)."""
    r = -float(step @ direction) / max(float(direction @ direction), 1e-300)
    return r, float((step + r * direction).norm()) / max(float(step.norm()), 1e-300)


def _judge_epochs(starts, params, history, data, options):
    """Each epoch of a one-minibatch-per-epoch run, from the params after k epochs (train_mlp's own calls with
    num_epochs=k): its recorded loss, its accuracies, and the rate of its step."""
    X, y, X_test, y_test = data
    epochs, lr, drop, every = (options[key] for key in ("num_epochs", "lr", "drop", "every"))
    points = list(starts) + [params]                       # the params after 0, 1, ..., epochs epochs
    measured = [_loss_and_gradient(X, y, point) for point in points[:-1]]
    flats = [_flat(point) for point in points]
    if all(torch.equal(flats[0], f) for f in flats[1:]):
        raise AssertionError(
            "The params returned are those training started from, unchanged, after every number of epochs: the "
            "parameters must be updated in place, param -= lr * param.grad under torch.no_grad(). Rebinding a "
            "name (param = param - ...) leaves them unchanged: it makes a new tensor.")
    sets = {"train_acc": (X, y, "the training set"), "test_acc": (X_test, y_test, "the test set")}
    for k in range(epochs):
        got, want = history["loss"][k], measured[k][0]
        if not math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-6):
            after = k + 1 < epochs and math.isclose(got, measured[k + 1][0], rel_tol=1e-4, abs_tol=1e-6)
            raise AssertionError(
                f'history["loss"][{k}] is {got:.6g}, but epoch {k}\'s only minibatch (the whole training set here) '
                f"has loss {want:.6g} at the params train_mlp returns with num_epochs={k}"
                + (": it is the loss after the update. Record loss.item() of the loss backward() differentiated."
                   if after else
                   ". Either the value recorded is not that minibatch's loss.item() (the loss backward() "
                   "differentiated), or a run of k epochs does not begin as a longer run does: draw init_mlp's "
                   "parameters first, from the generator, then each epoch's order."))
        for key, (Xs, ys, where) in sets.items():
            got, want = history[key][k], _accuracy(Xs, ys, [p.detach().to(Xs.dtype) for p in points[k + 1]])
            if abs(got - want) > 1e-6:
                before = _accuracy(Xs, ys, [p.detach().to(Xs.dtype) for p in points[k]])
                why = ("it is the accuracy before the epoch's update: record it after the epoch's last step."
                       if abs(got - before) <= 1e-6 and abs(before - want) > 1e-6 else
                       f"record the accuracy on {where} after each epoch, with the params as they are then.")
                raise AssertionError(
                    f'history["{key}"][{k}] is {got:.4f}, but after epoch {k} (the params train_mlp returns with '
                    f"num_epochs={k + 1}) the accuracy on {where} is {want:.4f}: {why}")
    want = steplr_rates(lr, drop, every, epochs)
    rates = []
    for k in range(epochs):
        step, gradient = flats[k + 1] - flats[k], measured[k][1]
        rate, off = _fit_rate(step, gradient)
        if off > 1e-3:
            summed, off_summed = _fit_rate(step, sum(m[1] for m in measured[:k + 1]))
            if k > 0 and off_summed <= 1e-3:
                raise AssertionError(
                    f"In epoch {k}, the params moved by -{summed:.4g} times the SUM of the gradients of epochs 0 to "
                    f"{k}, not by the rate times epoch {k}'s gradient: backward() adds into .grad, and the "
                    "gradients were never cleared: clear them after each step (param.grad = None, or "
                    "param.grad.zero_()).")
            raise AssertionError(
                f"In epoch {k} (one minibatch: the whole training set), the params moved by a step that is not a "
                f"multiple of the gradient of the loss at the params they started from (it is {off:.1%} away from "
                "the nearest one): each step must be param -= rate * param.grad, with the gradient of that "
                "minibatch's loss, under torch.no_grad().")
        rates.append(rate)
    bad = [k for k in range(epochs) if not math.isclose(rates[k], want[k], rel_tol=1e-3)]
    if not bad:
        return
    shown = ", ".join(f"{r:.4g}" for r in rates)
    wanted = ", ".join(f"{r:.4g}" for r in want)
    k = bad[0]
    why = ""
    if all(math.isclose(r, lr, rel_tol=1e-3) for r in rates):
        why = f" Your rate never dropped: it is lr = {lr:g} in every epoch."
    elif all(math.isclose(r, w, rel_tol=1e-3) for r, w in zip(rates, steplr_rates(lr, drop, every, epochs + 1)[1:])):
        why = " Each epoch used the next epoch's rate: the rate drops one epoch too early (epochs count from 0)."
    elif all(math.isclose(r, lr * drop ** (e / every), rel_tol=1e-3) for e, r in enumerate(rates)):
        why = " Your rate is lr * drop ** (epoch / every): the number of drops must be epoch // every (integer division)."
    raise AssertionError(
        f"The learning rate actually used in epoch {k} is {rates[k]:.4g} (the step of that epoch divided by the "
        f"gradient, from the params train_mlp returns with num_epochs={k} and {k + 1}), but "
        f"step_decay_lr(lr, {k}, drop, every) is {want[k]:.4g}. With lr={lr:g}, drop={drop:g}, every={every}, the "
        f"rates of epochs 0 to {epochs - 1} are {wanted}; yours are {shown}.{why}")


def _judge_starts(starts, X_train, num_hiddens, epochs):
    shapes = [(X_train.shape[1], num_hiddens), (num_hiddens,), (num_hiddens, 10), (10,)]
    for k, params in enumerate(starts):
        assert (isinstance(params, (list, tuple)) and all(isinstance(p, torch.Tensor) for p in params)
                and [tuple(p.shape) for p in params] == shapes), (
            f"train_mlp(..., num_epochs={k}) must return (params, history) with params the list [W1, b1, W2, b2] "
            f"of shapes {shapes}, as with num_epochs={epochs}.")


def _train_trial(seed, num_hiddens):
    """The notebook's training on the digits' whole split: at least 95% test accuracy."""
    def judge(got):
        data = _train_data()
        X_train, _, X_test, y_test = data
        params, history = _judge_result(got["result"], X_train, num_hiddens, TRAINING["num_epochs"],
                                        TRAINING["batch_size"])
        losses = history["loss"]
        test_acc = _accuracy(X_test, y_test, [p.detach().to(X_test.dtype) for p in params])
        if test_acc < 0.95:
            why = [f"After training, the test accuracy is {test_acc:.1%}, but it must be at least 95%; the "
                   f"minibatch loss went from {losses[0]:.3g} to {losses[-1]:.3g}."]
            if not all(math.isfinite(v) for v in losses) or losses[-1] > losses[0]:
                why.append("The loss grew (or became nan): the steps are far too large.")
            elif losses[-1] > 0.8 * losses[0]:
                why.append("The loss barely fell: are the parameters updated in place (param -= lr * param.grad, "
                           "under torch.no_grad())? Rebinding a name (param = param - ...) leaves them unchanged.")
            if any(got["grads_left"]):
                why.append("The parameters' .grad still hold a gradient after training: clear them after each "
                           "step (param.grad = None, or param.grad.zero_()), or every backward() adds the new "
                           "gradient to all the earlier ones.")
            raise AssertionError("\n".join(why))
        _judge_last_accuracies(params, history, data)
    return Trial((seed, num_hiddens), judge, case=f"for num_hiddens={num_hiddens}, generator seed {seed}")


# The short run: 200 digits in one minibatch per epoch, 5 epochs, the rate halved every 2 epochs.
SHORT = dict(subset=200, num_hiddens=16, num_epochs=5, lr=0.5, drop=0.5, every=2)


def _short_trial(seed, **changes):
    """A short run called with num_epochs = 0, ..., E, and E again, from generators seeded alike."""
    settings = {**SHORT, **changes}
    subset, num_hiddens = settings.pop("subset"), settings.pop("num_hiddens")
    settings["batch_size"] = subset
    options = {**TRAINING, **settings}

    def judge(got):
        data = _train_data(subset)
        params, history = _judge_result(got["result"], data[0], num_hiddens, options["num_epochs"],
                                        options["batch_size"])
        _judge_reproducible(got["result"], got.get("again", []))
        starts = [s[0] if isinstance(s, tuple) and len(s) == 2 else s for s in got.get("starts", [])]
        _judge_starts(starts, data[0], num_hiddens, options["num_epochs"])
        _judge_epochs(starts, params, history, data, options)
    return Trial((seed, num_hiddens), judge, kwargs={**settings, "subset": subset, "runs": 2, "prefixes": True},
                 case=f"for the first {subset} training digits in one minibatch (batch_size={subset}), "
                      f"num_hiddens={num_hiddens}, lr={options['lr']:.4g} times drop={options['drop']:.4g} every "
                      f"{options['every']} epochs, generator seed {seed}, called with num_epochs = 0 to "
                      f"{options['num_epochs']} and {options['num_epochs']} again")


def _short_hidden(seed):
    gen = generators(seed, 1)[0]
    drop = float(torch.empty(1, dtype=torch.float64).uniform_(0.2, 0.8, generator=gen))
    lr = float(torch.empty(1, dtype=torch.float64).uniform_(0.2, 0.6, generator=gen))
    every = int(torch.randint(2, 4, (1,), generator=gen))     # 2 or 3: with 1, epoch / every is epoch // every
    return _short_trial(a_seed(gen), lr=round(lr, 3), drop=round(drop, 3), every=every)


TRAIN_MLP = Exercise(
    "train_mlp_tests", "train_mlp", adapter="train_mlp",
    # The short run first: where a run goes wrong, it says in which epoch and how.
    visible=lambda: [_short_trial(1), _train_trial(0, 256), _train_trial(0, 128)],
    # A short run of random seed, rate, drop and period. Then another initialization and a narrower hidden
    # layer on the digits: a fixed one, since from a random seed a right train_mlp ends under 95% once in 75
    # runs (benchmarks/seed_sweep.py), failing a learner who did nothing wrong.
    hidden=lambda seed: [_short_hidden(seed), _train_trial(871, 128)],
)

EXERCISES = [LINEAR_FORWARD, SOFTMAX_CROSS_ENTROPY_GRAD, MLP_GRADS, XAVIER_STD, HE_STD, INIT_MLP, STEP_DECAY_LR,
             TRAIN_MLP]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "linear_forward_tests": """\
Two examples with 3 features, a layer with 2 outputs: W is (2, 3), b is (2,).
Row 1: [1*1 + 2*0 + 3*(-1) + 0.5, 1*2 + 2*1 + 3*0 - 1] = [-1.5, 3.0]; row 2: [-0.5, -2.0],
compared with torch's F.linear(x, W, b), what an nn.Linear holding W and b computes.
Then one example as a 1-D vector x = [1, 2, 3] in float64: [-1.5, 3.0], shape (2,); as a batch of one
x = [[1, 2, 3]]: [[-1.5, 3.0]], shape (1, 2);
and the two examples as a batch of 2 sequences of length 1, x of shape (2, 1, 3): shape (2, 1, 2).
Only the hidden trials: random sizes and leading dimensions, and a square W (where x @ W + b
has the right shape but the wrong values).""",
    "softmax_cross_entropy_grad_tests": """\
Three examples, four classes; the last row has logits of 1000, where a literal exp overflows.
By hand against autograd through F.cross_entropy (the batch mean).
Then a batch of one in float64, logits [[1500, 1502, 1499]] and target 0.
Only the hidden trials: random sizes (up to 12 examples, 2 to 7 classes), logits in the thousands.""",
    "mlp_grads_tests": """\
A batch of 3 examples, 4 inputs, 5 hidden units, 3 classes, from a seeded generator, by hand against
autograd; then a batch of one in float64 (3 inputs, 4 hidden units, 2 classes); then a batch of 3 in
small integers whose pre-activations Z = X @ W1 + b1 are exactly 0 in 2 units, where torch.relu passes
no gradient (the mask decides).
Only the hidden trials: random sizes, and more pre-activations exactly 0.""",
    "xavier_std_tests": """\
d2l's first layer: 784 inputs, 256 outputs, against the std torch.nn.init.xavier_normal_ draws
a (256, 784) weight with.
Only the hidden trials: random fan_in and fan_out from 100 to 700, unequal, in either order.""",
    "he_std_tests": """\
d2l's first layer: 784 inputs (fan_in), 256 outputs, against the std
torch.nn.init.kaiming_normal_(nonlinearity='relu') draws a (256, 784) weight with.
Only the hidden trials: random fan_in from 20 to 900 (fan_out does not matter for He).""",
    "init_mlp_tests": """\
The digits network, 64-256-10, with each scheme: nn.Parameters of the right shapes, zero biases,
the std torch.nn.init uses for each weight, and the same parameters again from a generator seeded alike.
The values themselves, in any order of drawing: they must look normal, N(0, std^2), to a Kolmogorov-Smirnov
test that a right draw fails less than once in a million (a uniform draw with the right std fails it).
Only the hidden trials: random sizes, and a number other than 0.01 as the scheme (0.05).""",
    "step_decay_lr_tests": """\
lr0 0.1, halved every 3 epochs: 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, ... for epochs 0-9,
compared with the rates StepLR(step_size=3, gamma=0.5) sets.
Only the hidden trials: random lr0 and drop, and every = 1 to 7 epochs.""",
    "train_mlp_tests": """\
First a short run: the first 200 training digits in one minibatch per epoch (batch_size=200), num_hiddens=16,
lr=0.5 halved every 2 epochs, called with num_epochs = 0, 1, ..., 5 and 5 again, from generator seed 1 each time:
the two 5-epoch runs must be equal and the params float32; from the params after each epoch (the calls with
num_epochs = k), each recorded loss and accuracy is recomputed, and each epoch's step must be -rate * gradient
with the rate step_decay_lr gives for that epoch.
Then the digits, 64-256-10, 10 epochs of minibatches of 64 from generator seed 0: at least 95% test accuracy,
and the last accuracies those of the params returned; then the same with num_hiddens=128 (64-128-10).
Only the hidden trials: a short run with another seed, lr, drop and period (2 or 3 epochs); another
initialization (another generator seed) on the digits, with num_hiddens=128.""",
}
