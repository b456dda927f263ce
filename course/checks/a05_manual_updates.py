"""05_manual_updates: the checks of weight updates written by hand.

The reference of every update is `torch.optim.SGD` (with momentum where the
exercise has it), run step by step in the process that judges. An in-place
update is not a pure function, so its adapter rebuilds the params in the
learner's kernel, gives them each step's gradient through a real
`backward()`, calls the learner's step and reports, after each step, the
values and the state an update must leave: the same objects, leaves that
still require grad, gradients cleared, grad mode as before. The grader
compares that record with torch's run.

update_learning_rate's reference is torch's own scheduler,
`torch.optim.lr_scheduler.ExponentialLR`, stepped `iteration` times after
its optimizer, and read with `get_last_lr()`.
"""
import math

import torch

from course.kernel.adapters import snapshot
from .core.compare import SIGN_FLIPPED, assert_close, compare
from .core.exercise import Exercise, Trial
from .core.layouts import described_all, reversed_memory, transposed
from .core.replies import fields, identical, tensors_or_none
from .core.reference import generators, random_shape, random_tensor


# ---- the kernel's side: run the learner's steps, record what they leave ---------


# ---- the grader's side: torch.optim.SGD's run, and the judge of each step ---------

def sgd_run(start, loss_of, lrs, momentum=0.0):
    """torch.optim.SGD on loss_of(params, t), one step per learning rate: per step the gradients
    before it, the params after it and the momentum buffers (None where torch keeps none)."""
    params = [v.clone().requires_grad_(True) for v in start]
    optimizer = torch.optim.SGD(params, lr=lrs[0], momentum=momentum)
    run = {"grads": [], "params": [], "buffers": []}
    with torch.enable_grad():
        for t, lr in enumerate(lrs, start=1):
            loss_of(params, t).backward()
            run["grads"].append([snapshot(p.grad) if p.grad is not None else None for p in params])
            optimizer.param_groups[0]["lr"] = lr
            optimizer.step()
            optimizer.zero_grad()
            run["params"].append([snapshot(p) for p in params])
            run["buffers"].append([snapshot(optimizer.state[p].get("momentum_buffer")) for p in params])
    return run


def _judge_call(record, function, grad_mode, update):
    """What the step raised, the grad mode it left, and whether params holds the same tensors."""
    if not isinstance(record, dict):
        raise AssertionError("the notebook's answer to this step could not be read.")
    if "raised" in record:
        raised = str(record["raised"])
        if "NoneType" in raised:
            raised += ("\nHint: something your function used is None, most likely a .grad. After "
                       "`p = p - lr * p.grad` the name p points to a new tensor that is not a leaf, and "
                       "its .grad is None: update the tensor in place instead (p -= lr * p.grad). A param "
                       "that took no part in the loss also has .grad None: skip it.")
        raise AssertionError(raised)
    grad_mode_after, same_params = fields(record, grad_mode_after=bool, same_params=bool)
    if grad_mode_after != grad_mode:
        raise AssertionError(
            f"grad mode was {'on' if grad_mode else 'off'} before {function} and "
            f"{'on' if grad_mode_after else 'off'} after it. Use `with torch.no_grad():`, which turns "
            "recording off only inside the block, rather than torch.set_grad_enabled(False).")
    if "velocities" in record and not fields(record, same_velocities=bool):
        raise AssertionError("the list velocities holds other tensors than before. Update each "
                             "velocity in place (v.mul_(momentum).add_(g)) instead of replacing it.")
    if not same_params:
        raise AssertionError(
            f"the list params holds other tensors after the step than before. Update each tensor "
            f"in place ({update}) instead of putting a new one in the list: a model or optimizer "
            "holding the old tensors would never see the new values.")


def _param_states(record, count):
    states = fields(record, params=list)
    if len(states) != count or not all(isinstance(s, dict) and isinstance(s.get("value"), torch.Tensor)
                                       for s in states):
        raise AssertionError("the notebook's answer to this step could not be read (the params).")
    return states


def _judge_leaf(state, name):
    if state.get("grad_fn") is not None or state.get("is_leaf") is not True:
        raise AssertionError(
            f"{name} is no longer a leaf: it has grad_fn {state.get('grad_fn')}, so the update was "
            "recorded by autograd. Do it inside `with torch.no_grad():`.")
    if state.get("requires_grad") is not True:
        raise AssertionError(f"{name} no longer requires grad: the next backward() would not "
                             "reach it. Update the tensor in place; do not replace or detach it.")


