"""02_requires_grad: the checks of grad_of_mean_cube_graph and grad_of_ratio_graph (by hand) and the GRAPH_PREDICTIONS.

grad_of_mean_cube_graph's reference is torch.autograd's gradient of
(3 * (x + 2) ** 2).mean(), with central finite differences as a second,
independent witness in the hidden trials. The hidden trials take x on both
sides of the minimum at x = -2, away from it (where the gradient vanishes
and a wrong factor would go unseen), in several shapes: one element (where
the mean divides by nothing), a batch of one, three dimensions, and float32
once, whose dtype the result must keep.

grad_of_ratio_graph is the variation the learner derives alone: the seeds'
graph (a * 3) / (a - 1), summed, whose gradient needs the quotient rule and
no division by the number of elements. Its reference is autograd's gradient
too, finite differences the second witness; the hidden trials keep a away
from the pole at a = 1. A few wrong forms that are not a constant factor of
the right one (only the numerator differentiated, the square of the
quotient rule dropped) are recognised by comparing with them.
"""
import torch

from .core.compare import SIGN_FLIPPED, SQUARE_TWO_MISSING, assert_close, assert_close_to_finite_differences, compare
from .core.exercise import Exercise, Trial
from .core.predictions import prediction_exercise
from .core.reference import autograd_vjp, generators, random_shape, random_tensor


# ---- grad_of_mean_cube_graph ------------------------------------------------------

def mean_cube_graph(x):
    """The graph of the text: y = x + 2, z = y * y * 3, out = z.mean()."""
    return (3 * (x + 2) ** 2).mean()


def likely_factors(x):
    """The constant factors the exercise makes likely, as (factors, causes) for assert_close."""
    n = x.numel()
    causes = [SQUARE_TWO_MISSING]
    if n / 4 not in (1.0, 0.5, 2.0):  # where 4 would be told apart from the 2 of the square
        causes.append((n / 4, f"the mean divides by x.numel() = {n}, not by 4 "
                              "(the size of the text's ones(2, 2)): count the elements of x"))
    return ({"the number of elements": n} if n > 1 else {}), causes


def _mean_cube_trial(x, case, fd=False):
    def judge(got):
        factors, causes = likely_factors(x)
        (want,) = autograd_vjp(mean_cube_graph, (x,))
        assert_close(got, want, "grad_of_mean_cube_graph(x)", factors=factors, causes=causes)
        if fd:
            assert_close_to_finite_differences(got.double(), mean_cube_graph, x,
                                               "grad_of_mean_cube_graph(x), compared with finite differences,",
                                               atol=1e-6, causes=[])
    return Trial((x,), judge, case=case)


def _mean_cube_visible():
    return [_mean_cube_trial(torch.ones(2, 2), "for x = torch.ones(2, 2)"),
            _mean_cube_trial(torch.tensor([[-1.0, 0.0, 0.5], [1.0, 2.0, 3.0]]),
                             "for x = [[-1, 0, 0.5], [1, 2, 3]] (shape (2, 3))"),
            _mean_cube_trial(torch.tensor([-3.0, 0.5, 1.0], dtype=torch.float64),
                             "for x = [-3, 0.5, 1] in float64 (1-D; the result keeps the dtype)"),
            _mean_cube_trial(torch.tensor([[0.5, -1.0]], dtype=torch.float64),
                             "for x = [[0.5, -1]] in float64 (a batch of one, shape (1, 2))"),
            _mean_cube_trial(torch.tensor(1.5, dtype=torch.float64), "for x = torch.tensor(1.5) (a single number, shape ())")]


def _mean_cube_hidden(seed):
    shapes = [(1, 5), (4,), (3, 1, 2), (2, 3), ()]
    trials = []
    for trial, gen in enumerate(generators(seed, 9)):
        shape = shapes[trial] if trial < len(shapes) else random_shape(gen, 1, 3, 1, 5)
        dtype = torch.float32 if trial == 8 else torch.float64
        # values on both sides of the minimum at x = -2, kept away from it
        x = (-2.0 + random_tensor(shape, gen, away_from_zero=0.3)).to(dtype)
        trials.append(_mean_cube_trial(x, f"for x of shape {shape} and dtype {dtype}", fd=True))
    return trials


