"""03_backward: the checks of each hand-written backward rule.

Every reference is torch's own gradient of the forward operation
(`autograd_vjp`), computed where the checks run; several exercises add
central finite differences as a second witness. Hidden trials cover
broadcasting (leading and size-1 dimensions), non-square matrices, a batch
of one, ReLU and powers at exact zeros, dim/keepdim in every combination,
inputs and upstream gradients that are not contiguous (transposed, stored in
reverse order, expanded: course.checks.core.layouts), and each elementwise
rule at the ends of its domain in float32 and float64, powers at and near 0
included (course.checks.core.domains).
"""
import torch

from .core.compare import SIGN_FLIPPED, assert_close, assert_close_to_finite_differences, compare, tolerance
from .core.domains import end_points, point_diagnosis, pow_points_near_zero, unit_grad, where_defined, wide_values
from .core.exercise import Exercise, Trial
from .core.layouts import described_all, expanded, reversed_memory, transposed
from .core.reference import autograd_vjp, generators, random_shape, random_tensor

_float64 = torch.float64


def _name(dtype):
    return str(dtype).removeprefix("torch.")


def _tensor(values):
    return torch.tensor(values, dtype=torch.float32)


def _tensor64(values):
    """A visible example in float64, the dtype of the hidden trials: the result must keep it."""
    return torch.tensor(values, dtype=_float64)


def broadcastable(gen, shape):
    """A shape that broadcasts to `shape`: some leading dims dropped, some sizes set to 1."""
    drop = int(torch.randint(0, len(shape), (1,), generator=gen))
    ones = (torch.rand(len(shape) - drop, generator=gen) < 0.4).tolist()
    return tuple(1 if one else size for size, one in zip(shape[drop:], ones))


def reduction_dims(gen, n):
    """None, an int (maybe negative) or a tuple of distinct dims (maybe negative)."""
    kind = int(torch.randint(0, 3, (1,), generator=gen))
    if kind == 0:
        return None
    picks = torch.randperm(n, generator=gen)[: 1 if kind == 1 or n == 1 else 2].tolist()
    signs = torch.randint(0, 2, (len(picks),), generator=gen).tolist()
    dims = tuple(d - n if s else d for d, s in zip(picks, signs))
    return dims[0] if kind == 1 else dims


# ---- vjp_of_view ------------------------------------------------------------

def _view(t):
    return (2 * t).view(2, 2)


def _column_order(got, want, v):
    """Whether `got` is the right answer read column by column (v.T flattened), and not the right one."""
    column = autograd_vjp(_view, (torch.zeros(4, dtype=v.dtype),), v.t().contiguous())[0]
    return (isinstance(got, torch.Tensor) and got.shape == want.shape and not compare(got, want).passed
            and compare(got, column).passed)


def _vjp_of_view_trial(v):
    def judge(got):
        want = autograd_vjp(_view, (torch.zeros(4, dtype=v.dtype),), v)[0]
        if _column_order(got, want, v):
            raise AssertionError("vjp_of_view(v) has the right values in column order: view reads and fills "
                                 "the elements row by row (the last dimension fastest), not column by column.")
        try:
            assert_close(got, want, "vjp_of_view(v)", causes=[SIGN_FLIPPED, VJP_FACTOR_MISSING])
        except AssertionError as error:
            if isinstance(got, torch.Tensor) and got.shape == v.shape != want.shape:
                raise AssertionError(f"{error}\nIt has the shape of v: backward(v) gives v^T J, which has the "
                                     f"shape of x, {tuple(want.shape)}.") from None
            raise
    layout = described_all(v=v)
    return Trial((v,), judge, case=f"for {layout}" if layout else "")


VJP_FACTOR_MISSING = (0.5, "the factor 2 of (2 * x).view(2, 2) is missing: backward(v) gives v^T J, "
                           "each entry of v times its local derivative, 2")


VJP_OF_VIEW = Exercise(
    "vjp_of_view_tests", "vjp_of_view", by_hand=True,
    visible=lambda: [_vjp_of_view_trial(_tensor([[1.0, 0.1], [0.01, 0.001]])),
                     _vjp_of_view_trial(_tensor64([[2.0, -1.0], [0.5, 3.0]]))],
    # and v stored transposed, as an upstream gradient can be: the same values, not contiguous
    hidden=lambda seed: [_vjp_of_view_trial(random_tensor((2, 2), gen, away_from_zero=0.1))
                         for gen in generators(seed, 6)]
    + [_vjp_of_view_trial(transposed(random_tensor((2, 2), gen, away_from_zero=0.1)))
       for gen in generators(seed + 1, 2)],
)


# ---- sum_to_shape -----------------------------------------------------------

