"""06_linear_regression: the checks of d2l's linear regression from scratch.

The model and the loss are checked against torch's own `nn.functional.linear`
and `mse_loss` (with d2l's 1/2), the hand-written gradients against autograd
and central finite differences, and `sgd`'s step against `torch.optim.SGD`.
The functions that are not pure are run by adapters: `synthetic_data` and
`data_iter` get their generator as a seed (the kernel builds it) and are
run twice with generators seeded alike, so the grader sees whether a seed
makes them reproducible; `data_iter`'s batches come back as rows; `sgd`
steps fresh leaves and reports what they are afterwards; `train_linreg`
sends back the trained parameters and its losses, and the grader measures
the distance to the true parameters itself. Hidden trials are float64 and
cover a single example, a batch larger than the data set, one batch for the
whole set, a single feature and residuals that are exactly zero.
"""
import math

import torch
import torch.nn.functional as F

from .core.compare import SIGN_FLIPPED, assert_close, assert_close_to_finite_differences, compare
from .core.exercise import Exercise, Trial
from .core.layouts import described_all, expanded, transposed
from .core.reference import autograd_vjp, generators, random_tensor

# Two constant factors these exercises make likely, besides the batch size.
HALF_DROPPED = (2.0, "the / 2 is missing (it cancels the 2 that differentiating the square brings down)")
HALF_NOT_CANCELLED = (2.0, "the 2 from differentiating the square is kept, but squared_loss's 1/2 cancels it")


def linreg_reference(X, w, b=None):
    """d2l's model X @ w + b as torch's F.linear computes it (F.linear takes weights as (out, in))."""
    return F.linear(X, w.T, b)


def squared_loss_reference(y_hat, y):
    """d2l's per-example loss: torch's elementwise mse_loss with d2l's 1/2."""
    return F.mse_loss(y_hat, y.reshape(y_hat.shape), reduction="none") / 2


def noisy_linear_data(w, b, num_examples, gen):
    """Standard normal features and column labels of the linear model (w, b) with N(0, 0.01^2) noise."""
    X = torch.randn(num_examples, len(w), generator=gen, dtype=w.dtype)
    noise = 0.01 * torch.randn(num_examples, 1, generator=gen, dtype=w.dtype)
    return X, linreg_reference(X, w.reshape(-1, 1), torch.tensor([b], dtype=w.dtype)) + noise


def a_seed(gen):
    """A seed drawn from `gen`, for a generator the kernel builds."""
    return int(torch.randint(0, 2 ** 31, (1,), generator=gen))



def pair_of_tensors(value):
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(t, torch.Tensor) and t.dim() > 0 for t in value)



# ---- synthetic_data -------------------------------------------------------------

def _synthetic_judge(w, b, n):
    """Shapes, dtype, statistics of X and of the noise, and reproducibility with a generator."""
    def judge(got):
        if not (isinstance(got, list) and len(got) == 2 and all(pair_of_tensors(r) for r in got)):
            raise AssertionError("synthetic_data must return a tuple (X, y) of two tensors.")
        (X, y), (X2, y2) = got
        assert tuple(X.shape) == (n, len(w)), \
            f"X has shape {tuple(X.shape)}, but it must have shape (num_examples, len(w)) = {(n, len(w))}."
        assert tuple(y.shape) == (n, 1), (
            f"y has shape {tuple(y.shape)}, but it must be a column of shape (num_examples, 1) = {(n, 1)}: "
            "finish with y.reshape(-1, 1), as d2l does.")
        assert X.dtype == w.dtype and y.dtype == w.dtype, (
            f"X and y have dtypes {X.dtype} and {y.dtype}, but they must have the dtype of w, {w.dtype}: "
            "pass dtype=w.dtype to torch.randn.")
        assert torch.equal(X, X2) and torch.equal(y, y2), (
            "Two calls with generators seeded alike gave different data: pass generator=generator "
            "to every torch.randn call, so that a seeded generator makes the data reproducible.")
        if n < 500:
            return  # too few examples for the statistics to say anything
        noise = (y - linreg_reference(X, w.reshape(-1, 1), torch.tensor([b], dtype=w.dtype))).reshape(-1)
        assert abs(float(X.mean())) < 0.15 and 0.85 < float(X.std()) < 1.15, (
            f"X has mean {float(X.mean()):.3f} and std {float(X.std()):.3f}: the features must be "
            "standard normal (torch.randn, not torch.rand).")
        # the spread first: noise of the wrong size also moves the mean
        assert 0.0085 < float(noise.std()) < 0.0115, (
            f"the noise y - (X @ w + b) has std {float(noise.std()):.4f}, but it must have std 0.01: "
            "draw it as 0.01 * torch.randn(...), N(0, 0.01^2).")
        assert abs(float(noise.mean())) < 0.005, (
            f"y - (X @ w + b) has mean {float(noise.mean()):.4f}, not about 0: is b added exactly once, "
            "and is the noise centred?")
    return judge


