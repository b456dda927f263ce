"""Read the dict an adapter sends back, trusting nothing about it.

An adapter of an exercise that is not a pure function (course.kernel.runner)
answers with a dict of plain data: a record of what the learner's function did.
It ran in the learner's process, so any field may be missing or of another
type; a judge reads it through `fields`, which turns a malformed record into
a failed trial instead of an exception in the grader.
"""
import torch

from course.kernel.plain import Unsupported

UNREADABLE = "the notebook's answer to this trial could not be read"


def fields(record, **kinds):
    """The values of `record`'s named fields, in order; each must be an instance of its kind."""
    if not isinstance(record, dict):
        raise AssertionError(f"{UNREADABLE} (not a record of the call).")
    values = []
    for name, kind in kinds.items():
        if not isinstance(record.get(name), kind):
            raise AssertionError(f"{UNREADABLE} (its field {name!r} is missing or malformed).")
        values.append(record[name])
    return values[0] if len(values) == 1 else values


def tensors_or_none(values, count, what):
    """`values` as a list of `count` plain tensors or None, else an AssertionError."""
    if not isinstance(values, (list, tuple)) or len(values) != count or \
            not all(v is None or isinstance(v, torch.Tensor) for v in values):
        raise AssertionError(f"{UNREADABLE} ({what}).")
    return list(values)


def identical(a, b):
    """Whether two tensors hold exactly the same values, with the same shape and dtype."""
    return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a, b))


def describe(value):
    """What a learner's value is, for a message: an unsupported value says what it was."""
    if isinstance(value, Unsupported):
        return value.description
    return f"{type(value).__name__} {value!r:.80}"
