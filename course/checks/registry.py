"""Every exercise of the course by the grade_id of its test cell: what the checks and the grader look up.

An explicit list, in teaching order: importing a module registers nothing.
"""
from . import (a01_randn, a02_requires_grad, a03_backward, a04_grad_accumulation, a05_manual_updates,
               a06_linear_regression, a07_two_layer_net, a08_mlp, a09_tiny_autograd)

ASSIGNMENTS = {
    "01_randn": a01_randn, "02_requires_grad": a02_requires_grad, "03_backward": a03_backward,
    "04_grad_accumulation": a04_grad_accumulation, "05_manual_updates": a05_manual_updates,
    "06_linear_regression": a06_linear_regression, "07_two_layer_net": a07_two_layer_net,
    "08_mlp": a08_mlp, "09_tiny_autograd": a09_tiny_autograd,
}
EXERCISES = {exercise.grade_id: exercise for module in ASSIGNMENTS.values() for exercise in module.EXERCISES}
# What each test cell says of its visible example, kept beside the trials it describes (each module's
# EXAMPLES); course.authoring writes the test cells from it and `course release` refuses a cell that differs.
EXAMPLES = {grade_id: text for module in ASSIGNMENTS.values() for grade_id, text in module.EXAMPLES.items()}


def exercises(extra_modules=()):
    """The course's exercises and those of `extra_modules` (dotted names of modules with an EXERCISES list)."""
    import importlib

    extra = [e for name in extra_modules for e in importlib.import_module(name).EXERCISES]
    return {**EXERCISES, **{e.grade_id: e for e in extra}}
