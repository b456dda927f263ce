"""04_grad_accumulation: the checks of gradients that add up.

References are torch's own: `.grad` after real `backward()` calls,
`autograd_vjp` of the shared-weight function, `torch.autograd.grad` of the
full-batch loss; the two by-hand exercises add central finite differences as
a second witness. `microbatch_grads` takes a callable, so its adapter builds
the loss and the params in the learner's kernel from plain data (a model
kind and its tensors), records how the learner's function used them and
sends that record back; the grader judges the record.
"""

import torch

from .a03_backward import with_exact_zeros
from course.kernel.adapters import MODEL_LOSSES
from .core.compare import SIGN_FLIPPED, SQUARE_TWO_MISSING, assert_close, assert_close_to_finite_differences, compare
from .core.exercise import Exercise, Trial
from .core.layouts import described_all, expanded, transposed
from .core.replies import describe, fields, identical, tensors_or_none
from .core.reference import autograd_vjp, generators, random_shape, random_tensor


# ---- grad_after_repeats -------------------------------------------------------

def grad_after_backward_calls(x, calls):
    """What torch does: `calls` calls of (x ** 2).sum().backward() on a fresh leaf, nothing cleared."""
    leaf = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        for _ in range(calls):
            (leaf ** 2).sum().backward()
    return leaf.grad


def _repeats_trial(x, k):
    label = f"grad_after_repeats(x of shape {tuple(x.shape)}, k={k})"

    def judge(got):
        want = grad_after_backward_calls(x, k)

        def is_after(calls):  # got is x.grad after `calls` calls, and that is not the right answer
            other = grad_after_backward_calls(x, calls)
            return compare(got, other).passed and not compare(want, other).passed

        if k > 1 and is_after(1):
            raise AssertionError(f"{label} is the gradient of ONE backward() call. Gradients add up: "
                                 f"each of the {k} calls adds 2x to x.grad.")
        for calls in (k - 1, k + 1):
            if calls >= 1 and is_after(calls):
                raise AssertionError(f"{label} is off by one: it is x.grad after {calls} calls, not {k}. "
                                     "The first call puts 2x into x.grad (it was None), and each later "
                                     "call adds another 2x.")
        assert_close(got, want, label, causes=[SQUARE_TWO_MISSING, SIGN_FLIPPED])
        # A second, independent witness: k times the finite-difference gradient of (x ** 2).sum().
        assert_close_to_finite_differences(got.double(), lambda t: k * (t ** 2).sum(), x,
                                           label + " (compared with finite differences)", atol=1e-6,
                                           causes=[SQUARE_TWO_MISSING, SIGN_FLIPPED])
    layout = described_all(x=x)
    return Trial((x, k), judge, case=f"for {layout}" if layout else "")


def fixed_then_random_shapes(gens, fixed):
    """(generator, shape) per trial: the fixed edge-case shapes first, then random ones."""
    for trial, gen in enumerate(gens):
        yield gen, fixed[trial] if trial < len(fixed) else random_shape(gen, 1, 3, 1, 4)


def _repeats_hidden(seed):
    gens = generators(seed, 9)
    trials = []
    for gen, shape in fixed_then_random_shapes(gens[:8], [(1,), (1, 4), (3, 2)]):
        k = int(torch.randint(2, 9, (1,), generator=gen))
        trials.append(_repeats_trial(random_tensor(shape, gen, away_from_zero=0.2), k))
    # Exact zeros, where rewrites such as k * 2 * x ** 2 / x give nan, and the fewest calls, k = 1.
    x = with_exact_zeros(random_tensor((2, 4), gens[8], away_from_zero=0.2), gens[8], share=0.5)
    x[0, 0] = 0.0
    trials += [_repeats_trial(x, 1), _repeats_trial(x, 4)]
    # x not contiguous: stored transposed, or an expand of one row
    trials += [_repeats_trial(transposed(random_tensor((3, 4), gens[8], away_from_zero=0.2)), 3),
               _repeats_trial(expanded(random_tensor((1, 4), gens[8], away_from_zero=0.2), (3, 4)), 2)]
    return trials


GRAD_AFTER_REPEATS = Exercise(
    "grad_after_repeats_tests", "grad_after_repeats", by_hand=True,
    # and, in float64, a batch of one: x of shape (1, 4)
    visible=lambda: [_repeats_trial(torch.tensor([0.5, -1.0, 2.0]), k) for k in (1, 3)]
    + [_repeats_trial(torch.tensor([[1.0, -0.5, 2.0, 3.0]], dtype=torch.float64), 2)],
    hidden=_repeats_hidden,
)