def _sum_to_shape_trial(grad, shape):
    def judge(got):
        want = autograd_vjp(lambda t: t.expand(grad.shape), (torch.zeros(shape, dtype=grad.dtype),), grad)[0]
        assert_close(got, want, f"sum_to_shape(grad of shape {tuple(grad.shape)}, {shape})")
    layout = described_all(grad=grad)
    return Trial((grad, shape), judge, case=f"for {layout}" if layout else "")


def _sum_to_shape_hidden(seed):
    gens = generators(seed, 9)
    trials = []
    for gen in gens[:8]:
        out = random_shape(gen, 1, 4, 1, 5)
        trials.append(_sum_to_shape_trial(random_tensor(out, gen), broadcastable(gen, out)))
    for out, shape in [((1, 5), (5,)), ((4, 1, 3), (1, 1, 3)), ((3, 2), (1, 1)), ((2, 5, 3), (5, 1))]:
        trials.append(_sum_to_shape_trial(random_tensor(out, gens[8]), shape))
    # grad not contiguous: its dimensions stored in reverse order (no two leading ones can be merged
    # by .view), stored transposed, or an expand of one row
    grad = reversed_memory(random_tensor((2, 3, 4), gens[8]))
    trials += [_sum_to_shape_trial(grad, (4,)), _sum_to_shape_trial(grad, (3, 1)),
               _sum_to_shape_trial(transposed(random_tensor((4, 3), gens[8])), (1, 3)),
               _sum_to_shape_trial(expanded(random_tensor((1, 3), gens[8]), (4, 3)), (3,))]
    return trials


_G24 = torch.arange(24.0).reshape(2, 3, 4)
SUM_TO_SHAPE = Exercise(
    "sum_to_shape_tests", "sum_to_shape", by_hand=True,
    # nothing broadcast; two leading dims added; a leading dim and a size-1 dim; a size-1 dim in the middle
    # and, in float64, a batch of one summed away and everything summed to one element
    visible=lambda: [_sum_to_shape_trial(_G24, s) for s in [(2, 3, 4), (4,), (3, 1), (2, 1, 4)]]
    + [_sum_to_shape_trial(_G24.double()[:1], (3, 4)), _sum_to_shape_trial(_G24.double()[:1], (1,))]
    # and a 1-D grad summed to one element
    + [_sum_to_shape_trial(torch.arange(4.0), (1,))],
    hidden=_sum_to_shape_hidden,
)


# ---- add_backward -----------------------------------------------------------

def _add_trial(a_shape, b_shape, g):
    def judge(got):
        zeros = (torch.zeros(a_shape, dtype=g.dtype), torch.zeros(b_shape, dtype=g.dtype))
        assert_close(got, autograd_vjp(torch.add, zeros, g),
                     (f"grad_a (a of shape {a_shape})", f"grad_b (b of shape {b_shape})"))
    layout = described_all(grad_out=g)
    return Trial((a_shape, b_shape, g), judge, case=f"for {layout}" if layout else "")


def _add_hidden(seed):
    trials = []
    for gen in generators(seed, 8):
        out = random_shape(gen, 1, 4, 1, 5)
        a, b = broadcastable(gen, out), broadcastable(gen, out)
        full = torch.broadcast_shapes(a, b)
        trials += [_add_trial(a, b, random_tensor(full, gen)), _add_trial(full, b, random_tensor(full, gen)),
                   _add_trial(a, full, random_tensor(full, gen))]
    # grad_out not contiguous: its dimensions stored in reverse order, or an expand of one row
    gen = generators(seed + 1, 1)[0]
    return trials + [_add_trial((2, 3, 4), (4,), reversed_memory(random_tensor((2, 3, 4), gen))),
                     _add_trial((3, 1), (4,), expanded(random_tensor((1, 4), gen), (3, 4)))]


