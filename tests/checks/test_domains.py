"""The ends of each elementwise domain (course.checks.core.domains): the points tried and what a wrong value there says."""
import math

import pytest
import torch

from course.checks.core import domains


@pytest.mark.parametrize("dtype, limit", [(torch.float32, 88.7228), (torch.float64, 709.7827)])
def test_exp_limit_is_the_last_x_whose_exp_is_finite(dtype, limit):
    x = torch.tensor(domains.exp_limit(dtype), dtype=dtype)
    assert math.isclose(float(x), limit, rel_tol=1e-5) and torch.isfinite(torch.exp(x))
    assert torch.isinf(torch.exp(torch.nextafter(x, torch.tensor(1000.0, dtype=dtype))))


@pytest.mark.parametrize("function, op", [("exp", torch.exp), ("log", torch.log), ("tanh", torch.tanh),
                                          ("sigmoid", torch.sigmoid), ("relu", torch.relu)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_the_points_reach_both_ends_and_only_where_torch_is_finite(function, op, dtype):
    """Do the end points include the largest finite |x| torch allows and the smallest positive x, and does
    where_defined keep exactly the points where torch's gradient and the local derivative are finite?"""
    gen = torch.Generator().manual_seed(0)
    x = torch.tensor(domains.end_points(function, dtype), dtype=dtype)
    x, g = domains.where_defined(op, x, domains.unit_grad(x.shape, gen, dtype))
    leaf = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(op(leaf), leaf, g)
    assert torch.isfinite(grad).all() and g.abs().max() <= 1
    info = torch.finfo(dtype)
    assert float(x.max()) >= (domains.exp_limit(dtype) if function == "exp" else info.max / 2)
    assert float(x[x > 0].min()) <= (2 / info.max if function == "log" else info.tiny)
    wide = domains.wide_values(function, (200,), gen, dtype)
    assert torch.isfinite(wide).all() and wide.dtype == dtype
    assert float(wide.abs().max()) > 1e20 and float(wide.abs().min()) < 1e-20


def test_a_right_answer_gets_no_point_diagnosis():
    x = torch.tensor([-1e300, 0.0, 1e300], dtype=torch.float64)
    g = torch.ones(3, dtype=torch.float64)
    want = torch.sigmoid(x) * (1 - torch.sigmoid(x))
    assert domains.point_diagnosis("sigmoid", torch.sigmoid, x, g, want.clone(), want, "f", 1e-7, 1e-9) == ""
    assert domains.point_diagnosis("sigmoid", torch.sigmoid, x, g, want.float(), want, "f", 1e-7, 1e-9) == ""


def test_nan_at_a_small_x_is_not_blamed_on_exp():
    """A nan at x = 1 says only what is known: no overflow of exp is claimed there."""
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    g = torch.ones(2, dtype=torch.float64)
    want = torch.sigmoid(x) * (1 - torch.sigmoid(x))
    got = want.clone()
    got[0] = math.nan
    text = domains.point_diagnosis("sigmoid", torch.sigmoid, x, g, got, want, "sigmoid_backward", 1e-7, 1e-9)
    assert text.startswith("at x = 1 (float64) your sigmoid_backward gives nan; torch gives 0.196612")
    assert "exp overflows" not in text and "an intermediate result overflowed, or 0 / 0 happened" in text
