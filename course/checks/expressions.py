"""Random scalar expressions, built twice: with a learner's `Value` class and with torch.

Test infrastructure for the tiny autograd engine (09). A `Program` is a random
expression graph over a few leaves (nodes used more than once included, every
operation kept inside its domain); `check_program` evaluates it with the
learner's class and with float64 torch scalars, runs `backward()` on both and
compares the output and every leaf's `.grad`. When they differ, the message
says which leaf, expected against got, which operations lie between that leaf
and the output, and what the cause most likely is: an operation computed
wrongly, a wrong local derivative (found by testing each operation on its own),
or backward() combining correct derivatives wrongly (a node's `_backward` run
twice or too early, or gradients overwritten with `=` instead of added up).
"""
from dataclasses import dataclass, field
import math

import torch

from .compare import assert_close

__all__ = ["OPS", "Program", "random_program", "check_program", "check_op", "check_function",
           "check_new_value", "grads_of", "torch_leaf", "random_op_inputs", "ALL_OPS", "CORE_OPS"]

_float64 = torch.float64
_tensor = torch.tensor


def torch_leaf(x):
    """A float64 scalar leaf that requires grad: the torch twin of Value(x)."""
    return _tensor(float(x), dtype=_float64, requires_grad=True)


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
    Op("add", 2, lambda v, c: v[0] + v[1], "{a} + {b}", "__add__"),
    Op("mul", 2, lambda v, c: v[0] * v[1], "{a} * {b}", "__mul__"),
    Op("sub", 2, lambda v, c: v[0] - v[1], "{a} - {b}", "__sub__"),
    Op("div", 2, lambda v, c: v[0] / v[1], "{a} / {b}", "__truediv__"),
    Op("add_c", 1, lambda v, c: v[0] + c, "{a} + {c}", "__add__", True),
    Op("mul_c", 1, lambda v, c: v[0] * c, "{a} * {c}", "__mul__", True),
    Op("radd", 1, lambda v, c: c + v[0], "{c} + {a}", "__radd__", True),
    Op("rmul", 1, lambda v, c: c * v[0], "{c} * {a}", "__rmul__", True),
    Op("sub_c", 1, lambda v, c: v[0] - c, "{a} - {c}", "__sub__", True),
    Op("rsub", 1, lambda v, c: c - v[0], "{c} - {a}", "__rsub__", True),
    Op("div_c", 1, lambda v, c: v[0] / c, "{a} / {c}", "__truediv__", True),
    Op("rdiv", 1, lambda v, c: c / v[0], "{c} / {a}", "__rtruediv__", True),
    Op("pow", 1, lambda v, c: v[0] ** c, "{a} ** {c}", "__pow__", True),
    Op("neg", 1, lambda v, c: -v[0], "-{a}", "__neg__"),
    Op("relu", 1, lambda v, c: v[0].relu(), "{a}.relu()", "relu"),
    Op("tanh", 1, lambda v, c: v[0].tanh(), "{a}.tanh()", "tanh"),
    Op("exp", 1, lambda v, c: v[0].exp(), "{a}.exp()", "exp"),
    Op("log", 1, lambda v, c: v[0].log(), "{a}.log()", "log"),
]}

CORE_OPS = ("add", "mul", "add_c", "mul_c")
ALL_OPS = tuple(OPS)

# The right local derivatives, written out for messages.
_FORMULAS = {
    "add": "d(a + b)/da = 1, d(a + b)/db = 1", "mul": "d(a * b)/da = b, d(a * b)/db = a",
    "sub": "d(a - b)/da = 1, d(a - b)/db = -1", "div": "d(a / b)/da = 1 / b, d(a / b)/db = -a / b**2",
    "add_c": "d(a + c)/da = 1", "mul_c": "d(a * c)/da = c", "radd": "d(c + a)/da = 1",
    "rmul": "d(c * a)/da = c", "sub_c": "d(a - c)/da = 1", "rsub": "d(c - a)/da = -1",
    "div_c": "d(a / c)/da = 1 / c", "rdiv": "d(c / a)/da = -c / a**2",
    "pow": "d(a**p)/da = p * a**(p - 1)", "neg": "d(-a)/da = -1",
    "relu": "relu'(a) = 1 if a > 0 else 0", "tanh": "tanh'(a) = 1 - tanh(a)**2",
    "exp": "exp'(a) = exp(a)", "log": "log'(a) = 1 / a",
}

