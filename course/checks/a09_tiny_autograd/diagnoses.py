"""09_tiny_autograd, the grader's side: judge what the learner's `Value` computed against torch, and say why it differs.

The kernel (course.kernel.values) reports, as plain data, every
node's `.data`, every leaf's `.grad`, what raised, and how `backward()` ran
(each `_backward`'s calls, in order). Here that report is compared with
torch's float64 answer to the same program (value_programs.reference) and,
when they differ, the message says which node or leaf, expected against
got, which operations lie between that leaf and the output, and the likely
cause: an operation computed wrongly, a wrong local derivative (from probes:
each operation of the program alone, at the inputs it had there), or
backward() combining right derivatives wrongly (a node's `_backward` run
twice or too early, or gradients overwritten with `=` instead of added up).
Nothing the kernel sends is trusted: a malformed report fails the trial.
"""
from dataclasses import dataclass
import math

import torch

from course.checks.core.compare import ADDED_TWICE, SIGN_FLIPPED, compare
from .ops import FORMULAS, OPS, known_wrong
from .programs import number_text, reference, single_op, traced

UNREADABLE = "the notebook's answer to this trial could not be read."
# The factors a wrongly combined gradient is likely off by: a node's gradient
# passed on twice, or the sign of a subtraction lost.
GRAD_CAUSES = [SIGN_FLIPPED, ADDED_TWICE]

# x used twice: gradients overwritten (`=`) instead of added (`+=`) show here.
OVERWRITE_PROBES = [traced(lambda x: x + x, [1.5]), traced(lambda x: x * x, [1.5])]

RULE = ("A node used more than once must receive the SUM of the gradients from all its users "
        "(`+=` in every _backward, never `=`), and backward() must run each node's _backward "
        "exactly once, after every node that uses it has run (reverse topological order).")


# ---- reading the kernel's report ----------------------------------------------------

@dataclass
class Trace:
    """How the learner's backward() ran: per node of their graph its op, inputs and _backward calls."""

    ops: list
    prev: list
    calls: list
    order: list


@dataclass
class Run:
    """One program as the learner's class computed it."""

    data: list             # every value's .data (leaves, then nodes): a float, or the repr of a non-number
    failure: dict = None   # what stopped it: {"at": node or "backward", "raised"/"returned", "message"}
    grads: list = None     # every leaf's .grad, once backward() ran
    out_grad: object = None
    trace: Trace = None


def _is_number_or_text(x):
    return type(x) in (float, int, str)


def _unreadable():
    return AssertionError(UNREADABLE)


def read_run(value, program):
    """The kernel's report on `program` as a Run; a malformed one fails the trial."""
    n_leaves, n_values = len(program.leaves), len(program.leaves) + len(program.nodes)
    if type(value) is not dict or type(value.get("data")) is not list:
        raise _unreadable()
    data, failure = value["data"], value.get("failure")
    if not all(_is_number_or_text(x) for x in data):
        raise _unreadable()
    if failure is None:
        grads = value.get("grads")
        if (len(data) != n_values or type(grads) is not list or len(grads) != n_leaves
                or not all(_is_number_or_text(g) for g in grads + [value.get("out_grad")])):
            raise _unreadable()
        return Run(data, None, grads, value["out_grad"], _read_trace(value.get("trace")))
    if type(failure) is not dict or not all(type(failure.get(k, "")) is str for k in ("raised", "message", "returned")):
        raise _unreadable()
    at = failure.get("at")
    stopped_in_backward = at == "backward" and len(data) == n_values
    stopped_at_node = type(at) is int and 0 <= at < len(program.nodes) and len(data) == n_leaves + at
    if not (stopped_in_backward or stopped_at_node):
        raise _unreadable()
    return Run(data, failure)


def _read_trace(value):
    """The trace, or None where it is missing or malformed (the diagnosis then states the rule)."""
    try:
        nodes, order = value["nodes"], value["order"]
        ops = [n["op"] for n in nodes]
        prev = [list(n["prev"]) for n in nodes]
        calls = [n["calls"] for n in nodes]
        indices = [i for p in prev for i in p] + list(order)
        if (all(type(o) is str for o in ops) and all(type(c) is int for c in calls)
                and all(type(i) is int and 0 <= i < len(nodes) for i in indices)):
            return Trace(ops, prev, calls, list(order))
    except (TypeError, KeyError, AttributeError):
        pass
    return None