def _version_changes(record, count):
    changes = fields(record, version_changes=list)
    if len(changes) != count or not all(type(c) is int for c in changes):
        raise AssertionError("the notebook's answer to this step could not be read (the version counters).")
    return changes


def _judge_seen_by_autograd(state, old, change, name, update):
    """A param whose values changed while its version counter stood still was changed behind autograd."""
    new = state["value"]
    if change == 0 and not identical(new, old):
        raise AssertionError(
            f"{name} changed, but its version counter ({name}._version) did not move: the update went "
            "around autograd, through .data (as in p.data -= ...) or another way autograd cannot see, such "
            "as NumPy. A backward() still pending on the old values would then compute a silently wrong "
            "gradient (section 2.4). Change the tensor itself, inside `with torch.no_grad():` "
            f"({update}): the version counter records that.")


def _judge_cleared(state, name):
    grad = state.get("grad")
    if isinstance(grad, torch.Tensor) and bool(grad.abs().max() > 0):
        raise AssertionError(
            f"{name}.grad still holds the gradient after the step: it was not cleared. The next "
            "backward() would add to it (notebook 04), and the next step would use the sum of "
            "all gradients so far: steps that grow. Clear it: p.grad.zero_() or p.grad = None.")


def _steps_judge(run, start, lrs, grad_mode, momentum, step_label, judge_param):
    """Judge a record of steps against torch's `run`.

    judge_param(i, state, old, t, record, previous, name) judges params[i] after step t: its
    state, its value before the step (`old`), the step's record and the one before (None at t = 1).
    """
    function = "sgd_step_" if momentum is None else "momentum_step_"
    update = "p -= lr * p.grad" if momentum is None else "p -= lr * v"

    def judge(records):
        if not isinstance(records, list) or not records:
            raise AssertionError("the notebook's answer to this trial could not be read.")
        values = list(start)
        for t, lr in enumerate(lrs, start=1):
            label = step_label(t, lr)
            prefix = f"{label}: " if label else ""
            if t > len(records):
                raise AssertionError(f"{prefix}the notebook stopped recording before this step.")
            try:
                _judge_call(records[t - 1], function, grad_mode, update)
                states = _param_states(records[t - 1], len(start))
                changes = _version_changes(records[t - 1], len(start))
                for i, state in enumerate(states):
                    name = f"params[{i}]"
                    _judge_leaf(state, name)
                    _judge_seen_by_autograd(state, values[i], changes[i], name, update)
                    judge_param(i, state, values[i], t, records[t - 1], records[t - 2] if t > 1 else None, name)
                    _judge_cleared(state, name)
            except AssertionError as error:
                raise AssertionError(f"{prefix}{error}") from None
            values = [s["value"] for s in states]
    return judge


# ---- sgd_step_ -------------------------------------------------------------

def _sgd_trial(start, loss_of, lr, steps, case, grad_mode=True):
    """`steps` calls of sgd_step_(params, lr) next to torch.optim.SGD(params, lr) on loss_of."""
    run = sgd_run(start, loss_of, [lr] * steps)

    def judge_param(i, state, old, t, record, previous, name):
        g, new = run["grads"][t - 1][i], state["value"]
        if g is None:
            if not identical(new, old):
                raise AssertionError(f"{name} had .grad None, so it must be left unchanged "
                                     "(torch.optim.SGD skips such a param), but it changed.")
            return
        if identical(new, old):
            raise AssertionError(
                f"{name} did not change. `p = p - lr * p.grad` only makes a new tensor and points "
                "the name p at it; the tensor in params is untouched. Change the tensor itself, "
                "in place: p -= lr * p.grad (under torch.no_grad()).")
        assert_close(new - old, -lr * g, f"{name}: its change (new value - old value)", causes=[SIGN_FLIPPED])
        assert_close(new, run["params"][t - 1][i], f"{name} after the step, against torch.optim.SGD",
                     causes=[SIGN_FLIPPED])

    step_label = (lambda t, lr: f"step {t}") if steps > 1 else (lambda t, lr: "")
    judge = _steps_judge(run, start, [lr] * steps, grad_mode, None, step_label, judge_param)
    return Trial((start, run["grads"], [lr] * steps, None, grad_mode), judge, case=case)


def half_square_of(used):
    """(p ** 2).sum() / 2 summed over the params at positions `used`: the seeds' toy loss."""
    return lambda ps, t: sum((ps[i] ** 2).sum() / 2 for i in used)


