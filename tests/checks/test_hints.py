"""Do torch's real error messages map to the right one-line hint?"""
import pytest
import torch

from course.kernel.hints import hint_for


def _error_of(action):
    try:
        action()
    except Exception as error:  # the real error torch raises today
        return error
    raise AssertionError("the action did not raise")


def _in_place_on_leaf():
    w = torch.ones(2, requires_grad=True)
    w -= 1


def _backward_twice():
    x = torch.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _non_scalar_backward():
    (torch.ones(2, requires_grad=True) * 2).backward()


def _no_graph():
    torch.ones(2).sum().backward()


def _dtype_mismatch():
    torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)


def _matmul_shapes():
    torch.ones(2, 3) @ torch.ones(2, 3)


def _broadcast():
    torch.ones(2, 3) + torch.ones(4)


def _modified_in_place():
    x = torch.ones(2, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def _grad_of_rebound_weight():
    w = torch.ones(2, requires_grad=True)
    w = w - 0.1  # now a non-leaf: backward() leaves its .grad None
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad


@pytest.mark.parametrize("action, phrase", [
    (_in_place_on_leaf, "torch.no_grad()"),
    (_backward_twice, "retain_graph=True"),
    (_non_scalar_backward, "gradient=v"),
    (_no_graph, "requires_grad=True"),
    (_dtype_mismatch, "dtypes"),
    (_matmul_shapes, "inner dimensions"),
    (_broadcast, "broadcast"),
    (_modified_in_place, "out-of-place"),
    (_grad_of_rebound_weight, "not a leaf"),
])
def test_real_torch_errors_get_their_hint(action, phrase):
    """Is each common torch error, as this torch version words it, matched to its hint?"""
    hint = hint_for(_error_of(action))
    assert hint is not None and phrase in hint


def test_unknown_errors_get_no_hint():
    """Is an unrelated error left without a misleading hint?"""
    assert hint_for(ValueError("something else")) is None
