"""How the kernel runs one trial of each exercise: the adapters, by name, in one explicit table.

An adapter turns one trial (its arguments and keyword arguments, decoded
from plain data) into calls of the learner's function, and returns what
the grader needs as plain data: a value, or a record of what the function
did (its results, the state it left, what it raised). Nothing here judges:
the records are read by the grader (course.checks), which trusts none of
them. `call` suits every pure function; the others build what an exercise
that is not one needs (seeded generators, leaves holding gradients, a
training run, the learner's class run inside torch's graph).
"""
from functools import lru_cache
import gc
import itertools
import weakref

import torch

from course.data import load_digits

_grad = torch.autograd.grad  # held from import, before any learner code runs

from .calling import LearnerError, call, call_by_hand, reporting
from .values import number


def call_function(target, args, kwargs, by_hand, name):
    return (call_by_hand if by_hand else call)(target, *args, name=name, **kwargs)



# ---- 01_randn: calls with seeded generators ----------------------------------------------------------

def _described(out):
    """What the checks need of one returned value: the tensor's values and its place in a graph."""
    if not isinstance(out, torch.Tensor):
        return {"value": out}
    grad = None
    if out.requires_grad:
        (2 * out).sum().backward()  # does backward() reach it? d/dw of sum(2 * w) is 2 everywhere
        grad = out.grad
    return {"value": out.detach(), "is_leaf": out.is_leaf, "requires_grad": out.requires_grad,
            "grad_fn": None if out.grad_fn is None else type(out.grad_fn).__name__,
            "grad": None if grad is None else grad.detach()}


def draw(target, args, kwargs, by_hand, name):
    """Call target(*args, **kwargs) as the trial's `generator` entry says; a list of _described results.

    generator {"seed": s}: twice, each time with a fresh torch.Generator().manual_seed(s);
    {"global_seed": s}: once, with torch's global generator seeded by torch.manual_seed(s);
    no entry: once, without a generator.
    """
    kwargs = dict(kwargs)
    seeding = kwargs.pop("generator", None) or {}
    if "seed" in seeding:
        return [_described(target(*args, generator=torch.Generator().manual_seed(seeding["seed"]), **kwargs))
                for _ in range(2)]
    if "global_seed" in seeding:
        torch.manual_seed(seeding["global_seed"])
    return [_described(target(*args, **kwargs))]


# ---- 01_randn and 02_requires_grad: the learner's predictions ----------------------------------------

def read_predictions(target, args, kwargs, by_hand, name):
    """The learner's dict itself (the target), as {key: (value, repr of value)}; the repr is for messages."""
    if type(target) is not dict:
        raise AssertionError(f"{name} must be a dict, but it is a {type(target).__name__}.")
    return {key: (value, repr(value)[:80]) for key, value in target.items() if type(key) is str}


# ---- 04_grad_accumulation: microbatch_grads, with a recording loss_fn --------------------------------

def linear_loss(params, X_b, y_b):
    w, b = params
    return ((X_b @ w + b - y_b) ** 2).mean()


def tanh_net_loss(params, X_b, y_b):
    W1, b1, W2 = params
    return ((torch.tanh(X_b @ W1 + b1) @ W2 - y_b) ** 2).mean()


MODEL_LOSSES = {"linear": linear_loss, "tanh_net": tanh_net_loss}


def _recording_loss_fn(loss_of, params):
    """A loss_fn for the learner that logs the batch sizes, graphs alive at once and its losses."""
    log = {"sizes": [], "done": [], "graphs_at_once": 1, "losses": []}

    def loss_fn(X_batch, y_batch):
        if not all(log["done"]):
            log["graphs_at_once"] = max(log["graphs_at_once"], log["done"].count(False) + 1)
        loss = loss_of(params, X_batch, y_batch)
        log["sizes"].append(int(X_batch.shape[0]))
        log["done"].append(not loss.requires_grad)
        if loss.requires_grad:
            def mark_done(grad, index=len(log["done"]) - 1):
                log["done"][index] = True      # this micro-batch's gradient has been computed
            loss.register_hook(mark_done)
        log["losses"].append(weakref.ref(loss))
        return loss
    return loss_fn, log


