"""Run an exercise's checks in the learner's own kernel: the instant advice of a test cell.

The same trials, adapters and judges as grading, with the learner's function
called directly instead of through the grader's channel. Results still make
the round trip through plain data, so a value grading would refuse (a tensor
subclass, a numpy array) is refused here too, with the same message.
"""
import json

from course.kernel import plain, runner
from .core import predictions
from .core.exercise import Trial, fresh_seed, trial_seed
from .registry import EXERCISES


class CheckFailed(AssertionError):
    """A check's diagnosis. IPython shows it alone, without the traceback through this module."""

    def _render_traceback_(self):  # IPython's hook for how an exception is shown
        return [f"\x1b[0;31mCheck failed\x1b[0m: {self}"]


def check(grade_id, target, hidden=False, seed=None):
    """Run the visible (or, with `hidden`, randomized) trials of exercise `grade_id` on `target`.

    Prints one line when every trial passes; raises an AssertionError whose
    message is the diagnosis otherwise.
    """
    exercise = EXERCISES[grade_id]
    if hidden:
        trials = exercise.hidden(trial_seed(seed or fresh_seed(), grade_id))
        label = exercise.hidden_label
    else:
        trials, label = exercise.visible(), exercise.visible_label
    result = verdict(exercise, target, trials, label)
    if not result.passed:
        raise CheckFailed(result.message)
    print(result.message)


def verdict(exercise, target, trials, label):
    """The exercise's Verdict on `target` for `trials`, through the same plain-data round trip as grading."""
    request = json.loads(json.dumps(exercise.request(trials)))
    outcomes = json.loads(json.dumps(runner.run(target, request)))
    return exercise.judge(trials, outcomes, label)


def reveal(grade_id, answers):
    """After committing to predictions: print each one right or wrong, with torch's answer and why.

    The notebook's own view of `course check --reveal` for a prediction exercise (`grade_id`, e.g.
    "GRAPH_PREDICTIONS_tests") on the learner's dict `answers`. It grades nothing and changes nothing;
    it refuses while a prediction is missing or not filled in, so that the answers come after the
    predictions.
    """
    exercise = EXERCISES[grade_id]
    if not isinstance(exercise, predictions.PredictionExercise):
        raise ValueError(f"{grade_id} is not a prediction exercise: there is nothing to reveal.")
    result = verdict(exercise, answers, exercise.visible(), exercise.visible_label)
    if not result.passed:
        raise CheckFailed(f"{result.message}\nFill in every prediction first; then reveal shows torch's answers.")
    request = json.loads(json.dumps(exercise.request([Trial()])))
    (outcome,) = json.loads(json.dumps(runner.run(answers, request)))
    print(predictions.revealed_text(grade_id, predictions.reveal(exercise, plain.decode(outcome["value"]))))
