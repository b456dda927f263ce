"""07_two_layer_net: the checks of the tutorial's two-layer ReLU network and its training loop.

References are torch's own answers: the network written with torch
operations, `autograd_vjp` for the weight gradients (central finite
differences as a second witness) and `torch.optim.SGD` for the training
run. The usual slips get named by comparing the learner's answer with what
torch computes for the slip itself: autograd with the ReLU's backward
changed by a hook, the network written with `torch.relu`, SGD that never
clears its gradients or that maximizes. Visible examples and hidden trials
include pre-activations `X @ W1` that are exactly 0, where `clamp(min=0)`
passes the gradient and `torch.relu` (or a mask `h > 0`) does not: the
forward's check asks the kernel for autograd's gradient through the learner's
`two_layer_forward`, so a ReLU with another choice at 0 is caught although
its values are the same.
"""
import torch
import torch.nn.functional as F

from .core.compare import SIGN_FLIPPED, SQUARE_TWO_MISSING, assert_close, assert_close_to_finite_differences, compare
from .core.exercise import Exercise, Trial
from .core.reference import autograd_vjp, generators, random_tensor


def _tensor(values):
    return torch.tensor(values, dtype=torch.float32)


def network(X, W1, W2, relu=lambda h: h.clamp(min=0)):
    """The tutorial's network in torch, weights stored (in, out): relu(X W1) W2."""
    return F.linear(relu(F.linear(X, W1.T)), W2.T)


def sum_of_squares_loss(X, y, W1, W2, relu=lambda h: h.clamp(min=0)):
    return (network(X, W1, W2, relu) - y).pow(2).sum()


def _batch_of_one():
    """One example in float64, D_in=3, H=4, D_out=2: X = [[1, 2, -1]], h = X @ W1 = [[0.5, -1.5, 3, -2]]."""
    X = torch.tensor([[1.0, 2.0, -1.0]], dtype=torch.float64)
    W1 = torch.tensor([[0.5, 0.5, 1.0, 0.0], [0.5, -1.0, 0.5, -1.0], [1.0, 0.0, -1.0, 0.0]], dtype=torch.float64)
    W2 = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0], [2.0, 1.0]], dtype=torch.float64)
    return X, W1, W2


# The small example of exercise 1: N = 3 (so a factor 1/N or 1/(N * D_out) is not a factor 1/2),
# h = X @ W1 = [[1, -1, -3, 6], [3, -1, 5, -4], [0, -1, -1, 3]]: one pre-activation exactly 0 (row 3, unit 1),
# where clamp(min=0) passes the gradient and torch.relu blocks it.
_X_SMALL = [[2.0, 1.0, -1.0], [0.0, -1.0, 3.0], [1.0, 0.0, -1.0]]
_Y_SMALL = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
_W1_SMALL = [[1.0, -1.0, 0.0, 2.0], [0.0, 1.0, -2.0, 1.0], [1.0, 0.0, 1.0, -1.0]]
_W2_SMALL = [[1.0, -1.0], [2.0, 0.0], [-1.0, 1.0], [0.5, 1.0]]
# The weights of the forward's gradient check, (two_layer_forward(X, W1, W2) * v).sum(): at the exact 0
# (row 3, unit 1) the gradient reaching h is v[2] @ W2[0] = 1 * 1 + (-1) * (-1) = 2, not 0.
_V_SMALL = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]


def random_sizes(gen, trial, low, high, unequal):
    """(N, D_in, H, D_out): a batch of one in trial 0, the sizes `unequal[trial]` where given."""
    n = 1 if trial == 0 else int(torch.randint(2, 9, (1,), generator=gen))
    d_in, h, d_out = (int(s) for s in torch.randint(low, high, (3,), generator=gen))
    return (n, *unequal[trial]) if trial in unequal else (n, d_in, h, d_out)


# ---- two_layer_forward ------------------------------------------------------

def _maximum_relu(h):
    return torch.maximum(h, torch.zeros_like(h))


