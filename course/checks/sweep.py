"""Judge the instructor's solutions on many hidden-trial seeds: for whoever edits a check.

Grading draws a fresh seed per run, so a hidden trial that a right answer
fails one seed in fifty (rounding, an unlucky shape) fails some student in
every class. `sweep_assignment` runs a source notebook's cells in this process,
the test cells left out, then judges each registered exercise on every seed.
It reads solutions from `source/`; nothing here holds one.
"""
import io
import warnings
from contextlib import redirect_stderr, redirect_stdout

import nbformat

from .core.exercise import trial_seed
from .local import verdict
from .registry import EXERCISES


def solution_namespace(nb, filename):
    """The globals left by running every cell of notebook `nb` (read from `filename`) that is not a test cell."""
    import matplotlib
    matplotlib.use("Agg")  # plots are drawn, never shown
    import matplotlib.pyplot as plt

    namespace = {"__name__": "__main__"}
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in nb.cells:
            grading = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not grading.get("grade", False):
                exec(compile(cell.source, filename, "exec"), namespace)
                plt.close("all")
    return namespace


def judge_seed(exercise, target, seed):
    """The verdict on `target` of the exercise's hidden trials drawn from run seed `seed`."""
    return verdict(exercise, target, exercise.hidden(trial_seed(seed, exercise.grade_id)), exercise.hidden_label)


def sweep_assignment(path, seeds):
    """{grade_id: [(seed, message), ...]} for the registered exercises of notebook `path`."""
    return sweep_notebook(nbformat.read(str(path), as_version=4), str(path), seeds)


def sweep_notebook(nb, path, seeds):
    """{grade_id: [(seed, message), ...]} for the registered exercises of notebook `nb` (read from `path`):
    a source notebook, or one whose solution cells were written another way (mistakes/alternatives.py)."""
    grade_ids = [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
                 if cell.metadata.get("nbgrader", {}).get("grade_id") in EXERCISES]
    namespace = solution_namespace(nb, path)
    failures = {}
    for grade_id in grade_ids:
        exercise = EXERCISES[grade_id]
        verdicts = ((seed, judge_seed(exercise, namespace[exercise.function], seed)) for seed in seeds)
        failures[grade_id] = [(seed, v.message) for seed, v in verdicts if not v.passed]
    return failures