# ---- shared_weight_grad -------------------------------------------------------

def shared_weight_y(x, w):
    """The exercise's function: w is used twice."""
    return (w * x + w ** 2).sum()


def _shared_trial(x, w):
    label = f"shared_weight_grad(x, w of shape {tuple(w.shape)})"

    def judge(got):
        if compare(got, x).passed or compare(got, 2 * w).passed:
            raise AssertionError(f"{label} holds the contribution of only one of the two places where "
                                 "w is used. w is used twice, so its gradient is the sum of both "
                                 "contributions (d(w * x)/dw and d(w ** 2)/dw).")
        if compare(got, x + w).passed:
            raise AssertionError(f"{label} is x + w: the 2 from differentiating w ** 2 is missing.")
        assert_close(got, autograd_vjp(shared_weight_y, (x, w))[1], label, causes=[SIGN_FLIPPED])
        # A second, independent witness: central finite differences in float64.
        assert_close_to_finite_differences(got.double(), lambda t: shared_weight_y(x.double(), t), w,
                                           label + " (compared with finite differences)", atol=1e-6,
                                           causes=[SIGN_FLIPPED])
    layout = described_all(x=x, w=w)
    return Trial((x, w), judge, case=f"for {layout}" if layout else "")


def _shared_hidden(seed):
    gens = generators(seed, 9)
    trials = []
    for gen, shape in fixed_then_random_shapes(gens[:8], [(1,), (1, 5), (4, 2)]):
        trials.append(_shared_trial(random_tensor(shape, gen, away_from_zero=0.2),
                                    random_tensor(shape, gen, away_from_zero=0.2)))
    # Exact zeros in x and in w (never all of them: there one use's contribution alone is right).
    x = with_exact_zeros(random_tensor((3, 4), gens[8], away_from_zero=0.2), gens[8], share=0.4)
    w = with_exact_zeros(random_tensor((3, 4), gens[8], away_from_zero=0.2), gens[8], share=0.4)
    x[0, 0], w[0, 1], w[1, 0] = 0.0, 0.0, 0.0
    x[2, 3], w[2, 3] = 1.5, -0.7
    trials.append(_shared_trial(x, w))
    # x an expand of one row, w stored transposed
    trials.append(_shared_trial(expanded(random_tensor((1, 4), gens[8], away_from_zero=0.2), (3, 4)),
                                transposed(random_tensor((3, 4), gens[8], away_from_zero=0.2))))
    return trials


SHARED_WEIGHT_GRAD = Exercise(
    "shared_weight_grad_tests", "shared_weight_grad", by_hand=True,
    # and, in float64, a batch of one of shape (1, 2)
    visible=lambda: [_shared_trial(torch.tensor([1.0, -2.0, 3.0]), torch.tensor([0.5, 1.5, -1.0])),
                     _shared_trial(torch.tensor([[2.0, -1.0]], dtype=torch.float64),
                                   torch.tensor([[0.5, 3.0]], dtype=torch.float64))],
    hidden=_shared_hidden,
)


# ---- microbatch_grads ---------------------------------------------------------


# The models a trial names: the kernel builds loss_fn from one of these, the grader its reference.

def _fresh(values):
    return [v.clone().requires_grad_(True) for v in values]


def _judge_result(got, case, count):
    if not isinstance(got, (list, tuple)) or len(got) != count:
        raise AssertionError(f"{case}: microbatch_grads must return a list of {count} "
                             f"gradients, one per param, but it returned {describe(got)}.")


def _judge_batches(sizes, graphs_at_once, case, n, size):
    """Consecutive micro-batches, one graph at a time."""
    expected_sizes = [min(size, n - start) for start in range(0, n, size)]
    if sizes != expected_sizes:
        raise AssertionError(f"{case}: loss_fn was called on batches of sizes {sizes}, but "
                             f"consecutive micro-batches of {size} rows have sizes {expected_sizes}. "
                             "Call loss_fn once per micro-batch, on X[start:start + micro_batch_size] "
                             "and the same rows of y.")
    if graphs_at_once > 1:
        raise AssertionError(f"{case}: loss_fn was called for a new micro-batch before the gradient "
                             f"of the previous one was computed ({graphs_at_once} micro-batch "
                             "graphs existed at once). Adding up the losses and calling backward() "
                             "once gives the right numbers but keeps every graph in memory, which "
                             "micro-batches are meant to avoid: call backward() on each micro-batch's "
                             "weighted loss before computing the next one.")


