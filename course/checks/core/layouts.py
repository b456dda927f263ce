"""Trial inputs that are not contiguous in memory: the same values, laid out as real tensors often are.

A transposed weight, a permuted batch, an upstream gradient that is an
expand of a smaller one (the backward of a sum or a mean): the values equal
those of a contiguous tensor, but `.view` cannot reshape them. Each helper
returns such a tensor; it crosses to the kernel with its layout
(course.kernel.plain, `keep_layout`), and `described` says in a trial's case
what the learner's function was given.
"""
import torch


def transposed(t):
    """`t`'s values with its last two dimensions swapped in memory (t.mT.contiguous().mT): not contiguous
    when both sizes are larger than 1."""
    return t.mT.contiguous().mT


def reversed_memory(t):
    """`t`'s values stored with its dimensions in reverse order (the first dimension fastest): for 3 or more
    dimensions of size > 1, no two neighbouring ones can be merged by `.view`."""
    order = list(range(t.dim()))[::-1]
    return t.permute(order).contiguous().permute(order)


def permuted(t, generator):
    """`t`'s values stored with its dimensions in a random order, other than the contiguous one if it can."""
    sizable = [d for d in range(t.dim()) if t.shape[d] > 1]
    if len(sizable) < 2:
        return t
    while True:
        order = torch.randperm(t.dim(), generator=generator).tolist()
        stored = t.permute(order).contiguous()
        back = stored.permute([order.index(d) for d in range(t.dim())])
        if not back.is_contiguous():
            return back


def expanded(small, shape):
    """`small` expanded to `shape` (no copy: the repeated dimensions have stride 0)."""
    return small.expand(shape)


def described(name, t):
    """How `t` is laid out, for a trial's case: e.g. "grad_out not contiguous (stored transposed)"; "" if contiguous."""
    if t.is_contiguous():
        return ""
    if any(stride == 0 and size > 1 for size, stride in zip(t.shape, t.stride())):
        base = [1 if stride == 0 else size for size, stride in zip(t.shape, t.stride())]
        return f"{name} not contiguous (an expand of a tensor of shape {tuple(base)})"
    if t.dim() == 2:
        return f"{name} not contiguous (stored transposed)"
    return f"{name} not contiguous (its dimensions stored in another order)"


def described_all(**tensors):
    """The layouts of the non-contiguous tensors among `tensors`, joined: "" if all are contiguous."""
    return ", ".join(text for name, t in tensors.items()
                     if isinstance(t, torch.Tensor) and (text := described(name, t)))
