"""01_randn: the checks of normal_sample, init_leaf and the RANDN_DTYPE_ANSWERS predictions.

The grader sends a seed, never a generator: the `draws` adapter builds
`torch.Generator().manual_seed(seed)` in the kernel (or seeds torch's global
generator, for `generator=None`) and reports what the learner's function
returned, calling it twice with generators seeded alike, so the checks can
tell whether the generator decides the sample.

Why the references are `torch.normal` and not the exercise's own
construction from torch.randn: the package must not hold a solution. torch.normal is torch's own sampler of N(mean, std^2); on CPU it draws
the same standard normals as torch.randn from the same generator, scaled
and shifted inside the kernel, so it agrees with any correct answer to the
float tolerance (measured: a few ulps), while a learner reading the package
learns nothing it does not already say: that the sample is N(mean, std^2).
Only an exact reference catches what statistics cannot (an ignored
generator, a float32 sample converted to float64), so the statistics of
large samples (bell shape, mean, standard deviation) stay as the second
witness, independent of how torch draws, and name the likely mistakes
(torch.rand, std**2, a missing mean).
"""
import math

import torch

from .core.compare import compare
from .core.exercise import Exercise, Trial
from course.kernel.plain import Unsupported
from .core.predictions import prediction_exercise
from .core.reference import autograd_vjp, generators, random_shape

_float32, _float64 = torch.float32, torch.float64


# ---- the kernel's side: calls with seeded generators --------------------------------


def _fresh(seed):
    return {"generator": {"seed": seed}}


def _global(seed):
    return {"generator": {"global_seed": seed}}


def _calls(got, count=1):
    """The first `count` reported calls, or an AssertionError if the report is not a list of dicts."""
    if not (isinstance(got, list) and len(got) >= count and all(isinstance(c, dict) for c in got[:count])):
        raise AssertionError("the notebook's answer to this trial could not be read.")
    return got[:count]


# ---- judging a sample --------------------------------------------------------

def check_form(call, shape, dtype, label):
    """The result is a tensor of the requested shape and dtype."""
    value = call.get("value")
    if not isinstance(value, torch.Tensor):
        what = value.description if isinstance(value, Unsupported) else type(value).__name__
        raise AssertionError(f"{label} must return a torch.Tensor, not {what}.")
    if tuple(value.shape) != tuple(shape):
        raise AssertionError(f"{label} has shape {tuple(value.shape)}, but shape {tuple(shape)} was asked for.")
    if value.dtype != dtype:
        raise AssertionError(f"{label} has dtype {value.dtype}, but dtype={dtype} was asked for: "
                             "pass dtype=dtype to torch.randn.")
    return value


def check_statistics(sample, mean, std, label):
    """A large sample of N(mean, std^2) is bell-shaped, centred at mean, with spread std."""
    values = sample.double().reshape(-1)
    n = values.numel()
    m, s = float(values.mean()), float(values.std())
    beyond_two = float((((values - m) / s).abs() > 2).double().mean())   # about 4.6% for a normal
    if not beyond_two > 0.03:
        raise AssertionError(
            f"{label}: only {100 * beyond_two:.2f}% of the values lie more than 2 standard deviations from "
            "their mean (a normal sample has about 4.6% there): the sample is flat, not bell-shaped. "
            "That is torch.rand (uniform on [0, 1)); use torch.randn (standard normal).")
    se_std = std / math.sqrt(2 * n)
    if abs(s - std ** 2) < 6 * se_std and abs(std ** 2 - std) > 20 * se_std:
        raise AssertionError(
            f"{label}: the sample's standard deviation is {s:.4g}, which is std**2 = {std ** 2:g}, the variance. "
            f"N(mean, std^2) has standard deviation std = {std:g}: multiply z by std, not by std**2.")
    if not abs(s - std) < 6 * se_std:
        raise AssertionError(
            f"{label}: the sample's standard deviation is {s:.4g}, but N({mean:g}, {std:g}^2) has standard "
            f"deviation {std:g}: multiply the N(0, 1) sample by std.")
    if not abs(m - mean) < 6 * std / math.sqrt(n):
        raise AssertionError(
            f"{label}: the sample mean is {m:.4g}, but N({mean:g}, {std:g}^2) has mean {mean:g}: "
            "add the mean.")


def _torch_normal(shape, mean, std, seed, dtype):
    """torch's own N(mean, std^2) sample from a generator seeded by `seed` (see the module docstring)."""
    return torch.normal(mean, std, tuple(shape), generator=torch.Generator().manual_seed(seed), dtype=dtype)


