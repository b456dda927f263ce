"""Call learner code from a test cell: clear errors, no stderr, and the by-hand guard.

`call` runs a learner function so that whatever goes wrong becomes one
AssertionError with a hint, and warnings are printed on stdout (nbgrader
scores a test cell with any stderr output as 0, so a harmless torch
UserWarning must never reach stderr). `call_by_hand` additionally forbids
autograd: the inputs are detached copies, grad mode is off, and every
autograd entry point raises a clear error while the function runs.
"""
from contextlib import contextmanager
import warnings

import torch
import torch.autograd
import torch.func

from .hints import hint_for

# Captured at import, before learner code runs: the guard restores these.
_AUTOGRAD_ENTRY_POINTS = [
    (torch.Tensor, "backward"),
    (torch.autograd, "backward"),
    (torch.autograd, "grad"),
    (torch.func, "grad"),
    (torch.func, "vjp"),
    (torch.func, "jacrev"),
    (torch.func, "grad_and_value"),
]
_ORIGINALS = {(owner, attr): getattr(owner, attr) for owner, attr in _AUTOGRAD_ENTRY_POINTS}
_no_grad = torch.no_grad
_is_grad_enabled = torch.is_grad_enabled
_set_grad_enabled = torch.set_grad_enabled


# Where `reporting` puts its notes (a learner function's warnings): printed when None; while the runner
# answers a request, a list it sends along with the trial's outcome, so that the verdict can show them.
NOTES = None
MAX_NOTES = 3


class AutogradUsed(AssertionError):
    """Raised when a function that must work by hand calls autograd."""


class LearnerError(AssertionError):
    """A learner function raised; the message carries the hint."""


def _forbidden(name, entry):
    def refuse(*args, **kwargs):
        raise AutogradUsed(
            f"{name} must compute the gradient by hand, but it called {entry}. "
            "Work it out with the chain rule using ordinary tensor operations; "
            "autograd is what the test compares you with.")
    return refuse


@contextmanager
def autograd_forbidden(name):
    """Within the block, grad mode is off and autograd's entry points raise AutogradUsed."""
    for owner, attr in _AUTOGRAD_ENTRY_POINTS:
        label = f"{'tensor.' if owner is torch.Tensor else owner.__name__ + '.'}{attr}()"
        setattr(owner, attr, _forbidden(name, label))
    try:
        with _no_grad():
            yield
    finally:
        for (owner, attr), original in _ORIGINALS.items():
            setattr(owner, attr, original)


@contextmanager
def reporting(name):
    """Turn an exception from learner code into one LearnerError with a hint; warnings go to stdout."""
    grad_mode = _is_grad_enabled()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except AssertionError:
            raise
        except Exception as error:  # any learner error becomes a graded failure with a hint
            hint = hint_for(error)
            message = f"{name} raised {type(error).__name__}: {error}"
            raise LearnerError(message + (f"\nHint: {hint}" if hint else "")) from None
        finally:
            _set_grad_enabled(grad_mode)  # a learner function may not leave grad mode changed
    for warning in caught:
        hint = hint_for(warning.message)
        note = f"Note: {name} caused a warning: {warning.message}" + (f"\nHint: {hint}" if hint else "")
        if NOTES is None:
            print(note)
        elif len(NOTES) < MAX_NOTES:
            NOTES.append(note[:500])


def copy_keeping_layout(tensor):
    """A copy of `tensor` with its strides: a transposed or expanded input stays so (clone() keeps the
    first kind only), so that the learner's function gets the layout the trial gave."""
    tensor = tensor.detach()
    if tensor.is_contiguous() or tensor.numel() == 0:
        return tensor.clone()
    span = 1 + sum((size - 1) * stride for size, stride in zip(tensor.shape, tensor.stride()))
    return tensor.as_strided((span,), (1,)).clone().as_strided(tensor.shape, tensor.stride())


def _detached(value):
    if isinstance(value, torch.Tensor):
        return copy_keeping_layout(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(v) for v in value)
    return value


def call(fn, *args, name=None, **kwargs):
    """Call a learner function; any error becomes an AssertionError with a hint."""
    with reporting(name or getattr(fn, "__name__", "your function")):
        return fn(*args, **kwargs)


def call_by_hand(fn, *args, name=None, **kwargs):
    """Call a learner function that must not use autograd, on detached copies of its inputs.

    Fails with a clear message if the function calls autograd, returns a tensor
    that is part of a graph, or changes its inputs in place.
    """
    name = name or getattr(fn, "__name__", "your function")
    copies = _detached(args)
    originals = _detached(args)
    with reporting(name), autograd_forbidden(name):
        result = fn(*copies, **_detached(kwargs))
    outputs = result if isinstance(result, (tuple, list)) else [result]
    if any(isinstance(out, torch.Tensor) and out.requires_grad for out in outputs):
        raise AutogradUsed(f"{name} returned a tensor that requires grad: it must compute the "
                           "gradient by hand from plain tensors, not build a graph.")
    for position, (before, after) in enumerate(zip(originals, copies)):
        if isinstance(before, torch.Tensor) and not torch.equal(before, after):
            raise LearnerError(f"{name} changed its input number {position + 1} in place: "
                               "compute new tensors instead (x * 2, not x.mul_(2)).")
    return result
