"""09_tiny_autograd, "back to torch": the checks of the learner's `Sigmoid`, a torch.autograd.Function.

The learner's class is run in the kernel by the adapter `autograd_function`:
`Sigmoid.apply(x)`, what its forward saved with `ctx.save_for_backward`, and
`x.grad` after `backward(grad_out)` (a `grad_out` not contiguous among
them); the Function in a graph, where autograd hands its backward a
`grad_out` shared with another node (`Sigmoid.apply(x) + x`) or an expand
(`.sum()`); the same Function inside a small model; and
`torch.autograd.gradcheck` in float64. The kernel sends back only plain
data (with the two Jacobians gradcheck compared when it fails); the grader
compares with `torch.sigmoid` itself and names the typical mistakes: the
input saved and used as if it were the output, grad_out forgotten, the rule
of tanh, a gradient kept on `ctx` instead of saved, grad_out changed in
place (which only a graph shows: alone, the op's grad_out is the caller's).

`explain_gradcheck` is for the notebook: it runs gradcheck and, when it
fails, says in words what its two Jacobians show.
"""

import torch

from course.checks.core.compare import SIGN_FLIPPED, _close, assert_close, compare, tolerance
from course.checks.core.exercise import Exercise, Trial
from course.checks.core.layouts import described_all, transposed
from course.gradcheck import explain_jacobians
from course.checks.core.reference import generators, random_tensor

# Held from import time, before any learner code runs.
_Function = torch.autograd.Function
_enable_grad = torch.enable_grad
_no_grad = torch.no_grad
_gradcheck = torch.autograd.gradcheck
_grad = torch.autograd.grad
_sigmoid = torch.sigmoid
_float64 = torch.float64



# ---- Jacobians, and what a mismatch between them means -----------------------------------


# ---- the kernel's side -----------------------------------------------------------------


# ---- the grader's side -----------------------------------------------------------------

def _record(value):
    if type(value) is not dict:
        raise AssertionError("the notebook's answer to this trial could not be read.")
    return value


def _mistakes(x, s, grad_out):
    """(gradient a typical wrong backward returns, what is wrong): checked before the generic comparison."""
    return [
        (grad_out * x * (1 - x),
         "backward used the INPUT x as if it were the output: x.grad equals grad_out * x * (1 - x). "
         "Save the output in forward (ctx.save_for_backward(out)), and apply 03's rule to it."),
        (s * (1 - s),
         "x.grad equals the local derivative alone, sigma(x) * (1 - sigma(x)), whatever grad_out is: "
         "backward must multiply it by grad_out (the chain rule), as every backward rule of 03 does."),
        (grad_out * (1 - s ** 2),
         "x.grad equals grad_out * (1 - out**2): that is the rule of tanh, not of the sigmoid. "
         "Write the sigmoid's derivative with its own output, as in 03's sigmoid_backward."),
        (grad_out * s,
         "x.grad equals grad_out * out: the factor (1 - out) of the sigmoid's derivative is missing."),
    ]


def _op_trial(x, grad_out):
    s = _sigmoid(x)
    expected = grad_out * s * (1 - s)
    rtol, atol = tolerance(x.dtype)

    def judge(record):
        record = _record(record)
        report = compare(record.get("out"), s, "Sigmoid.apply(x)")
        if not report.passed:
            raise AssertionError(f"Sigmoid.apply(x) must equal torch.sigmoid(x) = 1 / (1 + exp(-x)). "
                                 f"{report.message}")
        grad = record.get("grad")
        if grad is None:
            raise AssertionError("x.grad is None after Sigmoid.apply(x).backward(grad_out): backward must return "
                                 "the gradient with respect to x (one tensor, shaped like x).")
        if isinstance(grad, torch.Tensor) and grad.shape == expected.shape and grad.dtype == expected.dtype:
            for wrong, why in _mistakes(x, s, grad_out):
                if _close(grad, wrong, rtol, atol) and not _close(wrong, expected, rtol, atol):
                    raise AssertionError(why)
        assert_close(grad, expected, "x.grad after Sigmoid.apply(x).backward(grad_out)", causes=[SIGN_FLIPPED])
        saved = record.get("saved")
        saved = [t for t in saved if isinstance(t, torch.Tensor)] if isinstance(saved, list) else []
        if not saved:
            raise AssertionError(
                "The gradient is right, but forward saved no tensor with ctx.save_for_backward: keep the output "
                "with ctx.save_for_backward(out) and read it in backward with (out,) = ctx.saved_tensors. "
                "(A tensor kept as an attribute of ctx escapes autograd's check that it was not changed "
                "in place before backward used it.)")
        if not any(t.shape == s.shape and _close(t.to(s.dtype), s, rtol, atol) for t in saved):
            what = "the input x" if any(t.shape == x.shape and _close(t.to(x.dtype), x, rtol, atol)
                                        for t in saved) else "something else"
            raise AssertionError(
                f"The gradient is right, but forward saved {what}, not its output: save the output "
                "(ctx.save_for_backward(out)) and write the rule with it, as torch's own SigmoidBackward does; "
                "then backward needs no second exp.")

    shape, layout = tuple(x.shape), described_all(grad_out=grad_out)
    return Trial((x, grad_out), judge, kwargs={"kind": "op"},
                 case=f"for x of shape {shape} ({str(x.dtype).removeprefix('torch.')})"
                      + (f", {layout}" if layout else ""))


