"""gradcheck explained: torch.autograd.gradcheck on a learner's Function, and what its two Jacobians say.

For the notebook (09's "back to torch") and for the checks of `Sigmoid`:
`explain_gradcheck` runs gradcheck and, when it fails, says in words what
the numerical and analytical Jacobians show.
"""
import warnings

import torch
from torch.autograd.gradcheck import GradcheckError

# Held from import time, before any learner code runs.
_enable_grad = torch.enable_grad
_no_grad = torch.no_grad
_gradcheck = torch.autograd.gradcheck
_grad = torch.autograd.grad
_float64 = torch.float64

GRADCHECK_EPS, GRADCHECK_ATOL, GRADCHECK_RTOL = 1e-6, 1e-5, 1e-3   # torch's defaults


def jacobians(fn, x, eps=GRADCHECK_EPS):
    """(numerical, analytical) Jacobians of `fn` at `x`, laid out as gradcheck prints them.

    Row i, column j: d out_j / d x_i. Numerical: central differences of fn's
    values, one input element at a time. Analytical: what backward returns for
    a one-hot grad_out on output element j (column j).
    """
    x = x.detach()
    with _no_grad():
        out = fn(x.clone())
    numerical = torch.zeros(x.numel(), out.numel(), dtype=x.dtype)
    flat = x.clone().reshape(-1)
    for i in range(flat.numel()):
        saved = float(flat[i])
        flat[i] = saved + eps
        with _no_grad():
            up = fn(flat.reshape(x.shape)).reshape(-1)
        flat[i] = saved - eps
        with _no_grad():
            down = fn(flat.reshape(x.shape)).reshape(-1)
        flat[i] = saved
        numerical[i] = (up - down) / (2 * eps)
    analytical = torch.zeros_like(numerical)
    for j in range(out.numel()):
        leaf = x.clone().requires_grad_()
        with _enable_grad():
            result = fn(leaf)
        one_hot = torch.zeros(result.numel(), dtype=result.dtype)
        one_hot[j] = 1.0
        (grad,) = _grad(result, leaf, one_hot.reshape(result.shape), allow_unused=True)
        if grad is not None:
            analytical[:, j] = grad.detach().reshape(-1)
    return numerical, analytical


def explain_jacobians(numerical, analytical, dtype=_float64):
    """What the difference between gradcheck's two Jacobians says about backward, in words."""
    lines = ["gradcheck compared two Jacobians of your Function (row i, column j: d out_j / d x_i): "
             "'numerical' from finite differences of forward, (f(x + eps) - f(x - eps)) / (2 eps), "
             "and 'analytical' from backward called once per output element with a one-hot grad_out."]
    if dtype != _float64:
        lines.append(f"The input is {str(dtype).removeprefix('torch.')}: with eps = 1e-6 a difference "
                     "f(x + eps) - f(x - eps) keeps only a digit or two of a float32 value, so the numerical "
                     "Jacobian itself is wrong. Run gradcheck on float64 inputs (x.double()).")
        return "\n".join(lines)
    off_diagonal = ~torch.eye(*numerical.shape, dtype=torch.bool) if numerical.dim() == 2 else None
    diagonal_only = off_diagonal is not None and numerical.shape[0] == numerical.shape[1] and \
        not bool(numerical[off_diagonal].abs().gt(1e-8).any())
    if not bool(analytical.abs().gt(0).any()):
        lines.append("The analytical Jacobian is all zeros: backward returned zeros, or None.")
    elif diagonal_only and bool(analytical[off_diagonal].abs().gt(1e-8).any()):
        lines.append("The numerical Jacobian is diagonal (each output depends on its own input only), but the "
                     "analytical one has entries off the diagonal: backward's answer does not depend on which "
                     "output the one-hot grad_out picked, so backward ignores grad_out. Multiply the local "
                     "derivative by grad_out (the chain rule).")
    else:
        norm = float((numerical * numerical).sum())
        factor = float((analytical * numerical).sum()) / norm if norm else 0.0
        if factor and torch.allclose(analytical, factor * numerical, rtol=1e-4, atol=1e-8):
            lines.append(f"The analytical Jacobian is {factor:.4g} times the numerical one: a constant factor "
                         "in backward is wrong.")
        diff = (analytical - numerical).abs()
        worst = int(diff.reshape(-1).argmax())
        i, j = divmod(worst, numerical.shape[1])
        lines.append(f"The largest difference is at row {i}, column {j}: numerical {float(numerical[i, j]):.6g}, "
                     f"analytical {float(analytical[i, j]):.6g}. Backward does not return the derivative of "
                     "what forward computes there.")
    return "\n".join(lines)


def explain_gradcheck(fn, x, eps=GRADCHECK_EPS, atol=GRADCHECK_ATOL, rtol=GRADCHECK_RTOL):
    """Run torch.autograd.gradcheck(fn, (x,)); print one line if it passes, else its message and what it means."""
    x = x.detach().requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # gradcheck warns about float32 inputs; the explanation says why
        try:
            _gradcheck(fn, (x,), eps=eps, atol=atol, rtol=rtol)
        except GradcheckError as error:
            numerical, analytical = jacobians(fn, x, eps)
            print("gradcheck failed:", str(error).strip())
            print()
            print(explain_jacobians(numerical, analytical, x.dtype))
            return
    dtype = str(x.dtype).removeprefix("torch.")
    print(f"gradcheck passed: for x of shape {tuple(x.shape)} ({dtype}), backward agrees with finite "
          f"differences of forward (atol={atol:g}, rtol={rtol:g}).")