def regression_loss(X, y):
    return lambda ps, t: ((X @ ps[0] + ps[1] - y) ** 2).mean()


def tanh_quadratic(coefficients):
    """A loss that changes from step to step: per param c * tanh(p) + d * p ** 2 / 2, (c, d) of step t."""
    return lambda ps, t: sum((c * torch.tanh(p)).sum() + 0.5 * (d * p ** 2).sum()
                             for p, (c, d) in zip(ps, coefficients[t]))


_X = torch.tensor([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5]])
_Y = torch.tensor([[1.0], [0.0], [2.0]])
_W_AND_B = [torch.tensor([[0.3], [-0.2]]), torch.tensor([0.1])]


def _sgd_visible():
    return [
        # One step on the seeds' loss (w ** 2).sum() / 2, whose gradient is w: w becomes 0.9 * w.
        _sgd_trial([torch.tensor([1.0, -2.0, 0.5])], half_square_of([0]), 0.1, 1,
                   "one step from w = [1, -2, 0.5] with lr = 0.1"),
        # A weight matrix and a bias, three steps of a small regression loss.
        _sgd_trial(_W_AND_B, regression_loss(_X, _Y), 0.1, 3, "W and b of a regression"),
        # A param that took no part in the loss keeps .grad None: it is skipped, the other still steps.
        _sgd_trial([torch.tensor([5.0]), torch.tensor([2.0, -1.0])], half_square_of([1]), 0.5, 1,
                   "params [unused, used] (unused.grad is None)"),
        # float64 params of a batch of one, two steps, called with grad mode off (as under no_grad)
        _sgd_trial([torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64)], half_square_of([0]), 0.1, 2,
                   "float64 w of shape (1, 3), called with grad mode off", grad_mode=False),
    ]


def _sgd_hidden(seed):
    gens = generators(seed, 9)
    trials = []
    for trial, gen in enumerate(gens[:8]):
        count = 1 + trial % 3
        shapes = [random_shape(gen, 1, 3, 1, 4) for _ in range(count)]
        if trial == 0:
            shapes = [(1, 3), (4,), (2, 1)]                    # a batch of 1, unequal dims
        dtype = torch.float32 if trial == 7 else torch.float64
        start = [random_tensor(s, gen, away_from_zero=0.3).to(dtype) for s in shapes]
        coefficients = [[(random_tensor(s, gen).to(dtype), random_tensor(s, gen, 0.5, 2.0).to(dtype))
                         for s in shapes] for _ in range(4)]
        lr = float(0.02 + 0.4 * torch.rand(1, generator=gen))
        trials.append(_sgd_trial(start, tanh_quadratic(coefficients), lr, 3,
                                 f"hidden trial {trial} ({len(shapes)} params, lr={lr:.3g})",
                                 grad_mode=trial != 5))       # trial 5: called with grad mode off
    # a param without a gradient in the middle of the list
    start = [random_tensor((3, 2), gens[8], away_from_zero=0.3) for _ in range(3)]
    trials.append(_sgd_trial(start, lambda ps, t: (ps[0] * ps[2]).sum() + (ps[2] ** 2).sum(), 0.3, 1,
                             "hidden: params [a, b, c] with b.grad None"))
    # params that are not contiguous, as a transposed weight is (their .grad takes their layout)
    start = _not_contiguous_params(gens[8])
    coefficients = [[(random_tensor(p.shape, gens[8]), random_tensor(p.shape, gens[8], 0.5, 2.0)) for p in start]
                    for _ in range(3)]
    trials.append(_sgd_trial(start, tanh_quadratic(coefficients), 0.2, 2,
                             "hidden: " + described_all(**{f"params[{i}]": p for i, p in enumerate(start)})))
    return trials


def _not_contiguous_params(gen):
    """A weight stored transposed, a 3-D param with its dimensions stored in reverse order, and a bias."""
    return [transposed(random_tensor((3, 4), gen, away_from_zero=0.3)),
            reversed_memory(random_tensor((2, 3, 4), gen, away_from_zero=0.3)),
            random_tensor((4,), gen, away_from_zero=0.3)]


SGD_STEP = Exercise("sgd_step__tests", "sgd_step_", adapter="in_place_steps",
                    visible=_sgd_visible, hidden=_sgd_hidden)


# ---- momentum_step_ ----------------------------------------------------------

