"""Do the visible examples of 06-09 show what their hidden trials test: float64, a 1-D input, a batch of one?

A learner who passes the visible checks should pass grading (issue: the hidden float64 trials of 06
failed learners whose visible checks were all float32). For each exercise, every dtype of a tensor
argument, a 1-D first argument and a first argument with one row that a hidden trial uses appear
in a visible example too.
"""
import pytest
import torch

from course.checks import custom_function, linear_regression, mlp, tiny_autograd, two_layer

EXERCISES = [e for module in (linear_regression, two_layer, mlp, tiny_autograd, custom_function)
             for e in module.EXERCISES]


def _tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item)


def features(trials):
    """What the trials' inputs show: dtypes, a 1-D first argument, a first argument of one row."""
    shown = set()
    for trial in trials:
        tensors = list(_tensors(list(trial.args)))
        shown |= {str(t.dtype) for t in tensors}
        first = tensors[0] if tensors else None
        if first is not None and first.dim() == 1 and first.dtype.is_floating_point:
            shown.add("a 1-D first argument")
        if first is not None and first.dim() == 2 and first.shape[0] == 1:
            shown.add("a batch of one")
    return shown


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.grade_id)
def test_the_visible_examples_show_what_the_hidden_trials_use(exercise):
    missing = features(exercise.hidden(7)) - features(exercise.visible())
    assert not missing, f"{exercise.grade_id}: hidden trials use {sorted(missing)}, no visible example does"
