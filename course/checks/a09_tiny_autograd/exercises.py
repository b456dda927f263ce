"""09_tiny_autograd: the checks of the learner's `Value` engine and of `value_sgd_step`.

Each check of the Value class is an expression program (value_programs)
that the kernel builds with the learner's class (value_runner) and that the
grader compares with the same program in float64 torch (value_diagnoses):
readable fixed examples, single operations, and random graphs with nodes
used more than once. Hidden trials add each operation at the points where a
wrong rule still agrees with the right one elsewhere: relu, powers and
products at exact zeros, log near 0, exp and tanh far out.
`value_sgd_step` runs on stand-ins for Values in the kernel; the grader
checks each step against torch's SGD update on a random smooth loss.
"""
import torch
from torch.optim.sgd import sgd

from course.checks.core.compare import SIGN_FLIPPED, assert_close
from course.checks.core.exercise import Exercise, Trial
from course.checks.core.reference import autograd_vjp, generators
from .diagnoses import function_judge, new_value_judge, op_judge, program_judge
from .ops import ALL_OPS, CORE_OPS
from .programs import random_op_inputs, random_program, single_op, traced

_float64 = torch.float64


def _trial(args, options_and_judge):
    options, judge = options_and_judge
    return Trial(args, judge, kwargs=options)


def example(name, fn, leaves, output_grad=False):
    """A readable example: `fn` written with Python operators, recorded as a program."""
    program = traced(fn, leaves)
    return _trial((program.to_plain(),), function_judge(name, program, output_grad))


def op_trial(op, *args, constant=None):
    program = single_op(op, args, constant)
    return _trial((program.to_plain(),), op_judge(program))


def program_trial(program):
    return _trial((program.to_plain(),), program_judge(program))


def _random_programs(seed, count, leaves, ops_range, **options):
    """`count` random programs with a random number of leaves and ops in the given ranges (high excluded)."""
    trials = []
    for gen in generators(seed, count):
        n_leaves = int(torch.randint(*leaves, (), generator=gen))
        n_ops = int(torch.randint(*ops_range, (), generator=gen))
        trials.append(program_trial(random_program(gen, n_leaves, n_ops, **options)))
    return trials


def _value_exercise(grade_id, visible, hidden):
    return Exercise(grade_id, "Value", adapter="value", rule="python", visible=visible, hidden=hidden)


# ---- Value_tests: + and *, each node used once ------------------------------------

VALUE = _value_exercise(
    "Value_tests",
    visible=lambda: [
        _trial((1.5,), new_value_judge(1.5)),
        example("a * b + c", lambda a, b, c: a * b + c, [2.0, -3.0, 10.0]),
        example("(a + 1) * 4", lambda a: (a + 1.0) * 4.0, [0.5]),
        example("out = Value(2.0) * Value(3.0)", lambda a, b: a * b, [2.0, 3.0], output_grad=True),
    ],
    # random trees of +, * (a Value or a number on the right), each node used once
    hidden=lambda seed: _random_programs(seed, 8, (2, 6), (3, 12), ops=CORE_OPS, reuse=0.0),
)


# ---- Value_reuse_tests: nodes used more than once -----------------------------------

def _diamond(x):
    a = x * 3.0
    return a * 2.0 + a * 5.0


def _chain(x):
    y = x * x
    z = y * y + y
    return z * x + z


VALUE_REUSE = _value_exercise(
    "Value_reuse_tests",
    visible=lambda: [
        example("x + x", lambda x: x + x, [3.0]),
        example("x * x", lambda x: x * x, [3.0]),
        example("the diamond (a * 2 + a * 5 with a = x * 3)", _diamond, [2.0]),
        example("z * x + z with y = x * x, z = y * y + y", _chain, [1.5]),
    ],
    # random graphs of +, * where intermediate nodes are used several times
    hidden=lambda seed: _random_programs(seed, 8, (1, 4), (6, 16), ops=CORE_OPS, reuse=0.7, max_abs=6.0),
)


# ---- Value_ops_tests: every other operation on its own ------------------------------

# (op, inputs, constant): the visible cases, as the test cell lists them
OPS_EXAMPLES = [
    ("radd", (1.5,), 2.0), ("rmul", (1.5,), -3.0), ("neg", (1.5,), None), ("sub", (1.5, 4.0), None),
    ("sub_c", (1.5,), 2.0), ("rsub", (1.5,), 2.0), ("pow", (1.5,), 3), ("pow", (4.0,), 0.5),
    ("div", (3.0, 2.0), None), ("div_c", (3.0,), 4.0), ("rdiv", (2.0,), 3.0), ("relu", (1.5,), None),
    ("relu", (-0.7,), None), ("relu", (0.0,), None), ("tanh", (0.5,), None), ("exp", (0.5,), None),
    ("log", (2.0,), None),
]
# Where a wrong rule agrees with the right one everywhere else: exact zeros (relu's kink, shown in the
# examples too since 07 taught clamp's other choice there; p * out / a for a power, out / a for a product)
# and the far ends of each domain.
OPS_EDGES = [
    ("relu", (0.0,), None), ("pow", (0.0,), 2), ("pow", (0.0,), 3), ("pow", (1e-4,), 0.5),
    ("mul", (0.0, 2.5), None), ("mul", (-1.5, 0.0), None), ("log", (1e-3,), None), ("log", (1e3,), None),
    ("exp", (-30.0,), None), ("tanh", (-20.0,), None), ("tanh", (20.0,), None),
]


