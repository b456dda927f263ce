"""The two oracles a hand-written gradient is checked against, and seeded random inputs.

`autograd_vjp` asks torch.autograd for the vector-Jacobian product of a
function; `finite_difference_grad` estimates a gradient from function values
alone (central differences in float64), an independent second witness.
"""
import torch

_grad = torch.autograd.grad  # held before learner code could replace it


def autograd_vjp(fn, inputs, grad_out=None):
    """The gradients of `fn(*inputs)` with respect to each tensor input, weighted by `grad_out`.

    Equal to ``torch.autograd.grad(out, inputs, grad_outputs=grad_out)``;
    `grad_out` defaults to ones (the gradient of ``out.sum()``). Inputs that are
    not tensors are passed through unchanged. Returns a tuple, one per tensor input.
    """
    leaves = [x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) else x
              for x in inputs]
    with torch.enable_grad():
        out = fn(*leaves)
    if grad_out is None and out.dim() > 0:
        grad_out = torch.ones_like(out)  # a scalar needs none (and skips a slow first-use import)
    tensors = [x for x in leaves if isinstance(x, torch.Tensor)]
    grads = _grad(out, tensors, grad_outputs=grad_out, allow_unused=True)
    return tuple(torch.zeros_like(x) if g is None else g for x, g in zip(tensors, grads))


def finite_difference_grad(scalar_fn, x, eps=1e-6, with_noise=False):
    """Central-difference estimate of d scalar_fn(x) / dx, computed in float64.

    With `with_noise`, also returns a bound on the estimate's rounding noise:
    each value of scalar_fn is rounded to about 1e-16 of itself (more for a
    long sum), and dividing by 2 * eps magnifies that by 5e5, so a sum in the
    thousands gives noise near 1e-7 however right the gradient is.
    """
    x = x.detach().to(torch.float64).clone(memory_format=torch.contiguous_format)  # its own copy, any layout
    grad = torch.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    largest = 1.0
    for i in range(flat_x.numel()):
        saved = float(flat_x[i])
        # x + eps is rounded: divide by the step actually taken, not by 2 * eps
        high, low = saved + eps, saved - eps
        flat_x[i] = high
        up = float(scalar_fn(x))
        flat_x[i] = low
        down = float(scalar_fn(x))
        flat_x[i] = saved
        flat_grad[i] = (up - down) / (high - low)
        largest = max(largest, abs(up), abs(down))
    if with_noise:
        return grad, FD_NOISE_ULPS * torch.finfo(torch.float64).eps * largest / eps
    return grad


FD_NOISE_ULPS = 64  # rounding errors, in units of the last place of scalar_fn's value, the bound allows (26 seen)


def generators(seed, trials):
    """One independently seeded torch.Generator per trial."""
    return [torch.Generator().manual_seed(seed * 1000 + trial) for trial in range(trials)]


def random_shape(generator, min_dims=1, max_dims=3, min_size=1, max_size=5):
    """A random shape; sizes are drawn per dimension, so dimensions differ."""
    dims = int(torch.randint(min_dims, max_dims + 1, (1,), generator=generator))
    return tuple(int(s) for s in torch.randint(min_size, max_size + 1, (dims,), generator=generator))


def random_tensor(shape, generator, low=None, high=None, dtype=torch.float64, away_from_zero=0.0):
    """Standard normal values (or uniform in [low, high)), optionally kept away from zero.

    `away_from_zero` pushes every value at least that far from 0, so a check
    is never made at a point where the gradient is trivially zero.
    """
    if low is not None:
        values = low + (high - low) * torch.rand(shape, generator=generator, dtype=dtype)
    else:
        values = torch.randn(shape, generator=generator, dtype=dtype)
    if away_from_zero:
        values = values + away_from_zero * torch.where(values >= 0, 1.0, -1.0).to(dtype)
    return values