def _synthetic_trial(w, b, n, seed):
    return Trial((w, b, n), _synthetic_judge(w, b, n), kwargs={"generator": seed},
                 case=f"for w of shape {tuple(w.shape)} ({w.dtype}), b = {b:.4g} and num_examples = {n}")


def _synthetic_hidden(seed):
    gens = generators(seed, 7)
    trials = []
    for trial, gen in enumerate(gens):
        d = int(torch.randint(1, 7, (1,), generator=gen))
        if trial == 6:
            d = 1    # a single feature
        w = random_tensor((d,), gen, low=-5.0, high=5.0)
        b = float(torch.empty(1, dtype=torch.float64).uniform_(-5, 5, generator=gen))
        n = 1 if trial == 0 else int(torch.randint(600, 3000, (1,), generator=gen))
        trials.append(_synthetic_trial(w, b, n, a_seed(gen)))
    return trials


SYNTHETIC_DATA = Exercise(
    "synthetic_data_tests", "synthetic_data", adapter="seeded_generator_twice",
    visible=lambda: [_synthetic_trial(torch.tensor([2.0, -3.4]), 4.2, 1000, 0),
                     _synthetic_trial(torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64), -1.0, 600, 1),
                     _synthetic_trial(torch.tensor([3.0], dtype=torch.float64), 0.5, 1, 2)],
    hidden=_synthetic_hidden,
)


# ---- data_iter ------------------------------------------------------------------

def _epoch_judge(features, labels, batch_size):
    """One epoch: batch sizes, every example exactly once, features paired with their labels, shuffled."""
    n, d = features.shape

    def judge(got):
        if not (isinstance(got, list) and len(got) == 2 and all(isinstance(e, list) for e in got)
                and all(pair_of_tensors(batch) for epoch in got for batch in epoch)):
            raise AssertionError("data_iter must yield pairs (X_batch, y_batch) of tensors.")
        batches, again = got
        for xb, yb in batches[:1] + again[:1]:
            assert xb.dtype == features.dtype and yb.dtype == labels.dtype, (
                f"A batch has dtypes {xb.dtype} and {yb.dtype}, but features and labels have {features.dtype} "
                f"and {labels.dtype}: yield their rows as they are (features[indices], labels[indices]), "
                "without converting them.")
        sizes = [len(xb) for xb, yb in batches]
        want = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        ids = example_ids(batches)
        assert sorted(ids.tolist()) == list(range(n)) or len(ids) != n, (
            "An epoch must visit every example exactly once, but some examples came twice and others "
            "never: shuffle with torch.randperm (a permutation), not torch.randint (sampling with replacement).")
        assert sizes == want, (
            f"With {n} examples and batch_size={batch_size}, the batch sizes must be {want}, "
            f"but they are {sizes}. The last batch may be smaller: it holds the examples left over "
            "(don't drop them, and don't pad it).")
        assert sorted(ids.tolist()) == list(range(n)), (
            "An epoch must visit every example exactly once, but some examples came twice and others "
            "never: shuffle with torch.randperm (a permutation), not torch.randint.")
        for xb, yb in batches:
            assert tuple(yb.shape) == (len(xb), 1) and tuple(xb.shape) == (len(xb), d), \
                f"a batch has shapes {tuple(xb.shape)} and {tuple(yb.shape)}: X_batch must be (batch, d), y_batch (batch, 1)."
            assert torch.equal(xb, features[yb.reshape(-1).long()]), (
                "A batch's features do not belong to its labels: take the same indices from features "
                "and from labels, so that each example stays paired with its label.")
        if n < 20:
            return  # a short epoch can come out in stored order by chance
        assert ids.tolist() != list(range(n)), (
            "The examples came out in their stored order: shuffle them, with "
            "torch.randperm(n, generator=generator), once per epoch.")
        assert torch.equal(ids, example_ids(again)), (
            "Two epochs with generators seeded alike came out in different orders: pass "
            "generator=generator to torch.randperm, so that a seeded generator makes the order reproducible.")
    return judge


def example_ids(batches):
    """The examples an epoch visited, in order: each label is the index of its example."""
    return torch.cat([torch.zeros(0, dtype=torch.long)] + [yb.reshape(-1).long() for _, yb in batches])


