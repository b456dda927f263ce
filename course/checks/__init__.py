"""The checks of every exercise: trials, references, diagnoses. Grader-side code.

A test cell calls `check(grade_id, fn)`. In a learner's own JupyterLab that
runs the exercise's visible (or hidden) trials in the kernel, as instant
advice (course.checks.local). While grading, the grader judges every test
cell itself (course.grading.plugins.trusted_execute) and this package is out
of the grading sandbox's reach: so this module imports nothing at import time.

Layout: `core/` holds what every assignment shares (exercises and trials,
comparisons with diagnoses, references, predictions); one module (or, for
09, package) per assignment, named by its id, holds that assignment's
trials, references and diagnoses; `registry` lists them all.
"""


def _local():
    try:
        from . import local
    except PermissionError as error:  # the grading sandbox: this package is not readable there
        raise RuntimeError("the checks cannot be loaded here (while grading, the grader judges the test "
                           f"cells itself): {error}") from None
    return local


def check(grade_id, target, hidden=False, seed=None):
    """Run the visible (or, with `hidden`, randomized) trials of exercise `grade_id` on `target`.

    Prints one line when every trial passes; raises an AssertionError whose message is the diagnosis otherwise.
    """
    return _local().check(grade_id, target, hidden=hidden, seed=seed)


def reveal(grade_id, predictions):
    """After committing to your predictions: which are right, torch's answer and why (grades nothing)."""
    return _local().reveal(grade_id, predictions)


__all__ = ["check", "reveal"]
