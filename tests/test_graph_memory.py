"""Does saved_bytes measure what 07 says a graph keeps alive, on this torch?"""
import torch

from course.graph_memory import saved_bytes


def _network():
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(64, 1000, generator=g), torch.randn(64, 10, generator=g)
    W1 = torch.randn(1000, 100, generator=g).requires_grad_()
    W2 = torch.randn(100, 10, generator=g).requires_grad_()
    return X, y, W1, W2


def _loss(X, y, W1, W2):
    return (X.mm(W1).clamp(min=0).mm(W2) - y).pow(2).sum()


def test_a_loss_holds_its_saved_tensors_until_backward_frees_them():
    """07: before backward() the graph holds X, h, h_relu, W2 and y_pred - y; after it, nothing; backward() again raises."""
    X, y, W1, W2 = _network()
    loss = _loss(X, y, W1, W2)
    h = X.mm(W1)
    four_bytes = 4
    expected = four_bytes * (X.numel() + 2 * h.numel() + W2.numel() + y.numel())   # X, h, h_relu, W2, y_pred - y
    assert saved_bytes(loss) == expected
    loss.backward()
    assert saved_bytes(loss) == 0
    try:
        loss.backward()
    except RuntimeError as error:
        assert "second time" in str(error)
    else:
        raise AssertionError("a second backward() through a freed graph did not raise")


def test_a_running_total_of_losses_grows_by_one_steps_activations_per_addition():
    """07: total = total + loss, without backward(), keeps every step's graph: the same number of bytes more each time."""
    X, y, W1, W2 = _network()
    total, sizes = 0, []
    for _ in range(4):
        total = total + _loss(X, y, W1, W2)
        sizes.append(saved_bytes(total))
    steps = [b - a for a, b in zip(sizes, sizes[1:])]
    assert steps[0] > 0 and steps == [steps[0]] * 3
