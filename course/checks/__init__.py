"""Gradient checks with diagnoses: what the notebooks' test cells use.

A test cell calls `check(grade_id, fn)`: the exercise's trials, references
and diagnoses live in a module per topic (`backward` for 03, `tiny_autograd` for 09, ...), listed in
`registry`; the grader judges the same trials outside the kernel
(course.grading.judge). Lower-level helpers remain for the notebooks' own
demonstrations: a check typically calls the learner's function through `call_by_hand`
(autograd forbidden, errors turned into hints), computes the reference with
`autograd_vjp` (or `finite_difference_grad`) in float64, and compares with
`assert_close`, whose failure message says what is wrong.
"""
from .calling import AutogradUsed, LearnerError, autograd_forbidden, call, call_by_hand, reporting
from .compare import Report, assert_close, compare, compare_all, tolerance
from .hints import hint_for
from .local import check, reveal
from .predictions import check_predictions
from .reference import autograd_vjp, finite_difference_grad, generators, random_shape, random_tensor

__all__ = [
    "AutogradUsed", "LearnerError", "Report", "assert_close", "autograd_forbidden", "check",
    "autograd_vjp", "call", "call_by_hand", "check_predictions", "compare", "compare_all",
    "finite_difference_grad", "generators", "hint_for", "random_shape", "random_tensor",
    "reporting", "reveal", "tolerance",
]