# ReLUs with the same values as clamp(min=0) and another gradient at exactly 0, as (how it is written, slope at 0).
OTHER_RELUS = [(torch.relu, "torch.relu(h) (or F.relu, or h * (h > 0))", "0: it blocks the gradient there"),
               (_maximum_relu, "torch.maximum(h, 0) (or (h + h.abs()) / 2)", "1/2: it splits the gradient there")]


def _judge_forward_value(got, X, W1, W2):
    want = network(X, W1, W2)
    if isinstance(got, torch.Tensor) and got.shape == want.shape and not compare(got, want).passed:
        if compare(got, network(X, W1, W2, relu=lambda h: h)).passed:
            raise AssertionError(
                "two_layer_forward returned X @ W1 @ W2: the ReLU is missing. Without it the two "
                "layers collapse into one linear map X @ (W1 @ W2); apply clamp(min=0) to the "
                "hidden layer X @ W1, before the second matmul.")
        if compare(got, torch.relu(network(X, W1, W2, relu=lambda h: h))).passed:
            raise AssertionError(
                "two_layer_forward applied the ReLU to the output, after the second layer: it "
                "belongs to the hidden layer, X.mm(W1).clamp(min=0), and the output is not clamped.")
    assert_close(got, want, "two_layer_forward(X, W1, W2)", causes=[])


def _judge_forward_gradient(grads, X, W1, W2, v):
    if grads is None:
        raise AssertionError(
            "two_layer_forward's values are right, but autograd cannot differentiate them: the result does "
            "not require grad when W1 and W2 do. train_two_layer calls backward() through this function, so "
            "compute it from X, W1 and W2 with torch operations (no torch.no_grad(), .detach(), .data, "
            "NumPy or Python numbers in between).")
    want = autograd_vjp(lambda a, b: network(X, a, b), (W1, W2), v)
    if (isinstance(grads, list) and len(grads) == 2 and isinstance(grads[0], torch.Tensor)
            and grads[0].shape == W1.shape and grads[0].dtype == W1.dtype and not compare(grads[0], want[0]).passed):
        zeros = int(((X @ W1) == 0).sum())
        for relu, written, slope in OTHER_RELUS:
            if zeros and compare(grads[0], autograd_vjp(lambda a: network(X, a, W2, relu), (W1,), v)[0]).passed:
                raise AssertionError(
                    f"two_layer_forward's values are right, but its ReLU is not clamp(min=0): here {zeros} "
                    f"pre-activation{'s' if zeros > 1 else ''} h = X @ W1 {'are' if zeros > 1 else 'is'} exactly 0, "
                    f"and there autograd's gradient through your ReLU is that of {written}, whose slope at 0 is "
                    f"{slope}. clamp(min=0) has slope 1 at 0 (it passes the gradient wherever h >= 0). The values "
                    "are equal, the gradients differ (section 3), and the notebook's hand-written backward (the "
                    "mask h >= 0) and its comparison with autograd rely on clamp's: write X.mm(W1).clamp(min=0).")
    assert_close(grads, want, ("the gradient of W1 through two_layer_forward",
                               "the gradient of W2 through two_layer_forward"), causes=[])


def _forward_trial(X, W1, W2, v, case=""):
    def judge(got):
        if not isinstance(got, dict) or set(got) != {"value", "grads"}:
            raise AssertionError("the checks got no usable answer from two_layer_forward.")
        _judge_forward_value(got["value"], X, W1, W2)
        _judge_forward_gradient(got["grads"], X, W1, W2, v)
    return Trial((X, W1, W2, v), judge, case=case or f"for X of shape {tuple(X.shape)}, W1 {tuple(W1.shape)}, "
                                                      f"W2 {tuple(W2.shape)}")


def _forward_hidden(seed):
    gens = generators(seed, 11)
    trials = []
    for trial, gen in enumerate(gens[:8]):
        n, d_in, h, d_out = random_sizes(gen, trial, 1, 9, unequal={1: (5, 3, 2)})
        trials.append(_forward_trial(random_tensor((n, d_in), gen), random_tensor((d_in, h), gen),
                                     random_tensor((h, d_out), gen), random_tensor((n, d_out), gen)))
    # Pre-activations exactly at the kink (integers: their sums are exact), where the ReLUs' gradients differ.
    for (n, d_in, h, d_out), gen in zip([(4, 3, 5, 2), (1, 5, 6, 3), (6, 4, 3, 2)], gens[8:]):
        X, W1 = first_layer(gen, n, d_in, h, at_kink=True)
        W2 = random_tensor((h, d_out), gen, away_from_zero=0.1)
        zeros = int(((X @ W1) == 0).sum())
        trials.append(_forward_trial(X, W1, W2, random_tensor((n, d_out), gen, away_from_zero=0.1),
                                     case=f"for X @ W1 with {zeros} pre-activations exactly 0"))
    return trials