_G23 = [[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]
ADD_BACKWARD = Exercise(
    "add_backward_tests", "add_backward", by_hand=True,
    # same shapes; b broadcast over the rows; both broadcast
    # and, in float64, a one-element b added to a batch of one
    visible=lambda: [_add_trial(a, b, _tensor(_G23)) for a, b in [((2, 3), (2, 3)), ((2, 3), (3,)),
                                                                  ((2, 1), (1, 3))]]
    + [_add_trial((1, 3), (1,), _tensor64([[1.0, 2.0, 3.0]]))],
    hidden=_add_hidden,
)


# ---- mul_backward and matmul_backward -------------------------------------------

def _binary_trial(op, a, b, g, names, fd=False, case=""):
    def judge(got):
        assert_close(got, autograd_vjp(op, (a, b), g), names)
        if fd:  # a second, independent witness: central finite differences
            assert_close_to_finite_differences(got[0], lambda t: (op(t, b) * g).sum(), a, names[0])
            assert_close_to_finite_differences(got[1], lambda t: (op(a, t) * g).sum(), b, names[1])
    return Trial((a, b, g), judge, case=f"for {case}" if case else "")


def _mul_trial(a, b, g, fd=False):
    names = (f"grad_a (a of shape {tuple(a.shape)})", f"grad_b (b of shape {tuple(b.shape)})")
    return _binary_trial(torch.mul, a, b, g, names, fd, case=described_all(a=a, b=b, grad_out=g))


def _mul_visible():
    a = _tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = _tensor([[-1.0, 0.5, 2.0], [3.0, -2.0, 1.0]])
    g = _tensor([[1.0, 1.0, 2.0], [0.5, 1.0, -1.0]])
    # same shapes; b broadcast over the rows; a of shape (2, 1) broadcast over the columns
    return [_mul_trial(a, b, g), _mul_trial(a, _tensor([-1.0, 0.5, 2.0]), g),
            _mul_trial(_tensor([[2.0], [3.0]]), b, g),
            # a 1-D a broadcast over b's rows
            _mul_trial(_tensor([-1.0, 0.5, 2.0]), b, g),
            # float64: a batch of one times a one-element b
            _mul_trial(_tensor64([[1.0, -2.0, 0.5]]), _tensor64([3.0]), _tensor64([[1.0, 0.5, -1.0]]))]


def _mul_hidden(seed):
    trials = []
    for gen in generators(seed, 8):
        out = random_shape(gen, 1, 4, 1, 4)
        a_shape, b_shape = broadcastable(gen, out), out
        if int(torch.randint(0, 2, (1,), generator=gen)):
            a_shape, b_shape = b_shape, a_shape
        a = random_tensor(a_shape, gen, away_from_zero=0.3)
        b = random_tensor(b_shape, gen, away_from_zero=0.3)
        trials.append(_mul_trial(a, b, random_tensor(torch.broadcast_shapes(a_shape, b_shape), gen), fd=True))
    # a and grad_out with their dimensions stored in reverse order; a stored transposed, grad_out an expand
    gen = generators(seed + 1, 1)[0]
    return trials + [_mul_trial(reversed_memory(random_tensor((2, 3, 4), gen, away_from_zero=0.3)),
                                random_tensor((4,), gen, away_from_zero=0.3),
                                reversed_memory(random_tensor((2, 3, 4), gen))),
                     _mul_trial(transposed(random_tensor((3, 4), gen, away_from_zero=0.3)),
                                random_tensor((3, 1), gen, away_from_zero=0.3),
                                expanded(random_tensor((1, 4), gen), (3, 4)))]


MUL_BACKWARD = Exercise("mul_backward_tests", "mul_backward", by_hand=True,
                        visible=_mul_visible, hidden=_mul_hidden)


def _matmul_trial(A, B, g, fd=False):
    names = (f"grad_A (A of shape {tuple(A.shape)})", f"grad_B (B of shape {tuple(B.shape)})")
    return _binary_trial(torch.matmul, A, B, g, names, fd, case=described_all(A=A, B=B, grad_out=g))


def _matmul_hidden(seed):
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        n, k, m = (int(s) for s in torch.randint(1, 6, (3,), generator=gen))
        if trial == 0:
            n, k, m = 1, 4, 3        # a batch of one
        if trial == 1:
            n, k, m = 5, 3, 1        # a single output column
        A = random_tensor((n, k), gen, away_from_zero=0.2)
        B = random_tensor((k, m), gen, away_from_zero=0.2)
        trials.append(_matmul_trial(A, B, random_tensor((n, m), gen), fd=True))
    # A, B and grad_out stored transposed (as the .T of another matrix is)
    gen = generators(seed + 1, 1)[0]
    return trials + [_matmul_trial(transposed(random_tensor((4, 3), gen, away_from_zero=0.2)),
                                   transposed(random_tensor((3, 5), gen, away_from_zero=0.2)),
                                   transposed(random_tensor((4, 5), gen)))]


MATMUL_BACKWARD = Exercise(
    "matmul_backward_tests", "matmul_backward", by_hand=True,
    # (2, 3) @ (3, 4): no two dimensions are equal, so a misplaced transpose cannot pass.
    # and, in float64, a batch of one: (1, 4) @ (4, 3)
    visible=lambda: [_matmul_trial(torch.arange(6.0).reshape(2, 3) - 2, torch.arange(12.0).reshape(3, 4) / 4 - 1,
                                   _tensor([[1.0, -1.0, 0.5, 2.0], [0.0, 1.0, 1.0, -2.0]])),
                     _matmul_trial(_tensor64([[1.0, -1.0, 2.0, 0.5]]), torch.arange(12.0, dtype=_float64).reshape(4, 3) / 4 - 1,
                                   _tensor64([[1.0, -2.0, 0.5]]))],
    hidden=_matmul_hidden,
)


# ---- elementwise rules: relu, pow, exp, log, tanh, sigmoid ----------------------

def _unary_judge(op, x, g, name, fd=False, extra=None, causes=(), function="", p=None):
    """Judge fn(x, g) against torch's gradient of op(x) weighted by g (`causes`: factors the rule makes likely).

    A wrong value is named at its worst point, x included ("at x = -800 (float64) your sigmoid_backward
    gives nan; torch gives 0"), with what that point says about the formula (course.checks.core.domains).
    """
    def judge(got):
        if extra:
            extra(got)
        want = autograd_vjp(op, (x,), g)[0]
        report = compare(got, want, f"{name}'s result", causes=[SIGN_FLIPPED, *causes])
        if not report.passed:
            local = autograd_vjp(op, (x,))[0]  # d op / dx alone, without grad_out
            if compare(got, local).passed and not compare(want, local).passed:
                raise AssertionError("your result is the local derivative d out/dx alone: "
                                     "multiply it by grad_out (the chain rule).")
            point = point_diagnosis(function, op, x, g, got, want, name, *tolerance(want.dtype), p=p)
            raise AssertionError(f"{point}\n{report.message}" if point else report.message)
        if fd:
            assert_close_to_finite_differences(got, lambda t: (op(t) * g).sum(), x, "finite-difference check")
    return judge


def _unary_trial(op, name, x, g, case, fd=False, extra=None, function=""):
    layout = described_all(x=x, grad_out=g)
    case = f"{case}, {layout}" if layout else case
    return Trial((x, g), _unary_judge(op, x, g, name, fd, extra, function=function), case=case)


def _relu_trial(x, g, case):
    def zero_at_zero(got):
        if isinstance(got, torch.Tensor) and got.shape == x.shape and bool((got[x == 0] != 0).any()):
            raise AssertionError("at x == 0 torch's relu gradient is 0 (it passes grad_out "
                                 "only where x > 0), but yours is not 0 there.")
    return _unary_trial(torch.relu, "relu_backward", x, g, case, extra=zero_at_zero, function="relu")


def with_exact_zeros(x, gen, share=0.3):
    """`x` with about `share` of its elements set to exactly 0: where kinks and wrong rules show.

    The last element is kept: an all-zero input makes many wrong answers right (2x = 4x = 0).
    """
    zeros = torch.rand(x.shape, generator=gen) < share
    zeros.view(-1)[-1] = False
    return torch.where(zeros, torch.zeros_like(x), x)


def _ends_of_domain(function, op, make_trial, seed):
    """Per dtype (float32, float64): the ends of the domain (end_points) and random x across all of it
    (wide_values), each with an upstream gradient of magnitude 1 at most, where torch's result is finite;
    then x stored transposed with an upstream gradient that is an expand of one row."""
    trials = []
    gens = generators(seed + 7, 3)
    for gen, dtype in zip(gens, (torch.float32, torch.float64)):
        x = torch.tensor(end_points(function, dtype), dtype=dtype)
        x, g = where_defined(op, x, unit_grad(x.shape, gen, dtype))
        trials.append(make_trial(x, g, f"at the ends of the domain in {_name(dtype)} (x from {float(x.min()):.3g} "
                                       f"to {float(x.max()):.3g}, the smallest positive {float(x[x > 0].min()):.3g})"))
        shape = random_shape(gen, 1, 2, 2, 6)
        x = wide_values(function, shape, gen, dtype)
        trials.append(make_trial(x, unit_grad(shape, gen, dtype),
                                 f"for x of shape {shape} in {_name(dtype)}, spread over the whole range where "
                                 "torch's result is finite"))
    signs = torch.ones(4) if function == "log" else torch.tensor([1.0, -1.0, 1.0, -1.0])   # log: x > 0
    x = transposed(random_tensor((3, 4), gens[2], low=0.5, high=3.0) * signs)
    g = expanded(random_tensor((1, 4), gens[2], away_from_zero=0.1), (3, 4))
    trials.append(make_trial(x, g, "for x of shape (3, 4)"))
    return trials


def _relu_hidden(seed):
    trials = []
    for gen in generators(seed, 8):
        shape = random_shape(gen, 1, 3, 1, 5)
        x = with_exact_zeros(random_tensor(shape, gen, away_from_zero=0.1), gen)
        trials.append(_relu_trial(x, random_tensor(shape, gen, away_from_zero=0.1), f"for x of shape {shape}"))
    return trials + _ends_of_domain("relu", torch.relu, _relu_trial, seed)


RELU_BACKWARD = Exercise(
    "relu_backward_tests", "relu_backward", by_hand=True,
    visible=lambda: [_relu_trial(_tensor([-2.0, -0.5, 0.0, 0.5, 3.0]), _tensor([1.0, 2.0, 3.0, 4.0, 5.0]),
                                 "for x = [-2, -0.5, 0, 0.5, 3]"),
                     _relu_trial(_tensor64([[1.0, 0.0, -1.0, 2.0]]), _tensor64([[1.0, 2.0, 3.0, 4.0]]),
                                 "for x = [[1, 0, -1, 2]] in float64 (a batch of one)")],
    hidden=_relu_hidden,
)


def _power(p):
    return lambda t: t ** p


def _pow_trial(x, p, g, case, fd=False):
    # 1 / p times the right answer: the p the power rule brings down is missing (-1 and 1 tell nothing)
    causes = [(1 / p, "that is 1 / p: the factor p of the power rule (d x^p = p x^(p-1) dx) is missing")] \
        if p and abs(p) != 1 else []
    layout = described_all(x=x, grad_out=g)
    case = f"{case}, {layout}" if layout else case
    return Trial((x, p, g), _unary_judge(_power(p), x, g, "pow_backward", fd, causes=causes, function="pow", p=p),
                 case=case)


def _pow_visible():
    x, g = _tensor([0.5, -1.0, 2.0, 3.0]), _tensor([1.0, 2.0, -1.0, 0.5])
    # x > 0 when p is not an integer
    return [_pow_trial(xp, p, g, f"for p = {p}") for p, xp in [(2, x), (3, x), (0.5, x.abs())]] + [
        # p = 0, with x = 0 among the points: x ** 0 is 1 everywhere
        _pow_trial(_tensor([0.0, -1.0, 2.0, 3.0]), 0, g, "for p = 0, x = [0, -1, 2, 3]"),
        # a negative power, in float64 and two dimensions
        _pow_trial(_tensor64([[0.5, -1.0, 2.0, 4.0]]), -1, _tensor64([[1.0, 2.0, -1.0, 0.5]]),
                   "for p = -1, x = [[0.5, -1, 2, 4]] in float64 (a batch of one)")]


# p = 0, negative and fractional powers at and near x = 0, in both dtypes (x > 0 for a fractional p)
_POWERS_NEAR_ZERO = [0, 1, -1, -2, 0.5, 1.5, 2.5, 0.3, -0.5, -1.5]
# far from 0: where x ** p overflows before x ** (p - 1) does
_POWERS_FAR = {torch.float32: [3, 2.5, -1], torch.float64: [3, 1.5, -2]}


def _pow_near_zero(seed):
    trials = []
    gen = generators(seed + 5, 1)[0]
    for dtype in (torch.float32, torch.float64):
        points = torch.tensor(pow_points_near_zero(dtype), dtype=dtype)
        for p in _POWERS_NEAR_ZERO:
            x = points if float(p).is_integer() else points[points >= 0]
            x, g = where_defined(_power(p), x, unit_grad(x.shape, gen, dtype))
            trials.append(_pow_trial(x, p, g, f"for p = {p} at and near x = 0 in {_name(dtype)}"))
        for p in _POWERS_FAR[dtype]:
            x = torch.tensor(end_points("pow", dtype), dtype=dtype)
            x = x if float(p).is_integer() else x[x > 0]
            x, g = where_defined(_power(p), x, unit_grad(x.shape, gen, dtype))
            trials.append(_pow_trial(x, p, g, f"for p = {p} and |x| up to {float(x.abs().max()):.3g} in {_name(dtype)}"))
    return trials


def _pow_hidden(seed):
    gens = generators(seed, 12)
    trials = []
    for gen, p in zip(gens, [2, 3, -1, 4, 0.5, 1.5, -2.5, 0.3]):
        shape = random_shape(gen, 1, 3, 1, 5)
        if float(p).is_integer():
            x = random_tensor(shape, gen, away_from_zero=0.3)
        else:
            x = random_tensor(shape, gen, low=0.3, high=3.0)
        trials.append(_pow_trial(x, p, random_tensor(shape, gen, away_from_zero=0.1), f"for p = {p}", fd=True))
    # Exact zeros, where p * x ** p / x and similar rewrites give nan but torch gives p * 0 ** (p - 1).
    for gen, p in zip(gens[8:], [2, 3, 1]):
        x = with_exact_zeros(random_tensor((6,), gen, away_from_zero=0.3), gen, share=0.5)
        x[0] = 0.0
        trials.append(_pow_trial(x, p, random_tensor((6,), gen, away_from_zero=0.1),
                                 f"for p = {p} and x with exact zeros {x.tolist()}"))
    # x stored transposed, and an upstream gradient that is an expand of one row
    x = transposed(random_tensor((3, 4), gens[11], away_from_zero=0.3))
    trials.append(_pow_trial(x, 3, expanded(random_tensor((1, 4), gens[11], away_from_zero=0.1), (3, 4)),
                             "for p = 3, x of shape (3, 4)"))
    return trials + _pow_near_zero(seed)


POW_BACKWARD = Exercise("pow_backward_tests", "pow_backward", by_hand=True,
                        visible=_pow_visible, hidden=_pow_hidden)


def _unary_hidden(op, name, ranges, function):
    """Hidden trials of an elementwise rule: per (seed offset, low, high), 8 random shapes; then the ends
    of its domain in float32 and float64, and a layout that is not contiguous."""
    make = lambda x, g, case: _unary_trial(op, name, x, g, case, function=function)  # noqa: E731

    def hidden(seed):
        trials = []
        for offset, low, high in ranges:
            for gen in generators(seed + offset, 8):
                shape = random_shape(gen, 1, 3, 1, 5)
                x = random_tensor(shape, gen, low=low, high=high)
                trials.append(_unary_trial(op, name, x, random_tensor(shape, gen, away_from_zero=0.1),
                                           f"for x of shape {shape}", fd=True, function=function))
        return trials + _ends_of_domain(function, op, make, seed)
    return hidden


def _unary_exercise(op, function, visible_x, visible_g, ranges):
    name = f"{function}_backward"
    x, g = _tensor(visible_x), _tensor(visible_g)
    case = "for x = [" + ", ".join(f"{v:g}" for v in visible_x) + "]"
    # the same values again in float64, as a (1, n) batch of one: the result keeps dtype and shape
    x64, g64 = x.double().reshape(1, -1), g.double().reshape(1, -1)
    return Exercise(f"{name}_tests", name, by_hand=True,
                    visible=lambda: [_unary_trial(op, name, x, g, case, function=function),
                                     _unary_trial(op, name, x64, g64, case + " as a float64 batch of one (1, n)",
                                                  function=function)],
                    hidden=_unary_hidden(op, name, ranges, function))


EXP_BACKWARD = _unary_exercise(torch.exp, "exp", [-3.0, -1.0, 0.0, 1.0, 4.0], [1.0, -2.0, 0.5, 3.0, 1.0],
                               [(0, -6.0, 6.0)])
LOG_BACKWARD = _unary_exercise(torch.log, "log", [0.1, 0.5, 1.0, 2.0, 10.0], [1.0, -2.0, 0.5, 3.0, 1.0],
                               [(0, 0.01, 5.0), (1, 5.0, 100.0)])
TANH_BACKWARD = _unary_exercise(torch.tanh, "tanh", [-100.0, -2.0, 0.0, 0.5, 3.0, 100.0],
                                [1.0, -2.0, 0.5, 3.0, 1.0, -1.0], [(0, -4.0, 4.0)])
SIGMOID_BACKWARD = _unary_exercise(torch.sigmoid, "sigmoid", [-100.0, -2.0, 0.0, 0.5, 3.0, 100.0],
                                   [1.0, -2.0, 0.5, 3.0, 1.0, -1.0], [(0, -8.0, 8.0)])


# ---- sum_backward and mean_backward -------------------------------------------

def _reduce(op, dim, keepdim):
    if dim is None and not keepdim:
        return lambda t: op(t)
    return lambda t: op(t, dim=dim, keepdim=keepdim)


def mean_factors(shape, dim):
    """The constant factors a mean's gradient is likely to be off by."""
    total = torch.Size(shape).numel()
    dims = range(len(shape)) if dim is None else ([dim] if isinstance(dim, int) else dim)
    count = torch.Size([shape[d] for d in dims]).numel()
    named = {"N, the number of elements in each mean": count}
    if total != count:
        named["x.numel() / N (dividing by all elements of x instead of N)"] = total // count
    return named


def _reduce_trial(name, op, shape, g_from, dim=None, keepdim=False, factors=None, layout=None):
    """fn(shape, g, dim=dim, keepdim=keepdim) against torch's gradient of op(x, dim, keepdim).

    `layout` (e.g. transposed) lays g out in memory another way; its values stay the same.
    """
    x = torch.zeros(shape, dtype=g_from.dtype)
    out_shape = _reduce(op, dim, keepdim)(x).shape
    g = g_from.reshape(-1)[: torch.Size(out_shape).numel()].reshape(out_shape)
    g = layout(g) if layout else g
    stored = described_all(grad_out=g)

    def judge(got):
        assert_close(got, autograd_vjp(_reduce(op, dim, keepdim), (x,), g)[0], f"{name}'s result",
                     factors=factors, causes=[])
    return Trial((shape, g), judge, kwargs={"dim": dim, "keepdim": keepdim},
                 case=f"for x of shape {shape}, dim={dim}, keepdim={keepdim}" + (f", {stored}" if stored else ""))


_VISIBLE_DIMS = [(None, False), (1, False), (1, True), ((0, -1), False)]
_EDGE_DIMS = [(-1, False), ((2, 0), False), ((0, 2), True), (None, True)]


def _reduce_exercise(name, op, factors_of, extra_edges=()):
    def visible():
        g = torch.arange(1.0, 25.0)   # upstream gradient values, cut to the shape of each output
        return [_reduce_trial(name, op, (2, 3, 4), g, d, k, factors_of((2, 3, 4), d)) for d, k in _VISIBLE_DIMS] + [
            # float64, a size-1 dimension: a negative dim kept, and two dims not in order
            _reduce_trial(name, op, (3, 1, 2), g.double(), -1, True, factors_of((3, 1, 2), -1)),
            _reduce_trial(name, op, (1, 3, 2), g.double(), (2, 0), False, factors_of((1, 3, 2), (2, 0)))]

    def hidden(seed):
        gens = generators(seed, 11)
        trials = []
        for gen in gens[:10]:
            shape = random_shape(gen, 1, 4, 1, 5)
            dim = reduction_dims(gen, len(shape))
            keep = bool(torch.randint(0, 2, (1,), generator=gen))
            trials.append(_reduce_trial(name, op, shape, random_tensor((700,), gen, away_from_zero=0.1),
                                        dim, keep, factors_of(shape, dim)))
        for d, k in [*_EDGE_DIMS, *extra_edges]:
            trials.append(_reduce_trial(name, op, (3, 1, 2), random_tensor((700,), gens[10]), d, k,
                                        factors_of((3, 1, 2), d)))
        # grad_out not contiguous: stored transposed, or an expand of one row
        g = random_tensor((700,), gens[10])
        trials += [_reduce_trial(name, op, (3, 4, 5), g, 1, False, factors_of((3, 4, 5), 1), transposed),
                   _reduce_trial(name, op, (2, 3, 4), g, 0, False, factors_of((2, 3, 4), 0),
                                 lambda t: expanded(t[:1], t.shape))]
        return trials
    return Exercise(f"{name}_tests", name, by_hand=True, visible=visible, hidden=hidden)


SUM_BACKWARD = _reduce_exercise("sum_backward", torch.sum, lambda shape, dim: None, extra_edges=[(-3, True)])
MEAN_BACKWARD = _reduce_exercise("mean_backward", torch.mean, mean_factors)

EXERCISES = [VJP_OF_VIEW, SUM_TO_SHAPE, ADD_BACKWARD, MUL_BACKWARD, MATMUL_BACKWARD, RELU_BACKWARD,
             SUM_BACKWARD, MEAN_BACKWARD, POW_BACKWARD, EXP_BACKWARD, LOG_BACKWARD, TANH_BACKWARD,
             SIGMOID_BACKWARD]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "vjp_of_view_tests": """\
v = [[1, 0.1], [0.01, 0.001]], compared with torch.autograd's v^T J.
Also v = [[2, -1], [0.5, 3]] in float64: the result keeps v's dtype.
Only the hidden trials: random v, and v stored transposed (not contiguous).""",
    "sum_to_shape_tests": """\
grad = torch.arange(24.0).reshape(2, 3, 4), summed to (2, 3, 4) (nothing broadcast), (4,),
(3, 1) and (2, 1, 4) (a size-1 dimension kept), each compared with torch's gradient of expand.
Also, in float64, grad[:1] (a batch of one) summed to (3, 4) and to (1,).
And a 1-D grad, torch.arange(4.0), summed to (1,).
Only the hidden trials: random shapes, and a grad that is not contiguous: its dimensions
stored in reverse order (no two leading ones can be merged by .view), stored transposed,
or an expand of one row.""",
    "add_backward_tests": """\
grad_out of shape (2, 3) with a, b of shapes (2, 3) and (2, 3); (2, 3) and (3,); (2, 1) and (1, 3).
Also, in float64, a of shape (1, 3) (a batch of one) and b of shape (1,).
Only the hidden trials: random broadcast shapes, and a grad_out that is not contiguous (its
dimensions stored in reverse order, or an expand of one row).""",
    "mul_backward_tests": """\
a, b and grad_out of shape (2, 3); then b of shape (3,) broadcast over the rows;
then a of shape (2, 1) broadcast over the columns, and a of shape (3,) over the rows.
Also, in float64, a of shape (1, 3) (a batch of one) times b of shape (1,).
Only the hidden trials: random broadcast shapes and values (also against finite differences), and
a and grad_out that are not contiguous (stored in reverse order or transposed, or an expand).""",
    "matmul_backward_tests": """\
(2, 3) @ (3, 4): no two dimensions are equal, so a misplaced transpose cannot pass.
Also, in float64, a batch of one: (1, 4) @ (4, 3).
Only the hidden trials: random sizes (a batch of one, a single output column), and A, B and
grad_out stored transposed (not contiguous).""",
    "relu_backward_tests": """\
x = [-2, -0.5, 0, 0.5, 3], grad_out = [1, 2, 3, 4, 5]: at exactly 0 torch passes no gradient.
Also x = [[1, 0, -1, 2]] in float64: a batch of one, and the zero again.
Only the hidden trials: random shapes with exact zeros; in float32 and float64, wherever
torch's gradient is finite: x = ±the largest number (±3.4e38 in float32, ±1.8e308 in float64),
the smallest positive ones (down to the subnormals 1.4e-45 and 5e-324) and random x spread over
the whole range; x stored transposed.""",
    "sum_backward_tests": """\
x of shape (2, 3, 4) summed over everything, dim=1, dim=1 with keepdim=True, and dim=(0, -1).
Also, in float64, x of shape (3, 1, 2) with dim=-1, keepdim=True, and x of shape (1, 3, 2) with
dim=(2, 0) (not in order).
Only the hidden trials: random shapes and dims, and a grad_out that is not contiguous (stored
transposed, or an expand of one row).""",
    "mean_backward_tests": """\
x of shape (2, 3, 4) averaged over everything, dim=1, dim=1 with keepdim=True, and dim=(0, -1).
Also, in float64, x of shape (3, 1, 2) with dim=-1, keepdim=True, and x of shape (1, 3, 2) with
dim=(2, 0) (not in order).
Only the hidden trials: random shapes and dims, and a grad_out that is not contiguous (stored
transposed, or an expand of one row).""",
    "pow_backward_tests": """\
x = [0.5, -1, 2, 3] with p = 2 and p = 3, and |x| with p = 0.5.
And p = 0 on x = [0, -1, 2, 3]: x ** 0 is 1 everywhere, 0 included, so the gradient is 0.
Also p = -1 on x = [[0.5, -1, 2, 4]] in float64 (a batch of one).
Only the hidden trials: random x for p = 2, 3, -1, 4, 0.5, 1.5, -2.5 and 0.3; x with exact zeros;
in float32 and float64, wherever torch's gradient is finite: p = 0, 1, -1, -2 and fractional p
(0.5, 1.5, 2.5, 0.3, -0.5, -1.5; then x >= 0) at and near x = 0, down to the smallest subnormal,
and |x| up to the largest number; x stored transposed.""",
    "exp_backward_tests": """\
x = [-3, -1, 0, 1, 4].
Also the same x in float64, as a batch of one of shape (1, 5).
Only the hidden trials: random x in [-6, 6]; in float32 and float64, wherever torch's gradient
is finite: x from the most negative number up to exp's overflow point (88.72 in float32, 709.78
in float64), the smallest positive numbers, and random x spread over that range; x stored transposed.""",
    "log_backward_tests": """\
x = [0.1, 0.5, 1, 2, 10].
Also the same x in float64, as a batch of one of shape (1, 5).
Only the hidden trials: random x in [0.01, 100]; in float32 and float64, wherever torch's
gradient is finite: x from the smallest positive numbers (subnormals, as long as 1 / x is finite)
to the largest one (3.4e38, 1.8e308), and random x spread over that range; x stored transposed.""",
    "tanh_backward_tests": """\
x = [-100, -2, 0, 0.5, 3, 100]: large |x| is where a formula of raw exponentials breaks.
Also the same x in float64, as a batch of one of shape (1, 6).
Only the hidden trials: random x in [-4, 4]; in float32 and float64, wherever torch's gradient
is finite: x up to ±the largest number (±3.4e38, ±1.8e308), far beyond exp's overflow point
(88.72, 709.78), the smallest positive ones, and random x spread over that range; x stored transposed.""",
    "sigmoid_backward_tests": """\
x = [-100, -2, 0, 0.5, 3, 100]: large |x| is where a formula of raw exponentials breaks.
Also the same x in float64, as a batch of one of shape (1, 6).
Only the hidden trials: random x in [-8, 8]; in float32 and float64, wherever torch's gradient
is finite: x up to ±the largest number (±3.4e38, ±1.8e308), far beyond exp's overflow point
(88.72, 709.78), the smallest positive ones, and random x spread over that range; x stored transposed.""",
}