# Wrong local derivatives learners write, as (op, grads of the inputs, why).
_WRONG_DERIVATIVES = [
    ("tanh", lambda a, c: (1 - math.tanh(a),),
     "that is 1 - tanh(a): the derivative of tanh is 1 - tanh(a)**2 (square the output)"),
    ("tanh", lambda a, c: (1 - a ** 2,),
     "that is 1 - a**2: the derivative of tanh is 1 - t**2 with t = tanh(a), the OUTPUT, not the input"),
    ("relu", lambda a, c: (1.0,),
     "that is 1 at a negative input: relu passes no gradient where its input is negative "
     "(its derivative is 0 there, 1 where the input is positive)"),
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


def _known_wrong(op, args, constant, got):
    """Why `got` (the learner's input grads) is wrong, if it matches a typical mistake."""
    for wrong_op, wrong, why in _WRONG_DERIVATIVES:
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


@dataclass
class Program:
    """A random expression: leaves, then nodes (op name, input indices, constant)."""

    leaves: list
    nodes: list = field(default_factory=list)   # (op name, (input indices...), constant)

    def name(self, index):
        return f"x{index}" if index < len(self.leaves) else f"n{index}"

    def line(self, k):
        op, inputs, constant = self.nodes[k]
        names = [self.name(i) for i in inputs] + ["", ""]
        text = OPS[op].text.format(a=names[0], b=names[1], c=_number(constant))
        target = "out" if k == len(self.nodes) - 1 else self.name(len(self.leaves) + k)
        return f"{target} = {text}"

    def describe(self):
        leaves = ", ".join(f"{self.name(i)} = {_number(x)}" for i, x in enumerate(self.leaves))
        return "\n".join([f"  leaves: {leaves}"] + [f"  {self.line(k)}" for k in range(len(self.nodes))])

    def ops_used(self):
        return sorted({op for op, _, _ in self.nodes})

    def uses(self):
        """How many times each node (leaves included) is an input of another node."""
        counts = [0] * (len(self.leaves) + len(self.nodes))
        for _, inputs, _ in self.nodes:
            for i in inputs:
                counts[i] += 1
        return counts

    def paths_from(self, leaf):
        """Number of paths from `leaf` to the output, and the ops on them."""
        paths = [0] * (len(self.leaves) + len(self.nodes))
        paths[leaf] = 1
        ops = set()
        for k, (op, inputs, _) in enumerate(self.nodes):
            index = len(self.leaves) + k
            paths[index] = sum(paths[i] for i in inputs)
            if paths[index]:
                ops.add(op)
        return paths[-1], sorted(ops)

    def evaluate(self, make_leaf):
        """All values (leaves, then nodes) built with `make_leaf` and Python operators."""
        values = [make_leaf(x) for x in self.leaves]
        for op, inputs, constant in self.nodes:
            values.append(OPS[op].apply([values[i] for i in inputs], constant))
        return values


def _number(x):
    if x is None:
        return ""
    return repr(int(x)) if float(x).is_integer() and abs(x) < 100 else f"{x:.4g}"


def _uniform(generator, low, high):
    return low + (high - low) * float(torch.rand((), generator=generator, dtype=_float64))


def _choice(generator, items):
    return items[int(torch.randint(len(items), (), generator=generator))]


def _in_domain(op, a, b, c):
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


_EXPONENTS = [2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5]
_CONSTANTS = [2.0, -3.0, 0.5, 1.5, -0.75, 4.0, -2.5]


def random_program(generator, num_leaves=3, num_ops=8, ops=ALL_OPS, reuse=0.5, max_abs=8.0):
    """A random expression over `num_leaves` leaves with about `num_ops` operations.

    Every op of `ops` is applied only where it is defined and differentiable
    (log of values > 0.2, x ** p with x > 0.3 for non-integer p, divisions by
    values away from zero, relu away from its kink), and every intermediate
    value stays below `max_abs`. With probability `reuse` an operation takes a
    node that is already used as an input, so some nodes are used more than
    once. Whatever is left unused is summed into the output, so every leaf
    reaches it.
    """
    leaves = []
    for _ in range(num_leaves):
        x = _uniform(generator, 0.3, 1.8)
        leaves.append(x if float(torch.rand((), generator=generator)) < 0.6 else -x)
    program = Program(leaves)
    values = list(leaves)
    uses = [0] * num_leaves
    ops = list(ops)
    while len(program.nodes) < num_ops:
        for _attempt in range(50):
            op = _choice(generator, ops)
            spec = OPS[op]

            inputs = []
            for _ in range(spec.arity):
                unused = [i for i, u in enumerate(uses) if u == 0 and i not in inputs]
                if unused and float(torch.rand((), generator=generator)) >= reuse:
                    inputs.append(_choice(generator, unused))
                elif reuse > 0:
                    inputs.append(_choice(generator, list(range(len(values)))))
            if len(inputs) < spec.arity:  # reuse=0 and nothing unused is left for this op
                continue
            inputs = tuple(inputs)
            if spec.constant:
                constant = _choice(generator, _EXPONENTS if op == "pow" else _CONSTANTS)
            else:
                constant = None
            a = values[inputs[0]]
            b = values[inputs[1]] if spec.arity == 2 else None
            if not _in_domain(op, a, b, constant):
                continue
            result = float(spec.apply([_tensor(values[i], dtype=_float64) for i in inputs], constant))
            if not math.isfinite(result) or abs(result) > max_abs or (op != "relu" and abs(result) < 1e-3):
                continue
            program.nodes.append((op, inputs, constant))
            values.append(result)
            uses.append(0)
            for i in inputs:
                uses[i] += 1
            break
        else:  # nothing fitted: a harmless scaling of the latest node
            i = len(values) - 1
            program.nodes.append(("mul_c", (i,), 0.5))
            values.append(values[i] * 0.5)
            uses.append(0)
            uses[i] += 1
    # Sum whatever is unused (the last node included) into the output.
    unused = [i for i, u in enumerate(uses) if u == 0]
    total = unused[0]
    for i in unused[1:]:
        program.nodes.append(("add", (total, i), None))
        values.append(values[total] + values[i])
        uses.append(0)
        total = len(values) - 1
    if total < num_leaves:  # a bare leaf: give the output an op of its own
        program.nodes.append(("mul_c", (total,), 2.0))
    return program


def random_op_inputs(generator, op):
    """Random inputs (a list of 1 or 2 numbers) and constant for `op`, inside its domain."""
    spec = OPS[op]
    for _ in range(1000):
        args = [_uniform(generator, 0.3, 2.2) * (1 if float(torch.rand((), generator=generator)) < 0.5 else -1)
                for _ in range(spec.arity)]
        constant = (_choice(generator, _EXPONENTS if op == "pow" else _CONSTANTS)
                    if spec.constant else None)
        if _in_domain(op, args[0], args[1] if spec.arity == 2 else None, constant):
            return args, constant
    raise RuntimeError(f"no inputs found for {op}")


# ---------------------------------------------------------------------------
# Running the learner's class


def _as_float(x, what):
    try:
        return float(x)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} must be a number, but it is {x!r:.80}.") from None