def _forward_visible():
    X1, W1_1, W2_1 = _batch_of_one()
    return [_forward_trial(_tensor(_X_SMALL), _tensor(_W1_SMALL), _tensor(_W2_SMALL), _tensor(_V_SMALL),
                           case="for the small example (N = 3), whose h = X @ W1 is exactly 0 in row 3, unit 1"),
            _forward_trial(X1, W1_1, W2_1, torch.tensor([[1.0, -2.0]], dtype=torch.float64))]


TWO_LAYER_FORWARD = Exercise("two_layer_forward_tests", "two_layer_forward", adapter="two_layer_forward",
                             visible=_forward_visible, hidden=_forward_hidden)


# ---- two_layer_grads --------------------------------------------------------

def first_layer_grad_with_relu_backward(X, y, W1, W2, relu_backward):
    """autograd's grad_W1 when the ReLU's backward is replaced by `relu_backward(grad_h_relu)`.

    The forward values stay those of the ReLU; only the gradient that flows
    back through it changes. That is what a wrong mask computes.
    """
    def loss(W1):
        h = F.linear(X, W1.T)
        h_relu = h + (h.clamp(min=0) - h).detach()   # forward: the ReLU; backward: the identity ...
        h_relu.register_hook(relu_backward)          # ... changed by the hook
        return (F.linear(h_relu, W2.T) - y).pow(2).sum()
    return autograd_vjp(loss, (W1,))[0]


def _grads_trial(X, y, W1, W2, fd=False, case=""):
    def judge(got):
        want = autograd_vjp(lambda a, b: sum_of_squares_loss(X, y, a, b), (W1, W2))
        if (isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], torch.Tensor)
                and got[0].shape == W1.shape and not compare(got[0], want[0]).passed):
            if compare(got[0], first_layer_grad_with_relu_backward(X, y, W1, W2, lambda g: g)).passed:
                raise AssertionError(
                    "grad_W1 is X.T @ (the gradient of h_relu) without the ReLU's mask: the ReLU passes "
                    "the gradient back only where its input h = X @ W1 was positive. Multiply the "
                    "gradient of h_relu by the mask (h >= 0) before the last matmul.")
            if compare(got[0], first_layer_grad_with_relu_backward(X, y, W1, W2, torch.relu)).passed:
                raise AssertionError(
                    "grad_W1 has the ReLU applied to the gradient (negative gradients set to 0). The mask "
                    "must come from the forward pass: keep the gradient where h = X @ W1 was positive, "
                    "whatever its own sign.")
            relu_grads = autograd_vjp(lambda a, b: sum_of_squares_loss(X, y, a, b, torch.relu), (W1, W2))
            if compare(got[0], relu_grads[0]).passed:
                raise AssertionError(
                    "grad_W1 is right except where a pre-activation h = X @ W1 is exactly 0: there "
                    "clamp(min=0) passes the gradient, but yours blocks it (the mask h > 0 is torch.relu's "
                    "choice at 0). The network uses clamp(min=0), so its mask is h >= 0.")
        assert_close(got, want, ("grad_W1", "grad_W2"), causes=[SIGN_FLIPPED, SQUARE_TWO_MISSING],
                     factors={"the batch size N": X.shape[0], "N * D_out": X.shape[0] * y.shape[1]})
        if fd:  # a second, independent witness: central finite differences
            assert_close_to_finite_differences(got[0], lambda v: sum_of_squares_loss(X, y, v, W2), W1,
                                               "grad_W1 (against finite differences)", atol=1e-6, causes=[])
            assert_close_to_finite_differences(got[1], lambda v: sum_of_squares_loss(X, y, W1, v), W2,
                                               "grad_W2 (against finite differences)", atol=1e-6, causes=[])
    return Trial((X, y, W1, W2), judge, case=case)