def run_microbatch(target, args, kwargs, by_hand, name):
    """Kernel side: build the model's params (with their stale .grad) and a recording loss_fn, call
    the learner's function, and report its result, the log and the state it leaves."""
    model, values, X, y, size, stale = args
    params = [v.clone().requires_grad_(True) for v in values]
    for p, s in zip(params, stale):
        p.grad = None if s is None else s.clone()
    loss_fn, log = _recording_loss_fn(MODEL_LOSSES[model], params)
    with torch.enable_grad():
        result = call(target, loss_fn, params, X, y, size, name=name)
    alive = sum(ref() is not None for ref in log["losses"])
    if alive:                                  # only then pay for a full garbage collection
        gc.collect()
        alive = sum(ref() is not None for ref in log["losses"])
    return {"grads": result, "sizes": log["sizes"], "graphs_at_once": log["graphs_at_once"],
            "grads_after": [p.grad for p in params], "params_after": [p.detach() for p in params],
            "losses_alive": alive}


# ---- 05_manual_updates: the learner's in-place steps -------------------------------------------------

def _backward_with_grads(params, grads):
    """A backward() that adds `grads` into the params' .grad, as a training loop's would."""
    terms = [(p * g).sum() for p, g in zip(params, grads) if g is not None]
    if terms:
        with torch.enable_grad():
            sum(terms).backward()


def snapshot(value):
    return value.detach().clone() if isinstance(value, torch.Tensor) else value


def _param_state(p):
    if not isinstance(p, torch.Tensor):
        return {"value": p}
    return {"value": snapshot(p), "is_leaf": p.is_leaf, "requires_grad": p.requires_grad,
            "grad_fn": None if p.grad_fn is None else type(p.grad_fn).__name__, "grad": snapshot(p.grad)}


def _versions(params):
    """Each param's version counter: every in-place change that autograd can see adds 1 to it.

    An update under `torch.no_grad()` (or through `p.detach()`, which shares the counter) moves
    it; one through `p.data` (or NumPy) does not, since `.data` is a tensor with a counter of its own.
    """
    return [p._version for p in params]


def _same_objects(now, before):
    return len(now) == len(before) and all(a is b for a, b in zip(now, before))


def run_in_place_steps(target, args, kwargs, by_hand, name):
    """One call of the learner's step per learning rate: sgd_step_(params, lr), or with `momentum`
    not None momentum_step_(params, velocities, lr, momentum). A list of one record per step;
    the last one says what the step raised, if it did."""
    start, grads_per_step, lrs, momentum, grad_mode = args
    params = [v.clone().requires_grad_(True) for v in start]
    velocities = None if momentum is None else [torch.zeros_like(v) for v in start]
    param_objects, velocity_objects = list(params), list(velocities or [])
    records = []
    for grads, lr in zip(grads_per_step, lrs):
        _backward_with_grads(params, grads)

        def step():
            if velocities is None:
                target(params, lr)
            else:
                target(params, velocities, lr, momentum)
            return torch.is_grad_enabled()        # grad mode right after the call

        versions = _versions(param_objects)
        try:
            with torch.set_grad_enabled(grad_mode):
                grad_mode_after = call(step, name=name)
        except LearnerError as error:
            records.append({"raised": str(error)})
            break
        record = {"grad_mode_after": grad_mode_after, "same_params": _same_objects(params, param_objects),
                  "params": [_param_state(p) for p in params],
                  "version_changes": [after - before for after, before in zip(_versions(param_objects), versions)]}
        if velocities is not None:
            record["same_velocities"] = _same_objects(velocities, velocity_objects)
            record["velocities"] = [snapshot(v) for v in velocities]
        records.append(record)
        if not record["same_params"] or not all(p.is_leaf and p.requires_grad for p in params):
            break                                 # no training loop could go on from here
    return records


# ---- 06_linear_regression: generators, epochs, sgd in place ------------------------------------------

def with_generator(kwargs):
    """The call's keyword arguments with `generator`, sent as a seed, made a seeded torch.Generator."""
    return {**kwargs, "generator": torch.Generator().manual_seed(kwargs["generator"])}


def call_with_generator(target, args, kwargs, by_hand, name):
    return target(*args, **with_generator(kwargs))


def call_twice_with_generator(target, args, kwargs, by_hand, name):
    """Both results of two calls with generators seeded alike: the grader compares them."""
    return [target(*args, **with_generator(kwargs)) for _ in range(2)]