def read_answer(output, probes):
    """The adapter's answer: the program's report and one per probe (still to be read with read_run)."""
    if type(output) is not dict or type(output.get("probes")) is not list or len(output["probes"]) != probes:
        raise _unreadable()
    return output.get("run"), output["probes"]


def _number(x, what):
    if type(x) in (float, int):
        return float(x)
    raise AssertionError(f"{what} must be a number, but it is {x}.")


def _close(got, want):
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)


def _same_grad(got, want):
    return math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9)


# ---- what stopped the forward pass or backward() ------------------------------------

def _op_hint(spec, raised, message):
    if raised == "TypeError" and "unsupported operand" in message:
        if spec.method.startswith("__r"):
            return (f"\nHint: when the number is on the LEFT (as in 2 - x), Python asks the number "
                    f"first, fails, then calls {spec.method} of the Value on the right: "
                    f"define {spec.method}(self, other).")
        return f"\nHint: define {spec.method}(self, other) (and wrap a plain number in a Value)."
    if raised == "AttributeError" and "has no attribute" in message:
        if "'float'" in message or "'int'" in message:
            return ("\nHint: `other` may be a plain number: wrap it first, "
                    "other = other if isinstance(other, Value) else Value(other).")
        return f"\nHint: define the method {spec.method}."
    return ""


def build_failure(program, failure, name=None):
    """Why node `failure["at"]` could not be built; `name` is the example's (else the node's line is named)."""
    k = failure["at"]
    spec, line = OPS[program.nodes[k][0]], program.line(k)
    if "returned" in failure:
        return (f"{f'computing {name}: ' if name else ''}{line} returned {failure['returned']}, not a Value: "
                f"{spec.method} must return a new Value (so the graph goes on).")
    raised, message = failure.get("raised", "an error"), failure.get("message", "")
    if raised == "NotImplementedError":
        return (f"{name or line} raised NotImplementedError: {spec.method} is not written yet. "
                "Replace the `raise NotImplementedError(...)` line with your code, run that cell, "
                "then run this one.")
    return f"computing {name or f'`{line}`'} with your Value raised {raised}: {message}" + _op_hint(spec, raised, message)


def backward_failure(failure):
    raised = failure.get("raised")
    if raised == "NotImplementedError":
        return ("out.backward() raised NotImplementedError: backward is not written yet. "
                "Replace the `raise NotImplementedError(...)` line with your code.")
    if raised == "RecursionError":
        return ("out.backward() recursed too deeply: does the topological sort mark "
                "each node as visited before it recurses into its children?")
    return f"out.backward() with your Value raised {raised}: {failure.get('message', '')}"


def forward_diagnosis(program, k, data, got, want):
    """A node's value is wrong: name it and, for the usual slips, why."""
    op, inputs, constant = program.nodes[k]
    lines = [f"The forward value is wrong at `{program.line(k)}`: got {got:.8g}, expected {want:.8g}."]
    a = data[inputs[0]]
    if op == "rsub" and type(a) is float and math.isclose(got, a - constant, rel_tol=1e-9):
        lines.append("That is a - c: __rsub__ is called for `c - a` with self = a (the Value on the right) "
                     "and other = c, so it must compute other - self, not self - other.")
    elif op == "rdiv" and type(a) is float and math.isclose(got, a / constant, rel_tol=1e-9):
        lines.append("That is a / c: __rtruediv__ is called for `c / a` with self = a (the Value on the "
                     "right) and other = c, so it must compute other / self, not self / other.")
    elif op in ("sub", "sub_c") and math.isclose(got, -want, rel_tol=1e-9):
        lines.append("It has the wrong sign: a - b is a + (-b).")
    else:
        lines.append(f"Check {OPS[op].method}.")
    lines.append("The expression:\n" + program.describe())
    return "\n".join(lines)