def small_integers(shape, gen, low=-2, high=3):
    """Integer values in float64: their products and sums are exact, so X @ W1 hits 0 exactly."""
    return torch.randint(low, high, shape, generator=gen).to(torch.float64)


def first_layer(gen, n, d_in, h, at_kink=False, bias=False):
    """X, W1 (and b1, with `bias`) whose pre-activations X @ W1 (+ b1) keep away from the ReLU's kink at 0,
    or, with `at_kink`, hit it exactly in some units (small integers: their sums are exact)."""
    draw = small_integers if at_kink else random_tensor
    while True:
        X, W1 = draw((n, d_in), gen), draw((d_in, h), gen)
        b1 = draw((h,), gen) if bias else torch.zeros(h, dtype=torch.float64)
        pre = X @ W1 + b1
        if bool((pre == 0).any()) if at_kink else bool((pre.abs() > 0.05).all()):
            return (X, W1, b1) if bias else (X, W1)


def _grads_hidden(seed):
    gens = generators(seed, 11)
    trials = []
    for trial, gen in enumerate(gens[:8]):
        n, d_in, h, d_out = random_sizes(gen, trial, 1, 8, unequal={1: (6, 4, 3), 2: (3, 5, 7)})
        X, W1 = first_layer(gen, n, d_in, h)
        W2 = random_tensor((h, d_out), gen, away_from_zero=0.1)
        y = random_tensor((n, d_out), gen, low=-3.0, high=3.0)
        trials.append(_grads_trial(X, y, W1, W2, fd=trial < 3))
    # Pre-activations exactly at the kink, as gradient descent produces them (section 5).
    for n, d_in, h, d_out, gen in [(4, 3, 5, 2, gens[8]), (6, 4, 3, 3, gens[9]), (1, 5, 6, 2, gens[10])]:
        X, W1 = first_layer(gen, n, d_in, h, at_kink=True)
        W2 = random_tensor((h, d_out), gen, away_from_zero=0.1)
        y = random_tensor((n, d_out), gen, low=-3.0, high=3.0)
        zeros = int(((X @ W1) == 0).sum())
        trials.append(_grads_trial(X, y, W1, W2, case=f"for X @ W1 with {zeros} pre-activations exactly 0"))
    return trials


TWO_LAYER_GRADS = Exercise(
    "two_layer_grads_tests", "two_layer_grads", by_hand=True,
    visible=lambda: [_grads_trial(_tensor(_X_SMALL), _tensor(_Y_SMALL), _tensor(_W1_SMALL), _tensor(_W2_SMALL),
                                  case="for the small example (N = 3), whose h = X @ W1 is exactly 0 in row 3, unit 1"),
                     _grads_trial(_batch_of_one()[0], torch.tensor([[1.0, -1.0]], dtype=torch.float64),
                                  *_batch_of_one()[1:])],
    hidden=_grads_hidden,
)


# ---- train_two_layer --------------------------------------------------------


def sgd_run(X, y, W1, W2, lr, steps, maximize=False, zero_grad=True):
    """torch.optim.SGD on copies of the weights: (losses before each step, final W1, final W2)."""
    params = [W1.detach().clone().requires_grad_(True), W2.detach().clone().requires_grad_(True)]
    optimizer = torch.optim.SGD(params, lr=lr, maximize=maximize)
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            if zero_grad:
                optimizer.zero_grad()
            loss = sum_of_squares_loss(X, y, *params)
            losses.append(loss.item())
            loss.backward()
            optimizer.step()
    return losses, params[0].detach(), params[1].detach()


def _as_tensor(values):
    return torch.tensor(values, dtype=torch.float64)