def _momentum_trial(start, loss_of, lrs, momentum, case):
    """One call of momentum_step_ per learning rate in `lrs`, next to torch.optim.SGD(momentum=...)."""
    run = sgd_run(start, loss_of, lrs, momentum)

    def judge_param(i, state, old, t, record, previous, name):
        velocities = tensors_or_none(record.get("velocities"), len(start), "the velocities")
        v, g, lr = velocities[i], run["grads"][t - 1][i], lrs[t - 1]
        expected_v = run["buffers"][t - 1][i] if momentum else g
        old_v = torch.zeros_like(g) if previous is None else previous["velocities"][i]
        if isinstance(v, torch.Tensor) and identical(v, old_v):
            raise AssertionError(
                f"velocities[{i}] did not change. `v = momentum * v + g` makes a new tensor "
                "and points the local name v at it; the tensor in the caller's list keeps its old "
                "values, so the next step starts again from zero. Update it in place: "
                "v.mul_(momentum).add_(g).")
        if lr != 1 and compare(v, lr * expected_v).passed:
            raise AssertionError(
                f"velocities[{i}] is lr times torch's momentum_buffer: you put the learning "
                "rate inside the velocity (v = momentum * v + lr * g; p -= v). That convention moves p "
                "the same way only while lr stays fixed. torch keeps lr out of the velocity: "
                "v = momentum * v + g, then p -= lr * v.")
        if t == 1 and momentum and compare(v, (1 - momentum) * g).passed:
            raise AssertionError(
                f"after the first step, velocities[{i}] is (1 - momentum) times the gradient: "
                "that is the dampened, moving-average convention v = momentum * v + (1 - momentum) * g. "
                "torch.optim.SGD (dampening=0) adds the whole gradient: v = momentum * v + g, so its "
                "first velocity is the gradient itself.")
        assert_close(v, expected_v, f"velocities[{i}], against torch's momentum_buffer", causes=[])
        assert_close(state["value"], run["params"][t - 1][i], f"{name}, against torch.optim.SGD",
                     causes=[SIGN_FLIPPED])

    step_label = lambda t, lr: f"step {t} (lr={lr:g}, momentum={momentum:g})"  # noqa: E731
    judge = _steps_judge(run, start, lrs, True, momentum, step_label, judge_param)
    return Trial((start, run["grads"], lrs, momentum, True), judge, case=case)


def _momentum_visible():
    return [
        # The example above: p = [1, -2] on (p ** 2).sum() / 2, lr = 0.2, momentum = 0.9, three steps.
        _momentum_trial([torch.tensor([1.0, -2.0])], half_square_of([0]), [0.2] * 3, 0.9, "p = [1, -2]"),
        # W and b of a small regression, four steps with momentum 0.5, then momentum 0 (plain SGD).
        *(_momentum_trial(_W_AND_B, regression_loss(_X, _Y), [0.1] * 4, mu, "W and b") for mu in (0.5, 0.0)),
        # float64, a batch of one, and a learning rate that changes at every step (a schedule)
        _momentum_trial([torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64)], half_square_of([0]),
                        [0.2, 0.1, 0.05], 0.9, "float64 p of shape (1, 3), lr 0.2, 0.1, 0.05"),
    ]


def _momentum_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        momentum = (0.0, 0.5, 0.9, 0.99)[trial % 4]
        count = 1 + trial % 3
        shapes = [random_shape(gen, 1, 3, 1, 4) for _ in range(count)]
        if trial == 1:
            shapes = [(1, 4), (3,)]                           # a batch of 1, unequal dims
        start = [random_tensor(s, gen, away_from_zero=0.3) for s in shapes]
        coefficients = [[(random_tensor(s, gen), random_tensor(s, gen, 0.5, 2.0)) for s in shapes]
                        for _ in range(6)]
        base = float(0.02 + 0.2 * torch.rand(1, generator=gen))
        # trials 4 to 7 change the learning rate at every step, as a schedule would
        lrs = [base * (0.7 ** k if trial >= 4 else 1.0) for k in range(5)]
        trials.append(_momentum_trial(start, tanh_quadratic(coefficients), lrs, momentum,
                                      f"hidden trial {trial} ({count} params)"))
    gen = generators(seed + 1, 1)[0]
    start = _not_contiguous_params(gen)
    coefficients = [[(random_tensor(p.shape, gen), random_tensor(p.shape, gen, 0.5, 2.0)) for p in start]
                    for _ in range(4)]
    trials.append(_momentum_trial(start, tanh_quadratic(coefficients), [0.1, 0.1, 0.05], 0.9,
                                  "hidden: " + described_all(**{f"params[{i}]": p for i, p in enumerate(start)})))
    return trials


