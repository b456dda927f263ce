"""Do 09's expression programs travel as JSON, record readable functions and get torch's answer?"""
import json
import math

from course.checks.core.reference import generators
from course.checks.a09_tiny_autograd.ops import CORE_OPS, OPS, in_domain
from course.checks.a09_tiny_autograd.programs import Program, random_op_inputs, random_program, reference, single_op, traced


def test_a_program_survives_the_trip_through_json():
    """Is a program exactly the same after the grader sends it to the kernel?"""
    program = random_program(generators(1, 1)[0], 3, 10)
    assert Program.from_plain(json.loads(json.dumps(program.to_plain()))) == program


def test_traced_records_the_operator_python_calls():
    """Does `2 - a` become rsub, `a / 2` div_c and `10 / a` rdiv, as Python dispatches them?"""
    program = traced(lambda a, b: (2 - a) / 2.0 + 10.0 / b - (-a).relu() ** 3, [1.0, 2.0])
    assert [op for op, _, _ in program.nodes] == ["rsub", "div_c", "rdiv", "add", "neg", "relu", "pow", "sub"]
    assert program.nodes[0] == ("rsub", (0,), 2)


def test_reference_is_torchs_gradient():
    """Is the reference of x * x + x at 3 the value 12 and the gradient 2x + 1 = 7?"""
    values, grads = reference(traced(lambda x: x * x + x, [3.0]))
    assert values[-1] == 12.0 and grads == [7.0]


def test_reference_gives_zero_to_a_leaf_that_is_not_used():
    """Does a leaf the output does not depend on get the gradient 0?"""
    assert reference(single_op("mul_c", [2.0, 5.0], 3.0))[1] == [3.0, 0.0]


def test_random_programs_stay_in_every_domain_and_reach_every_leaf():
    """Are all values finite, the drawn ones bounded, and does every leaf reach the output?"""
    for gen in generators(5, 20):
        program = random_program(gen, 3, 12, reuse=0.5)
        values, grads = reference(program)
        drawn = values[len(program.leaves):len(program.leaves) + 12]   # before the unused ones are summed
        assert all(math.isfinite(v) for v in values) and all(abs(v) <= 8.0 for v in drawn)
        assert all(program.paths_from(i)[0] > 0 for i in range(len(program.leaves)))
        assert all(math.isfinite(g) for g in grads)


def test_trees_use_each_node_once():
    """With reuse=0, is every node (leaves included) an input of at most one node?"""
    for gen in generators(6, 10):
        program = random_program(gen, 4, 8, ops=CORE_OPS, reuse=0.0)
        assert max(program.uses()) <= 1
        assert {op for op, _, _ in program.nodes} <= set(CORE_OPS)


def test_random_op_inputs_are_in_the_domain():
    """Are the random inputs of each op inside the domain it is checked on?"""
    for gen in generators(7, 5):
        for op in OPS:
            args, constant = random_op_inputs(gen, op)
            assert in_domain(op, args[0], args[1] if len(args) == 2 else None, constant)


def test_describe_names_every_node():
    """Does the description list the leaves, then each node as a line of code?"""
    text = traced(lambda a, b: a * b + 3, [2.0, -1.0]).describe()
    assert text.splitlines() == ["  leaves: x0 = 2, x1 = -1", "  n2 = x0 * x1", "  out = n2 + 3"]
