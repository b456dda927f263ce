"""Is what 02_requires_grad says about torch true of the torch installed? One test per claim the notebook makes."""
import pytest
import torch
from torch import nn


def _name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def test_requires_grad_spreads_and_the_two_halves_of_is_leaf():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    assert y.requires_grad and not y.is_leaf and _name(y) == "AddBackward0"
    untracked = torch.ones(2) * 3                 # requires_grad=False: always a leaf
    assert untracked.is_leaf and not untracked.requires_grad


def test_grad_fn_names_and_the_last_operation_names_the_node():
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert [_name(r) for r in (a * 3, a + 1, a ** 2, a.exp())] == ["MulBackward0", "AddBackward0", "PowBackward0",
                                                                  "ExpBackward0"]
    node = (a * 3 + 1).grad_fn
    assert type(node).__name__ == "AddBackward0"
    assert type(node.next_functions[0][0]).__name__ == "MulBackward0"


def test_the_seeds_graph():
    """y * y is a multiplication (MulBackward0), out = 27, x.grad = 4.5; the gradients at out, z, y are 1, 1/4, 4.5;
    torch.autograd.grad leaves .grad alone."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    assert _name(z) == "MulBackward0" and type(z.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert _name(out) == "MeanBackward0" and out.item() == 27
    g_out, g_z, g_y, g_x = torch.autograd.grad(out, (out, z, y, x), retain_graph=True)
    assert float(g_out) == 1 and torch.equal(g_z, torch.full((2, 2), 0.25))
    assert torch.equal(g_y, torch.full((2, 2), 4.5)) and torch.equal(g_x, torch.full((2, 2), 4.5))
    assert x.grad is None
    out.backward()
    assert torch.equal(x.grad, torch.full((2, 2), 4.5))


def test_requires_grad_underscore_on_a_leaf_and_on_a_computed_tensor():
    """On a leaf it switches tracking on and returns the tensor; on a computed tensor True succeeds (it already
    requires grad) and False is refused with a message naming detach()."""
    t = torch.randn(3)
    assert not t.requires_grad and t.requires_grad_() is t and t.requires_grad and t.is_leaf
    u = t * 2
    assert u.requires_grad_(True) is u and u.requires_grad and not u.is_leaf
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables.*detach"):
        u.requires_grad_(False)


def test_nn_parameter_is_a_leaf_that_requires_grad_by_default():
    for p, flag in [(nn.Parameter(torch.randn(3)), True), (nn.Parameter(torch.randn(3, requires_grad=True)), True),
                    (nn.Parameter(torch.randn(3), requires_grad=False), False)]:
        assert p.is_leaf and p.requires_grad is flag and p.grad_fn is None
    t = torch.randn(3)
    assert nn.Parameter(t).data_ptr() == t.data_ptr()


def test_a_parameter_around_the_leaf_trap_is_a_leaf_that_trains():
    """nn.Parameter(torch.randn(3, requires_grad=True) * 0.01): the inner tensor is not a leaf; the Parameter is,
    shares its storage, has no link to its graph, and backward() fills its .grad."""
    inner = torch.randn(3, requires_grad=True) * 0.01
    p = nn.Parameter(inner)
    assert not inner.is_leaf and _name(inner) == "MulBackward0"
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p.data_ptr() == inner.data_ptr()
    (2 * p).sum().backward()
    assert torch.equal(p.grad, torch.full((3,), 2.0))


def test_no_grad_records_nothing():
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        v = w * 2
    assert not v.requires_grad and v.grad_fn is None and v.is_leaf


def test_what_recording_keeps_for_backward():
    """Five tanh on a 4 MB float32 tensor keep 20 MB (each tanh keeps its output); under no_grad nothing."""
    def megabytes(enable_grad):
        saved = []

        def pack(tensor):
            saved.append(tensor.numel() * tensor.element_size())
            return tensor
        h = torch.randn(1000, 1000, requires_grad=True)
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor), torch.set_grad_enabled(enable_grad):
            for _ in range(5):
                h = torch.tanh(h)
        return sum(saved) / 1e6
    assert megabytes(True) == 20 and megabytes(False) == 0


def test_detach_shares_storage_and_autograd_sees_in_place_changes():
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = a.sigmoid()
    d = s.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf and d.data_ptr() == s.data_ptr()
    d.mul_(2)                                        # sigmoid's backward needs its output: now changed
    assert torch.equal(s, d)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.sum().backward()


def test_data_does_not_require_grad_and_hides_in_place_changes():
    """x.data.requires_grad is False (for a leaf and for a computed tensor); an in-place change through .data is
    not seen, and backward() silently uses the changed values."""
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = a.sigmoid()
    assert not a.data.requires_grad and not s.data.requires_grad and a.data.data_ptr() == a.data_ptr()
    right = s.detach() * (1 - s.detach())
    s.data.mul_(2)
    s.sum().backward()                               # no error ...
    assert not torch.allclose(a.grad, right)         # ... and a wrong gradient


def test_the_written_answers_claims():
    """Without requires_grad anywhere, backward() fails with torch's message; an in-place change of a leaf that
    requires grad is refused outside no_grad and allowed inside."""
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        (torch.ones(3) * 2).sum().backward()
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place operation"):
        w -= 0.1
    with torch.no_grad():
        w -= 0.1
    assert w.is_leaf and w.requires_grad
