"""What a check says when it fails: the diagnosis the tests of a checks module read."""
import pytest

from course.checks import check

SEED = 12345


def failure(grade_id, fn, hidden=True):
    """The message of `check`'s AssertionError on `fn` (the hidden trials of SEED, or the visible ones)."""
    with pytest.raises(AssertionError) as raised:
        check(grade_id, fn, hidden=hidden, seed=SEED)
    return str(raised.value)


def fails(grade_id, fn, hidden=False, seed=1):
    """The message of `check`'s AssertionError on `fn` (the visible trials, or the hidden ones of `seed`)."""
    with pytest.raises(AssertionError) as raised:
        check(grade_id, fn, hidden=hidden, seed=seed)
    return str(raised.value)
