"""Every judge, fed random malformed replies, returns a failed verdict and never raises.

A reply comes from a process that ran learner code: any shape, type or value
may arrive (NaN where a count belongs, a string for a tensor, a dict for a
list, a tensor of the wrong shape or dtype). Judging it must fail that trial
with a message, so one bad answer fails one cell and the rest of the notebook
is graded.
"""
import math
import random

import pytest
import torch

from course.checks.registry import EXERCISES
from course.kernel import plain

REPLIES_PER_EXERCISE = 40


def _random_tensor(rng):
    shape = tuple(rng.randint(0, 4) for _ in range(rng.randint(0, 3)))
    dtype = rng.choice([torch.float32, torch.float64, torch.int64, torch.bool])
    t = torch.randn(shape, dtype=torch.float64).to(dtype) if dtype != torch.bool else torch.zeros(shape, dtype=dtype)
    if dtype.is_floating_point and t.numel() and rng.random() < 0.5:
        t.view(-1)[0] = rng.choice([math.nan, math.inf, -math.inf, 1e300 if dtype == torch.float64 else 3e38])
    return t


def _random_value(rng, depth=0):
    kinds = ["number", "nan", "string", "none", "bool", "tensor"] + (["list", "tuple", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "number":
        return rng.choice([0, 1, -1, 7, 2.5, -0.0, 10 ** 12])
    if kind == "nan":
        return rng.choice([math.nan, math.inf, -math.inf])
    if kind == "string":
        return rng.choice(["", "x", "MulBackward0", "torch.float32", "é" * 50])
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "tensor":
        return _random_tensor(rng)
    items = [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind == "list":
        return items
    if kind == "tuple":
        return tuple(items)
    keys = ["value", "grad", "grads", "result", "losses", "params", "data", "run", "probes", "records", "out",
            "saved", "loss", "raised", "history", "failure", "is_leaf", "steps", "sizes", "weights"]
    return {rng.choice(keys): value for value in items}


def _reply(rng, count):
    """One malformed reply for `count` trials: plain data, as it would arrive from the trial process."""
    outcomes = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            outcomes.append(rng.choice([None, 3, "x", [], {"neither": 1}]))
        elif roll < 0.2:
            outcomes.append({"error": _random_value(rng)})
        else:
            outcomes.append({"value": plain.encode(_random_value(rng))})
    return outcomes


@pytest.mark.parametrize("grade_id", sorted(EXERCISES))
def test_random_replies_fail_the_trial_and_never_raise(grade_id):
    exercise = EXERCISES[grade_id]
    rng = random.Random(grade_id)
    trials = exercise.visible() + exercise.hidden(1234)
    for _ in range(REPLIES_PER_EXERCISE):
        verdict = exercise.judge(trials, _reply(rng, len(trials)), exercise.hidden_label)
        assert not verdict.passed and verdict.message