def _judge_losses(losses, run, steps):
    """The recorded losses against torch.optim.SGD's run from the same weights; name the usual slips."""
    if not isinstance(losses, list) or len(losses) != steps:
        length = f"of length {len(losses)}" if isinstance(losses, (list, tuple)) else ""
        raise AssertionError(f"train_two_layer must return a list of {steps} losses, one per step, "
                             f"but it returned {getattr(losses, 'description', type(losses).__name__)} {length}.")
    if not all(type(v) is float for v in losses):
        kind = type(next(v for v in losses if type(v) is not float)).__name__
        raise AssertionError(
            f"the losses must be Python floats, but the list holds {kind} values: append loss.item(). "
            "A loss tensor keeps a reference to its graph and cannot be plotted or stored as a number.")
    want = run()[0]
    if not compare(_as_tensor(losses[:1]), _as_tensor(want[:1])).passed:
        raise AssertionError(
            f"The first loss is {losses[0]:.8g}, but the loss of the starting weights is {want[0]:.8g}: "
            "record loss.item() for loss = (two_layer_forward(X, W1, W2) - y).pow(2).sum() before the "
            "first update. train_two_layer uses your two_layer_forward: if its test fails, fix it first.")
    if not compare(_as_tensor(losses), _as_tensor(want)).passed:
        if compare(_as_tensor(losses), _as_tensor(run(zero_grad=False)[0])).passed:
            raise AssertionError(
                "The losses match a run whose gradients were never cleared: backward() adds into "
                ".grad, so after each update zero W1.grad and W2.grad (W1.grad.zero_()), or every "
                "step uses the sum of all gradients so far.")
        if compare(_as_tensor(losses), _as_tensor(run(maximize=True)[0])).passed or losses[-1] > losses[0]:
            raise AssertionError(
                f"The loss grew from {losses[0]:.6g} to {losses[-1]:.6g}: the update must step "
                "against the gradient, W1 -= lr * W1.grad (a minus: the gradient points uphill).")
        assert_close(_as_tensor(losses), _as_tensor(want),
                     "the list of losses (compared with autograd's run from the same weights; "
                     "element t is the loss before update t)", causes=[])


def _judge_versions(changes, steps):
    """W1 and W2 changed as they should (the judge saw that); each step's in-place update moves their version
    counters, which an update through .data does not (05, section 2.4)."""
    if not (isinstance(changes, list) and len(changes) == 2 and all(type(c) is int for c in changes)):
        raise AssertionError("the checks could not read W1's and W2's version counters after training.")
    for name, change in zip(("W1", "W2"), changes):
        if change < steps:
            raise AssertionError(
                f"{name} has the right values after {steps} steps, but its version counter ({name}._version) moved "
                f"{change} times, fewer than once per step: the updates went around autograd, through .data (as "
                f"in {name}.data -= ...) or another way autograd cannot see, such as NumPy; notebook 05 (section "
                f"2.4) shows the silently wrong gradients that hides. Update the tensor itself, in place inside "
                f"`with torch.no_grad():` ({name} -= lr * {name}.grad).")


def _train_trial(X, y, W1, W2, lr, steps):
    def run(**slip):
        return sgd_run(X, y, W1, W2, lr, steps, **slip)

    def judge(got):
        if not isinstance(got, dict) or set(got) != {"losses", "weights", "leaf_requires_grad", "version_changes"}:
            raise AssertionError("the checks got no usable answer from train_two_layer.")
        losses = got["losses"]
        _judge_losses(losses, run, steps)
        _, W1_want, W2_want = run()
        for name, weight, flag, start, final in zip(("W1", "W2"), got["weights"], got["leaf_requires_grad"],
                                                    (W1, W2), (W1_want, W2_want)):
            if flag is not True:
                raise AssertionError(f"{name} is no longer a leaf that requires grad: update it in place "
                                     "under torch.no_grad().")
            if isinstance(weight, torch.Tensor) and torch.equal(weight, start) and not torch.equal(final, start):
                raise AssertionError(
                    f"The {name} passed to train_two_layer did not change: train the tensors you were given "
                    "in place (W1 -= lr * W1.grad under torch.no_grad()), not a copy or a new tensor.")
            assert_close(weight, final, f"{name} after training (the tensor passed in, updated in place)",
                         causes=[])
        _judge_versions(got["version_changes"], steps)
        assert losses[-1] < losses[0], "the loss must fall during training."
    return Trial((X, y, W1, W2, lr, steps), judge, case=f"for N={X.shape[0]}, D_in={X.shape[1]}, "
                                                        f"H={W1.shape[1]}, D_out={y.shape[1]}, {steps} steps")


