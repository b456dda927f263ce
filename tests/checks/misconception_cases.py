"""Real diagnoses that no mistake of mistakes/ produces, made here by running the checks on wrong answers.

Each case runs one exercise's checks, as `check` does in JupyterLab (the same trials, adapter and
judges), on a wrong answer: a prediction dict, or a function that makes torch raise. The catalogue's
tests use them, with the diagnoses of the graded mistakes, as the real diagnoses its patterns must match.
"""
from dataclasses import dataclass

import torch

from course.checks.core.exercise import trial_seed
from course.checks.local import verdict
from course.checks.registry import EXERCISES


@dataclass
class Case:
    name: str
    grade_id: str
    answer: object          # the learner's function or dict
    shows: str              # the misconception id its diagnosis must show


def _predictions(grade_id, wrong):
    """The right predictions of a prediction exercise, with the keys of `wrong` replaced."""
    return {**EXERCISES[grade_id].truth(), **wrong}


def _backward_twice(X, w, b):
    """linreg that calls backward() twice through one graph."""
    t = X.clone().requires_grad_()
    loss = (t * t).sum()
    loss.backward()
    loss.backward()
    return X @ w + b


def _changed_in_place(X, w, b):
    """linreg that changes, in place, a tensor autograd saved, then calls backward()."""
    t = X.clone().requires_grad_()
    u = t * 2
    loss = (u * u).sum()
    u.add_(1)
    loss.backward()
    return X @ w + b


def _graph(key, value):
    return _predictions("GRAPH_PREDICTIONS_tests", {key: value})


CASES = [
    Case("h is predicted a leaf", "GRAPH_PREDICTIONS_tests", _graph("h.is_leaf", True), "leaf-that-requires-grad"),
    Case("h's grad_fn named after the first operation", "GRAPH_PREDICTIONS_tests",
         _graph("h.grad_fn", "MulBackward0"), "grad-fn-names"),
    Case("n is predicted not a leaf", "GRAPH_PREDICTIONS_tests", _graph("n.is_leaf", False), "untracked-is-leaf"),
    Case("n predicted to require grad under no_grad", "GRAPH_PREDICTIONS_tests", _graph("n.requires_grad", True),
         "no-grad-records-nothing"),
    Case("e predicted untracked after a detach", "GRAPH_PREDICTIONS_tests", _graph("e.requires_grad", False),
         "detach-cuts-one-tensor"),
    Case("a dtype predicted float32 for dtype=float", "RANDN_DTYPE_ANSWERS_tests",
         _predictions("RANDN_DTYPE_ANSWERS_tests", {"dtype of torch.randn(()) * torch.randn((), dtype=float)":
                                                    torch.float32}), "dtype-promotion"),
    Case("backward twice through one graph", "linreg_tests", _backward_twice, "backward-twice"),
    Case("a saved tensor changed in place", "linreg_tests", _changed_in_place, "version-counter"),
]


def run(case, seed=1):
    """The Verdict of `case`: its hidden trials for a prediction exercise, else its visible example."""
    exercise = EXERCISES[case.grade_id]
    if exercise.adapter == "predictions":
        return verdict(exercise, case.answer, exercise.hidden(trial_seed(seed, case.grade_id)), exercise.hidden_label)
    return verdict(exercise, case.answer, exercise.visible(), exercise.visible_label)


def diagnoses():
    """[(diagnosis, grade_id)] of every case."""
    return [(run(case).diagnosis, case.grade_id) for case in CASES]