def check_same_draws(first, second, seed, label, what="samples"):
    if not torch.equal(first, second):
        raise AssertionError(f"{label}: two generators seeded alike ({seed}) gave different {what}, so the "
                             "generator was not used: pass generator=generator to torch.randn.")


def check_close(got, want, label, what):
    """`got` matches the reference `want`; the message says which call and which reference, then the diagnosis."""
    report = compare(got, want, "the result", causes=[])
    if not report.passed:
        raise AssertionError(f"{label}, compared with {what}:\n{report.message}")


def check_torch_sample(got, shape, mean, std, seed, dtype, label, where):
    """`got` equals torch's sample from `seed`; a float32 sample converted to `dtype` is named."""
    want = _torch_normal(shape, mean, std, seed, dtype)
    if dtype != _float32 and not compare(got, want).passed:
        # converted back to float32 exactly, so it is compared with float32's tolerance
        if compare(got.to(_float32), _torch_normal(shape, mean, std, seed, _float32)).passed:
            raise AssertionError(f"{label}: this is the float32 sample converted to {dtype}; torch draws {dtype} "
                                 "samples differently. Ask torch.randn for dtype=dtype directly.")
    check_close(got, want, label, f"torch's own sample {where}")


# ---- normal_sample -------------------------------------------------------------

def _form_trial(shape, dtype=_float32):
    label = f"normal_sample({shape}" + (f", dtype={dtype})" if dtype != _float32 else ")")
    return Trial((shape,), lambda got: check_form(_calls(got)[0], shape, dtype, label),
                 kwargs={} if dtype == _float32 else {"dtype": dtype})


def _statistics_trial(shape, mean, std, seed, dtype, label):
    def judge(got):
        check_statistics(check_form(_calls(got)[0], shape, dtype, label), mean, std, label)
    return Trial((shape, mean, std), judge, kwargs={"dtype": dtype, **_fresh(seed)})


def _seeded_trial(shape, mean, std, seed, dtype, label):
    """Seeded: the same sample for generators seeded alike, and torch's own sample."""
    def judge(got):
        first, second = (check_form(call, shape, dtype, label) for call in _calls(got, 2))
        check_same_draws(first, second, seed, label)
        check_torch_sample(first, shape, mean, std, seed, dtype, label, "N(mean, std^2) from generator g")
    return Trial((shape, mean, std), judge, kwargs={"dtype": dtype, **_fresh(seed)})


def _global_generator_trial(shape, mean, std, seed, dtype, label):
    """generator=None: torch's global generator, so torch.manual_seed reproduces the sample."""
    label = f"{label} with generator=None"

    def judge(got):
        sample = check_form(_calls(got)[0], shape, dtype, label)
        check_torch_sample(sample, shape, mean, std, seed, dtype, label,
                           "(torch's global generator, seeded by torch.manual_seed)")
    return Trial((shape, mean, std), judge, kwargs={"dtype": dtype, **_global(seed)})


def _normal_sample_visible():
    return [
        _form_trial((2, 3)), _form_trial((2, 3), _float64),
        _statistics_trial((100_000,), 2.0, 0.5, 1, _float32, "normal_sample((100000,), mean=2.0, std=0.5)"),
        _seeded_trial((3, 4), 2.0, 0.5, 0, _float32, "normal_sample((3, 4), 2.0, 0.5), seed 0"),
        _seeded_trial((4, 8), -1.0, 3.0, 7, _float64, "normal_sample((4, 8), -1.0, 3.0, dtype=float64), seed 7"),
        # a single number (shape ()), and a batch of one drawn from torch's global generator (generator=None)
        _form_trial(()),
        _global_generator_trial((1, 7), 0.5, 2.0, 3, _float64, "normal_sample((1, 7), 0.5, 2.0, dtype=float64), seed 3"),
    ]


def _uniform(gen, low, high):
    return float(torch.empty((), dtype=_float64).uniform_(low, high, generator=gen))


def _seed(gen):
    return int(torch.randint(0, 2 ** 31, (1,), generator=gen))