# What torch raises when a tensor whose elements share memory (an expand) is written in place.
_OVERLAP = "more than one element of the written-to tensor refers to a single memory location"
_NEW_TENSOR = ("A backward must never write into grad_out: autograd may hand the same tensor to other nodes, "
               "or an expand. Compute a new tensor, return grad_out * out * (1 - out).")


def _graph_trial(x, grad_out, graph):
    """Sigmoid.apply(x) in a small graph: (Sigmoid.apply(x) + x).backward(grad_out), whose + hands the same
    grad_out to both paths, or Sigmoid.apply(x).sum().backward(), whose backward hands an expand of a 1."""
    s = _sigmoid(x)
    local = s * (1 - s)
    if graph == "plus_input":
        written, expected = "(Sigmoid.apply(x) + x).backward(grad_out)", grad_out * local + grad_out
        in_place = 2 * grad_out * local      # the path through + x sees the changed grad_out too
    else:
        written, expected, in_place = "Sigmoid.apply(x).sum().backward()", local, None
    rtol, atol = tolerance(x.dtype)

    def judge(record):
        record = _record(record)
        raised = record.get("raised")
        if isinstance(raised, str):
            if _OVERLAP in raised and graph == "sum":
                raise AssertionError(
                    f"{written} raised {raised.splitlines()[0][:300]}\nThe backward of .sum() hands your backward a "
                    "grad_out that is an expand of a single 1 (every element is the same memory), and your backward "
                    f"changed grad_out in place (grad_out *= ..., grad_out.mul_(...)). {_NEW_TENSOR}")
            raise AssertionError(f"{written} raised {raised[:600]}")
        grad = record.get("grad")
        if grad is None:
            raise AssertionError(f"x.grad is None after {written}: backward must return the gradient with "
                                 "respect to x (one tensor, shaped like x).")
        if (in_place is not None and isinstance(grad, torch.Tensor) and grad.shape == expected.shape
                and grad.dtype == expected.dtype and _close(grad, in_place, rtol, atol)
                and not _close(in_place, expected, rtol, atol)):
            raise AssertionError(
                f"x.grad after {written} is 2 * grad_out * out * (1 - out), but it must be "
                "grad_out * out * (1 - out) + grad_out: the + passes grad_out on to both of its inputs, the "
                "Sigmoid and x itself. That is what autograd gives when backward changes grad_out in place "
                "(grad_out *= ..., grad_out.mul_(...)): the + handed the same tensor to both paths, so the "
                f"gradient that reached x directly was changed too. {_NEW_TENSOR}")
        assert_close(grad, expected, f"x.grad after {written}", causes=[SIGN_FLIPPED])

    case = {"plus_input": "in the graph Sigmoid.apply(x) + x", "sum": "in the graph Sigmoid.apply(x).sum()"}[graph]
    return Trial((x, grad_out if graph == "plus_input" else None, graph), judge, kwargs={"kind": "graph"},
                 case=f"{case}, x of shape {tuple(x.shape)} ({str(x.dtype).removeprefix('torch.')})")


def _model_trial(X, y, W1, b1, W2):
    weights = [w.clone().requires_grad_() for w in (W1, b1, W2)]
    with _enable_grad():
        loss = ((_sigmoid(X @ weights[0] + weights[1]) @ weights[2] - y) ** 2).mean()
        grads = _grad(loss, weights)
    loss = loss.detach()

    def judge(record):
        record = _record(record)
        assert_close(record.get("loss"), loss, "the model's loss with Sigmoid.apply", causes=[])
        got = record.get("grads")
        if not isinstance(got, list) or len(got) != 3 or any(g is None for g in got):
            raise AssertionError("backward did not reach the model's weights: W1.grad, b1.grad or W2.grad is None. "
                                 "backward must return the gradient with respect to forward's input.")
        assert_close(tuple(got), grads, ("W1.grad", "b1.grad", "W2.grad"), causes=[SIGN_FLIPPED])

    return Trial((X, y, W1, b1, W2), judge, kwargs={"kind": "model"},
                 case=f"in the model sigmoid(X @ W1 + b1) @ W2 with X of shape {tuple(X.shape)}")


def _gradcheck_trial(x):
    def judge(record):
        record = _record(record)
        if record.get("passed") is True:
            return
        numerical, analytical = record.get("numerical"), record.get("analytical")
        explanation = (explain_jacobians(numerical, analytical) if isinstance(numerical, torch.Tensor)
                       and isinstance(analytical, torch.Tensor) and numerical.shape == analytical.shape
                       and numerical.dim() == 2 else "")
        first_line = str(record.get("message", "")).strip().split("\n")[0][:300]
        raise AssertionError(f"torch.autograd.gradcheck(Sigmoid.apply, (x,)) failed: {first_line}\n{explanation}")

    return Trial((x,), judge, kwargs={"kind": "gradcheck"},
                 case=f"gradcheck in float64 for x of shape {tuple(x.shape)}")


