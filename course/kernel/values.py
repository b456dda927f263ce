"""09_tiny_autograd, the kernel's side: build a program with the learner's `Value` class and report plain data.

This runs in the learner's process, so it only computes: for a program sent
as JSON it builds every node with the learner's class (Python's own
operators, so `2 - x` calls `__rsub__`), runs `backward()` and returns each
node's `.data`, each leaf's `.grad` and, for the diagnoses, how `backward()`
ran: which node's `_backward` ran how many times and in what order. What
goes wrong (an exception, a method returning something else than a Value)
is reported as data too. The grader (course.checks.a09_tiny_autograd.diagnoses) decides.
"""
from .plain import MAX_ITEMS

MAX_TRACED_NODES = 5000

# Each op with Python's own operators and the Value's methods: (inputs, constant) -> result.
# The grader's catalogue of ops (course.checks.a09_tiny_autograd.ops) names and explains the same ops.
APPLY = {
    "add": lambda v, c: v[0] + v[1], "mul": lambda v, c: v[0] * v[1],
    "sub": lambda v, c: v[0] - v[1], "div": lambda v, c: v[0] / v[1],
    "add_c": lambda v, c: v[0] + c, "mul_c": lambda v, c: v[0] * c,
    "radd": lambda v, c: c + v[0], "rmul": lambda v, c: c * v[0],
    "sub_c": lambda v, c: v[0] - c, "rsub": lambda v, c: c - v[0],
    "div_c": lambda v, c: v[0] / c, "rdiv": lambda v, c: c / v[0],
    "pow": lambda v, c: v[0] ** c, "neg": lambda v, c: -v[0],
    "relu": lambda v, c: v[0].relu(), "tanh": lambda v, c: v[0].tanh(),
    "exp": lambda v, c: v[0].exp(), "log": lambda v, c: v[0].log(),
}


class Program:
    """A program as the grader sends it: leaves, then nodes (op name, input indices, constant)."""

    def __init__(self, leaves, nodes):
        self.leaves, self.nodes = leaves, nodes

    @classmethod
    def from_plain(cls, data):
        return cls(list(data["leaves"]), [(op, tuple(inputs), c) for op, inputs, c in data["nodes"]])


def _text(value, limit=80):
    """repr of a learner's object, whatever its __repr__ does."""
    try:
        return repr(value)[:limit]
    except Exception:
        return f"a {type(value).__name__}"


def _op_text(op):
    return op[:20] if type(op) is str else _text(op, 20)


def number(value):
    """`value` as a float, or its repr when it is not a number (the grader says so)."""
    try:
        return float(value)
    except Exception:
        return _text(value)


def _raised(at, error):
    return {"at": at, "raised": type(error).__name__, "message": str(error)[:500]}


def build(value_cls, program):
    """Every value (leaves, then nodes) made with `value_cls`, and what stopped the building (or None)."""
    values = [value_cls(x) for x in program.leaves]
    for k, (op, inputs, constant) in enumerate(program.nodes):
        try:
            result = APPLY[op]([values[i] for i in inputs], constant)
        except Exception as error:
            return values, _raised(k, error)
        if not isinstance(result, value_cls):
            return values, {"at": k, "returned": f"{type(result).__name__} {_text(result, 60)}"}
        values.append(result)
    return values, None


def run_program(value_cls, program, trace=False):
    """Build `program`, run backward() on its output: data of every value, grad of every leaf."""
    values, failure = build(value_cls, program)
    record = {"data": [number(getattr(v, "data", None)) for v in values], "failure": failure}
    if failure is not None:
        return record
    out = values[-1]
    try:
        out.backward()
    except Exception as error:   # RecursionError included
        record["failure"] = _raised("backward", error)
        return record
    record["grads"] = [number(getattr(v, "grad", None)) for v in values[:len(program.leaves)]]
    record["out_grad"] = number(getattr(out, "grad", None))
    if trace:
        record["trace"] = backward_trace(value_cls, program)
    return record


def backward_trace(value_cls, program):
    """Build `program` again and run backward() with each node's _backward counted, or None.

    The graph is the learner's own (found through `_prev`, so it includes the
    nodes their operators make internally): each node's op, inputs and number
    of _backward calls, and the order of the calls.
    """
    try:
        values, failure = build(value_cls, program)
        if failure is not None:
            return None
        out = values[-1]
        nodes, index, stack = [], {id(out): 0}, [out]
        while stack and len(nodes) < MAX_TRACED_NODES:
            node = stack.pop()
            nodes.append(node)
            for child in getattr(node, "_prev", ()):
                if id(child) not in index:
                    index[id(child)] = len(index)
                    stack.append(child)
        nodes.sort(key=lambda n: index[id(n)])
        if len(nodes) != len(index) or not all(callable(getattr(n, "_backward", None)) for n in nodes):
            return None
        calls, order = [0] * len(nodes), []
        for i, node in enumerate(nodes):
            def counted(i=i, original=node._backward):
                calls[i] += 1
                if len(order) < MAX_ITEMS:
                    order.append(i)
                return original()
            node._backward = counted
        out.backward()
        return {"nodes": [{"op": _op_text(getattr(n, "_op", "?")), "calls": calls[i],
                           "prev": [index[id(c)] for c in getattr(n, "_prev", ())]}
                          for i, n in enumerate(nodes)],
                "order": order}
    except Exception:
        return None


def new_value(value_cls, x):
    """What a freshly made Value(x) holds."""
    try:
        value = value_cls(x)
    except Exception as error:
        return _raised("new", error)
    return {"attributes": [a for a in ("data", "grad") if hasattr(value, a)],
            "data": number(getattr(value, "data", None)), "grad": number(getattr(value, "grad", None))}


def value_class(target, args, kwargs, by_hand, name):
    """The learner's class `target`: with `fresh`, a new Value(args[0]); else the program args[0] and its probes."""
    if kwargs.get("fresh"):
        return new_value(target, args[0])
    program = Program.from_plain(args[0])
    return {"run": run_program(target, program, trace=kwargs.get("trace", False)),
            "probes": [run_program(target, Program.from_plain(p)) for p in kwargs.get("probes", [])]}
