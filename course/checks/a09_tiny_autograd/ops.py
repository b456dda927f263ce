"""09_tiny_autograd: the operations a `Value` supports, where each is defined, and how each goes wrong.

Both sides use this catalogue: the kernel applies an op to the learner's
Values with Python's own operators (so `2 - x` really calls `__rsub__`), and
the grader applies the same op to float64 torch scalars for the reference
and reads the right local derivative and the typical wrong ones from here.
"""
from dataclasses import dataclass
import math

from course.kernel.values import APPLY


@dataclass(frozen=True)
class Op:
    """One operation: how to apply it with Python operators and how to write it."""

    name: str
    arity: int          # number of node inputs (a constant, if any, is extra)
    apply: object       # (inputs, constant) -> result, with Python operators/methods
    text: str           # format with {a}, {b}, {c}
    method: str         # the Value method Python calls for it
    constant: bool = False


OPS = {op.name: op for op in [
    Op("add", 2, APPLY["add"], "{a} + {b}", "__add__"),
    Op("mul", 2, APPLY["mul"], "{a} * {b}", "__mul__"),
    Op("sub", 2, APPLY["sub"], "{a} - {b}", "__sub__"),
    Op("div", 2, APPLY["div"], "{a} / {b}", "__truediv__"),
    Op("add_c", 1, APPLY["add_c"], "{a} + {c}", "__add__", True),
    Op("mul_c", 1, APPLY["mul_c"], "{a} * {c}", "__mul__", True),
    Op("radd", 1, APPLY["radd"], "{c} + {a}", "__radd__", True),
    Op("rmul", 1, APPLY["rmul"], "{c} * {a}", "__rmul__", True),
    Op("sub_c", 1, APPLY["sub_c"], "{a} - {c}", "__sub__", True),
    Op("rsub", 1, APPLY["rsub"], "{c} - {a}", "__rsub__", True),
    Op("div_c", 1, APPLY["div_c"], "{a} / {c}", "__truediv__", True),
    Op("rdiv", 1, APPLY["rdiv"], "{c} / {a}", "__rtruediv__", True),
    Op("pow", 1, APPLY["pow"], "{a} ** {c}", "__pow__", True),
    Op("neg", 1, APPLY["neg"], "-{a}", "__neg__"),
    Op("relu", 1, APPLY["relu"], "{a}.relu()", "relu"),
    Op("tanh", 1, APPLY["tanh"], "{a}.tanh()", "tanh"),
    Op("exp", 1, APPLY["exp"], "{a}.exp()", "exp"),
    Op("log", 1, APPLY["log"], "{a}.log()", "log"),
]}

CORE_OPS = ("add", "mul", "add_c", "mul_c")   # what Value_tests' class has: + and *, number on the right
ALL_OPS = tuple(OPS)

EXPONENTS = [2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5]
CONSTANTS = [2.0, -3.0, 0.5, 1.5, -0.75, 4.0, -2.5]

# The right local derivatives, written out for messages.
FORMULAS = {
    "add": "d(a + b)/da = 1, d(a + b)/db = 1", "mul": "d(a * b)/da = b, d(a * b)/db = a",
    "sub": "d(a - b)/da = 1, d(a - b)/db = -1", "div": "d(a / b)/da = 1 / b, d(a / b)/db = -a / b**2",
    "add_c": "d(a + c)/da = 1", "mul_c": "d(a * c)/da = c", "radd": "d(c + a)/da = 1",
    "rmul": "d(c * a)/da = c", "sub_c": "d(a - c)/da = 1", "rsub": "d(c - a)/da = -1",
    "div_c": "d(a / c)/da = 1 / c", "rdiv": "d(c / a)/da = -c / a**2",
    "pow": "d(a**p)/da = p * a**(p - 1)", "neg": "d(-a)/da = -1",
    "relu": "relu'(a) = 1 if a > 0 else 0", "tanh": "tanh'(a) = 1 - tanh(a)**2",
    "exp": "exp'(a) = exp(a)", "log": "log'(a) = 1 / a",
}