GRAD_OF_MEAN_CUBE_GRAPH = Exercise("grad_of_mean_cube_graph_tests", "grad_of_mean_cube_graph", by_hand=True,
                                   visible=_mean_cube_visible, hidden=_mean_cube_hidden)


# ---- grad_of_ratio_graph ---------------------------------------------------------------

def ratio_graph(a):
    """The seeds' graph, summed: out = ((a * 3) / (a - 1)).sum()."""
    return ((a * 3) / (a - 1)).sum()


def _ratio_wrong_forms(a):
    """Typical wrong gradients that are not a constant factor of the right one, with their diagnosis."""
    return [(3 / (a - 1), "this is 3 / (a - 1): only the numerator a * 3 was differentiated. "
                          "The denominator depends on a too: use the quotient rule, "
                          "(u / v)' = (u' v - u v') / v**2."),
            (-3 / (a - 1), "this is -3 / (a - 1): the quotient rule divides by the denominator squared "
                           "(the derivative of 1 / v is -v' / v**2).")]


def _ratio_trial(a, case, fd=False):
    def judge(got):
        (want,) = autograd_vjp(ratio_graph, (a,))
        if isinstance(got, torch.Tensor) and got.shape == a.shape and not compare(got, want).passed:
            for wrong, why in _ratio_wrong_forms(a):
                if compare(got, wrong.to(a.dtype)).passed:
                    raise AssertionError(f"grad_of_ratio_graph(a) is wrong: {why}")
        n = a.numel()
        causes = [SIGN_FLIPPED]
        if n > 1:
            causes.append((1 / n, f"that factor is 1 / a.numel() = 1/{n}: the output is a sum, not a mean, "
                                  "so nothing is divided by the number of elements"))
        assert_close(got, want, "grad_of_ratio_graph(a)", causes=causes)
        if fd:
            assert_close_to_finite_differences(got.double(), ratio_graph, a,
                                               "grad_of_ratio_graph(a), compared with finite differences,",
                                               atol=1e-6, causes=[])
    return Trial((a,), judge, case=case)


def _ratio_visible():
    return [_ratio_trial(torch.tensor([[2.0, 3.0], [-1.0, 0.5]]), "for a = [[2, 3], [-1, 0.5]]"),
            _ratio_trial(torch.tensor([4.0, -2.0, 1.5], dtype=torch.float64),
                         "for a = [4, -2, 1.5] in float64 (1-D: the result keeps the dtype)"),
            _ratio_trial(torch.tensor(3.0, dtype=torch.float64), "for a = torch.tensor(3.0) (a single number, shape ())"),
            _ratio_trial(torch.tensor([[0.5, -1.0]], dtype=torch.float64),
                         "for a = [[0.5, -1]] in float64 (a batch of one, shape (1, 2))")]


def _ratio_hidden(seed):
    shapes = [(1, 4), (5,), (2, 1, 3), ()]
    trials = []
    for trial, gen in enumerate(generators(seed, 8)):
        shape = shapes[trial] if trial < len(shapes) else random_shape(gen, 1, 3, 1, 5)
        dtype = torch.float32 if trial == 7 else torch.float64
        # values on both sides of the pole at a = 1, kept away from it
        a = (1.0 + random_tensor(shape, gen, away_from_zero=0.4)).to(dtype)
        trials.append(_ratio_trial(a, f"for a of shape {shape} and dtype {dtype}", fd=True))
    return trials


GRAD_OF_RATIO_GRAPH = Exercise("grad_of_ratio_graph_tests", "grad_of_ratio_graph", by_hand=True,
                               visible=_ratio_visible, hidden=_ratio_hidden)


# ---- GRAPH_PREDICTIONS ----------------------------------------------------------------