def _epoch_trial(n, d, batch_size, gen, dtype=torch.float64, layout=None):
    features = torch.randn(n, d, generator=gen, dtype=dtype)
    features = layout(features) if layout else features
    labels = torch.arange(n, dtype=dtype).reshape(-1, 1)   # a label that names its example
    layout = described_all(features=features)
    return Trial((batch_size, features, labels), _epoch_judge(features, labels, batch_size),
                 kwargs={"generator": a_seed(gen)},
                 case=f"with {n} examples and batch_size={batch_size}" + (f", {layout}" if layout else ""))


def _epoch_hidden(seed):
    # one example; batches of one; a batch larger than the data set; one batch for all; sizes that divide or not
    cases = [(1, 3, 1), (20, 1, 1), (37, 4, 36), (50, 2, 64), (64, 5, 8), (45, 3, 7), (101, 2, 10), (16, 2, 16)]
    # the last: features stored transposed (not contiguous)
    return [_epoch_trial(n, d, batch_size, gen, layout=transposed if (n, d, batch_size) == (16, 2, 16) else None)
            for (n, d, batch_size), gen in zip(cases, generators(seed, len(cases)))]


DATA_ITER = Exercise(
    "data_iter_tests", "data_iter", adapter="two_epochs",
    visible=lambda: [_epoch_trial(23, 2, 5, torch.Generator().manual_seed(0), torch.float32),
                     _epoch_trial(7, 3, 10, torch.Generator().manual_seed(1)),
                     _epoch_trial(1, 3, 4, torch.Generator().manual_seed(2))],
    hidden=_epoch_hidden,
)


# ---- linreg and squared_loss ------------------------------------------------------

def _linreg_trial(X, w, b):
    def judge(got):
        if compare(got, linreg_reference(X, w), causes=[]).passed:
            raise AssertionError("linreg returned X @ w without the bias: add b (it broadcasts over the rows).")
        assert_close(got, linreg_reference(X, w, b), "linreg(X, w, b)", causes=[])
    layout = described_all(X=X)
    return Trial((X, w, b), judge, case=f"for X of shape {tuple(X.shape)}" + (f", {layout}" if layout else ""))


def _linreg_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        n = 1 if trial == 0 else int(torch.randint(2, 9, (1,), generator=gen))
        d = int(torch.randint(1, 6, (1,), generator=gen))
        trials.append(_linreg_trial(random_tensor((n, d), gen), random_tensor((d, 1), gen, away_from_zero=0.2),
                                    random_tensor((1,), gen, away_from_zero=0.5)))
    gen = generators(seed + 1, 1)[0]                      # X stored transposed (not contiguous)
    trials.append(_linreg_trial(transposed(random_tensor((5, 3), gen)), random_tensor((3, 1), gen, away_from_zero=0.2),
                                random_tensor((1,), gen, away_from_zero=0.5)))
    return trials


LINREG = Exercise(
    "linreg_tests", "linreg",
    visible=lambda: [_linreg_trial(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[2.0], [-1.0]]),
                                   torch.tensor([0.5])),
                     _linreg_trial(torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64),
                                   torch.tensor([[2.0], [1.0], [4.0]], dtype=torch.float64),
                                   torch.tensor([-1.0], dtype=torch.float64))],
    hidden=_linreg_hidden,
)


def _squared_loss_trial(y_hat, y):
    want = squared_loss_reference(y_hat, y)

    def judge(got):
        if isinstance(got, torch.Tensor):
            if got.dim() == 0:
                raise AssertionError(
                    "squared_loss returned a single number: it must be elementwise, one loss per example, "
                    f"shaped like y_hat {tuple(y_hat.shape)} (no .sum() or .mean() inside).")
            if got.shape != want.shape and got.numel() == y_hat.shape[0] ** 2:
                raise AssertionError(
                    f"squared_loss has shape {tuple(got.shape)}: y of shape {tuple(y.shape)} broadcast against "
                    f"y_hat of shape {tuple(y_hat.shape)}. reshape y to y_hat.shape before subtracting.")
        assert_close(got, want, "squared_loss(y_hat, y)", causes=[HALF_DROPPED])
    layout = described_all(y_hat=y_hat)
    return Trial((y_hat, y), judge, case=f"for y_hat of shape {tuple(y_hat.shape)} and y of shape {tuple(y.shape)}"
                 + (f", {layout}" if layout else ""))