MOMENTUM_STEP = Exercise("momentum_step__tests", "momentum_step_", adapter="in_place_steps",
                         visible=_momentum_visible, hidden=_momentum_hidden)


# ---- weights_after_steps -------------------------------------------------------

def descent_path(w0, lr, steps):
    """w after 0, 1, ..., `steps` steps of torch.optim.SGD on (w ** 2).sum() / 2, from w0."""
    return [w0.detach().clone()] + [params[0] for params in sgd_run([w0], half_square_of([0]), [lr] * steps)["params"]]


def _weights_trial(w0, lr, k):
    label = f"weights_after_steps(w0, lr={lr:g}, k={k})"

    def judge(got):
        path = descent_path(w0, lr, k + 1)
        want = path[k]
        right = compare(got, want).passed
        for other in (k - 1, k + 1):
            if not right and other >= 0 and compare(got, path[other]).passed:
                raise AssertionError(f"{label}: your result is w after {other} step{'s' * (other != 1)}, "
                                     f"not {k}: an off-by-one in the number of steps (w0 is the weight "
                                     "before any step, w_1 after one).")
        if k == 0 and not right and isinstance(got, torch.Tensor) and got.shape == w0.shape:
            raise AssertionError(f"{label}: with k = 0 no step is taken, so the result must be w0 itself "
                                 "(check your formula at k = 0).")
        if not right and k > 1 and compare(got, (1 - lr * k) * w0).passed:
            raise AssertionError(
                f"{label}: your result is w0 * (1 - lr * k), as if each of the k steps subtracted the "
                "same lr * w0. Each step subtracts lr times the *current* w, which changes from step to "
                "step: the steps compound (multiply), they do not add up.")
        assert_close(got, want, label, causes=[])
    layout = described_all(w0=w0)
    return Trial((w0, lr, k), judge, case=f"for {layout}" if layout else "")


def _weights_visible():
    w0 = torch.tensor([1.0, -2.0, 0.5])
    # no step: w0; one step: 0.9 * w0, as in section 1; five steps; lr above 1
    return [_weights_trial(w0, lr, k) for lr, k in [(0.1, 0), (0.1, 1), (0.1, 5), (1.5, 3)]] + [
        # float64, a batch of one, 200 steps
        _weights_trial(torch.tensor([[1.0, -2.0, 0.5, 3.0]], dtype=torch.float64), 0.02, 200)]


def _weights_hidden(seed):
    # k = 0 and 1, many steps, lr exactly 1 (the minimum in one step) and 2 (w0 and -w0 forever), above 2
    cases = [(0.3, 0), (0.05, 1), (0.2, 7), (0.001, 1000), (1.0, 4), (1.7, 9), (2.0, 6), (2.3, 40)]
    gens = generators(seed, len(cases) + 1)
    trials = [_weights_trial(random_tensor([(1, 4), (3, 2), (5,), (2, 1, 3)][trial % 4], gen,
                                           away_from_zero=0.2), lr, k)
              for trial, ((lr, k), gen) in enumerate(zip(cases, gens))]
    gen = gens[-1]
    trials.append(_weights_trial(random_tensor((2, 3), gen, away_from_zero=0.2).to(torch.float32), 0.4, 6))
    lr_random = float(0.1 + 2.2 * torch.rand(1, generator=gen))
    trials.append(_weights_trial(random_tensor((4,), gen, away_from_zero=0.2), lr_random, 11))
    # w0 stored transposed
    trials.append(_weights_trial(transposed(random_tensor((3, 4), gen, away_from_zero=0.2)), 0.3, 5))
    return trials


WEIGHTS_AFTER_STEPS = Exercise("weights_after_steps_tests", "weights_after_steps", by_hand=True,
                               visible=_weights_visible, hidden=_weights_hidden)

# ---- update_learning_rate ----------------------------------------------------------