def _train_visible():
    # A small network (N=4, D_in=5, H=3, D_out=2), 10 steps of lr 0.001 from seeded weights, in float64.
    gen = torch.Generator().manual_seed(7)
    X, y = (torch.randn(shape, generator=gen, dtype=torch.float64) for shape in [(4, 5), (4, 2)])
    W1, W2 = (torch.randn(shape, generator=gen, dtype=torch.float64) for shape in [(5, 3), (3, 2)])
    X1, W1_1, W2_1 = _batch_of_one()   # then a batch of one, 3 steps of lr 0.01
    return [_train_trial(X, y, W1, W2, 1e-3, 10),
            _train_trial(X1, torch.tensor([[1.0, -1.0]], dtype=torch.float64), W1_1, W2_1, 1e-2, 3)]


def _train_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 6)):
        n, d_in, h, d_out = random_sizes(gen, trial, 2, 8, unequal={1: (7, 4, 3)})
        X, y = random_tensor((n, d_in), gen), random_tensor((n, d_out), gen)
        W1, W2 = random_tensor((d_in, h), gen), random_tensor((h, d_out), gen)
        # A hidden unit dead on every example would leave its column of W1 untrained: flip it alive.
        dead = ((X @ W1) <= 0).all(dim=0)
        W1[:, dead] = -W1[:, dead]
        # A learning rate below 1 / (a bound on the curvature) at the start, so the loss falls.
        h_relu = (X @ W1).clamp(min=0)
        norm = torch.linalg.matrix_norm
        bound = 2 * (norm(h_relu, ord=2) ** 2 + norm(X, ord=2) ** 2 * norm(W2, ord=2) ** 2)
        trials.append(_train_trial(X, y, W1, W2, 0.3 / float(bound), 5 + 2 * trial))
    return trials


TRAIN_TWO_LAYER = Exercise("train_two_layer_tests", "train_two_layer", adapter="train_two_layer",
                           visible=_train_visible, hidden=_train_hidden)

# ---- two_layer_bias_grads: the variation with biases and a mean loss -------------------

def bias_network(X, W1, b1, W2, b2, relu=lambda h: h.clamp(min=0)):
    return F.linear(relu(F.linear(X, W1.T, b1)), W2.T, b2)


def mean_squared_loss(X, y, W1, b1, W2, b2, relu=lambda h: h.clamp(min=0)):
    return (bias_network(X, W1, b1, W2, b2, relu) - y).pow(2).mean()