def calls_with_generator(target, args, kwargs, by_hand, name):
    """The results of `runs` calls (a keyword of the trial, not of the function; 1 if absent), each with a
    generator seeded alike: the grader compares them."""
    kwargs = dict(kwargs)
    runs = kwargs.pop("runs", 1)
    return [target(*args, **with_generator(kwargs)) for _ in range(runs)]


def two_epochs(target, args, kwargs, by_hand, name):
    """The batches of two epochs, with generators seeded alike; an epoch stops after n + 1 batches."""
    batch_size, features, labels = args
    most = len(features) + 1  # more than an epoch can have, so an endless iterator ends and fails
    return [list(itertools.islice(target(batch_size, features, labels, **with_generator(kwargs)), most))
            for _ in range(2)]


def sgd_in_place(target, args, kwargs, by_hand, name):
    """One call of sgd(params, lr, batch_size) on fresh leaves holding the given grads; then their state."""
    values, grads, lr, batch_size = args
    params = [value.clone().requires_grad_(True) for value in values]
    for param, grad in zip(params, grads):
        param.grad = grad.clone()
    handed = list(params)
    grad_mode = torch.is_grad_enabled()
    versions = [p._version for p in handed]   # moved by in-place changes autograd sees, not by .data
    target(params, lr, batch_size)
    return {"grad_mode_kept": torch.is_grad_enabled() == grad_mode,
            "same_objects": len(params) == len(handed) and all(p is q for p, q in zip(params, handed)),
            "version_changes": [p._version - before for p, before in zip(handed, versions)],
            "params": [{"value": p.detach().clone(), "is_leaf": p.is_leaf, "requires_grad": p.requires_grad,
                        "grad": None if p.grad is None else p.grad.detach().clone()} for p in handed]}


# ---- 07_two_layer_net: a training run on fresh leaves ------------------------------------------------

def forward_and_its_gradient(target, args, kwargs, by_hand, name):
    """The learner's forward on leaves W1, W2, and autograd's gradient of (output * v).sum() through it.

    The values of two ReLUs can be equal while their gradients at 0 differ: the
    gradient shows which one the forward uses. None if the output is not a
    tensor of v's shape that requires grad.
    """
    X, W1, W2, v = args
    W1, W2 = W1.clone().requires_grad_(True), W2.clone().requires_grad_(True)
    with torch.enable_grad():
        out = call(target, X, W1, W2, name=name)
    if not (isinstance(out, torch.Tensor) and out.requires_grad and out.shape == v.shape):
        return {"value": out.detach() if isinstance(out, torch.Tensor) else out, "grads": None}
    with reporting(name):
        grads = _grad(out, (W1, W2), grad_outputs=v.to(out.dtype), allow_unused=True)
    return {"value": out.detach(), "grads": [torch.zeros_like(W) if g is None else g
                                             for W, g in zip((W1, W2), grads)]}


def train_in_place(target, args, kwargs, by_hand, name):
    """Train fresh leaves holding the given weights; report the losses, the weights and their flags."""
    X, y, W1_start, W2_start, lr, steps = args
    W1 = W1_start.clone().requires_grad_(True)
    W2 = W2_start.clone().requires_grad_(True)
    versions = _versions((W1, W2))
    try:
        losses = call(target, X, y, W1, W2, lr, steps, name=name)
    except LearnerError as error:
        if "does not require grad" not in str(error):
            raise
        raise LearnerError(
            f"{error}\nIn a training loop this usually means a weight was replaced by a new tensor "
            "(W1 = W1 - lr * W1.grad) made under torch.no_grad(), which does not require grad: update "
            "the weights in place (W1 -= lr * W1.grad), so that they stay the leaves you were given.") from None
    return {"losses": losses, "weights": [W.detach().clone() for W in (W1, W2)],
            "leaf_requires_grad": [bool(W.is_leaf and W.requires_grad) for W in (W1, W2)],
            "version_changes": [after - before for after, before in zip(_versions((W1, W2)), versions)]}


# ---- 08_mlp: nn.Linear's layout, schedules, training on the digits -----------------------------------

# The seeds' training run of train_mlp; the grader reads it too.
TRAINING = dict(num_epochs=10, batch_size=64, lr=0.5, drop=0.5, every=4)