def _ops_hidden(seed):
    trials = []
    for index, op in enumerate(ALL_OPS):   # every operation at random points inside its domain
        for gen in generators(seed + index, 6):
            args, constant = random_op_inputs(gen, op)
            trials.append(op_trial(op, *args, constant=constant))
    return trials + [op_trial(op, *args, constant=c) for op, args, c in OPS_EDGES]


VALUE_OPS = _value_exercise(
    "Value_ops_tests",
    visible=lambda: [op_trial(op, *args, constant=c) for op, args, c in OPS_EXAMPLES],
    hidden=_ops_hidden,
)


# ---- Value_graph_tests: every operation in one graph ---------------------------------

def _sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _more_ops(a, b):
    c = a + b
    d = a * b + b ** 3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    return g + 10.0 / f


VALUE_GRAPH = _value_exercise(
    "Value_graph_tests",
    visible=lambda: [
        example("micrograd's sanity check", _sanity, [-4.0]),
        example("micrograd's more-ops test", _more_ops, [-4.0, 2.0]),
        example("log(1 + exp(-tanh(w x) x)) + x**2 / w",
                lambda w, x: (1 + (-(w * x).tanh() * x).exp()).log() + x ** 2 / w, [0.8, -1.3]),
    ],
    # random graphs with every operation, nodes used more than once, values in each op's domain
    hidden=lambda seed: _random_programs(seed, 12, (1, 5), (8, 26), reuse=0.5),
)


# ---- value_sgd_step -------------------------------------------------------------------


def _numbers(values, what):
    if type(values) is not list or not all(type(v) in (float, int) for v in values):
        raise AssertionError(f"{what} must be numbers, but they are {values!r:.80}.")
    return torch.tensor(values, dtype=_float64)


def _sgd_trial(data, step_grads, lr, final=None):
    """Each step changes p.data by -lr * p.grad and resets p.grad to 0.0; `final`: torch's parameters at the end."""
    def judge(steps):
        if type(steps) is not list or len(steps) != len(step_grads) or not all(type(s) is dict for s in steps):
            raise AssertionError("the notebook's answer to this trial could not be read.")
        before = torch.tensor(data, dtype=_float64)
        for number_of, (step, grads) in enumerate(zip(steps, step_grads), start=1):
            after = _numbers(step.get("data"), "the params' .data")
            if after.shape != before.shape:
                raise AssertionError("the notebook's answer to this trial could not be read.")
            if torch.equal(after, before):
                raise AssertionError(
                    "p.data did not change: update each object you are given in place (p.data -= ...). "
                    "Assigning a new Value to the loop variable p leaves the model's parameter as it was.")
            where = f" in step {number_of}" if len(step_grads) > 1 else ""
            assert_close(after - before, -lr * torch.tensor(grads, dtype=_float64), "the change of p.data" + where,
                         causes=[SIGN_FLIPPED])
            left = _numbers(step.get("grad"), "the params' .grad")
            if bool((left != 0).any()):
                raise AssertionError(
                    f"p.grad is {float(left[left != 0][0])} after the step, but it must be reset to 0.0: the next "
                    "backward() ADDS to .grad, so the old gradient would be counted again (04).")
            before = after
        if final is not None:
            assert_close(before, final, f"the parameters after {len(step_grads)} steps (lr={lr:.3f})", causes=[])
    return Trial((data, step_grads, lr), judge)


def _smooth_loss(m):
    return lambda w: ((w - m) ** 2).sum() + torch.tanh(w).sum()


def _sgd_hidden(seed):
    """k steps on a random smooth loss: autograd's gradients are added to .grad before each step, and
    the parameters are followed with torch's own SGD update (torch.optim.SGD's functional form, which
    spares the optimizer class's slow first import)."""
    trials = []
    for gen in generators(seed, 6):
        n = int(torch.randint(1, 7, (), generator=gen))
        k = int(torch.randint(2, 6, (), generator=gen))
        lr = 0.05 + 0.25 * float(torch.rand((), generator=gen, dtype=_float64))
        loss = _smooth_loss(torch.randn(n, generator=gen, dtype=_float64))
        w = torch.randn(n, generator=gen, dtype=_float64) + 2.0
        start, step_grads = w.tolist(), []
        for _ in range(k):
            (grad,) = autograd_vjp(loss, (w,))
            step_grads.append(grad.tolist())
            sgd([w], [grad], [None], weight_decay=0.0, momentum=0.0, lr=lr, dampening=0.0,
                nesterov=False, maximize=False)
        trials.append(_sgd_trial(start, step_grads, lr, final=w.clone()))
    return trials