def _squared_loss_hidden(seed):
    gens = generators(seed, 7)
    trials = []
    for trial, gen in enumerate(gens[:6]):
        n = 1 if trial == 0 else int(torch.randint(2, 12, (1,), generator=gen))
        y_hat = random_tensor((n, 1), gen)
        trials.append(_squared_loss_trial(y_hat, random_tensor((n,) if trial % 2 else (n, 1), gen)))
    # predictions exactly right for some examples: a loss of exactly 0 there
    y_hat = random_tensor((6, 1), gens[6])
    y = torch.where(torch.arange(6) % 2 == 0, y_hat.reshape(-1), random_tensor((6,), gens[6]))
    # one prediction for every example (an expand, not contiguous), as a model with w = 0 makes
    same = expanded(random_tensor((1, 1), gens[6]), (5, 1))
    return trials + [_squared_loss_trial(y_hat, y), _squared_loss_trial(same, random_tensor((5,), gens[6]))]


SQUARED_LOSS = Exercise(
    "squared_loss_tests", "squared_loss",
    visible=lambda: [_squared_loss_trial(torch.tensor([[1.0], [2.0], [5.0]]), torch.tensor([0.0, 2.0, 3.0])),
                     _squared_loss_trial(torch.tensor([[2.5]], dtype=torch.float64),
                                         torch.tensor([[1.0]], dtype=torch.float64))],
    hidden=_squared_loss_hidden,
)


# ---- linreg_grads (by hand) ---------------------------------------------------------

def _summed_loss(X, y):
    """(w, b) -> squared_loss(linreg(X, w, b), y).sum(), in torch's terms."""
    return lambda w, b: squared_loss_reference(linreg_reference(X, w, b), y).sum()


def _linreg_grads_trial(X, y, w, b, fd=False):
    loss = _summed_loss(X, y)
    options = {"factors": {"the batch size": X.shape[0]}, "causes": [SIGN_FLIPPED, HALF_NOT_CANCELLED]}

    def judge(got):
        assert_close(got, autograd_vjp(loss, (w, b)), ("grad_w", "grad_b"), **options)
        if fd:  # a second, independent witness: central finite differences
            assert_close_to_finite_differences(got[0], lambda v: loss(v, b), w,
                                               "grad_w (against finite differences)", atol=1e-6, **options)
            assert_close_to_finite_differences(got[1], lambda v: loss(w, v), b,
                                               "grad_b (against finite differences)", atol=1e-6, **options)
    layout = described_all(X=X)
    return Trial((X, y, w, b), judge, case=f"for X of shape {tuple(X.shape)}" + (f", {layout}" if layout else ""))


def _linreg_grads_hidden(seed):
    gens = generators(seed, 8)
    trials = []
    for trial, gen in enumerate(gens[:7]):
        n = 1 if trial == 0 else int(torch.randint(2, 15, (1,), generator=gen))
        d = int(torch.randint(1, 6, (1,), generator=gen))
        if trial == 1:
            d = n + 1   # unequal, so a transpose cannot pass
        if trial == 6:
            n, d = max(n, 2), max(d, 2)                  # stored transposed below: not contiguous
        X = random_tensor((n, d), gen)
        w = random_tensor((d, 1), gen, away_from_zero=0.3)
        b = random_tensor((1,), gen, away_from_zero=0.5)
        y = random_tensor((n, 1), gen, low=-6.0, high=6.0)
        trials.append(_linreg_grads_trial(transposed(X) if trial == 6 else X, y, w, b, fd=trial < 3))
    # labels the model fits exactly for some examples: residuals of exactly 0 there (halves add up exactly)
    X = torch.randint(-4, 5, (7, 3), generator=gens[7]).to(torch.float64) / 2
    w, b = torch.tensor([[1.5], [-2.0], [0.5]], dtype=torch.float64), torch.tensor([0.25], dtype=torch.float64)
    y = torch.where(torch.arange(7).reshape(-1, 1) % 2 == 0, linreg_reference(X, w, b), random_tensor((7, 1), gens[7]))
    return trials + [_linreg_grads_trial(X, y, w, b)]


LINREG_GRADS = Exercise(
    "linreg_grads_tests", "linreg_grads", by_hand=True,
    visible=lambda: [_linreg_grads_trial(torch.tensor([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0]]),
                                         torch.tensor([[1.0], [0.0], [3.0]]),
                                         torch.tensor([[0.5], [-1.0]]), torch.tensor([0.3])),
                     _linreg_grads_trial(torch.tensor([[2.0]], dtype=torch.float64),
                                         torch.tensor([[3.0]], dtype=torch.float64),
                                         torch.tensor([[1.0]], dtype=torch.float64),
                                         torch.tensor([0.5], dtype=torch.float64))],
    hidden=_linreg_grads_hidden,
)