def _normal_sample_hidden(seed):
    trials = []
    # a batch of one, three dimensions, a 0-dimensional sample (one number), then random shapes
    edges = [(1, 7), (5, 4, 3), ()]
    for trial, gen in enumerate(generators(seed, 9)):
        shape = edges[trial] if trial < len(edges) else random_shape(gen, 1, 3, 1, 6)
        mean, std = _uniform(gen, -3.0, 3.0), _uniform(gen, 0.2, 3.0)
        dtype = _float64 if trial % 2 == 0 else _float32
        draw_seed = _seed(gen)
        label = f"normal_sample({shape}, {mean:.3g}, {std:.3g}, dtype={dtype}), seed {draw_seed}"
        trials += [_seeded_trial(shape, mean, std, draw_seed, dtype, label),
                   _global_generator_trial(shape, mean, std, draw_seed, dtype, label)]
    # Second witness, independent of how torch draws: the statistics of large samples.
    for gen in generators(seed + 1, 3):
        mean, std = _uniform(gen, -5.0, 5.0), _uniform(gen, 0.1, 4.0)
        trials.append(_statistics_trial((200, 250), mean, std, _seed(gen), _float64,
                                        f"normal_sample((200, 250), mean={mean:.3g}, std={std:.3g}, dtype=float64)"))
    return trials


NORMAL_SAMPLE = Exercise("normal_sample_tests", "normal_sample", adapter="draws",
                         visible=_normal_sample_visible, hidden=_normal_sample_hidden)


# ---- init_leaf ------------------------------------------------------------------

def check_leaf(call, shape, label):
    """A float32 tensor of the right shape that requires grad, is a leaf of the graph and gets a .grad."""
    weights = check_form(call, shape, _float32, label)
    if call.get("requires_grad") is not True:
        raise AssertionError(
            f"{label} does not require grad: backward() will never compute a gradient for it, so training "
            "cannot change it. Call .requires_grad_() on it, after scaling.")
    if call.get("is_leaf") is not True or call.get("grad_fn") is not None:
        raise AssertionError(
            f"{label} is not a leaf: its grad_fn is {call.get('grad_fn')}, because the "
            "multiplication by scale was recorded after requires_grad was switched on. backward() will not "
            "fill its .grad and optimizers refuse it (\"can't optimize a non-leaf Tensor\"). "
            "Scale first, then call .requires_grad_().")
    if call.get("grad") is None:
        raise AssertionError(f"{label}: the weight got no .grad from backward().")
    (want,) = autograd_vjp(lambda w: (2 * w).sum(), (weights,))
    check_close(call["grad"], want, label, "torch's gradient: its .grad after (2 * w).sum().backward()")
    return weights


def _init_leaf_trial(shape, scale, seed, label):
    def judge(got):
        first, second = (check_leaf(call, shape, label) for call in _calls(got, 2))
        check_same_draws(first, second, seed, label, "weights")
        check_torch_sample(first, shape, 0.0, scale, seed, _float32, label, "scale * N(0, 1) from generator g")
    return Trial((shape, scale), judge, kwargs=_fresh(seed))


def _init_leaf_global_trial(shape, scale, seed, label):
    label = f"{label} with generator=None"

    def judge(got):
        weights = check_leaf(_calls(got)[0], shape, label)
        check_torch_sample(weights, shape, 0.0, scale, seed, _float32, label,
                           "(torch's global generator, seeded by torch.manual_seed)")
    return Trial((shape, scale), judge, kwargs=_global(seed))


def _init_leaf_hidden(seed):
    trials = []
    edges = [(1, 5), (7, 3), ()]  # a batch of one, unequal dimensions, a single number
    for trial, gen in enumerate(generators(seed, 7)):
        shape = edges[trial] if trial < len(edges) else random_shape(gen, 1, 3, 1, 6)
        scale, draw_seed = _uniform(gen, 0.001, 2.0), _seed(gen)
        label = f"init_leaf({shape}, {scale:.3g}), seed {draw_seed}"
        trials += [_init_leaf_trial(shape, scale, draw_seed, label),
                   _init_leaf_global_trial(shape, scale, draw_seed, label)]
    return trials


INIT_LEAF = Exercise("init_leaf_tests", "init_leaf", adapter="draws",
                     visible=lambda: [_init_leaf_trial((3, 4), 0.01, 0, "init_leaf((3, 4), 0.01), seed 0"),
                                      # a single number, and a batch of one from the global generator
                                      _init_leaf_trial((), 0.5, 1, "init_leaf((), 0.5), seed 1"),
                                      _init_leaf_global_trial((1, 5), 0.1, 2, "init_leaf((1, 5), 0.1), seed 2")],
                     hidden=_init_leaf_hidden)