def linear_with_layout_hint(target, args, kwargs, by_hand, name):
    """Call linear_forward(x, W, b); a product that cannot be formed is explained by nn.Linear's layout."""
    try:
        return call(target, *args, name=name)
    except LearnerError as error:
        if "cannot be multiplied" not in str(error):
            raise
        _, W, _ = args
        raise LearnerError(
            f"{error}\nW has nn.Linear's layout (out_features, in_features) = {tuple(W.shape)}, and x has "
            f"in_features = {W.shape[1]} in its last dimension: x multiplies the transpose of W, x @ W.T."
        ) from None


def every_epoch(target, args, kwargs, by_hand, name):
    """step_decay_lr(lr0, epoch, drop, every) for each epoch from 0 to epochs - 1."""
    lr0, drop, every, epochs = args
    return [call(target, lr0, epoch, drop, every, name=name) for epoch in range(epochs)]


@lru_cache(maxsize=1)
def digits():
    """The digits' fixed split, as the notebook loads it (read once per process)."""
    return load_digits()


def train_on_digits(target, args, kwargs, by_hand, name):
    """train_mlp on the digits with a generator seeded by the trial; its result, and which .grad are not 0.

    The trial's keyword arguments may change TRAINING's options, train on the first `subset` training
    digits only, ask for `runs` calls with generators seeded alike (the later calls' results are under
    "again"), and with `prefixes` also call it with num_epochs = 0, 1, ..., num_epochs - 1, from generators
    seeded alike (the params each returns are under "starts"), for the grader to compare.
    """
    seed, num_hiddens = args
    options = dict(kwargs)
    subset, runs, prefixes = options.pop("subset", None), options.pop("runs", 1), options.pop("prefixes", False)
    X_train, y_train, X_test, y_test = digits()
    if subset:
        X_train, y_train = X_train[:subset], y_train[:subset]
    settings = {**TRAINING, **options}

    def train(**changes):
        data = [t.clone() for t in (X_train, y_train, X_test, y_test)]   # the learner's code may change them
        return call(target, *data, num_hiddens=num_hiddens, generator=torch.Generator().manual_seed(seed),
                    name=name, **{**settings, **changes})
    result = train()
    params = result[0] if isinstance(result, tuple) and len(result) == 2 else ()
    grads_left = [getattr(p, "grad", None) is not None and bool(p.grad.abs().max() > 0)
                  for p in (params if isinstance(params, (list, tuple)) else ())]
    record = {"result": result, "grads_left": grads_left}
    if runs > 1:
        record["again"] = [train() for _ in range(runs - 1)]
    if prefixes:
        record["starts"] = []
        for epochs in range(settings["num_epochs"]):
            short = train(num_epochs=epochs)
            record["starts"].append(short[0] if isinstance(short, tuple) and len(short) == 2 else short)
    return record


# ---- 09_tiny_autograd: the SGD step on stand-ins for Values ------------------------------------------

class Param:
    """A stand-in for a Value: just .data and .grad."""

    def __init__(self, data, grad=0.0):
        self.data, self.grad = data, grad


def run_sgd_steps(target, args, kwargs, by_hand, name):
    """Params start at args[0] with grad 0; before each step the step's grads are added to .grad
    (as backward() does), then the learner's update runs: each step's .data and .grad of every param."""
    data, step_grads, lr = args
    params = [Param(x) for x in data]
    steps = []
    for grads in step_grads:
        for p, g in zip(params, grads):
            p.grad += g
        call(target, params, lr, name=name)
        steps.append({"data": [number(getattr(p, "data", None)) for p in params],
                      "grad": [number(getattr(p, "grad", None)) for p in params]})
    return steps


ADAPTERS = {
    "call": call_function,
    "draws": draw,
    "predictions": read_predictions,
    "microbatch": run_microbatch,
    "in_place_steps": run_in_place_steps,
    "seeded_generator": call_with_generator,
    "seeded_generator_twice": call_twice_with_generator,
    "seeded_generator_runs": calls_with_generator,
    "two_epochs": two_epochs,
    "sgd_in_place": sgd_in_place,
    "two_layer_forward": forward_and_its_gradient,
    "train_two_layer": train_in_place,
    "linear_forward": linear_with_layout_hint,
    "every_epoch": every_epoch,
    "train_mlp": train_on_digits,
    "value_sgd_steps": run_sgd_steps,
}