def _judge_values(got, loss_of, values, X, y, size, stale, case):
    """The gradients, against torch.autograd.grad of the full-batch loss."""
    fresh = _fresh(values)
    want = torch.autograd.grad(loss_of(fresh, X, y), fresh)
    chunks = [(X[i:i + size], y[i:i + size]) for i in range(0, X.shape[0], size)]
    per_chunk = [torch.autograd.grad(loss_of(fresh, X_b, y_b), fresh) for X_b, y_b in chunks]
    for i, (g, w) in enumerate(zip(got, want)):
        label = f"{case}: the gradient of params[{i}]"
        if compare(g, w).passed:
            continue
        if stale[i] is not None and compare(g, w + stale[i]).passed:
            raise AssertionError(f"{label} includes the stale gradient that params[{i}].grad held "
                                 "before the call: backward() added into it. Clear each .grad "
                                 "(set it to None) before the first backward(), and put the old "
                                 "gradient back at the end.")
        unweighted = sum(c[i] for c in per_chunk)
        if len(chunks) > 1 and compare(g, unweighted / len(chunks)).passed:
            raise AssertionError(f"{label} is the plain mean of the micro-batch means: you weighted "
                                 "every micro-batch's mean loss by 1 / (number of micro-batches). "
                                 "That is right only when all micro-batches have the same size; "
                                 "here the last one is smaller. Weight each micro-batch's mean loss "
                                 "by its size / N.")
        if len(chunks) > 1 and compare(g, unweighted).passed:
            raise AssertionError(f"{label} is the sum of the micro-batches' gradients, unweighted: "
                                 "about (number of micro-batches) times too large. Weight each "
                                 "micro-batch's mean loss by its size / N.")
        assert_close(g, w, label, factors={"the number of micro-batches": len(chunks)}, causes=[])
    for i, g in enumerate(got):
        if g.requires_grad:
            raise AssertionError(f"{case}: the gradient of params[{i}] you return requires grad (it "
                                 "is part of a graph; was create_graph=True passed?). Return plain "
                                 "tensors.")


def _judge_traces(grads_after, params_after, losses_alive, values, stale, case):
    """No trace left: each .grad as it was found, the params unchanged, no graph kept alive."""
    for i, (after, before) in enumerate(zip(grads_after, stale)):
        if before is None and after is not None:
            raise AssertionError(f"{case}: params[{i}].grad was None before the call and holds a "
                                 "gradient after it: your function left gradients behind. Put "
                                 "each .grad back as you found it (here: None).")
        if before is not None and after is None:
            raise AssertionError(f"{case}: params[{i}].grad held a stale gradient before the call "
                                 "and is None after it: save the stale gradients and put them back "
                                 "at the end.")
        if before is not None and not identical(after, before):
            raise AssertionError(f"{case}: params[{i}].grad held a stale gradient before the call, "
                                 "and after it holds other values. If you saved it and then cleared "
                                 "it with .grad.zero_(), zero_() changed the saved tensor in place "
                                 "(it is the same object): clear with .grad = None instead, and put "
                                 "the saved tensor back at the end.")
    for i, (after, before) in enumerate(zip(params_after, values)):
        if after is None or not identical(after, before):
            raise AssertionError(f"{case}: your function changed the values of params[{i}]: it "
                                 "must compute gradients only, not update the parameters.")
    if losses_alive:
        raise AssertionError(f"{case}: {losses_alive} micro-batch losses are still alive after your "
                             "function returned, and their graphs with them. Do not keep losses "
                             "(in a list, a global) once their backward() has run.")


def _microbatch_trial(model, values, X, y, size, stale=None):
    """One call on the model's params (`values`), each .grad first set to `stale` (None: no .grad)."""
    stale = stale or [None] * len(values)
    case = f"N={X.shape[0]} examples in micro-batches of {size}"
    layout = described_all(X=X, **{f"params[{i}]": v for i, v in enumerate(values)},
                           **{f"params[{i}].grad": s for i, s in enumerate(stale)})
    case = f"{case}, {layout}" if layout else case

    def judge(record):
        got, sizes, graphs_at_once, losses_alive = fields(
            record, grads=object, sizes=list, graphs_at_once=int, losses_alive=int)
        _judge_result(got, case, len(values))
        _judge_batches(sizes, graphs_at_once, case, X.shape[0], size)
        _judge_values(got, MODEL_LOSSES[model], values, X, y, size, stale, case)
        grads_after = tensors_or_none(record.get("grads_after"), len(values), "the .grad of each param")
        params_after = tensors_or_none(record.get("params_after"), len(values), "the values of each param")
        _judge_traces(grads_after, params_after, losses_alive, values, stale, case)
    return Trial((model, values, X, y, size, stale), judge)