def _run_learner(program, value_cls, label, expected=None):
    """Evaluate `program` with the learner's class; errors become messages naming the op.

    With `expected` (the torch values of every node), each node's value is checked as
    soon as it is computed, so the first wrong one is named, not a later consequence.
    """
    values = [value_cls(x) for x in program.leaves]
    for k, (op, inputs, constant) in enumerate(program.nodes):
        spec = OPS[op]
        try:
            result = spec.apply([values[i] for i in inputs], constant)
        except NotImplementedError:
            raise AssertionError(
                f"{program.line(k)} raised NotImplementedError: {spec.method} is not written yet. "
                "Replace the `raise NotImplementedError(...)` line with your code, run that cell, "
                "then run this one.") from None
        except Exception as error:
            raise AssertionError(_op_error(program.line(k), spec, error, label)) from None
        if not isinstance(result, value_cls):
            raise AssertionError(
                f"{program.line(k)} returned {type(result).__name__} {result!r:.60}, not a {value_cls.__name__}: "
                f"{spec.method} must return a new {value_cls.__name__} (so the graph goes on).")
        values.append(result)
        if expected is not None:
            got = _as_float(result.data, f"the .data of {program.line(k).split(' =')[0]}")
            want = float(expected[len(values) - 1].detach())
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                raise AssertionError(_forward_diagnosis(program, k, values, got, want))
    return values