def _bias_grads_trial(X, y, params, fd=False, case=""):
    names = ("grad_W1", "grad_b1", "grad_W2", "grad_b2")
    n, d_out = y.shape

    def judge(got):
        want = autograd_vjp(lambda *p: mean_squared_loss(X, y, *p), tuple(params))
        if isinstance(got, (tuple, list)) and len(got) == 4 and all(isinstance(g, torch.Tensor) for g in got):
            same_shapes = all(g.shape == w.shape for g, w in zip(got, want))
            for k, (g, w, p) in enumerate(zip(got, want, params)):
                if k % 2 == 1 and g.dim() == 2 and g.shape[1:] == p.shape:
                    raise AssertionError(
                        f"{names[k]} has shape {tuple(g.shape)}, one row per example, but it must have the shape of "
                        f"{('b1', 'b2')[k // 2]}, {tuple(p.shape)}: the bias was broadcast over the N rows in the "
                        "forward pass, so its gradient is the sum of the rows (.sum(dim=0)).")
            if same_shapes and d_out > 1 and all(compare(g, d_out * w).passed for g, w in zip(got, want)):
                raise AssertionError(
                    f"All four gradients are D_out = {d_out} times too large: you divided by N = {n}, but "
                    f".mean() averages over all N * D_out = {n * d_out} elements of y_pred - y, so "
                    "grad_y_pred = 2 * (y_pred - y) / (N * D_out).")
            if same_shapes and n * d_out > 1 and all(compare(g, n * d_out * w).passed for g, w in zip(got, want)):
                raise AssertionError(
                    f"All four gradients are N * D_out = {n * d_out} times too large: that is the gradient of the "
                    ".sum() loss. The loss here is a .mean() over the N * D_out elements: grad_y_pred = "
                    "2 * (y_pred - y) / (N * D_out).")
            ok = [compare(g, w).passed for g, w in zip(got, want)] if same_shapes else [False] * 4
            for k in (1, 3):
                if n > 1 and same_shapes and not ok[k] and ok[k - 1] and compare(got[k], want[k] / n).passed:
                    also = (" (With N = 2 that is also half the right answer; but the 2 of the square is in your "
                            f"{names[k - 1]}, which is right, so the mean is the likelier cause.)") if n == 2 else ""
                    raise AssertionError(
                        f"{names[k]} is 1/N = 1/{n} of the right answer: you averaged over the N = {n} rows. The "
                        f"bias {('b1', 'b2')[k // 2]} was added to every one of the N rows, so each row's gradient "
                        "reaches it and they add up: its gradient is the SUM over the rows (.sum(dim=0)), not "
                        "their mean (the 1/(N * D_out) of the loss's mean is already in the gradient you sum)."
                        + also)
            if ok[2] and ok[3] and not (ok[0] and ok[1]):
                relu_grads = autograd_vjp(lambda *p: mean_squared_loss(X, y, *p, relu=torch.relu), tuple(params))
                if compare(got[0], relu_grads[0]).passed and compare(got[1], relu_grads[1]).passed:
                    raise AssertionError(
                        "grad_W1 and grad_b1 are right except where a pre-activation h = X @ W1 + b1 is exactly 0: "
                        "there clamp(min=0) passes the gradient, but yours blocks it (torch.relu's choice). "
                        "The network uses clamp(min=0): the mask is h >= 0.")
        assert_close(got, want, names, causes=[SIGN_FLIPPED, SQUARE_TWO_MISSING],
                     factors={"the batch size N": n, "N * D_out": n * d_out})
        if fd:  # a second, independent witness for W1 and b1: central finite differences
            assert_close_to_finite_differences(got[0], lambda v: mean_squared_loss(X, y, v, *params[1:]), params[0],
                                               "grad_W1 (against finite differences)", causes=[])
            assert_close_to_finite_differences(
                got[1], lambda v: mean_squared_loss(X, y, params[0], v, *params[2:]), params[1],
                "grad_b1 (against finite differences)", causes=[])
    shapes = ", ".join(f"{name[5:]} {tuple(p.shape)}" for name, p in zip(names, params))
    return Trial((X, y, *params), judge, case=case or f"for X of shape {tuple(X.shape)}, {shapes}")


def _bias_grads_visible():
    # The small example of exercise 1 (N = 3) with biases b1 = [0.5, 1, 0.5, 0.5] and b2 = [1, -1]: h = X @ W1 + b1
    # is exactly 0 in unit 2 of every row; then a batch of one in float64.
    X1, W1_1, W2_1 = _batch_of_one()
    return [_bias_grads_trial(_tensor(_X_SMALL), _tensor(_Y_SMALL),
                              [_tensor(_W1_SMALL), _tensor([0.5, 1.0, 0.5, 0.5]), _tensor(_W2_SMALL),
                               _tensor([1.0, -1.0])],
                              case="for the small example (N = 3, D_out = 2), whose h = X @ W1 + b1 is exactly 0 "
                                   "in unit 2 of every row"),
            _bias_grads_trial(X1, torch.tensor([[1.0, -1.0]], dtype=torch.float64),
                              [W1_1, torch.tensor([0.25, -0.25, 0.5, 1.0], dtype=torch.float64),
                               W2_1, torch.tensor([0.5, -0.5], dtype=torch.float64)])]


