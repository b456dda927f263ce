"""Run a request's trials on the learner's function and answer with plain data.

A request (course.checks.core.exercise.Exercise.request) names the
learner's function, an adapter (course.kernel.adapters) and each trial's
inputs as plain data. `run` answers one {"value": plain} or {"error":
message} per trial. It runs where the learner's code runs: in a trial
process of its own while grading (course.kernel.trials), in the learner's
own kernel for a test cell's instant advice (course.checks.local). Nothing
it does is trusted: the grader judges what it answers.
"""
import io
from contextlib import redirect_stderr, redirect_stdout

from . import calling, plain
from .adapters import ADAPTERS as FUNCTION_ADAPTERS
from .calling import reporting
from .custom_function import run_function
from .values import value_class

ADAPTERS = {**FUNCTION_ADAPTERS, "value": value_class, "autograd_function": run_function}


def run(target, request):
    """Run the request's trials on `target`; a list of {"value": plain} or {"error": message}."""
    name = request["function"]
    run_one = ADAPTERS[request["adapter"]]
    outcomes = []
    for trial in request["trials"]:
        args, kwargs = plain.decode(trial["args"]), plain.decode(trial["kwargs"])
        calling.NOTES = notes = []
        # What the function prints is not its answer; keep it out of the reply and of stderr.
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            try:
                with reporting(name):
                    value = run_one(target, args, kwargs, request["by_hand"], name)
                outcomes.append({"value": plain.encode(value)})
            except AssertionError as error:
                outcomes.append({"error": str(error)})
            finally:
                calling.NOTES = None
        if notes:
            outcomes[-1]["notes"] = notes
    return outcomes


def not_defined(name, count, why=""):
    """The outcomes of `count` trials when the notebook does not define `name`."""
    message = (f"{name} is not defined: write it in its solution cell and run that cell "
               "(the checks look for this exact name)." + (f" {why}" if why else ""))
    return [{"error": message}] * count