def _op_error(line, spec, error, label):
    message = f"computing `{line}` with your {label} raised {type(error).__name__}: {error}"
    if isinstance(error, TypeError) and "unsupported operand" in str(error):
        if spec.method.startswith("__r"):
            message += (f"\nHint: when the number is on the LEFT (as in 2 - x), Python asks the number "
                        f"first, fails, then calls {spec.method} of the Value on the right: "
                        f"define {spec.method}(self, other).")
        else:
            message += f"\nHint: define {spec.method}(self, other) (and wrap a plain number in a Value)."
    elif isinstance(error, AttributeError) and "has no attribute" in str(error):
        if "'float'" in str(error) or "'int'" in str(error):
            message += ("\nHint: `other` may be a plain number: wrap it first, "
                        "other = other if isinstance(other, Value) else Value(other).")
        else:
            message += f"\nHint: define the method {spec.method}."
    return message


def grads_of(values, what="grad"):
    """The .grad of each Value in `values`, as a float64 tensor."""
    return _tensor([_as_float(v.grad, f"the {what} of x{i}") for i, v in enumerate(values)], dtype=_float64)


def _backward(out, label):
    try:
        result = out.backward()
    except NotImplementedError:
        raise AssertionError("out.backward() raised NotImplementedError: backward is not written yet. "
                             "Replace the `raise NotImplementedError(...)` line with your code.") from None
    except RecursionError:
        raise AssertionError("out.backward() recursed too deeply: does the topological sort mark "
                             "each node as visited before it recurses into its children?") from None
    except Exception as error:
        raise AssertionError(f"out.backward() with your {label} raised {type(error).__name__}: {error}") from None
    return result


def check_new_value(value_cls, x=1.5):
    """A new Value holds the number in .data (a float) and 0.0 in .grad."""
    try:
        v = value_cls(x)
    except Exception as error:
        raise AssertionError(f"Value({x}) raised {type(error).__name__}: {error}") from None
    if not hasattr(v, "data") or not hasattr(v, "grad"):
        raise AssertionError(f"Value({x}) must have the attributes .data and .grad.")
    if _as_float(v.data, f"Value({x}).data") != x:
        raise AssertionError(f"Value({x}).data is {v.data!r}, but it must be {x}.")
    if _as_float(v.grad, f"Value({x}).grad") != 0.0:
        raise AssertionError(f"Value({x}).grad is {v.grad!r} at creation, but it must be 0.0: "
                             "nothing has been backpropagated into it yet.")


# ---------------------------------------------------------------------------
# Checks


