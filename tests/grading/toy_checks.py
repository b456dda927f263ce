"""The toy assignment's one exercise, `double`, judged by the grader like the course's own.

A course folder made by tests/grading/toy.py names this module in its
nbgrader_config.py (`c.TrustedExecute.exercise_modules`), as an instructor
adds exercises of their own.
"""
import torch

from course.checks.core.compare import assert_close
from course.checks.core.exercise import Exercise, Trial


def _trial(x, label):
    def judge(got):
        assert_close(got, 2 * x, label)
    return Trial((x,), judge)


DOUBLE = Exercise("double_tests", "double",
                  visible=lambda: [_trial(torch.arange(3.0), "double(x)")],
                  hidden=lambda seed: [_trial(torch.linspace(-7.25, 3.5, 11, dtype=torch.float64),
                                              "double(x) on float64")])
EXERCISES = [DOUBLE]