def _node(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def graph_truth():
    """What torch says of the notebook's graph, built here."""
    w = torch.randn(3, requires_grad=True)
    b = torch.zeros(3)
    h = w * 2 + b
    s = h.exp().sum()
    k = b * 2
    e = s.detach() * w
    with torch.no_grad():
        n = h * 2
    return {
        "w.is_leaf": w.is_leaf, "w.requires_grad": w.requires_grad, "w.grad_fn": _node(w),
        "b.is_leaf": b.is_leaf, "b.requires_grad": b.requires_grad,
        "h.is_leaf": h.is_leaf, "h.requires_grad": h.requires_grad, "h.grad_fn": _node(h),
        "s.grad_fn": _node(s),
        "k.is_leaf": k.is_leaf, "k.requires_grad": k.requires_grad,
        "e.is_leaf": e.is_leaf, "e.requires_grad": e.requires_grad, "e.grad_fn": _node(e),
        "n.is_leaf": n.is_leaf, "n.requires_grad": n.requires_grad, "n.grad_fn": _node(n),
    }


def _graph_kind(key):
    if key.endswith(".grad_fn"):
        return (lambda v: v is None or isinstance(v, str),
                'a class name string such as "MulBackward0", or None')
    return (lambda v: isinstance(v, bool), "True or False")


# Why torch answers each prediction as it does: shown after the fact by `course check --reveal`.
GRAPH_WHY = {
    "w.is_leaf": "w was made by torch.randn, not computed from other tensors: a leaf.",
    "w.requires_grad": "requires_grad=True was asked for when w was made.",
    "w.grad_fn": "A leaf has no grad_fn: no recorded operation made it.",
    "b.is_leaf": "Every tensor that does not require grad counts as a leaf.",
    "b.requires_grad": "torch.zeros makes a tensor that does not require grad unless asked.",
    "h.is_leaf": "h is computed from w, which requires grad, so autograd records it: not a leaf.",
    "h.requires_grad": "A result requires grad as soon as one of its inputs does (w).",
    "h.grad_fn": "The last operation that made h is the addition of b: AddBackward0.",
    "s.grad_fn": "The last operation that made s is .sum(): SumBackward0.",
    "k.is_leaf": "No input of b * 2 requires grad, so nothing is recorded and k is a leaf.",
    "k.requires_grad": "No input of b * 2 requires grad, so neither does k.",
    "e.is_leaf": "s.detach() is cut off, but w requires grad: the product is recorded, not a leaf.",
    "e.requires_grad": "One input of the product, w, requires grad, so e does too.",
    "e.grad_fn": "The last operation that made e is the multiplication by w: MulBackward0.",
    "n.is_leaf": "Nothing is recorded under torch.no_grad(), so n counts as a leaf, even made from h.",
    "n.requires_grad": "Under torch.no_grad() nothing is recorded, so n does not require grad.",
    "n.grad_fn": "Nothing is recorded under torch.no_grad(), so n has no grad_fn.",
}

GRAPH_PREDICTIONS = prediction_exercise("GRAPH_PREDICTIONS_tests", "GRAPH_PREDICTIONS", _graph_kind, graph_truth,
                                        why=GRAPH_WHY)

EXERCISES = [GRAD_OF_MEAN_CUBE_GRAPH, GRAD_OF_RATIO_GRAPH, GRAPH_PREDICTIONS]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "grad_of_mean_cube_graph_tests": """\
The examples, called by hand (autograd is switched off inside): x = torch.ones(2, 2) gives 4.5 everywhere,
and x = [[-1, 0, 0.5], [1, 2, 3]] is compared with torch.autograd's gradient.
Also, in float64, x = [-3, 0.5, 1] (1-D: the result keeps the dtype), x = [[0.5, -1]] (a batch of one)
and x = torch.tensor(1.5) (a single number, shape ()).""",
    "grad_of_ratio_graph_tests": """\
The examples, called by hand (autograd is switched off inside): a = [[2, 3], [-1, 0.5]] (float32) and
a = [4, -2, 1.5] (1-D, float64: the result keeps the dtype), compared with torch.autograd's gradient.
Also, in float64, a = torch.tensor(3.0) (a single number, shape ()) and a = [[0.5, -1]] (a batch of one).""",
    "GRAPH_PREDICTIONS_tests": """\
Every prediction is filled in: True or False for is_leaf and requires_grad, a class name or None for grad_fn.
Whether they match what torch records is checked when graded.""",
}
