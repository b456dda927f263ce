"""Does the kernel's side of 09 build programs with a learner's Value and report only plain data?"""
import json

from course.kernel import plain
from course.kernel.runner import ADAPTERS
from course.checks.a09_tiny_autograd.programs import single_op, traced
from course.kernel.values import run_program

from .value_engines import RecursiveValue, Value, WithoutRsub


def _diamond(x):
    a = x * 3.0
    return a * 2.0 + a * 5.0


def test_a_report_is_plain_data():
    """Does the adapter's answer come through plain encoding and JSON unchanged?"""
    program = traced(_diamond, [2.0])
    answer = ADAPTERS["value"](Value, [program.to_plain()], {"trace": True, "probes": [program.to_plain()]},
                               False, "Value")
    assert plain.decode(json.loads(json.dumps(plain.encode(answer)))) == answer


def test_a_report_holds_every_value_and_every_leaf_grad():
    """Are the data of leaves and nodes, the leaves' grads and the output's grad all there?"""
    record = run_program(Value, traced(lambda a, b: a * b + 1, [2.0, -3.0]))
    assert record == {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [-3.0, 2.0], "out_grad": 1.0}


def test_an_operator_that_raises_is_reported_at_its_node():
    """Is `2 - x` without __rsub__ reported as a TypeError at node 0, with no grads?"""
    record = run_program(WithoutRsub, single_op("rsub", [1.5], 2.0))
    assert record["failure"]["at"] == 0 and record["failure"]["raised"] == "TypeError"
    assert "grads" not in record and record["data"] == [1.5]


def test_a_method_that_returns_no_value_is_reported():
    """Is a method returning a float instead of a Value named with what it returned?"""
    class Floaty(Value):
        def exp(self):
            return 2.0
    record = run_program(Floaty, single_op("exp", [0.5]))
    assert record["failure"] == {"at": 0, "returned": "float 2.0"}


def test_data_that_is_not_a_number_travels_as_its_repr():
    """Is a .data the grader cannot read as a number sent as text, not as the object?"""
    class Listy(Value):
        def __add__(self, other):
            out = super().__add__(other)
            out.data = [out.data]
            return out
    assert run_program(Listy, single_op("add", [1.0, 2.0]))["data"][-1] == "[3.0]"


def test_the_trace_counts_each_backward_call():
    """With a recursive backward, is the shared node's _backward counted twice?"""
    record = run_program(RecursiveValue, traced(_diamond, [2.0]), trace=True)
    trace = record["trace"]
    assert max(node["calls"] for node in trace["nodes"] if node["prev"]) == 2
    right = run_program(Value, traced(_diamond, [2.0]), trace=True)["trace"]
    assert all(node["calls"] == 1 for node in right["nodes"])
    assert len(right["order"]) == len(right["nodes"])


def test_a_fresh_value_is_described():
    """Does a new Value(1.5) report its attributes, data and grad?"""
    answer = ADAPTERS["value"](Value, [1.5], {"fresh": True}, False, "Value")
    assert answer == {"attributes": ["data", "grad"], "data": 1.5, "grad": 0.0}