# ---- sgd ----------------------------------------------------------------------------

def torch_sgd_step(value, grad, lr, batch_size):
    """What torch.optim.SGD's step does to `value` with the batch's mean gradient grad / batch_size."""
    param = value.clone().requires_grad_(True)
    param.grad = grad / batch_size   # the loop's grad is a sum over the batch
    torch.optim.SGD([param], lr=lr).step()
    return param.detach() - value


def _sgd_judge(values, grads, lr, batch_size):
    """One sgd call on leaves with given grads: the step, in place, grads cleared, grad mode kept."""
    def judge(got):
        if not (isinstance(got, dict) and isinstance(got.get("params"), list) and len(got["params"]) == len(values)
                and all(isinstance(p, dict) and isinstance(p.get("value"), torch.Tensor) for p in got["params"])):
            raise AssertionError("the checks could not read the parameters after sgd's step.")
        assert got.get("grad_mode_kept") is True, \
            "sgd must leave grad mode as it found it: use `with torch.no_grad():`."
        assert got.get("same_objects") is True, "sgd must update the tensors in the list in place, not replace them."
        for k, (after, value, grad) in enumerate(zip(got["params"], values, grads)):
            assert after.get("is_leaf") is True and after.get("requires_grad") is True, (
                f"params[{k}] is no longer a leaf that requires grad: update it in place under torch.no_grad().")
            new = after["value"]
            assert new.shape == value.shape and new.dtype == value.dtype, (
                f"params[{k}] changed from shape {tuple(value.shape)} ({value.dtype}) to {tuple(new.shape)} "
                f"({new.dtype}): update it in place, with the same shape and dtype.")
            step = new - value
            if not step.abs().max() > 0:
                raise AssertionError(
                    f"params[{k}] did not change: update it in place (param -= ...); rebinding a name "
                    "(param = param - ...) makes a new tensor and leaves the parameter unchanged.")
            _judge_seen_by_autograd(got.get("version_changes"), k, len(values))
            assert_close(step, torch_sgd_step(value, grad, lr, batch_size), f"the step of params[{k}]",
                         factors={"the batch size": batch_size}, causes=[SIGN_FLIPPED])
            cleared = after.get("grad")
            assert cleared is None or (isinstance(cleared, torch.Tensor) and not bool(cleared.ne(0).any())), (
                f"params[{k}].grad still holds the gradient after the step: zero it (param.grad.zero_()), "
                "or the next backward() adds to it and the steps use stale gradients.")
    return judge


def _judge_seen_by_autograd(changes, k, count):
    """params[k] changed (the judge saw that); its version counter must have moved too."""
    if not (isinstance(changes, list) and len(changes) == count and all(type(c) is int for c in changes)):
        raise AssertionError("the checks could not read the parameters after sgd's step (their version counters).")
    if changes[k] == 0:
        raise AssertionError(
            f"params[{k}] changed, but its version counter (params[{k}]._version) did not move: the update "
            "went around autograd, through .data (as in param.data -= ...) or another way autograd cannot "
            "see, such as NumPy; notebook 05 (section 2.4) shows the silently wrong gradients that hides. "
            "Update the tensor itself, in place inside `with torch.no_grad():` (param -= ...).")


def _sgd_trial(values, grads, lr, batch_size):
    layout = described_all(**{f"params[{k}]": v for k, v in enumerate(values)},
                           **{f"params[{k}].grad": g for k, g in enumerate(grads)})
    return Trial((values, grads, lr, batch_size), _sgd_judge(values, grads, lr, batch_size),
                 case=f"for lr={lr:.4g} and batch_size={batch_size}" + (f", {layout}" if layout else ""))


def _sgd_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        shapes = [(int(torch.randint(1, 6, (1,), generator=gen)), 1), (1,), (2, 3)][: 1 + trial % 3]
        values = [random_tensor(shape, gen) for shape in shapes]
        grads = [random_tensor(shape, gen, away_from_zero=0.5) for shape in shapes]
        lr = float(torch.empty(1).uniform_(0.01, 0.5, generator=gen))
        if trial == 5:                               # a weight and its grad stored transposed, as torch keeps them
            values[2], grads[2] = transposed(values[2]), transposed(grads[2])
        trials.append(_sgd_trial(values, grads, lr, [1, 3, 10, 32, 7, 64][trial]))
    return trials


