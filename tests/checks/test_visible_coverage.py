"""Do the visible examples show every kind of input their hidden trials use (#11 item 2)?

A learner who passes the visible checks should pass grading (the hidden
float64 trials of 06 once failed learners whose visible checks were all
float32): wherever a hidden trial uses a dtype, a single number (shape ()),
a 1-D input, a batch of one, or a non-default way of calling (torch's global
generator, grad mode off), a visible example shows it once.
"""
import pytest
import torch

from course.checks.registry import EXERCISES as REGISTERED

EXERCISES = [exercise for exercise in REGISTERED.values() if exercise.visible()]


def _features(value, found, first=False):
    """The kinds of input in a trial's arguments: dtypes, single numbers, batches of one, generators."""
    if isinstance(value, torch.Tensor):
        found.add(value.dtype)
        if value.dim() >= 2 and value.shape[0] == 1:
            found.add("batch of one")
        if first and value.dim() == 1 and value.dtype.is_floating_point:
            found.add("a 1-D first argument")
    elif isinstance(value, dict):
        if "global_seed" in value:
            found.add("global generator")
        for item in value.values():
            _features(item, found)
    elif isinstance(value, (list, tuple)):
        if value == () or (isinstance(value, tuple) and value and all(type(v) is int for v in value)):
            found.add("single number" if value == () else ("batch of one" if len(value) >= 2 and value[0] == 1 else "shape"))
        for item in value:
            _features(item, found)
    return found


def features(trials):
    found = set()
    for trial in trials:
        for index, arg in enumerate(trial.args):
            _features(arg, found, first=index == 0)
        _features(dict(trial.kwargs), found)
        if len(trial.args) == 5 and trial.args[-1] is False:   # an update called with grad mode off
            found.add("grad mode off")
    return found - {"shape"}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.grade_id)
def test_visible_examples_show_what_hidden_trials_use(exercise):
    hidden = set().union(*(features(exercise.hidden(seed)) for seed in (1, 2, 3, 7)))
    missing = hidden - features(exercise.visible())
    assert not missing, f"{exercise.grade_id}: hidden trials use {missing}, which no visible example shows"
