"""Is 09's catalogue of operations complete, and does it name the typical wrong derivatives?"""
import math

import pytest
import torch

from course.checks.a09_tiny_autograd.ops import ALL_OPS, CORE_OPS, FORMULAS, OPS, in_domain, known_wrong


def test_every_op_has_its_rule_written_out():
    """Can every operation's right local derivative be shown in a message?"""
    assert set(FORMULAS) == set(OPS) == set(ALL_OPS)
    assert set(CORE_OPS) <= set(OPS)


def test_ops_apply_the_same_way_to_torch_scalars_and_numbers():
    """Does each op compute with Python's operators, so torch scalars give the reference?"""
    for name, op in OPS.items():
        args = [1.3, 0.7][:op.arity]
        constant = 2.0 if op.constant else None
        on_torch = op.apply([torch.tensor(a, dtype=torch.float64) for a in args], constant)
        if name in ("relu", "tanh", "exp", "log"):
            continue  # methods that plain floats lack
        assert math.isclose(float(on_torch), op.apply(args, constant), rel_tol=1e-12), name


def test_a_typical_wrong_derivative_is_named():
    """Is 1 - tanh(a) recognised as tanh's derivative without the square?"""
    why = known_wrong("tanh", [0.5], None, [1 - math.tanh(0.5)])
    assert "1 - tanh(a)**2" in why


@pytest.mark.parametrize("a, phrase, not_phrase", [(-0.7, "1 at a negative input", "exactly 0"),
                                                     (0.0, "1 at exactly 0", "negative")])
def test_a_relu_gradient_of_one_is_named_for_the_input_it_had(a, phrase, not_phrase):
    """A relu whose gradient is 1 where torch's is 0: is it told '1 at a negative input' only at a negative input,
    and '1 at exactly 0' (a test >= 0, 07's habit) at 0?"""
    why = known_wrong("relu", [a], None, [1.0])
    assert phrase in why and not_phrase not in why


def test_a_right_derivative_is_not_called_wrong():
    """Does the right gradient match none of the typical mistakes?"""
    assert known_wrong("tanh", [0.5], None, [1 - math.tanh(0.5) ** 2]) is None
    assert known_wrong("pow", [1.5], 3, [3 * 1.5 ** 2]) is None


def test_a_wrong_rule_that_cannot_be_evaluated_is_skipped():
    """Is log(a) at a < 0 (a ValueError) simply not a match?"""
    assert known_wrong("log", [-1.0], None, [0.0]) is None


def test_domains_keep_away_from_kinks_and_poles():
    """Are relu's kink, log's pole and divisions by small numbers outside the random domain?"""
    assert not in_domain("relu", 0.05, None, None) and in_domain("relu", -0.5, None, None)
    assert not in_domain("log", 0.1, None, None) and in_domain("log", 1.0, None, None)
    assert not in_domain("div", 1.0, 0.2, None) and in_domain("div", 1.0, 0.8, None)
    assert not in_domain("pow", -1.0, None, 0.5) and in_domain("pow", -1.0, None, 2)