SGD = Exercise(
    "sgd_tests", "sgd", adapter="sgd_in_place",
    visible=lambda: [_sgd_trial([torch.tensor([[1.0], [2.0]]), torch.tensor([0.5])],
                                [torch.tensor([[10.0], [20.0]]), torch.tensor([5.0])], 0.1, 10),
                     _sgd_trial([torch.tensor([[3.0]], dtype=torch.float64),
                                 torch.tensor([1.0, -1.0, 2.0], dtype=torch.float64)],
                                [torch.tensor([[-1.0]], dtype=torch.float64),
                                 torch.tensor([0.5, 1.0, -2.0], dtype=torch.float64)], 0.2, 1)],
    hidden=_sgd_hidden,
)


# ---- train_linreg -----------------------------------------------------------------

def linreg_run(features, labels, lr, batch_size, num_epochs, seed, with_after=True):
    """The run Exercise 7 describes, replayed by the grader from the same data and seed.

    w is drawn first, 0.01 * randn(d, 1) from a generator seeded with `seed`, b = 0; then each epoch
    takes one torch.randperm(n) from that generator (data_iter's order) and each minibatch one step
    of minibatch SGD. Returns each minibatch's mean loss before its step and (`with_after`) after it,
    the number of examples in each minibatch, and the final w and b.
    """
    # The gradients come from torch.autograd, as the learner's come from backward(): the package, which
    # learners can read, holds no hand-written gradient of Exercise 5.
    gen = torch.Generator().manual_seed(seed)
    n, d = features.shape
    w = 0.01 * torch.randn(d, 1, generator=gen, dtype=features.dtype)
    b = torch.zeros(1, dtype=features.dtype)
    before, after, sizes = [], [], []
    with torch.enable_grad():
        for _ in range(num_epochs):
            order = torch.randperm(n, generator=gen)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                X, y = features[rows], labels[rows]
                w, b = w.detach().requires_grad_(), b.detach().requires_grad_()
                losses = (X @ w + b - y) ** 2 / 2
                before.append(float(losses.detach().mean()))
                grad_w, grad_b = torch.autograd.grad(losses.sum(), (w, b))
                w, b = (w - lr * grad_w / batch_size).detach(), (b - lr * grad_b / batch_size).detach()
                if with_after:
                    after.append(float(((X @ w + b - y) ** 2 / 2).mean()))
                sizes.append(len(rows))
    return {"before": before, "after": after, "sizes": sizes, "w": w, "b": b}


def _close_all(got, want, rtol=1e-3):
    return all(math.isclose(g, w, rel_tol=rtol, abs_tol=1e-12) for g, w in zip(got, want))


def _judge_recorded_losses(losses, w, b, replay):
    """Each recorded loss against the grader's own: the minibatch's mean loss before its step, in its replay.

    A run that draws its random numbers in the order the exercise gives is the replay's, to rounding:
    its losses are the replay's, or the replay's sums or losses after the step when those were
    recorded, and its w and b are the replay's. A run that drew in another order (or started elsewhere)
    is another run, whose losses the grader cannot recompute batch by batch: they are not judged.
    `replay(with_after)` is the replay (linreg_run); the losses after each step are computed only if needed.
    """
    run = replay(False)
    if _close_all(losses, run["before"]):
        return
    run = replay(True)
    if _close_all(losses, [size * loss for size, loss in zip(run["sizes"], run["before"])]):
        raise AssertionError(
            "Each recorded loss is the number of examples in its minibatch times the minibatch's mean loss "
            "(the grader recomputes it by replaying your run from the same data and seed): the losses are "
            "sums over each minibatch, l.sum().item(). Record the mean: append l.mean().item().")
    if _close_all(losses, run["after"]):
        raise AssertionError(
            "Each recorded loss is the minibatch's mean loss after its update (the grader recomputes both by "
            "replaying your run from the same data and seed): the loss was computed again after sgd's step. "
            "Record the loss of the minibatch before its update, the one backward() differentiated: append "
            "l.mean().item() of that l.")
    same_run = all(torch.allclose(got.detach().to(want.dtype), want, rtol=1e-5, atol=1e-7)
                   for got, want in ((w, run["w"]), (b, run["b"])))
    if same_run:
        k = next(k for k, (got, want) in enumerate(zip(losses, run["before"]))
                 if not math.isclose(got, want, rel_tol=1e-3, abs_tol=1e-12))
        raise AssertionError(
            f"losses[{k}] is {losses[k]:.6g}, but the mean loss of minibatch {k} before its update is "
            f"{run['before'][k]:.6g}: the grader replays your run from the same data and seed (its w and b "
            "agree with yours). Record l.mean().item() of each minibatch's l, before sgd's step.")