def exponential_lr_schedule(lr0, gamma, iterations):
    """The learning rates ExponentialLR(gamma) gives at iterations 0, 1, ..., `iterations` (get_last_lr())."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(iterations):
        optimizer.step()       # the order torch expects: the optimizer's step, then the scheduler's
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def _lr_close(got, want):
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-300)


def _lr_trial(iteration, lr0, gamma):
    label = f"update_learning_rate({iteration}, lr0={lr0:g}, gamma={gamma:g})"

    def judge(got):
        if isinstance(got, torch.Tensor):
            raise AssertionError(f"{label} returned a tensor; a learning rate is a Python float "
                                 "(what optimizer.param_groups holds and get_last_lr() returns): "
                                 "compute it with Python numbers, or convert with float(...).")
        if not isinstance(got, (float, int)) or isinstance(got, bool):
            raise AssertionError(f"{label} must return a float, not {type(got).__name__}.")
        lrs = exponential_lr_schedule(lr0, gamma, iteration + 1)
        want = lrs[iteration]
        if _lr_close(got, want):
            return
        if gamma != 1:
            if _lr_close(got, lrs[iteration + 1]):
                raise AssertionError(f"{label} is {got:.6g}, the learning rate one iteration later: at iteration 0 "
                                     "the scheduler has not stepped yet, so the learning rate is still lr0.")
            if iteration > 0 and _lr_close(got, lrs[iteration - 1]):
                raise AssertionError(f"{label} is {got:.6g}, the learning rate one iteration earlier: "
                                     "an off-by-one in the number of decays.")
            if iteration > 1 and _lr_close(got, lr0 * (1 - (1 - gamma) * iteration)):
                raise AssertionError(f"{label} is {got:.6g}: each iteration took the same amount off lr0. "
                                     "ExponentialLR multiplies the current learning rate by gamma at each "
                                     "step: the decays compound, they do not add up.")
        raise AssertionError(f"{label} is {got:.8g}, but ExponentialLR(gamma={gamma:g}) gives {want:.8g} "
                             f"(get_last_lr() after {iteration} scheduler step{'s' * (iteration != 1)}).")
    return Trial((iteration, lr0, gamma), judge)


def _lr_visible():
    # lr0 = 0.1, gamma = 0.9 at iterations 0, 1 and 10; and 300 iterations of gamma = 0.99
    return [_lr_trial(k, 0.1, 0.9) for k in (0, 1, 10)] + [_lr_trial(300, 0.05, 0.99), _lr_trial(5, 0.1, 1.0)]


def _lr_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        lr0 = float(10 ** (-3 + 3 * torch.rand((), generator=gen, dtype=torch.float64)))
        gamma = 1.0 if trial == 7 else float(0.5 + 0.499 * torch.rand((), generator=gen, dtype=torch.float64))
        iteration = [0, 1, 2, 500][trial] if trial < 4 else int(torch.randint(3, 200, (), generator=gen))
        trials.append(_lr_trial(iteration, lr0, gamma))
    return trials


UPDATE_LEARNING_RATE = Exercise("update_learning_rate_tests", "update_learning_rate",
                                visible=_lr_visible, hidden=_lr_hidden)

EXERCISES = [SGD_STEP, MOMENTUM_STEP, WEIGHTS_AFTER_STEPS, UPDATE_LEARNING_RATE]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "sgd_step__tests": """\
One step from w = [1, -2, 0.5] on (w ** 2).sum() / 2 with lr = 0.1; three steps of W and b on a
small regression loss; params [unused, used] where unused.grad is None. Called with grad mode on,
like a training loop; after each step: same objects, still leaves, the change -lr * grad made
where autograd sees it (each param's version counter moved: not through .data), gradients
cleared, grad mode as before, and the params against torch.optim.SGD.
Also a float64 w of shape (1, 3), two steps, called with grad mode off.""",
    "momentum_step__tests": """\
p = [1, -2] on (p ** 2).sum() / 2, lr = 0.2, momentum = 0.9, three steps; W and b of a small
regression, four steps with momentum 0.5, then 0. After each step the velocities against torch's
momentum_buffer, the params against torch.optim.SGD(momentum=...), and the state an in-place
update must leave (same objects, leaves, version counters moved, gradients cleared, grad mode).
Also a float64 p of shape (1, 3), momentum 0.9, with lr 0.2, 0.1, 0.05 (changing every step).""",
    "weights_after_steps_tests": """\
w0 = [1, -2, 0.5] with lr = 0.1 and k = 0, 1, 5, and lr = 1.5 with k = 3, compared with k real
steps of torch.optim.SGD (called by hand: autograd is switched off inside).
Also a float64 w0 of shape (1, 4) (a batch of one), lr = 0.02, k = 200.""",
    "update_learning_rate_tests": """\
lr0 = 0.1, gamma = 0.9 at iterations 0, 1 and 10, and lr0 = 0.05, gamma = 0.99 after 300 iterations,
each compared with get_last_lr() of a real torch.optim.lr_scheduler.ExponentialLR; the result is a float.
Also gamma = 1 (a constant learning rate).""",
}