# ---- RANDN_DTYPE_ANSWERS ----------------------------------------------------------

# Each prediction's key and how torch answers it, run by the checks. None of these calls is run in the
# notebook above the exercise: each combines two of its rules (dtype=float, promotion, broadcasting,
# a tensor with no dimensions), so the answers are predicted, not read off a printed line.
RANDN_CALLS = {
    "dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)":
        lambda: (torch.randn((14, 128), dtype=float) + torch.randn(128)).dtype,
    "shape of torch.randn((14, 128), dtype=float) + torch.randn(128)":
        lambda: tuple((torch.randn((14, 128), dtype=float) + torch.randn(128)).shape),
    "dtype of torch.randn(3) * torch.randn((), dtype=float)": lambda: (torch.randn(3) * torch.randn((), dtype=float)).dtype,
    "dtype of torch.randn(()) * torch.randn(3, dtype=float)": lambda: (torch.randn(()) * torch.randn(3, dtype=float)).dtype,
    "shape of torch.randn(()) * torch.randn(3)": lambda: tuple((torch.randn(()) * torch.randn(3)).shape),
    "dtype of torch.randn(()) * torch.randn((), dtype=float)": lambda: (torch.randn(()) * torch.randn((), dtype=float)).dtype,
}


def _randn_kind(key):
    if key.startswith("dtype of"):
        return (lambda v: isinstance(v, torch.dtype),
                "a torch dtype such as torch.float32 (Python's float is a type, not a torch dtype)")
    return (lambda v: isinstance(v, tuple) and all(type(n) is int for n in v),
            "a tuple of ints such as (3, 4) or (5,)")


# Why torch answers each prediction as it does: shown after the fact by `course check --reveal`.
RANDN_WHY = {
    "dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)":
        "dtype=float is float64; float64 and float32 tensors with dimensions give the wider, float64.",
    "shape of torch.randn((14, 128), dtype=float) + torch.randn(128)":
        "The (128,) vector is broadcast over the 14 rows, like the seeds' biases: the sum is (14, 128).",
    "dtype of torch.randn(3) * torch.randn((), dtype=float)":
        "The float64 factor has no dimensions: like a Python number, it does not widen the float32 tensor.",
    "dtype of torch.randn(()) * torch.randn(3, dtype=float)":
        "The tensor with dimensions is float64 and decides; a float32 with no dimensions cannot narrow it.",
    "shape of torch.randn(()) * torch.randn(3)":
        "A tensor with no dimensions is one number: multiplying by it keeps the other shape, (3,).",
    "dtype of torch.randn(()) * torch.randn((), dtype=float)":
        "Neither factor has dimensions, so neither is weaker: the wider dtype wins, float64.",
}

RANDN_DTYPE_ANSWERS = prediction_exercise(
    "RANDN_DTYPE_ANSWERS_tests", "RANDN_DTYPE_ANSWERS", _randn_kind,
    truth=lambda: {key: how() for key, how in RANDN_CALLS.items()}, why=RANDN_WHY)

EXERCISES = [RANDN_DTYPE_ANSWERS, NORMAL_SAMPLE, INIT_LEAF]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "RANDN_DTYPE_ANSWERS_tests": """\
Every prediction is filled in: dtypes are torch dtypes, shapes are tuples of ints.
Whether they match what torch does is checked when graded.""",
    "normal_sample_tests": """\
The examples: normal_sample((2, 3)) is float32 of shape (2, 3), and float64 with dtype=torch.float64;
100,000 samples of N(2, 0.5^2) are bell-shaped with mean 2 and std 0.5; with generators seeded
0 and 7, normal_sample((3, 4), 2.0, 0.5) and normal_sample((4, 8), -1.0, 3.0, dtype=torch.float64)
give torch's own samples, the same for generators seeded alike.
Also normal_sample(()) (a single number, shape ()), and normal_sample((1, 7), 0.5, 2.0, dtype=torch.float64)
with generator=None after torch.manual_seed(3): torch's global generator.""",
    "init_leaf_tests": """\
The example: init_leaf((3, 4), 0.01) with a generator seeded 0 is a float32 leaf that requires grad,
holds torch's own 0.01 * N(0, 1) sample, and gets .grad = 2 from (2 * w).sum().backward().
Also init_leaf((), 0.5) (a single number), and init_leaf((1, 5), 0.1) with generator=None after
torch.manual_seed(2): torch's global generator.""",
}