def _training_judge(true_w, true_b, features, labels, kwargs, runs):
    """The parameters training recovered, measured against the truth here; their dtype; every run alike;
    the losses it recorded against the grader's replay of the run."""
    n, d = features.shape
    batch_size = kwargs["batch_size"]

    def judge(got):
        assert isinstance(got, list) and len(got) == runs, "the notebook's answer to this trial could not be read."
        assert isinstance(got[0], tuple) and len(got[0]) == 3, "train_linreg must return a tuple (w, b, losses)."
        w, b, losses = got[0]
        assert isinstance(w, torch.Tensor) and tuple(w.shape) == (d, 1), f"w must be a tensor of shape (d, 1) = {(d, 1)}."
        assert isinstance(b, torch.Tensor) and tuple(b.shape) == (1,), "b must be a tensor of shape (1,)."
        assert w.dtype == features.dtype and b.dtype == features.dtype, (
            f"w and b have dtypes {w.dtype} and {b.dtype}, but features have dtype {features.dtype}: create "
            "both with dtype=features.dtype (torch.zeros(1) alone is float32).")
        steps = kwargs["num_epochs"] * math.ceil(n / batch_size)
        assert isinstance(losses, (list, tuple)) and len(losses) == steps, (
            f"losses must be a list of {steps} Python floats (3 epochs of {math.ceil(n / batch_size)} "
            "minibatches), one per minibatch: append l.mean().item().")
        kinds = sorted({type(v).__name__ for v in losses if type(v) is not float})
        assert not kinds, (f"losses must be Python floats, but the list holds {' and '.join(kinds)} values: "
                           "append l.mean().item(), a number, not the loss tensor.")
        for again in got[1:]:
            same = (isinstance(again, tuple) and len(again) == 3 and all(isinstance(t, torch.Tensor) for t in again[:2])
                    and torch.equal(again[0], w) and torch.equal(again[1], b) and list(again[2]) == list(losses))
            assert same, (
                "Two calls with generators seeded alike gave different results: draw every random number from "
                "the generator you are given, w's (torch.randn(..., generator=generator)) and the minibatches' "
                "order (data_iter(batch_size, features, labels, generator)), so that a seeded generator makes "
                "training reproducible.")
        w_err = float((w.detach().to(torch.float64).reshape(-1) - true_w).abs().max())
        b_err = abs(float(b.detach().reshape(-1)[0]) - true_b)
        assert w_err < 0.05 and b_err < 0.05, (
            f"After training, w is off by up to {w_err:.3f} and b by {b_err:.3f} (allowed: 0.05); the mean loss "
            f"went from {losses[0]:.4g} to {losses[-1]:.4g}. If it barely fell, the steps are too small "
            "(dividing by the batch size twice, in l.mean() and in sgd?); if it grew, the gradients pile up "
            "(are they zeroed after each step?). Make one update per minibatch.")
        assert losses[-1] < 0.01 * losses[0], "the loss must fall during training."
        _judge_recorded_losses(list(losses), w, b, lambda with_after: linreg_run(
            features, labels, kwargs["lr"], batch_size, kwargs["num_epochs"], kwargs["generator"], with_after))
    return judge


def _training_trial(true_w, true_b, n, gen, batch_size=10, runs=1, layout=None):
    """train_linreg on data of the linear model (true_w, true_b); `runs` calls with generators seeded alike."""
    X, y = noisy_linear_data(true_w, true_b, n, gen)
    X = layout(X) if layout else X
    kwargs = {"lr": 0.03, "batch_size": batch_size, "num_epochs": 3, "generator": a_seed(gen)}
    stored = described_all(features=X)
    return Trial((X, y), _training_judge(true_w.to(torch.float64), true_b, X, y, kwargs, runs),
                 kwargs={**kwargs, "runs": runs},
                 case=f"for {n} examples of {len(true_w)} features in batches of {batch_size}"
                      + (", called twice with generators seeded alike" if runs > 1 else "")
                      + (f", {stored}" if stored else ""))


def _training_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 3)):
        d = int(torch.randint(1, 6, (1,), generator=gen))
        if trial == 2:
            d = max(d, 2)                                 # features stored transposed: not contiguous
        true_w = random_tensor((d,), gen, low=-4.0, high=4.0)
        true_b = float(torch.empty(1, dtype=torch.float64).uniform_(-4, 4, generator=gen))
        trials.append(_training_trial(true_w, true_b, [997, 1200, 1003][trial], gen, [10, 12, 7][trial],
                                      runs=2 if trial == 0 else 1, layout=transposed if trial == 2 else None))
    return trials


