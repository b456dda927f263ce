"""The catalogue's claims about torch (course/checks/core/misconceptions.toml), checked against torch.

A misconception's explanation ends every failed check that shows it: each claim it makes about what
torch does is run here. Torch's own error messages that patterns of the catalogue read are checked too,
so that a torch release rewording them fails here, not silently in the tagging.
"""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course.checks.core.misconceptions import catalogue


def _slope_at_zero(relu):
    h = torch.zeros(1, requires_grad=True)
    relu(h).sum().backward()
    return float(h.grad)


def test_relu_slopes_at_zero():
    """relu-at-zero: torch.relu passes none at 0, clamp(min=0) all of it, torch.maximum half."""
    assert _slope_at_zero(torch.relu) == 0.0
    assert _slope_at_zero(lambda h: h.clamp(min=0)) == 1.0
    assert _slope_at_zero(lambda h: torch.maximum(h, torch.zeros_like(h))) == 0.5


def test_dtypes_meet_as_the_catalogue_says():
    """dtype-promotion and dtype-at-creation."""
    assert torch.randn(2, dtype=float).dtype == torch.float64
    assert (torch.randn((14, 128), dtype=float) + torch.randn(128)).dtype == torch.float64
    assert (torch.randn(3) * torch.randn((), dtype=float)).dtype == torch.float32
    converted = torch.randn(5, generator=torch.Generator().manual_seed(0)).to(torch.float64)
    drawn = torch.randn(5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert not torch.equal(converted, drawn)


def test_a_flat_vector_against_a_column_gives_a_table():
    """broadcast-shapes."""
    assert (torch.zeros(3, 1) - torch.zeros(3)).shape == (3, 3)
    assert (torch.randn(()) * torch.randn(3)).shape == (3,)


def test_an_operation_after_requires_grad_makes_a_non_leaf_whose_grad_stays_none():
    """leaf-that-requires-grad: a scale, .to(), a cast, a view."""
    for make in (lambda t: t * 0.01, lambda t: t.to(torch.float64), lambda t: t.double(), lambda t: t.view(2, 2)):
        w = make(torch.randn(4, requires_grad=True))
        assert not w.is_leaf
        with pytest.warns(UserWarning, match="not a leaf"):
            w.sum().backward()
            assert w.grad is None


def test_what_autograd_records():
    """untracked-is-leaf, grad-fn-names, no-grad-records-nothing, detach-cuts-one-tensor."""
    a, b = torch.randn(3, requires_grad=True), torch.zeros(3)
    assert b.is_leaf and (b * 2).is_leaf and not (b * 2).requires_grad
    assert type((a * 3 + 1).grad_fn).__name__ == "AddBackward0"
    with torch.no_grad():
        n = a * 2
    assert n.is_leaf and not n.requires_grad and n.grad_fn is None
    e = (a * 2).sum().detach() * a
    assert e.requires_grad and type(e.grad_fn).__name__ == "MulBackward0"
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()   # set_grad_enabled(False) stays until switched on again
    finally:
        torch.set_grad_enabled(True)


def test_torchs_own_messages_the_catalogue_reads():
    """backward-twice, update-outside-no-grad, version-counter: torch's wording, which the patterns match."""
    x = torch.randn(3, requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError) as twice:
        loss.backward()
    with pytest.raises(RuntimeError) as leaf:
        x -= 0.1
    u = x * 2
    loss = (u * u).sum()
    u.add_(1)
    with pytest.raises(RuntimeError) as in_place:
        loss.backward()
    known = catalogue()
    assert known["backward-twice"].shown_in(str(twice.value))
    assert known["update-outside-no-grad"].shown_in(str(leaf.value))
    assert known["version-counter"].shown_in(str(in_place.value))


def test_gradients_add_up_and_data_goes_around_the_version_counter():
    """grad-accumulates and version-counter."""
    x = torch.ones(2, requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    assert torch.equal(x.grad, torch.full((2,), 6.0))
    before = x._version
    x.data -= 1
    assert x._version == before
    with torch.no_grad():
        x -= 1
    assert x._version == before + 1


def test_exp_of_a_large_number_is_inf_in_float32():
    """exp-overflow."""
    big = torch.tensor([100.0])
    assert torch.isinf(torch.exp(big)).all() and torch.isnan(torch.exp(big) / torch.exp(big)).all()
    assert torch.isfinite(torch.tanh(big)).all()


def test_softmax_cross_entropy_gradient():
    """softmax-ce-grad and mean-factor: (softmax - one_hot) / batch size, each row summing to 0."""
    logits = torch.randn(4, 3, requires_grad=True)
    targets = torch.tensor([0, 2, 1, 2])
    F.cross_entropy(logits, targets).backward()
    expected = (logits.softmax(dim=1) - F.one_hot(targets, 3)) / 4
    assert torch.allclose(logits.grad, expected.detach(), atol=1e-6)
    assert torch.allclose(logits.grad.sum(dim=1), torch.zeros(4), atol=1e-6)


def test_nn_linear_layout_and_torchs_init_rules():
    """linear-weight-layout, init-scale and parameter-not-tensor."""
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3)
    x = torch.randn(5, 3)
    assert torch.allclose(layer(x), x @ layer.weight.T + layer.bias)
    fan_out, fan_in = 400, 900
    w = torch.empty(fan_out, fan_in)
    nn.init.xavier_normal_(w, generator=torch.Generator().manual_seed(0))
    assert float(w.std()) == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    nn.init.kaiming_normal_(w, nonlinearity="relu", generator=torch.Generator().manual_seed(0))
    assert float(w.std()) == pytest.approx(math.sqrt(2 / fan_in), rel=0.02)      # fan_in: dimension 1
    bound = math.sqrt(6 / (fan_in + fan_out))
    nn.init.xavier_uniform_(w, generator=torch.Generator().manual_seed(0))
    assert float(w.abs().max()) <= bound and float(w.std()) == pytest.approx(bound / math.sqrt(3), rel=0.02)
    p = nn.Parameter(torch.randn(2))
    assert p.is_leaf and p.requires_grad

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.registered = nn.Parameter(torch.randn(2))
            self.plain = torch.randn(2, requires_grad=True)

    assert [name for name, _ in Model().named_parameters()] == ["registered"]


def test_torchs_momentum_and_schedules():
    """momentum-convention, steps-compound and schedule-counting."""
    p = torch.zeros(2, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=0.2, momentum=0.9)
    p.grad = torch.tensor([1.0, -2.0])
    optimizer.step()
    assert torch.equal(optimizer.state[p]["momentum_buffer"], torch.tensor([1.0, -2.0]))   # the gradient itself
    assert torch.allclose(p.detach(), -0.2 * torch.tensor([1.0, -2.0]))
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    exponential = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
    assert exponential.get_last_lr()[0] == pytest.approx(0.1)                     # iteration 0: still lr0
    for _ in range(5):
        optimizer.step()
        exponential.step()
    assert exponential.get_last_lr()[0] == pytest.approx(0.1 * 0.9 ** 5)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    step = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    rates = []
    for _ in range(7):
        rates.append(step.get_last_lr()[0])
        optimizer.step()
        step.step()
    assert rates == pytest.approx([0.1 * 0.5 ** (epoch // 3) for epoch in range(7)])