def check_op(value_cls, op, a, b=None, constant=None, label="Value"):
    """One operation on fresh leaves: its value and the gradient of each input against torch."""
    leaves = [a] if OPS[op].arity == 1 else [a, b]
    program = Program(leaves, [(op, tuple(range(len(leaves))), constant)])
    _compare(program, value_cls, label, diagnose_ops=False)


def check_program(value_cls, program, label="Value"):
    """Build `program` with the learner's class and with torch; compare the output and every leaf's grad."""
    _compare(program, value_cls, label, diagnose_ops=True)


def _compare(program, value_cls, label, diagnose_ops):
    # 1. Forward values, node by node: the first wrong one names the op.
    theirs = program.evaluate(torch_leaf)
    mine = _run_learner(program, value_cls, label, expected=theirs)
    n_leaves = len(program.leaves)
    # 2. Gradients of every leaf.
    out, reference = mine[-1], theirs[-1]
    _backward(out, label)
    reference.backward()
    expected = _tensor([float(t.grad) if t.grad is not None else 0.0 for t in theirs[:n_leaves]], dtype=_float64)
    got = grads_of(mine[:n_leaves])
    try:
        assert_close(got, expected, "the leaves' grads")
    except AssertionError as failure:
        raise AssertionError(_grad_diagnosis(program, value_cls, label, got, expected, str(failure),
                                             diagnose_ops)) from None


def _forward_diagnosis(program, k, mine, got, want):
    op, inputs, constant = program.nodes[k]
    line = program.line(k)
    lines = [f"The forward value is wrong at `{line}`: got {got:.8g}, expected {want:.8g}."]
    a = float(mine[inputs[0]].data)
    if op == "rsub" and math.isclose(got, a - constant, rel_tol=1e-9):
        lines.append("That is a - c: __rsub__ is called for `c - a` with self = a (the Value on the right) "
                     "and other = c, so it must compute other - self, not self - other.")
    elif op == "rdiv" and math.isclose(got, a / constant, rel_tol=1e-9):
        lines.append("That is a / c: __rtruediv__ is called for `c / a` with self = a (the Value on the "
                     "right) and other = c, so it must compute other / self, not self / other.")
    elif op in ("sub", "sub_c") and math.isclose(got, -want, rel_tol=1e-9):
        lines.append("It has the wrong sign: a - b is a + (-b).")
    else:
        lines.append(f"Check {OPS[op].method}.")
    lines.append("The expression:\n" + program.describe())
    return "\n".join(lines)


def _local_derivative_problems(program, value_cls, label):
    """Each kind of op of the program on its own, at the inputs it had there: which are wrong?"""
    values = [float(v) for v in program.evaluate(lambda x: _tensor(float(x), dtype=_float64))]
    problems, seen = [], set()
    for k, (op, inputs, constant) in enumerate(program.nodes):
        key = (op, constant)
        if key in seen:
            continue
        seen.add(key)
        args = [values[i] for i in inputs]
        try:
            check_op(value_cls, op, *args, constant=constant, label=label)
        except AssertionError as failure:
            first, *rest = str(failure).split("\nThe expression:")[0].splitlines()
            problems.append("\n  ".join([f"- (as in `{program.line(k)}`) {first}", *rest]))
    return problems


def _single_op_diagnosis(program, got, expected):
    op, _, constant = program.nodes[0]
    names = ["a", "b"][:len(program.leaves)]
    args = list(program.leaves)
    text = OPS[op].text.format(a="a", b="b", c=_number(constant))
    at = ", ".join(f"{n} = {x:.6g}" for n, x in zip(names, args))
    got_text = ", ".join(f"{n}.grad = {float(g):.8g}" for n, g in zip(names, got))
    want_text = ", ".join(f"{n}.grad = {float(g):.8g}" for n, g in zip(names, expected))
    lines = [f"The local derivative of `{text}` ({OPS[op].method}) is wrong at {at}: "
             f"got {got_text}, expected {want_text}."]
    why = _known_wrong(op, args, constant, [float(g) for g in got])
    if why:
        lines.append(f"Your gradient: {why}.")
    else:
        lines.append(f"The rule: {_FORMULAS[op]}, each times out.grad, added (+=) to the input's grad.")
    return "\n".join(lines)


