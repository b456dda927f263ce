"""Does the grader's side of 09 judge reports it cannot trust, and say why a gradient is wrong?"""
import pytest

from course.checks.a09_tiny_autograd.diagnoses import (UNREADABLE, Trace, combination_diagnosis, op_failure,
                                           program_judge, read_run)
from course.checks.a09_tiny_autograd.programs import reference, single_op, traced


def _program():
    return traced(lambda a, b: a * b + 1, [2.0, -3.0])


@pytest.mark.parametrize("report", [
    None, [], {"data": "x"}, {"data": [1.0]},
    {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [1.0], "out_grad": 1.0},
    {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [1.0, {"x": 1}], "out_grad": 1.0},
    {"data": [2.0, -3.0], "failure": {"at": 5, "raised": "TypeError", "message": ""}},
    {"data": [2.0, -3.0], "failure": {"at": 0, "raised": 3}},
])
def test_a_malformed_report_fails_the_trial_without_an_exception(report):
    """Is a report of the wrong shape a failed trial, never an error in the grader?"""
    with pytest.raises(AssertionError, match=UNREADABLE):
        read_run(report, _program())


def test_a_malformed_trace_is_dropped_not_trusted():
    """Does a trace with an out-of-range node leave the diagnosis without a trace?"""
    report = {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [-3.0, 2.0], "out_grad": 1.0,
              "trace": {"nodes": [{"op": "+", "prev": [7], "calls": 1}], "order": [0]}}
    assert read_run(report, _program()).trace is None


def _judge(program, run, probes=()):
    options, judge = program_judge(program)
    judge({"run": run, "probes": list(probes) or [None] * len(options["probes"])})


def test_a_wrong_forward_value_names_its_node():
    """Is the first wrong node named with got and expected, not a later consequence?"""
    with pytest.raises(AssertionError, match=r"wrong at `n2 = x0 \* x1`: got 6, expected -6"):
        _judge(_program(), {"data": [2.0, -3.0, 6.0, 7.0], "failure": None, "grads": [-3.0, 2.0],
                            "out_grad": 1.0})


def test_right_values_and_grads_pass():
    """Does a report equal to torch's answer pass?"""
    _judge(_program(), {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [-3.0, 2.0], "out_grad": 1.0})


def test_a_wrong_local_derivative_is_found_by_its_probe():
    """When the grads are wrong and an op alone is wrong too, is that op named?"""
    probe_of_mul = {"data": [2.0, -3.0, -6.0], "failure": None, "grads": [2.0, -3.0], "out_grad": 1.0}
    probe_of_add_c = {"data": [-6.0, -5.0], "failure": None, "grads": [1.0], "out_grad": 1.0}
    with pytest.raises(AssertionError) as failure:
        _judge(_program(), {"data": [2.0, -3.0, -6.0, -5.0], "failure": None, "grads": [2.0, -3.0],
                            "out_grad": 1.0}, [probe_of_mul, probe_of_add_c])
    assert "each input got its OWN value" in str(failure.value)
    assert "2 of 2 leaves have a wrong .grad" in str(failure.value)


def test_an_op_that_raised_says_which_method_to_write():
    """Is NotImplementedError at `2 - x` told as __rsub__ not being written yet?"""
    program = single_op("rsub", [1.5], 2.0)
    message = op_failure(program, {"data": [1.5], "failure": {"at": 0, "raised": "NotImplementedError",
                                                               "message": ""}}, reference(program))
    assert "__rsub__ is not written yet" in message


def test_backward_failures_are_explained():
    """Is a RecursionError in backward() told as a missing visited set?"""
    program = single_op("exp", [0.5])
    message = op_failure(program, {"data": [0.5, 1.6487212707001282],
                                   "failure": {"at": "backward", "raised": "RecursionError", "message": ""}},
                         reference(program))
    assert "recursed too deeply" in message


# A diamond's trace: 0 out = b + c, 1 b = a * 2, 2 c = a * 5, 3 a = x * 3, 4 x (a leaf)
_PREV = [[1, 2], [3], [3], [4], []]


def test_a_node_run_before_all_its_users_and_again_passed_on_an_incomplete_gradient():
    """The plain recursion on the diamond: is a, run after b but before c and then again, told it first passed
    on an incomplete gradient (as 09's answer explains), not that one gradient was counted twice?"""
    trace = Trace(["+", "*", "*", "*", ""], _PREV, [1, 1, 1, 2, 2], [0, 1, 3, 4, 2, 3, 4])
    message = combination_diagnosis(trace)
    assert "ran the _backward of a node 2 times" in message and "used by 2 nodes" in message
    assert "1 of the nodes that use it had not yet added their share" in message
    assert "incomplete gradient" in message and "counted" not in message


def test_a_node_run_twice_after_all_its_users_is_told_its_complete_gradient_was_counted_twice():
    """A node run twice after both users: is its complete gradient told as counted twice?"""
    trace = Trace(["+", "*", "*", "*", ""], _PREV, [1, 1, 1, 2, 2], [0, 1, 2, 3, 4, 3, 4])
    message = combination_diagnosis(trace)
    assert "complete gradient was passed on 2 times" in message and "incomplete" not in message


def test_a_cut_short_order_only_says_what_is_sure():
    """If the recorded order does not hold every run, is neither cause claimed?"""
    trace = Trace(["+", "*", "*", "*", ""], _PREV, [1, 1, 1, 2, 2], [0, 1, 3])
    message = combination_diagnosis(trace)
    assert "received it more than once." in message and "incomplete" not in message and "counted" not in message


def test_a_node_run_before_its_users_is_named():
    """Is a _backward run before a user's told as needing reverse topological order?"""
    trace = Trace(["+", "*", "*", "*", ""], _PREV, [1, 1, 1, 1, 1], [4, 3, 1, 2, 0])
    assert "reverse topological order" in combination_diagnosis(trace)


def test_right_order_with_wrong_grads_means_overwritten_gradients():
    """When every op is right and the order too, are overwritten gradients named?"""
    trace = Trace(["+", "*", "*", "*", ""], _PREV, [1, 1, 1, 1, 1], [0, 1, 2, 3, 4])
    assert "instead of adding to it (`x.grad += ...`)" in combination_diagnosis(trace)
    assert "x + x or x * x gets a wrong x.grad" in combination_diagnosis(trace, ops_checked=False, overwrites=True)


def test_without_a_trace_the_rule_is_stated():
    """With no usable trace, is the rule of accumulation and order stated?"""
    assert "reverse topological order" in combination_diagnosis(None)


def test_a_result_cut_off_from_its_input_is_told_no_gradient_reached_it():
    """-a written as Value(-a.data): the right value, a.grad 0. Is that told, with both ways it happens, and no
    wrong rule guessed?"""
    from course.checks import check

    from .value_engines import Value

    class CutOffNeg(Value):
        def __neg__(self):
            return type(self)(-self.data)

    with pytest.raises(AssertionError) as failure:
        check("Value_ops_tests", CutOffNeg)
    message = str(failure.value)
    assert "a.grad stayed 0: no gradient reached a" in message and "not connected to a" in message
    assert "_backward adds nothing" in message