def _microbatch_visible():
    w, b = torch.tensor([[0.5], [-1.0]]), torch.tensor([0.3])
    X = torch.arange(20.0).reshape(10, 2) / 10 - 1
    y = torch.linspace(-1.0, 2.0, 10).reshape(10, 1)
    return [_microbatch_trial("linear", [w, b], X, y, 5),       # two micro-batches of 5
            _microbatch_trial("linear", [w, b], X, y, 4),       # sizes 4, 4, 2: the last is smaller
            # w arrives with a stale .grad (b with None): the result must not include it, and
            # afterwards w.grad must hold it again, unchanged, and b.grad must be None.
            _microbatch_trial("linear", [w, b], X, y, 4, stale=[torch.full((2, 1), 10.0), None]),
            # float64: micro-batches of one example each, and one micro-batch larger than N
            _microbatch_trial("linear", [w[:1].double(), b.double()], X[:, :1].double(), y.double(), 1),
            _microbatch_trial("linear", [w.double(), b.double()], X.double(), y.double(), 13)]


def _microbatch_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 10)):
        n = int(torch.randint(5, 23, (1,), generator=gen)) if trial < 9 else 12
        d, h = (int(s) for s in torch.randint(1, 5, (2,), generator=gen))
        if trial == 7:                                  # stored transposed below: two dims of size > 1
            d, h = max(d, 2), max(h, 2)
        if trial < 6:                                   # sizes that do not divide N
            size = int(torch.randint(2, n, (1,), generator=gen))
            while n % size == 0:
                size += 1
        else:                                           # one example each, exactly N, more than N, a divisor
            size = {6: 1, 7: n, 8: n + 3, 9: 3}[trial]
        values = [random_tensor((d, h), gen, away_from_zero=0.2), random_tensor((h,), gen),
                  random_tensor((h, 1), gen, away_from_zero=0.2)]
        X, y = random_tensor((n, d), gen), random_tensor((n, 1), gen)
        stale = None
        if trial % 2:                                   # stale gradients on some params
            stale = [random_tensor(v.shape, gen, away_from_zero=0.5) for v in values]
            stale[trial % 3] = None
        if trial == 7:                                  # X, W1 and its stale gradient stored transposed
            X, values[0], stale[0] = transposed(X), transposed(values[0]), transposed(stale[0])
        trials.append(_microbatch_trial("tanh_net", values, X, y, size, stale))
    return trials


MICROBATCH_GRADS = Exercise("microbatch_grads_tests", "microbatch_grads", adapter="microbatch",
                            visible=_microbatch_visible, hidden=_microbatch_hidden)

EXERCISES = [GRAD_AFTER_REPEATS, SHARED_WEIGHT_GRAD, MICROBATCH_GRADS]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "grad_after_repeats_tests": """\
x = [0.5, -1, 2] after k = 1 and k = 3 calls, compared with the .grad torch really holds
(and k times the finite-difference gradient); called by hand: autograd is switched off inside.
Also, in float64, x of shape (1, 4) (a batch of one) with k = 2.""",
    "shared_weight_grad_tests": """\
x = [1, -2, 3], w = [0.5, 1.5, -1]: both uses of w contribute to every entry; compared with
torch.autograd and finite differences (called by hand: autograd is switched off inside).
Also, in float64, x and w of shape (1, 2) (a batch of one).""",
    "microbatch_grads_tests": """\
A linear model (w of shape (2, 1), b) on 10 examples, in micro-batches of 5, of 4 (sizes 4, 4, 2),
and of 4 with a stale w.grad of 10s (b.grad None). The loss_fn your function gets records the sizes
of its batches and whether each micro-batch's gradient came before the next loss; the result is
compared with torch.autograd.grad of the full-batch loss, then each .grad must be as it was found.
Also, in float64, micro-batches of one example each (with one feature: w of shape (1, 1)), and one
micro-batch of 13 > N = 10.""",
}