# Wrong local derivatives learners write, as (op, grads of the inputs, why). Only
# used to name a mistake once a learner's gradient is known to differ from torch's;
# a rule that returns () does not apply at that input.
WRONG_DERIVATIVES = [
    ("tanh", lambda a, c: (1 - math.tanh(a),),
     "that is 1 - tanh(a): the derivative of tanh is 1 - tanh(a)**2 (square the output)"),
    ("tanh", lambda a, c: (1 - a ** 2,),
     "that is 1 - a**2: the derivative of tanh is 1 - t**2 with t = tanh(a), the OUTPUT, not the input"),
    # a gradient of 1 is a different mistake below 0 and at exactly 0: each is named only where it is true
    ("relu", lambda a, c: (1.0,) if a < 0 else (),
     "that is 1 at a negative input: relu passes no gradient where its input is negative "
     "(its derivative is 0 there, 1 where the input is positive)"),
    ("relu", lambda a, c: (1.0,) if a == 0 else (),
     "that is 1 at exactly 0: your relu passes the gradient where its input is exactly 0, as a test "
     "`>= 0` does (clamp(min=0)'s choice, 07's mask h >= 0). torch.relu's derivative at 0 is 0, the "
     "choice of the table (1 if x > 0, else 0), and the tests compare with torch.relu: use `> 0`"),
    ("relu", lambda a, c: (a,),
     "that is a itself: relu's derivative is 1 where a > 0 and 0 elsewhere, not a"),
    ("relu", lambda a, c: (0.0,),
     "that is 0 at a positive input: relu passes the gradient unchanged where its input is positive"),
    ("exp", lambda a, c: (a,), "that is a: the derivative of exp(a) is exp(a) itself"),
    ("log", lambda a, c: (math.log(a),), "that is log(a): the derivative of log(a) is 1 / a"),
    ("log", lambda a, c: (a,), "that is a: the derivative of log(a) is 1 / a"),
    ("pow", lambda a, c: (c * a ** c,),
     "that is p * a**p: the derivative of a**p is p * a**(p - 1) (lower the exponent by one)"),
    ("pow", lambda a, c: (a ** (c - 1),),
     "that is a**(p - 1): the derivative of a**p is p * a**(p - 1) (the factor p is missing)"),
    ("rsub", lambda a, c: (1.0,),
     "that is +1: the derivative of c - a with respect to a is -1 "
     "(__rsub__ is called for `c - a` and must compute other - self)"),
    ("rdiv", lambda a, c: (1 / c,),
     "that is 1 / c, the derivative of a / c: __rtruediv__ is called for `c / a` and must compute other / self"),
    ("rdiv", lambda a, c: (c / a ** 2,), "the sign is wrong: d(c / a)/da = -c / a**2"),
    ("sub", lambda a, b, c: (1.0, 1.0), "b's gradient must be -1: d(a - b)/db = -1 (the sign is flipped)"),
    ("div", lambda a, b, c: (1 / b, a / b ** 2), "b's gradient has the wrong sign: d(a / b)/db = -a / b**2"),
    ("div", lambda a, b, c: (1 / b, -1 / b ** 2), "b's gradient lacks the factor a: d(a / b)/db = -a / b**2"),
    ("mul", lambda a, b, c: (a, b),
     "each input got its OWN value: the gradient of a in a * b is b (the other input), and of b is a"),
    ("neg", lambda a, c: (1.0,), "that is +1: d(-a)/da = -1"),
]


def known_wrong(op, args, constant, got):
    """Why `got` (the learner's input grads) is wrong, if it matches a typical mistake."""
    for wrong_op, wrong, why in WRONG_DERIVATIVES:
        if wrong_op != op:
            continue
        try:
            candidate = wrong(*args, constant)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        if len(candidate) == len(got) and all(
                math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, candidate)):
            return why
    return None


def in_domain(op, a, b, c):
    """Is the op well away from where it is undefined, flat or non-differentiable?"""
    if op == "div":
        return abs(b) > 0.5
    if op == "rdiv":
        return abs(a) > 0.5
    if op == "div_c":
        return abs(c) > 0.5
    if op == "pow":
        if not float(c).is_integer():
            return a > 0.3
        return abs(a) > 0.4 if c < 0 else True
    if op == "relu":
        return abs(a) > 0.1
    if op == "tanh":
        return abs(a) < 2.5
    if op == "exp":
        return a < 2.0
    if op == "log":
        return a > 0.2
    return True
