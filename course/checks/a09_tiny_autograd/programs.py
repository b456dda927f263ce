"""09_tiny_autograd: expression programs, the plain data the grader sends to build with a `Value` class.

A `Program` is a list of leaves (numbers) and nodes (op name, input indices,
constant): JSON as it is, so the grader can send it to the kernel. Programs
come from three places: `random_program` (random graphs inside every op's
domain, nodes used more than once included), `single_op` (one operation on
fresh leaves) and `traced`, which records a readable Python function of its
leaves (`lambda a, b: a * b + 3`) as the program Python's operators make of
it. `reference` is torch's answer to a program, in float64.
"""
from dataclasses import dataclass, field
import math

import torch

from course.checks.core.reference import autograd_vjp
from .ops import ALL_OPS, CONSTANTS, EXPONENTS, OPS, in_domain

_float64 = torch.float64


@dataclass
class Program:
    """An expression: leaves, then nodes (op name, input indices, constant); the last node is the output."""

    leaves: list
    nodes: list = field(default_factory=list)   # (op name, (input indices...), constant)

    def to_plain(self):
        return {"leaves": list(self.leaves), "nodes": [[op, list(inputs), c] for op, inputs, c in self.nodes]}

    @classmethod
    def from_plain(cls, data):
        return cls(list(data["leaves"]), [(op, tuple(inputs), c) for op, inputs, c in data["nodes"]])

    def name(self, index):
        return f"x{index}" if index < len(self.leaves) else f"n{index}"

    def line(self, k):
        op, inputs, constant = self.nodes[k]
        names = [self.name(i) for i in inputs] + ["", ""]
        text = OPS[op].text.format(a=names[0], b=names[1], c=number_text(constant))
        target = "out" if k == len(self.nodes) - 1 else self.name(len(self.leaves) + k)
        return f"{target} = {text}"

    def describe(self):
        leaves = ", ".join(f"{self.name(i)} = {number_text(x)}" for i, x in enumerate(self.leaves))
        return "\n".join([f"  leaves: {leaves}"] + [f"  {self.line(k)}" for k in range(len(self.nodes))])

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

    def evaluate(self, leaves):
        """All values (the given leaves, then every node), computed with Python operators."""
        values = list(leaves)
        for op, inputs, constant in self.nodes:
            values.append(OPS[op].apply([values[i] for i in inputs], constant))
        return values


def number_text(x):
    if x is None:
        return ""
    return repr(int(x)) if float(x).is_integer() and abs(x) < 100 else f"{x:.4g}"


def reference(program):
    """torch's answer in float64: every value (leaves, then nodes) and the gradient of the output for each leaf."""
    leaves = [torch.tensor(float(x), dtype=_float64) for x in program.leaves]
    values = [float(v) for v in program.evaluate(leaves)]
    grads = autograd_vjp(lambda *xs: program.evaluate(xs)[-1], leaves)
    return values, [float(g) for g in grads]


def single_op(op, args, constant=None):
    """One operation on fresh leaves: `args` are its 1 or 2 inputs."""
    return Program(list(args), [(op, tuple(range(len(args))), constant)])


# ---- a readable function of the leaves, recorded as a program -----------------

class _Traced:
    """A node of the program being recorded; Python's operators on it append nodes."""

    def __init__(self, program, index):
        self.program, self.index = program, index

    def _node(self, op, inputs, constant=None):
        self.program.nodes.append((op, tuple(t.index for t in inputs), constant))
        return _Traced(self.program, len(self.program.leaves) + len(self.program.nodes) - 1)

    def _binary(self, other, op, op_c):
        if isinstance(other, _Traced):
            return self._node(op, (self, other))
        return self._node(op_c, (self,), other)

    def __add__(self, other):
        return self._binary(other, "add", "add_c")

    def __mul__(self, other):
        return self._binary(other, "mul", "mul_c")

    def __sub__(self, other):
        return self._binary(other, "sub", "sub_c")

    def __truediv__(self, other):
        return self._binary(other, "div", "div_c")

    def __radd__(self, other):
        return self._node("radd", (self,), other)

    def __rmul__(self, other):
        return self._node("rmul", (self,), other)

    def __rsub__(self, other):
        return self._node("rsub", (self,), other)

    def __rtruediv__(self, other):
        return self._node("rdiv", (self,), other)

    def __pow__(self, p):
        return self._node("pow", (self,), p)

    def __neg__(self):
        return self._node("neg", (self,))

    def relu(self):
        return self._node("relu", (self,))

    def tanh(self):
        return self._node("tanh", (self,))

    def exp(self):
        return self._node("exp", (self,))

    def log(self):
        return self._node("log", (self,))


def traced(fn, leaves):
    """The program `fn(*leaves)` makes with Python's operators, in the order it makes them."""
    program = Program(list(leaves))
    out = fn(*[_Traced(program, i) for i in range(len(leaves))])
    if out.index != len(program.leaves) + len(program.nodes) - 1:
        raise ValueError("the function's result must be the last value it computes")
    return program


# ---- random programs ------------------------------------------------------------

def _uniform(generator, low, high):
    return low + (high - low) * float(torch.rand((), generator=generator, dtype=_float64))


def _choice(generator, items):
    return items[int(torch.randint(len(items), (), generator=generator))]


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
                constant = _choice(generator, EXPONENTS if op == "pow" else CONSTANTS)
            else:
                constant = None
            a = values[inputs[0]]
            b = values[inputs[1]] if spec.arity == 2 else None
            if not in_domain(op, a, b, constant):
                continue
            result = float(spec.apply([torch.tensor(values[i], dtype=_float64) for i in inputs], constant))
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
        constant = (_choice(generator, EXPONENTS if op == "pow" else CONSTANTS)
                    if spec.constant else None)
        if in_domain(op, args[0], args[1] if spec.arity == 2 else None, constant):
            return args, constant
    raise RuntimeError(f"no inputs found for {op}")