def _bias_grads_hidden(seed):
    gens = generators(seed, 9)
    trials = []
    for trial, gen in enumerate(gens[:7]):
        n, d_in, h, d_out = random_sizes(gen, trial, 1, 7, unequal={1: (6, 4, 3), 2: (3, 5, 7)})
        X, W1, b1 = first_layer(gen, n, d_in, h, bias=True)
        params = [W1, b1, random_tensor((h, d_out), gen, away_from_zero=0.1), random_tensor((d_out,), gen)]
        y = random_tensor((n, d_out), gen, low=-3.0, high=3.0)
        trials.append(_bias_grads_trial(X, y, params, fd=trial < 2))
    # Pre-activations exactly at the kink: integers, so X @ W1 + b1 hits 0 exactly.
    for (n, d_in, h, d_out), gen in zip([(4, 3, 5, 2), (1, 4, 6, 3)], gens[7:]):
        X, W1, b1 = first_layer(gen, n, d_in, h, at_kink=True, bias=True)
        params = [W1, b1, random_tensor((h, d_out), gen, away_from_zero=0.1), random_tensor((d_out,), gen)]
        y = random_tensor((n, d_out), gen, low=-3.0, high=3.0)
        zeros = int(((X @ W1 + b1) == 0).sum())
        trials.append(_bias_grads_trial(X, y, params, case=f"for X @ W1 + b1 with {zeros} pre-activations exactly 0"))
    return trials


TWO_LAYER_BIAS_GRADS = Exercise("two_layer_bias_grads_tests", "two_layer_bias_grads", by_hand=True,
                                visible=_bias_grads_visible, hidden=_bias_grads_hidden)

EXERCISES = [TWO_LAYER_FORWARD, TWO_LAYER_GRADS, TWO_LAYER_BIAS_GRADS, TRAIN_TWO_LAYER]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "two_layer_forward_tests": """\
N=3 examples, D_in=3, H=4, D_out=2. Hidden pre-activations h = X @ W1 = [[1, -1, -3, 6], [3, -1, 5, -4], [0, -1, -1, 3]];
the ReLU keeps [[1, 0, 0, 6], [3, 0, 5, 0], [0, 0, 0, 3]]; times W2 the predictions are [[4, 5], [-2, 2], [1.5, 3]],
compared with the network written in torch. Row 3 has h exactly 0 in unit 1: autograd's gradient of W1 through
your function (weighted by v = [[1, 0], [0, 1], [1, -1]]) must be clamp(min=0)'s, which passes the gradient at 0.
Then a batch of one in float64: X = [[1, 2, -1]], h = [[0.5, -1.5, 3, -2]], the predictions [[2, -2]].
Only the hidden trials: random sizes (a batch of one among them) and values, and integer inputs with
pre-activations exactly 0.""",
    "two_layer_grads_tests": """\
The small example of exercise 1 (N = 3) with targets y = [[1, 0], [0, 1], [1, 1]], by hand against autograd.
Its h = X @ W1 is exactly 0 in row 3, unit 1, where the gradient reaching h is -3: clamp passes it, a mask
that blocks it at 0 gives another grad_W1. Then a batch of one in float64: X = [[1, 2, -1]], y = [[1, -1]].
Only the hidden trials: random sizes, also against finite differences, and pre-activations exactly 0,
where the mask decides.""",
    "two_layer_bias_grads_tests": """\
The small example of exercise 1 (N = 3, D_out = 2) with b1 = [0.5, 1, 0.5, 0.5], b2 = [1, -1] and targets
[[1, 0], [0, 1], [1, 1]], by hand against autograd: h = X @ W1 + b1 is exactly 0 in unit 2 of every row,
where the mask decides. Then a batch of one in float64: X = [[1, 2, -1]],
b1 = [0.25, -0.25, 0.5, 1], b2 = [0.5, -0.5], y = [[1, -1]].
Only the hidden trials: random sizes, also against finite differences, and pre-activations
X @ W1 + b1 exactly 0.""",
    "train_two_layer_tests": """\
A small network (N=4, D_in=5, H=3, D_out=2), 10 steps of lr 0.001 from seeded weights, in float64:
the losses must equal those of the same loop with autograd and torch.optim.SGD, W1, W2 must
hold the trained weights, and their version counters (W1._version) must have moved at every step, as an
update under torch.no_grad() moves them and one through .data does not. Then a batch of one (N=1, D_in=3, H=4, D_out=2), 3 steps of lr 0.01.
Only the hidden trials: random sizes and 5 to 15 steps, with a learning rate the loss falls with.""",
}