def _forward_failure(program, run, want, name):
    """The first node that could not be built or has a wrong value (with `name`, only the output's value)."""
    n_leaves = len(program.leaves)
    if type(run.failure.get("at") if run.failure else None) is int:
        return build_failure(program, run.failure, name)
    if name:
        got = _number(run.data[-1], f"the .data of {name}")
        if not _close(got, want[-1]):
            return (f"the value of {name} is {got:.8g}, but it should be {want[-1]:.8g}: "
                    "the forward computation is wrong.")
        return None
    for k in range(len(program.nodes)):
        got = _number(run.data[n_leaves + k], f"the .data of {program.line(k).split(' =')[0]}")
        if not _close(got, want[n_leaves + k]):
            return forward_diagnosis(program, k, run.data, got, want[n_leaves + k])
    return None


# ---- gradients ---------------------------------------------------------------------

def _grads(run):
    return torch.tensor([_number(g, f"the grad of x{i}") for i, g in enumerate(run.grads)], dtype=torch.float64)


def judge_run(program, run, reference, name=None):
    """(got, expected, the comparison's failure) of the leaves' grads, or raise what went wrong before them."""
    want, expected = reference
    message = _forward_failure(program, run, want, name)
    if message is None and run.failure is not None:
        message = backward_failure(run.failure)
    if message:
        raise AssertionError(message)
    got, expected = _grads(run), torch.tensor(expected, dtype=torch.float64)
    report = compare(got, expected, "the leaves' grads", causes=GRAD_CAUSES)
    return got, expected, None if report.passed else report.message


def op_failure(program, value, reference):
    """The diagnosis of one operation on fresh leaves (a single-op program), or None if it is right."""
    try:
        got, expected, failure = judge_run(program, read_run(value, program), reference)
    except AssertionError as error:
        return str(error)
    if failure is None:
        return None
    op, _, constant = program.nodes[0]
    names = ["a", "b"][:len(program.leaves)]
    args = list(program.leaves)
    text = OPS[op].text.format(a="a", b="b", c=number_text(constant))
    at = ", ".join(f"{n} = {x:.6g}" for n, x in zip(names, args))
    got_text = ", ".join(f"{n}.grad = {float(g):.8g}" for n, g in zip(names, got))
    want_text = ", ".join(f"{n}.grad = {float(g):.8g}" for n, g in zip(names, expected))
    lines = [f"The local derivative of `{text}` ({OPS[op].method}) is wrong at {at}: "
             f"got {got_text}, expected {want_text}."]
    why = known_wrong(op, args, constant, [float(g) for g in got])
    cut_off = [n for n, g, w in zip(names, got, expected) if float(g) == 0.0 and float(w) != 0.0]
    if why:
        lines.append(f"Your gradient: {why}.")
    elif cut_off and len(cut_off) == sum(float(w) != 0.0 for w in expected):
        who = " and ".join(cut_off)
        lines.append(f"{who}.grad stayed 0: no gradient reached {who}. Either the result is not connected to {who} "
                     "in the graph (a Value made from a number, such as Value(-a.data), is a new leaf with no "
                     "inputs: build the result with operations on the Values themselves), or its _backward adds "
                     "nothing (it is never attached with out._backward = _backward, or multiplies by 0).")
    else:
        lines.append(f"The rule: {FORMULAS[op]}, each times out.grad, added (+=) to the input's grad.")
    return "\n".join(lines)


def derivative_probes(program, values):
    """Each kind of op of `program` alone, at the inputs it had there (`values`: torch's): [(node, Program)]."""
    probes, seen = [], set()
    for k, (op, inputs, constant) in enumerate(program.nodes):
        if (op, constant) not in seen:
            seen.add((op, constant))
            probes.append((k, single_op(op, [values[i] for i in inputs], constant)))
    return probes


