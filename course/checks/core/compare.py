"""Compare a learner's tensor with a reference and say, as a teacher would, what is wrong.

`compare` returns a `Report`; `assert_close` turns a failed report into one
AssertionError whose message is the diagnosis. Diagnoses run from the most
basic to the most specific: not a tensor, wrong shape (transposed, broadcast
dimension not summed, keepdim), wrong dtype, NaN/inf, then the values
(all zeros, sign, a constant factor, swapped, which elements differ).
"""
from dataclasses import dataclass
import math

import torch

from course.kernel.plain import Unsupported
from .reference import finite_difference_grad

# Held from import time, before any learner code runs, so a learner cannot
# make a check pass by rebinding these names in torch.
_isclose = torch.isclose
_Tensor = torch.Tensor

# (rtol, atol) per dtype: float64 hidden tests are held to ~1e-7.
TOLERANCES = {
    torch.float64: (1e-7, 1e-9),
    torch.float32: (1e-5, 1e-6),
    torch.float16: (1e-3, 1e-4),
    torch.bfloat16: (1e-2, 1e-3),
}

# Constant factors with a cause, as (factor, explanation). An exercise names
# the causes its mistakes make likely (`causes=`); elsewhere a diagnosis
# states the factor without guessing why.
SIGN_FLIPPED = (-1.0, "the sign is flipped; check the sign of each term (d(-x) = -dx; "
                      "descent subtracts the gradient)")
ADDED_TWICE = (2.0, "a gradient was added up twice (not cleared between backward calls) "
                    "or a term was counted twice")
SQUARE_TWO_MISSING = (0.5, "the 2 from differentiating a square (d x^2 = 2x dx) is missing")


@dataclass
class Report:
    """The outcome of one comparison."""

    passed: bool
    message: str
    max_abs_err: float = math.nan
    max_rel_err: float = math.nan
    worst_index: tuple = ()

    def __bool__(self):
        return self.passed


def tolerance(dtype, rtol=None, atol=None):
    """The (rtol, atol) used for `dtype`, unless given."""
    default_rtol, default_atol = TOLERANCES.get(dtype, TOLERANCES[torch.float32])
    return (default_rtol if rtol is None else rtol,
            default_atol if atol is None else atol)


def _describe(value):
    if isinstance(value, Unsupported):
        return f"{value.description}, which the checks cannot accept"
    if value is None:
        return "None (did the function reach a `return` statement?)"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__} ({value!r:.60})"


def _close(actual, expected, rtol, atol):
    return bool(_isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=False).all())


def _index(flat_index, shape):
    index = []
    for size in reversed(shape):
        index.append(flat_index % size)
        flat_index //= size
    return tuple(reversed(index))


def _error_figures(actual, expected):
    """Max abs error, max relative error and where the abs error is worst."""
    diff = (actual - expected).abs()
    flat = int(diff.reshape(-1).argmax())
    rel = diff / expected.abs().clamp_min(1e-12)
    return float(diff.max()), float(rel.max()), _index(flat, tuple(actual.shape))


def _shape_diagnosis(name, actual, expected):
    got, want = tuple(actual.shape), tuple(expected.shape)
    lines = [f"{name} has shape {got}, but it must have shape {want}."]
    if len(got) == 2 and got == want[::-1]:
        lines.append("It is the transpose of the right shape: a gradient always has "
                     "the shape of the tensor it belongs to (check the order of "
                     "a matmul and where a .T belongs; nn.Linear stores W as (out, in)).")
    elif actual.numel() == expected.numel() and [n for n in got if n != 1] == [n for n in want if n != 1]:
        lines.append("It has the right number of elements, but a dimension of size 1 is missing or extra: "
                     "a dimension kept or dropped (keepdim), or a view/reshape too many.")
    elif actual.numel() == expected.numel():
        lines.append("It has the right number of elements in another arrangement: "
                     "a dimension kept or dropped (keepdim), or a view/reshape too many.")
    else:
        try:
            broadcast = torch.broadcast_shapes(got, want)
        except RuntimeError:
            broadcast = None
        if broadcast == got:
            lines.append(
                f"{want} broadcasts to {got}: when an input was broadcast in the forward "
                "pass, its gradient must be summed over the broadcast dimensions "
                "(sum over the leading dimensions it lacks and, with keepdim=True, over "
                "the dimensions where it has size 1).")
    return "\n".join(lines)