def _backward_calls(build):
    """Build the graph again (`build()` returns its output) and run backward with each
    node's _backward counted: (nodes, calls per node, order of the calls), or None."""
    try:
        out = build()
    except Exception:
        return None
    nodes, stack, seen = [], [out], {id(out)}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in getattr(node, "_prev", ()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    if not all(callable(getattr(n, "_backward", None)) for n in nodes):
        return None
    calls, order = {id(n): 0 for n in nodes}, []
    for node in nodes:
        original = node._backward

        def counted(node=node, original=original):
            calls[id(node)] += 1
            order.append(node)
            return original()
        node._backward = counted
    try:
        out.backward()
    except Exception:
        return None
    return nodes, calls, order


_RULE = ("A node used more than once must receive the SUM of the gradients from all its users "
         "(`+=` in every _backward, never `=`), and backward() must run each node's _backward "
         "exactly once, after every node that uses it has run (reverse topological order).")


def _combination_diagnosis(build, ops_checked=True):
    """Say how backward() combines the ops' derivatives wrongly, from a counted run of it."""
    lead = "Every operation is right on its own, but your b" if ops_checked else "Your b"
    traced = _backward_calls(build)
    if traced is None:
        return ("Every operation is right on its own, so the problem is how backward() combines "
                "them. " if ops_checked else "") + _RULE
    nodes, calls, order = traced
    twice = [n for n in nodes if calls[id(n)] > 1 and getattr(n, "_prev", ())]
    if twice:
        return (f"{lead}ackward() ran the _backward of a node {calls[id(twice[0])]} times (a node "
                f"made by '{getattr(twice[0], '_op', '?')}'): a node used by several others was "
                "visited twice, so the gradient it passes on is counted twice. This happens when "
                "backward recurses from each user without a topological order: build the order "
                "once (visiting each node once), then run each _backward once, in reverse.")
    position = {id(n): i for i, n in enumerate(order)}
    for user in order:
        for child in getattr(user, "_prev", ()):
            if (id(child) in position and position[id(child)] < position[id(user)]
                    and getattr(child, "_prev", ())):
                return (f"{lead}ackward() ran the _backward of a node before a node that uses it "
                        "had added its gradient: the node passed on an incomplete gradient. Run "
                        "the _backward functions in reverse topological order (each node after "
                        "all the nodes that use it).")
    if any(calls[id(n)] == 0 for n in nodes if getattr(n, "_prev", ())):
        return (f"{lead}ackward() never ran the _backward of some nodes: it must reach every "
                "node the output depends on.")
    overwrite = ("some _backward overwrites a gradient (`x.grad = ...`) instead of adding to it "
                 "(`x.grad += ...`), so a node used more than once keeps only one contribution "
                 "instead of the sum of all of them")
    if ops_checked:
        return ("Every operation is right on its own and your backward() runs each _backward once, "
                f"in a valid order. So gradients are lost where a node is used more than once: {overwrite}.")
    if _overwrites(build):
        return ("Your backward() runs each _backward once, in a valid order, but with x used twice, "
                f"x + x or x * x gets a wrong x.grad: {overwrite}.")
    return ("Your backward() runs each _backward once, in a valid order, and x + x and x * x are "
            "right: so the local derivative of an operation used here is probably wrong (the "
            "tests of each operation on its own say which), or " + overwrite + ".")


def _overwrites(build):
    """Do `x + x` or `x * x` get a wrong x.grad with the learner's class (gradients overwritten)?"""
    try:
        value_cls = type(build())
        for fn, want in ((lambda x: x + x, 2.0), (lambda x: x * x, 3.0)):
            x = value_cls(1.5)
            fn(x).backward()
            if not math.isclose(float(x.grad), want, rel_tol=1e-9):
                return True
    except Exception:
        return False
    return False


def check_function(value_cls, fn, leaves, name="the expression", label="Value"):
    """Run `fn(*leaves)` with the learner's Values and with torch; compare output and leaf grads.

    For readable fixed examples: `fn` uses Python operators and the methods
    relu/tanh/exp/log, so the same code runs on Values and on torch scalars.
    """
    def build():
        return fn(*[value_cls(x) for x in leaves])

    try:
        mine = [value_cls(x) for x in leaves]
        out = fn(*mine)
    except AssertionError:
        raise
    except NotImplementedError:
        raise AssertionError(f"{name} raised NotImplementedError: an operation it uses is not "
                             "written yet. Replace the `raise NotImplementedError(...)` line with "
                             "your code, run that cell, then run this one.") from None
    except Exception as error:
        raise AssertionError(f"computing {name} with your {label} raised "
                             f"{type(error).__name__}: {error}") from None
    theirs = [torch_leaf(x) for x in leaves]
    reference = fn(*theirs)
    got_out = _as_float(getattr(out, "data", None), f"the .data of {name}")
    want_out = float(reference.detach())
    if not math.isclose(got_out, want_out, rel_tol=1e-9, abs_tol=1e-12):
        raise AssertionError(f"the value of {name} is {got_out:.8g}, but it should be "
                             f"{want_out:.8g}: the forward computation is wrong.")
    _backward(out, label)
    reference.backward()
    expected = _tensor([0.0 if t.grad is None else float(t.grad) for t in theirs], dtype=_float64)
    got = grads_of(mine)
    try:
        assert_close(got, expected, "the leaves' grads")
    except AssertionError:
        lines = [f"After backward() on {name}, the leaves' grads are wrong:"]
        for i, (g, e) in enumerate(zip(got.tolist(), expected.tolist())):
            mark = "" if math.isclose(g, e, rel_tol=1e-7, abs_tol=1e-9) else "   <- wrong"
            lines.append(f"- leaf {i} (data {leaves[i]:g}): got grad {g:.8g}, expected {e:.8g}{mark}")
        lines.append(_combination_diagnosis(build, ops_checked=False))
        raise AssertionError("\n".join(lines)) from None


def _grad_diagnosis(program, value_cls, label, got, expected, failure, diagnose_ops):
    n_leaves = len(program.leaves)
    wrong = [i for i in range(n_leaves)
             if not math.isclose(float(got[i]), float(expected[i]), rel_tol=1e-7, abs_tol=1e-9)]
    lines = [f"After out.backward(), {len(wrong)} of {n_leaves} leaves have a wrong .grad:"]
    uses = program.uses()
    for i in wrong[:3]:
        paths, ops = program.paths_from(i)
        ratio = ""
        if float(expected[i]) != 0:
            ratio = f" (ratio {float(got[i]) / float(expected[i]):.4g})"
        lines.append(f"- {program.name(i)}: got {float(got[i]):.8g}, expected {float(expected[i]):.8g}{ratio}; "
                     f"it reaches the output along {paths} path{'s' if paths != 1 else ''} through "
                     f"{', '.join(ops) or 'no op'}" + (f"; {program.name(i)} itself is used {uses[i]} times"
                                                       if uses[i] > 1 else "") + ".")
    factor_lines = [line for line in failure.splitlines() if "times the right answer" in line]
    lines.extend(factor_lines)
    if diagnose_ops:
        problems = _local_derivative_problems(program, value_cls, label)
        if problems:
            lines.append("Testing each operation of the expression on its own finds:")
            lines.extend(problems)
        elif any(u > 1 for u in uses) or len(program.nodes) > 1:
            lines.append(_combination_diagnosis(lambda: program.evaluate(value_cls)[-1]))
    else:
        return _single_op_diagnosis(program, got, expected)
    lines.append("The expression:\n" + program.describe())
    return "\n".join(lines)
