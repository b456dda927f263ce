"""09_tiny_autograd, "back to torch": the learner's `Sigmoid` run inside torch's graph, in the kernel.

`Sigmoid.apply(x)` with what its forward saved and `x.grad` after
`backward(grad_out)`; the Function in a graph that hands its backward a
`grad_out` autograd shares with another node or an expand (`.sum()`'s
backward); the same Function inside a small model; and
`torch.autograd.gradcheck` in float64, with the two Jacobians it compared
when it fails. Plain data out; the grader (course.checks.a09_tiny_autograd.
custom_function) judges it.
"""
import torch
from torch.autograd.gradcheck import GradcheckError

from course.gradcheck import GRADCHECK_ATOL, GRADCHECK_EPS, GRADCHECK_RTOL, jacobians

# Held from import time, before any learner code runs.
_Function = torch.autograd.Function
_enable_grad = torch.enable_grad
_gradcheck = torch.autograd.gradcheck

def _is_function(target):
    return isinstance(target, type) and issubclass(target, _Function)


def _saved(out):
    """The tensors forward saved with ctx.save_for_backward (read before backward frees them)."""
    try:
        return [t.detach().clone() for t in out.grad_fn.saved_tensors if type(t) is torch.Tensor]
    except Exception:
        return []


def _run_op(target, x, grad_out):
    leaf = x.clone().requires_grad_()
    out = target.apply(leaf)
    if not isinstance(out, torch.Tensor):
        return {"out": out}
    record = {"out": out.detach(), "saved": _saved(out),
              "grad_fn": type(out.grad_fn).__name__ if out.grad_fn is not None else None}
    out.backward(grad_out)
    record["grad"] = leaf.grad
    return record


def _run_graph(target, x, grad_out, graph):
    """x.grad after a small graph around Sigmoid.apply(x), or what backward raised, as plain data.

    "plus_input": (Sigmoid.apply(x) + x).backward(grad_out): the + hands the same grad_out tensor to both
    of its inputs. "sum": Sigmoid.apply(x).sum().backward(): sum's backward hands an expand of a single 1.
    """
    leaf = x.clone().requires_grad_()
    try:
        if graph == "plus_input":
            (target.apply(leaf) + leaf).backward(grad_out)
        else:
            target.apply(leaf).sum().backward()
    except Exception as error:                   # the grader reads what was raised
        return {"raised": f"{type(error).__name__}: {error}"[:1500]}
    return {"grad": leaf.grad}


def _run_model(target, X, y, W1, b1, W2):
    """The loss of a one-hidden-layer model with the learner's sigmoid, and the gradients of its weights."""
    weights = [w.clone().requires_grad_() for w in (W1, b1, W2)]
    W1, b1, W2 = weights
    loss = ((target.apply(X @ W1 + b1) @ W2 - y) ** 2).mean()
    loss.backward()
    return {"loss": loss.detach(), "grads": [w.grad for w in weights]}


def _run_gradcheck(target, x):
    leaf = x.clone().requires_grad_()
    try:
        _gradcheck(target.apply, (leaf,), eps=GRADCHECK_EPS, atol=GRADCHECK_ATOL, rtol=GRADCHECK_RTOL)
    except GradcheckError as error:
        numerical, analytical = jacobians(target.apply, x)
        return {"passed": False, "message": str(error)[:1500], "numerical": numerical, "analytical": analytical}
    return {"passed": True}


RUNS = {"op": _run_op, "graph": _run_graph, "model": _run_model, "gradcheck": _run_gradcheck}


def run_function(target, args, kwargs, by_hand, name):
    """The learner's Function class `target` on one trial: kwargs["kind"] is "op", "model" or "gradcheck"."""
    if not _is_function(target):
        raise AssertionError(f"{name} must be a class derived from torch.autograd.Function "
                             f"(class {name}(torch.autograd.Function): ...), but it is a {type(target).__name__}.")
    with _enable_grad():
        return RUNS[kwargs.get("kind", "op")](target, *args)