def _value_diagnosis(name, actual, expected, rtol, atol, factors, causes):
    a = actual.to(torch.float64)
    e = expected.to(torch.float64)
    if not torch.isfinite(a).all() and torch.isfinite(e).all():
        bad = (~torch.isfinite(a)).nonzero()[0].tolist()
        kind = "NaN" if torch.isnan(a).any() else "inf"
        return (f"{name} contains {kind} (first at index {tuple(bad)}) where the right "
                "answer is finite: look for a division by zero, log(0), or exp of a "
                "large number.")
    if e.abs().max() > 0 and not a.abs().max() > 0:
        return (f"{name} is all zeros, but the right answer is not: was the gradient "
                "computed and returned (not a fresh torch.zeros_like)?")
    lines = []
    e_norm = float((e * e).sum())
    if e_norm > 0:
        factor = float((a * e).sum()) / e_norm
        if factor != 0 and _close(a, factor * e, rtol, atol):
            named = list(causes)
            named += [(value, f"that factor is {label}: a division by it is missing")
                      for label, value in factors.items()]
            named += [(1 / value, f"that factor is 1 / {label}: a division by it too many")
                      for label, value in factors.items()]
            matching = [why for value, why in named if math.isclose(factor, value, rel_tol=1e-6)]
            if len(matching) > 1:   # e.g. 1/2 when N = 2: a lost 2 of a square, or a division by N
                lines.append(f"{name} is {factor:g} times the right answer. For these inputs that factor has "
                             f"{len(matching)} likely causes: " + "; or ".join(matching) + ".")
            elif matching:
                lines.append(f"{name} is {factor:g} times the right answer: {matching[0]}.")
            else:
                lines.append(f"{name} is a constant {factor:.6g} times the right answer: "
                             "every element is scaled the same way, so look for a missing "
                             "or extra constant factor.")
    if a.dim() == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and _close(a, e.T, rtol, atol):
        lines.append(f"{name} is the transpose of the right answer: check the order of "
                     "the factors in a matmul.")
    max_abs, max_rel, worst = _error_figures(a, e)
    mismatched = int((~_isclose(a, e, rtol=rtol, atol=atol)).sum())
    lines.append(f"{mismatched} of {a.numel()} elements differ; the worst is at index "
                 f"{worst}: got {float(a[worst]):.8g}, expected {float(e[worst]):.8g}. "
                 f"Max abs error {max_abs:.3g}, max relative error {max_rel:.3g} "
                 f"(tolerance: rtol={rtol:g}, atol={atol:g}).")
    return "\n".join(lines), max_abs, max_rel, worst


def compare(actual, expected, name="result", *, rtol=None, atol=None,
            check_dtype=True, factors=None, causes=None):
    """Compare `actual` with the reference tensor `expected` and diagnose any difference.

    `factors` names constant factors the exercise makes likely, e.g.
    ``{"the batch size": 10}``, so a result off by exactly that much is named;
    `causes` lists (factor, explanation) pairs it makes likely (default: none,
    so the factor is stated without a guess at why).
    """
    factors = factors or {}
    causes = causes or ()
    if not isinstance(actual, _Tensor):
        return Report(False, f"{name} must be a torch.Tensor, but it is {_describe(actual)}.")
    if actual.shape != expected.shape:
        return Report(False, _shape_diagnosis(name, actual, expected))
    if check_dtype and actual.dtype != expected.dtype:
        return Report(False, f"{name} has dtype {actual.dtype}, but it must have dtype "
                             f"{expected.dtype} (the dtype of the inputs). Create new tensors "
                             "from the inputs (x * 2, torch.zeros_like(x)) or pass dtype=x.dtype.")
    rtol, atol = tolerance(expected.dtype, rtol, atol)
    a = actual.detach().to(torch.float64)
    e = expected.detach().to(torch.float64)
    if a.numel() == 0 or _close(a, e, rtol, atol):
        max_abs = float((a - e).abs().max()) if a.numel() else 0.0
        return Report(True, f"{name} is correct (max abs error {max_abs:.3g}).", max_abs_err=max_abs)
    diagnosis = _value_diagnosis(name, a, e, rtol, atol, factors, causes)
    if isinstance(diagnosis, str):
        return Report(False, diagnosis)
    message, max_abs, max_rel, worst = diagnosis
    return Report(False, message, max_abs, max_rel, worst)


def compare_all(actual, expected, names, **options):
    """Compare a tuple of results with a tuple of references, e.g. the grads of (a, b)."""
    what = " and ".join(names)
    if len(expected) == 1:
        return compare(actual, expected[0], names[0], **options)
    if not isinstance(actual, (tuple, list)):
        return Report(False, f"the result must be a tuple of {len(expected)} tensors "
                             f"({what}, in that order), but it is {_describe(actual)}.")
    if len(actual) != len(expected):
        return Report(False, f"the result must hold {len(expected)} tensors ({what}), "
                             f"but it holds {len(actual)}.")
    reports = [compare(a, e, n, **options) for a, e, n in zip(actual, expected, names)]
    failed = [r for r in reports if not r.passed]
    if not failed:
        return Report(True, "; ".join(r.message for r in reports))
    if len(expected) == 2 and all(compare(a, e, **options).passed
                                  for a, e in zip(actual, reversed(expected))):
        return Report(False, f"the two results are swapped: return them in the order ({what}).")
    first = failed[0]
    return Report(False, "\n".join(r.message for r in failed), first.max_abs_err,
                  first.max_rel_err, first.worst_index)


def assert_close(actual, expected, name="result", **options):
    """Raise an AssertionError that explains the difference, unless `actual` matches.

    `expected` may be a tensor, or a tuple of tensors with `name` a tuple of names.
    """
    if isinstance(expected, (tuple, list)):
        names = name if isinstance(name, (tuple, list)) else [f"{name}[{i}]" for i in range(len(expected))]
        report = compare_all(actual, expected, names, **options)
    else:
        report = compare(actual, expected, name, **options)
    if not report.passed:
        raise AssertionError(report.message)
    # Returns nothing on purpose: a test cell ending in this call must not
    # display a value, which nbgrader would read as partial credit.


def assert_close_to_finite_differences(actual, scalar_fn, x, name, rtol=1e-5, atol=1e-7, **options):
    """`assert_close` against the central-difference gradient of `scalar_fn` at `x`: a second witness.

    The absolute tolerance grows by the estimate's rounding noise, so a right
    answer never fails on the witness's own error.
    """
    fd, noise = finite_difference_grad(scalar_fn, x, with_noise=True)
    assert_close(actual, fd, name, rtol=rtol, atol=atol + noise, **options)