def _run_more_than_once(trace, node):
    """What passing on a gradient more than once did, read from when the node's users ran (after "backward() ")."""
    calls, users = trace.calls[node], [u for u, prev in enumerate(trace.prev) if node in prev]
    runs = [step for step, ran in enumerate(trace.order) if ran == node]
    head = (f"ran the _backward of a node {calls} times (a node made by '{trace.ops[node]}', used by "
            f"{len(users)} node{'s' if len(users) != 1 else ''}). Each run passes on the gradient the node holds "
            "at that moment, so its inputs received it more than once")
    fix = (" This happens when backward recurses from each user without a topological order: build the order "
           "once (visiting each node once), then run each _backward once, in reverse.")
    if len(runs) != calls:   # the recorded order is cut short: say only what is sure
        return head + "." + fix
    early = [u for u in users if u not in trace.order[:runs[0]]]
    if early:
        return (head + f": the first time, {len(early)} of the nodes that use it had not yet added their share, "
                "so it passed on an incomplete gradient, and the later run passed on its gradient again, on top "
                "(as in the diamond of section 2: 3 * 2 = 6 on top of 3 * 7 = 21, so x.grad = 27, not 21)." + fix)
    return (head + f": every node that uses it had run before, so its complete gradient was passed on {calls} "
            "times, counted that many times." + fix)


def combination_diagnosis(trace, ops_checked=True, overwrites=False):
    """How backward() combines the ops' derivatives wrongly, read from its trace."""
    lead = "Every operation is right on its own, but your b" if ops_checked else "Your b"
    if trace is None:
        return ("Every operation is right on its own, so the problem is how backward() combines "
                "them. " if ops_checked else "") + RULE
    twice = [i for i, calls in enumerate(trace.calls) if calls > 1 and trace.prev[i]]
    if twice:
        return f"{lead}ackward() " + _run_more_than_once(trace, twice[0])
    position = {node: i for i, node in enumerate(trace.order)}
    for user in trace.order:
        for child in trace.prev[user]:
            if child in position and position[child] < position[user] and trace.prev[child]:
                return (f"{lead}ackward() ran the _backward of a node before a node that uses it "
                        "had added its gradient: the node passed on an incomplete gradient. Run "
                        "the _backward functions in reverse topological order (each node after "
                        "all the nodes that use it).")
    if any(calls == 0 and prev for calls, prev in zip(trace.calls, trace.prev)):
        return (f"{lead}ackward() never ran the _backward of some nodes: it must reach every "
                "node the output depends on.")
    overwrite = ("some _backward overwrites a gradient (`x.grad = ...`) instead of adding to it "
                 "(`x.grad += ...`), so a node used more than once keeps only one contribution "
                 "instead of the sum of all of them")
    if ops_checked:
        return ("Every operation is right on its own and your backward() runs each _backward once, "
                f"in a valid order. So gradients are lost where a node is used more than once: {overwrite}.")
    if overwrites:
        return ("Your backward() runs each _backward once, in a valid order, but with x used twice, "
                f"x + x or x * x gets a wrong x.grad: {overwrite}.")
    return ("Your backward() runs each _backward once, in a valid order, and x + x and x * x are "
            "right: so the local derivative of an operation used here is probably wrong (the "
            "tests of each operation on its own say which), or " + overwrite + ".")


def program_grads_diagnosis(program, run, got, expected, failure, problems):
    """The leaves' grads of a random program are wrong: which leaves, along which ops, and why."""
    n_leaves = len(program.leaves)
    wrong = [i for i in range(n_leaves) if not _same_grad(float(got[i]), float(expected[i]))]
    lines = [f"After out.backward(), {len(wrong)} of {n_leaves} leaves have a wrong .grad:"]
    uses = program.uses()
    for i in wrong[:3]:
        paths, ops = program.paths_from(i)
        ratio = f" (ratio {float(got[i]) / float(expected[i]):.4g})" if float(expected[i]) != 0 else ""
        lines.append(f"- {program.name(i)}: got {float(got[i]):.8g}, expected {float(expected[i]):.8g}{ratio}; "
                     f"it reaches the output along {paths} path{'s' if paths != 1 else ''} through "
                     f"{', '.join(ops) or 'no op'}" + (f"; {program.name(i)} itself is used {uses[i]} times"
                                                       if uses[i] > 1 else "") + ".")
    lines.extend(line for line in failure.splitlines() if "times the right answer" in line)
    if problems:
        lines.append("Testing each operation of the expression on its own finds:")
        lines.extend(problems)
    elif any(u > 1 for u in uses) or len(program.nodes) > 1:
        lines.append(combination_diagnosis(run.trace))
    lines.append("The expression:\n" + program.describe())
    return "\n".join(lines)