VALUE_SGD_STEP = Exercise(
    "value_sgd_step_tests", "value_sgd_step", adapter="value_sgd_steps", rule="python",
    # two parameters, lr = 0.1: 1 - 0.1 * 0.5 = 0.95 and -2 - 0.1 * (-1) = -1.9
    visible=lambda: [_sgd_trial([1.0, -2.0], [[0.5, -1.0]], 0.1),
                     # two steps, lr = 0.5: 1 -> 0.5 -> 1.0 and -2 -> -3.0 -> -3.25
                     _sgd_trial([1.0, -2.0], [[1.0, 2.0], [-1.0, 0.5]], 0.5, final=torch.tensor([1.0, -3.25],
                                                                                        dtype=_float64))],
    hidden=_sgd_hidden,
)

EXERCISES = [VALUE, VALUE_REUSE, VALUE_OPS, VALUE_GRAPH, VALUE_SGD_STEP]


# ---- what each test cell says of its visible example: course.authoring writes the cells from this ----

EXAMPLES = {
    "Value_tests": """\
Each example is built with your Value and with torch (float64); the output and every leaf's grad must agree.
1. A new Value: .data holds the number, .grad starts at 0.0 (here Value(1.5)).
2. out = a * b + c at a = 2, b = -3, c = 10, every node used once:
   d out/da = b = -3,   d out/db = a = 2,   d out/dc = 1.
3. A plain number on the right of + and *: out = (a + 1) * 4 at a = 0.5, so d out/da = 4.
4. backward() sets the output's own grad to 1 (d out / d out): out = Value(2.0) * Value(3.0).""",
    "Value_reuse_tests": """\
Each example is built with your Value and with torch (float64); every leaf's grad must agree.
1. x + x at x = 3: x is used twice, so it gets 1 from each use: x.grad = 2 (as in torch).
2. x * x at x = 3: each use contributes the other factor, x, so x.grad = x + x = 2x = 6.
3. The diamond above at x = 2: a = x * 3, out = a * 2 + a * 5, so a.grad = 2 + 5 = 7 and x.grad = 21.
4. A longer chain of reuse at x = 1.5: y = x * x, z = y * y + y, out = z * x + z.
Only the hidden trials: random graphs of about 6 to 15 operations where nodes are used several times.""",
    "Value_ops_tests": """\
Each operation alone, on fresh Values; its result and the gradient of each input are compared with torch:
  2 + a, -3 * a, -a, a - 2, 2 - a at a = 1.5      d/da = 1, -3, -1, 1, -1
  a - b at a = 1.5, b = 4                         d/da = 1, d/db = -1
  a ** 3 at a = 1.5, a ** 0.5 at a = 4            d/da = 3 a**2 = 6.75, 0.5 / sqrt(a) = 0.25
  a / b at a = 3, b = 2                           d/da = 1/b = 0.5, d/db = -a/b**2 = -0.75
  a / 4 at a = 3, 3 / a at a = 2                  d/da = 0.25, -3 / a**2 = -0.75
  relu(a) at a = 1.5, at a = -0.7 and at a = 0     d/da = 1, 0 and 0 (torch's choice at 0)
  tanh(a), exp(a) at a = 0.5, log(a) at a = 2     d/da = 1 - tanh(a)**2, exp(a), 1/a = 0.5
Only the hidden trials: each operation at 6 random points of its domain, and where a wrong rule
agrees with the right one elsewhere: relu at exactly 0 again, a ** 2 and a ** 3 at 0,
a ** 0.5 at 1e-4, a * b with a or b exactly 0, log at 1e-3 and 1e3, exp at -30, tanh at -20 and 20.""",
    "Value_graph_tests": """\
Three expressions built with your Value and with torch (float64); the output and every leaf's grad must agree.
1. micrograd's "sanity check" at x = -4: x is used many times, through relu, * and +:
     z = 2 * x + 2 + x;  q = z.relu() + z * x;  h = (z * z).relu();  out = h + q + q * x
2. micrograd's "more ops" at a = -4, b = 2: reversed operators, **, /, relu, nodes reused everywhere:
     c = a + b;  d = a * b + b ** 3;  c = c + c + 1;  c = c + 1 + c + (-a)
     d = d + d * 2 + (b + a).relu();  d = d + 3 * d + (b - a).relu()
     e = c - d;  f = e ** 2;  g = f / 2.0;  out = g + 10.0 / f
3. tanh, exp and log together at w = 0.8, x = -1.3, x used three times:
     out = (1 + (-(w * x).tanh() * x).exp()).log() + x ** 2 / w
Only the hidden trials: 12 random graphs of about 8 to 25 operations of every kind, nodes used more than once.""",
    "value_sgd_step_tests": """\
Two stand-ins for Values (just .data and .grad) with data 1 and -2, grads 0.5 and -1, lr = 0.1:
after the step p.data is 0.95 and -1.9 (the same objects, changed in place), and both grads are 0.0.
Then two steps in a row with lr = 0.5 (grads 1 and 2, then -1 and 0.5, added to .grad before each step):
1 -> 0.5 -> 1.0 and -2 -> -3.0 -> -3.25.
Only the hidden trials: 2 to 5 steps on 1 to 6 parameters of a random loss, against torch's SGD.""",
}
