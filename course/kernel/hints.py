"""Turn torch's error messages into one-line hints a learner can act on.

Torch's wording changes between releases, so each hint is found by a
pattern over the message, not by the exact text.
"""
import re

# (pattern, hint); the first pattern that matches wins.
HINTS = [
    (r"leaf Variable that requires grad is being used in an in-place operation",
     "You changed a leaf that requires grad in place while autograd was recording. "
     "Do weight updates inside `with torch.no_grad():`."),
    (r"backward through the graph a second time|saved tensors after they have already been freed",
     "The graph was freed by the first backward(). Pass retain_graph=True to the first "
     "call, or run the forward pass again."),
    (r"grad can be implicitly created only for (real )?scalar outputs",
     "backward() without arguments needs a scalar. Reduce the output (e.g. .sum()) or "
     "pass gradient=v, a tensor shaped like the output."),
    (r"does not require grad and does not have a grad_fn",
     "This tensor is not part of a graph: its inputs need requires_grad=True, and it must "
     "not be computed under torch.no_grad() or from .detach()/.data."),
    (r"modified by an inplace operation",
     "A tensor autograd saved for backward was changed in place afterwards. Use an "
     "out-of-place operation (x = x + 1, not x += 1) or clone() first."),
    (r"Can't call numpy\(\) on Tensor that requires grad",
     "Use tensor.detach().numpy(): numpy cannot hold the graph."),
    (r"expected (scalar type|m1 and m2 to have the same dtype|both vectors to have same dtype)"
     r"|(Float|Double|Half) but found (Float|Double|Half)|must have the same dtype",
     "Two tensors have different dtypes (float32 vs float64). Create new tensors with "
     "dtype=x.dtype or use torch.zeros_like(x)."),
    (r"mat1 and mat2 shapes cannot be multiplied|size mismatch",
     "The inner dimensions of a matrix product do not match: write down each shape, "
     "(n, k) @ (k, m) -> (n, m), and check which factor needs a .T."),
    (r"The size of tensor a \(\d+\) must match the size of tensor b|shape mismatch",
     "Two shapes do not broadcast together: line them up from the right; each pair "
     "of sizes must be equal or one of them 1."),
    (r"view size is not compatible with input tensor's size and stride",
     "`.view` never copies: it reads the same memory with another shape, so it needs the elements "
     "stored in the order it reads them, and this tensor is not contiguous in memory (a transposed, "
     "permuted or expanded tensor is not, and 2 * x of a transposed x keeps its layout). "
     "Use .reshape(...) (or .flatten()), which copies when it must (to change a tensor in place, change "
     "it itself, p -= ...: a reshaped copy changed in place leaves the original as it was)."),
    (r"only one element tensors can be converted to Python scalars",
     ".item() and float() need a tensor of one element: reduce it first."),
    (r"'NoneType' object has no attribute|unsupported operand type\(s\) for .*'NoneType'",
     "Something is None where a tensor was expected: often a .grad, which is None on a "
     "tensor that is not a leaf (rebound by w = w - ...) or that no backward() reached."),
    (r"is not a leaf Tensor is being accessed",
     "Only leaves get .grad by default: call .retain_grad() on an intermediate tensor "
     "before backward() to keep its gradient."),
]

NOT_WRITTEN = ("This exercise is not written yet: replace the `raise NotImplementedError(...)` "
               "line in its solution cell with your code, run that cell, then run this one.")


def hint_for(error):
    """A one-line hint for an exception (or its message), or None if none applies."""
    if isinstance(error, NotImplementedError):
        return NOT_WRITTEN
    if isinstance(error, NameError):
        return ("A name is not defined: run the cells above this one first "
                "(Run > Run All Above), including your solution cell.")
    message = str(error)
    for pattern, hint in HINTS:
        if re.search(pattern, message):
            return hint
    return None
