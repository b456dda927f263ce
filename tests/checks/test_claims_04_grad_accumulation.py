"""Is what 04_grad_accumulation says about torch true of the torch installed? One test per claim it makes."""
import pytest
import torch


def test_four_and_a_half_then_five_and_a_half():
    x = torch.ones(2, 2, requires_grad=True)
    (3 * (x + 2) ** 2).mean().backward()
    assert torch.equal(x.grad, torch.full((2, 2), 4.5))
    x.sum().backward()
    assert torch.equal(x.grad, torch.full((2, 2), 5.5))


def test_the_same_backward_adds_the_same_gradient_into_the_same_tensor():
    """k calls of a fresh graph give k times one call's gradient, in one .grad tensor updated in place."""
    x = torch.tensor([0.5, -1.0, 1.5], requires_grad=True)
    x.exp().sum().backward()
    first, once = x.grad, x.grad.clone()
    for k in range(2, 7):
        x.exp().sum().backward()
        torch.testing.assert_close(x.grad, k * once)
    assert first is x.grad


def test_two_uses_in_one_graph_arrive_summed_and_two_graphs_add_up_to_the_same():
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    arriving = []
    handle = x.register_hook(lambda grad: arriving.append(grad.clone()))
    (x.exp() + x.sin()).sum().backward()
    one_graph = x.grad.clone()
    x.grad = None
    x.exp().sum().backward()
    x.sin().sum().backward()
    handle.remove()
    by_hand = x.detach().exp() + x.detach().cos()
    assert len(arriving) == 3 and torch.allclose(arriving[0], by_hand)      # one tensor, already summed
    assert torch.allclose(one_graph, by_hand) and torch.allclose(x.grad, by_hand)


def test_the_leafs_accumulate_grad_node_feeds_both_uses():
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x.exp() + x.sin()).sum()
    add = y.grad_fn.next_functions[0][0]
    uses = [node for node, _ in add.next_functions]
    assert [type(node).__name__ for node in uses] == ["ExpBackward0", "SinBackward0"]
    assert all(type(node.next_functions[0][0]).__name__ == "AccumulateGrad" for node in uses)
    assert uses[0].next_functions[0][0] is uses[1].next_functions[0][0]


def test_the_three_ways_of_clearing():
    """zero_() and .data.zero_() wipe the same tensor in place; = None leaves it intact and the next backward()
    makes a new one; after = None, .grad.zero_() is Python's AttributeError."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for clear in (lambda g: g.zero_(), lambda g: g.data.zero_()):
        (x ** 2).sum().backward()
        kept = x.grad
        clear(x.grad)
        assert kept is x.grad and torch.equal(kept, torch.zeros(2))
    x.grad = None
    (x ** 2).sum().backward()
    kept = x.grad
    x.grad = None
    (x ** 2).sum().backward()
    assert kept is not x.grad and torch.equal(kept, torch.tensor([2.0, 4.0]))
    x.grad = None
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'zero_'"):
        x.grad.zero_()


def test_optimizer_zero_grad_sets_grads_to_none_by_default():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.1)
    (w ** 2).sum().backward()
    optimizer.zero_grad()
    assert w.grad is None


def test_the_grad_of_grad_does_not_require_grad():
    """`.grad` does not require grad, so zeroing it records nothing (the section 3 remark about .data)."""
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x ** 2).sum().backward()
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_the_usual_micro_batch_rule_is_exact_only_for_equal_sizes_and_size_over_n_always():
    """Section 4: weight 1 / (number of micro-batches) matches the full batch for sizes 5, 5, not for 4, 4, 2;
    weights |B_b| / N match for both; torch.autograd.grad leaves .grad untouched."""
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(10, 3, generator=gen, dtype=torch.float64)
    y = torch.randn(10, generator=gen, dtype=torch.float64)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)

    def loss_fn(X_batch, y_batch):
        return ((X_batch @ w - y_batch) ** 2).mean()

    (full,) = torch.autograd.grad(loss_fn(X, y), [w])
    assert w.grad is None

    def accumulated(size, weight):
        chunks = [(X[i:i + size], y[i:i + size]) for i in range(0, 10, size)]
        w.grad = None
        for X_b, y_b in chunks:
            (loss_fn(X_b, y_b) * weight(len(X_b), len(chunks))).backward()
        return float((w.grad - full).abs().max())

    usual, exact = (lambda n_b, count: 1 / count), (lambda n_b, count: n_b / 10)
    assert accumulated(5, usual) < 1e-15 and accumulated(4, usual) > 0.1
    assert accumulated(5, exact) < 1e-15 and accumulated(4, exact) < 1e-15