def function_grads_diagnosis(name, leaves, got, expected, trace, overwrites):
    """The leaves' grads of a readable example are wrong: each leaf's, and how backward() went wrong."""
    lines = [f"After backward() on {name}, the leaves' grads are wrong:"]
    for i, (g, e) in enumerate(zip(got.tolist(), expected.tolist())):
        mark = "" if _same_grad(g, e) else "   <- wrong"
        lines.append(f"- leaf {i} (data {leaves[i]:g}): got grad {g:.8g}, expected {e:.8g}{mark}")
    lines.append(combination_diagnosis(trace, ops_checked=False, overwrites=overwrites))
    return "\n".join(lines)


# ---- the judges of the three kinds of trial --------------------------------------------
# Each returns the request's options (what the kernel must report besides the
# program itself) and the judge of the kernel's answer.

def _derivative_problems(program, probes, probe_values):
    problems = []
    for (k, probe), value in zip(probes, probe_values):
        message = op_failure(probe, value, reference(probe))
        if message:
            first, *rest = message.split("\nThe expression:")[0].splitlines()
            problems.append("\n  ".join([f"- (as in `{program.line(k)}`) {first}", *rest]))
    return problems


def program_judge(program):
    """A random program: each node's value, then each leaf's grad, against torch's."""
    values, grads = reference(program)
    probes = derivative_probes(program, values)

    def judge(output):
        run_value, probe_values = read_answer(output, len(probes))
        run = read_run(run_value, program)
        got, expected, failure = judge_run(program, run, (values, grads))
        if failure:
            problems = _derivative_problems(program, probes, probe_values)
            raise AssertionError(program_grads_diagnosis(program, run, got, expected, failure, problems))
    return {"trace": True, "probes": [probe.to_plain() for _, probe in probes]}, judge


def op_judge(program):
    """One operation on fresh leaves: its value and the gradient of each input."""
    answer = reference(program)

    def judge(output):
        run_value, _ = read_answer(output, 0)
        message = op_failure(program, run_value, answer)
        if message:
            raise AssertionError(message)
    return {}, judge


def _wrong_with_x_used_twice(probe_values):
    """Do `x + x` or `x * x` get a wrong x.grad (gradients overwritten)? Unknown counts as no."""
    for probe, value in zip(OVERWRITE_PROBES, probe_values):
        try:
            run = read_run(value, probe)
            if run.failure is None and not _same_grad(_number(run.grads[0], "x.grad"), reference(probe)[1][0]):
                return True
        except AssertionError:
            return False
    return False


def function_judge(name, program, output_grad=False):
    """A readable example called `name`: its value, then each leaf's grad (and, with
    `output_grad`, that backward() sets the output's own grad to 1)."""
    answer = reference(program)

    def judge(output):
        run_value, probe_values = read_answer(output, len(OVERWRITE_PROBES))
        run = read_run(run_value, program)
        got, expected, failure = judge_run(program, run, answer, name=name)
        if failure:
            raise AssertionError(function_grads_diagnosis(name, program.leaves, got, expected, run.trace,
                                                          _wrong_with_x_used_twice(probe_values)))
        if output_grad and _number(run.out_grad, "out.grad") != 1.0:
            raise AssertionError(f"after out.backward(), out.grad is {run.out_grad}, but it must be 1.0 "
                                 "(d out / d out).")
    return {"trace": True, "probes": [probe.to_plain() for probe in OVERWRITE_PROBES]}, judge


def new_value_judge(x):
    """A new Value(x) holds x in .data and 0.0 in .grad."""
    def judge(output):
        if type(output) is not dict:
            raise _unreadable()
        if "raised" in output:
            raise AssertionError(f"Value({x}) raised {output.get('raised')}: {output.get('message')}")
        if output.get("attributes") != ["data", "grad"]:
            raise AssertionError(f"Value({x}) must have the attributes .data and .grad.")
        if _number(output.get("data"), f"Value({x}).data") != x:
            raise AssertionError(f"Value({x}).data is {output['data']!r}, but it must be {x}.")
        if _number(output.get("grad"), f"Value({x}).grad") != 0.0:
            raise AssertionError(f"Value({x}).grad is {output['grad']!r} at creation, but it must be 0.0: "
                                 "nothing has been backpropagated into it yet.")
    return {"fresh": True}, judge