TRAIN_LINREG = Exercise(
    "train_linreg_tests", "train_linreg", adapter="seeded_generator_runs",
    # d2l's setting: true_w = [2, -3.4], true_b = 4.2, 1000 examples, lr 0.03, batch 10, 3 epochs, twice.
    # Then float64, a single feature, batches of 7 that do not divide the 1003 examples.
    visible=lambda: [_training_trial(torch.tensor([2.0, -3.4]), 4.2, 1000, torch.Generator().manual_seed(0), runs=2),
                     _training_trial(torch.tensor([-1.5], dtype=torch.float64), 0.7, 1003,
                                     torch.Generator().manual_seed(1), batch_size=7)],
    hidden=_training_hidden,
)

EXERCISES = [SYNTHETIC_DATA, DATA_ITER, LINREG, SQUARED_LOSS, LINREG_GRADS, SGD, TRAIN_LINREG]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "synthetic_data_tests": """\
d2l's setting: w = [2, -3.4], b = 4.2, 1000 examples, float32; called twice with generators
seeded with 0: shapes, dtype, the statistics of X and of the noise, and the same data twice.
Then in float64: w = [1.5, -2, 0.5], b = -1, 600 examples; and a single example of one feature.
Only the hidden trials: random w (1 to 6 features), b and sizes up to 3000 examples.""",
    "data_iter_tests": """\
23 examples of 2 features in batches of 5: sizes 5, 5, 5, 5, 3; each example once, with its own
label; shuffled; the same order again from a generator seeded alike.
Then 7 examples in float64 with batch_size 10, larger than the data set: one batch of 7; and a single example.
Each batch keeps the dtype of features and labels.
Only the hidden trials: batches of one, one batch for the whole set, other sizes, and features
stored transposed (not contiguous).""",
    "linreg_tests": """\
X = [[1, 2], [3, 4]], w = [[2], [-1]], b = [0.5]:
[1*2 + 2*(-1) + 0.5, 3*2 + 4*(-1) + 0.5] = [0.5, 2.5], a column (2, 1).
One example in float64: X = [[1, -2, 0.5]], w = [[2], [1], [4]], b = [-1]: [[1.0]], shape (1, 1).
Only the hidden trials: random sizes (1 to 8 examples, 1 to 5 features) and values, and an X
stored transposed (not contiguous).""",
    "squared_loss_tests": """\
y_hat = [[1], [2], [5]], a column (3, 1), and y = [0, 2, 3], a flat (3,) vector, as labels
often come: the result is [[0.5], [0.0], [2.0]], of shape (3, 1).
One example in float64, y a column too: y_hat = [[2.5]], y = [[1]]: [[1.125]].
Only the hidden trials: random sizes and values, some predictions exactly right (a loss of 0),
and one prediction for every example (an expand of a (1, 1) tensor: not contiguous).""",
    "linreg_grads_tests": """\
Three examples, two features, a point away from the fit: X = [[1, 2], [0.5, -1], [-2, 0]],
y = [[1], [0], [3]], w = [[0.5], [-1]], b = [0.3]; compared with autograd.
Then the example worked above, in float64: x = 2, w = 1, b = 0.5, y = 3 gives grad_w = [[-1]], grad_b = [-0.5].
Only the hidden trials: random sizes, also against finite differences, residuals exactly 0, and
an X stored transposed (not contiguous).""",
    "sgd_tests": """\
w = [[1], [2]] with grad [[10], [20]], b = [0.5] with grad [5]; lr 0.1, batch 10:
w -> [[0.9], [1.8]], b -> [0.45]; both still the same leaves, changed where autograd sees it
(their version counters moved: not through .data), their grads cleared.
Then in float64, lr 0.2, batch_size 1: [[3]] with grad [[-1]] -> [[3.2]], and [1, -1, 2] with grad
[0.5, 1, -2] -> [0.9, -1.2, 2.4].
Only the hidden trials: random shapes, values, learning rates and batch sizes up to 64, and a
weight and its grad stored transposed (not contiguous).""",
    "train_linreg_tests": """\
d2l's setting: true_w = [2, -3.4], true_b = 4.2, 1000 examples, lr 0.03, batch 10, 3 epochs,
called twice with generators seeded alike: the same w, b and losses both times; w and b within
0.05 of the truth, in the dtype of the features; one loss per minibatch, falling, each equal to the
minibatch's mean loss before its update as the grader recomputes it, replaying the run from the
same data and seed (w drawn first, then data_iter's order).
Then float64 data of one feature (true_w = [-1.5], true_b = 0.7), 1003 examples in batches of 7.
Only the hidden trials: random true parameters (1 to 5 features) and batch sizes, one of them called
twice, and features stored transposed (not contiguous).""",
}