def _model_inputs(gen, n, d, h):
    X = random_tensor((n, d), gen)
    y = random_tensor((n, 1), gen)
    W1 = random_tensor((d, h), gen)
    b1 = 0.5 * random_tensor((h,), gen)
    W2 = random_tensor((h, 1), gen)
    return X, y, W1, b1, W2


def _visible():
    x = torch.tensor([-2.0, 0.0, 0.5, 3.0], dtype=_float64)
    grad_out = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=_float64)
    x32 = torch.tensor([[-20.0, -1.0, 0.0], [1.0, 2.0, 20.0]])
    grad_out32 = torch.tensor([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])
    gen = torch.Generator().manual_seed(9)
    x1 = torch.tensor([[-1.0, 4.0, -6.0]], dtype=_float64)     # a batch of one
    grad_out1 = torch.tensor([[2.0, 0.5, -1.0]], dtype=_float64)
    # grad_out32 stored transposed (not contiguous), as a gradient that comes back through a .T is
    return [_op_trial(x, grad_out), _op_trial(x32, transposed(grad_out32)), _op_trial(x1, grad_out1),
            _graph_trial(x, grad_out, "plus_input"), _graph_trial(x32, None, "sum"),
            _model_trial(*_model_inputs(gen, 4, 3, 5)),
            _gradcheck_trial(torch.linspace(-3.0, 3.0, 7, dtype=_float64))]


def _hidden(seed):
    trials = []
    gens = generators(seed, 12)
    for gen in gens[:5]:       # random shapes: a vector, a batch of one, a matrix; values up to about +-12
        rows, cols = int(torch.randint(1, 4, (), generator=gen)), int(torch.randint(1, 7, (), generator=gen))
        shape = (cols,) if rows == 3 else (rows, cols)
        x = 4.0 * random_tensor(shape, gen)
        trials.append(_op_trial(x, random_tensor(shape, gen, away_from_zero=0.3)))
    gen = gens[9]              # a matrix whose grad_out is stored transposed (not contiguous)
    shape = tuple(int(n) for n in torch.randint(2, 6, (2,), generator=gen))
    trials.append(_op_trial(4.0 * random_tensor(shape, gen), transposed(random_tensor(shape, gen, away_from_zero=0.3))))
    for graph, gen in zip(("plus_input", "sum"), gens[10:]):   # in a graph: a shared grad_out, an expanded one
        shape = tuple(int(n) for n in torch.randint(2, 6, (2,), generator=gen))   # an expand of 1 has 2+ elements
        x = 4.0 * random_tensor(shape, gen)
        trials.append(_graph_trial(x, random_tensor(shape, gen, away_from_zero=0.3), graph))
    for gen in gens[5:7]:      # the Function inside a model of random sizes, a batch of one included
        n, d, h = (int(torch.randint(low, 6, (), generator=gen)) for low in (1, 2, 2))
        trials.append(_model_trial(*_model_inputs(gen, n, d, h)))
    for gen in gens[7:9]:
        trials.append(_gradcheck_trial(3.0 * random_tensor((int(torch.randint(2, 9, (), generator=gen)),), gen)))
    return trials


# Its backward is by hand: read with the "tensors" allow-list, like every by-hand gradient of the course.
SIGMOID = Exercise("Sigmoid_tests", "Sigmoid", adapter="autograd_function", rule="tensors",
                   visible=_visible, hidden=_hidden)

EXERCISES = [SIGMOID]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "Sigmoid_tests": """\
1. x = [-2, 0, 0.5, 3] in float64, grad_out = [1, -2, 0.5, 3]: Sigmoid.apply(x) equals torch.sigmoid(x),
   x.grad equals torch's (at x = 0 the sigmoid is 0.5, its slope 0.25, so x.grad = -2 * 0.25 = -0.5),
   and forward saved the output.
2. x of shape (2, 3) in float32, from -20 to 20, grad_out = [[1, 2, 3], [-1, -2, -3]] stored transposed (not
   contiguous): the same, in float32; and a batch of one, x = [[-1, 4, -6]] in float64.
3. In a graph, with the x and grad_out of 1.: (Sigmoid.apply(x) + x).backward(grad_out), where the + hands the
   same grad_out to both paths, gives x.grad = grad_out * out * (1 - out) + grad_out; with the x of 2.,
   Sigmoid.apply(x).sum().backward(), whose backward hands an expand of a single 1, gives x.grad = out * (1 - out).
   Both fail if backward writes into grad_out.
4. loss = ((Sigmoid.apply(X @ W1 + b1) @ W2 - y) ** 2).mean(), X of shape (4, 3): the loss and the
   gradients of W1, b1 and W2 equal those of the same model with torch.sigmoid.
5. torch.autograd.gradcheck(Sigmoid.apply, (x,)) passes for x = torch.linspace(-3, 3, 7) in float64.""",
}
