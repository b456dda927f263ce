"""Is what 01_randn says about torch true of the torch installed? One test per claim the notebook makes."""
import math
import warnings

import pytest
import torch
from torch import nn


def test_randn_is_standard_normal_and_rand_uniform():
    """68% of N(0, 1) within 1, 95% within 2, about 6 in 100,000 beyond 4; rand is on [0, 1)."""
    z = torch.randn(1_000_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert abs(float((z.abs() <= 1).double().mean()) - 0.6827) < 0.003
    assert abs(float((z.abs() <= 2).double().mean()) - 0.9545) < 0.002
    assert 5.5e-5 < math.erfc(4 / math.sqrt(2)) < 6.5e-5
    u = torch.rand(100_000, generator=torch.Generator().manual_seed(0))
    assert float(u.min()) >= 0 and float(u.max()) < 1


def test_rand_weights_make_units_agree_and_randn_weights_tell_them_apart():
    """The notebook's cell: rand weights give five units within a few percent of 250; randn weights both signs."""
    torch.manual_seed(1)
    x = torch.rand(1000)
    with_rand, with_randn = x @ torch.rand(1000, 5), x @ torch.randn(1000, 5)
    assert 225 < float(with_rand.min()) and float(with_rand.max()) < 275
    assert float(with_rand.max() / with_rand.min()) < 1.1
    assert bool((with_randn > 0).any()) and bool((with_randn < 0).any())


def test_shapes_as_integers_or_a_tuple():
    assert torch.randn(64, 1000).shape == torch.randn((64, 1000)).shape == (64, 1000)
    assert isinstance(torch.randn(3, 4).shape, tuple) and torch.randn(3, 4).shape == (3, 4)
    assert torch.randn(5).shape == (5,) and torch.randn(()).shape == () and torch.randn(()).dim() == 0


def test_a_bias_is_broadcast_over_the_rows():
    X, W, b = torch.randn(5, 14), torch.randn(14, 128), torch.randn(128)
    assert (X @ W + b).shape == (5, 128)
    assert all(torch.equal((X @ W + b)[row], (X @ W)[row] + b) for row in range(5))


def test_dtypes_of_randn():
    """float32 by default; dtype=float is float64; torch.float is float32; 4 and 8 bytes; Python int is int64,
    which randn refuses."""
    assert torch.get_default_dtype() == torch.float32 and torch.randn(14, 128).dtype == torch.float32
    assert torch.randn((14, 128), dtype=float).dtype == torch.float64
    assert torch.float == torch.float32 and torch.double == torch.float64
    assert torch.randn(2).element_size() == 4 and torch.randn(2, dtype=float).element_size() == 8
    assert torch.zeros(1, dtype=int).dtype == torch.int64
    with pytest.raises((RuntimeError, NotImplementedError)):
        torch.randn(3, dtype=int)


def test_the_three_rules_of_promotion():
    """Two tensors of different float dtypes, both with dimensions or both without, give the wider; a Python
    number and a tensor with no dimensions take the dtype of the tensor with dimensions; matmul refuses to mix."""
    a32, a64 = torch.ones(2), torch.ones(2, dtype=torch.float64)
    assert (a32 + a64).dtype == torch.float64
    assert (torch.ones(()) * torch.ones((), dtype=torch.float64)).dtype == torch.float64
    assert (a32 * 2.5).dtype == torch.float32 and (a64 * 2.5).dtype == torch.float64
    assert (a32 * torch.tensor(2.5, dtype=torch.float64)).dtype == torch.float32
    assert (torch.tensor(2.5) * a64).dtype == torch.float64
    with pytest.raises(RuntimeError):
        torch.randn(2, 3) @ torch.randn(3, 2, dtype=float)


def test_seeding_the_global_generator_and_a_generator_of_ones_own():
    """The same seed repeats the sample; an extra draw shifts it; a Generator is not disturbed by global draws;
    a new Generator seeded 0 gives the global generator's stream for seed 0."""
    torch.manual_seed(0)
    a = torch.randn(3)
    torch.manual_seed(0)
    assert torch.equal(a, torch.randn(3))
    torch.manual_seed(0)
    torch.randn(5)
    assert not torch.equal(a, torch.randn(3))
    g = torch.Generator().manual_seed(0)
    torch.randn(1000)
    assert torch.equal(a, torch.randn(3, generator=g))


def test_torch_normal_draws_the_standard_normals_of_randn_scaled_and_shifted():
    """Exercise 2 says: with the same seed, torch.normal(mean, std, shape) equals mean + std * randn (CPU)."""
    for dtype in (torch.float32, torch.float64):
        for shape in ((3, 4), (40,)):
            got = torch.normal(2.0, 0.5, shape, generator=torch.Generator().manual_seed(7), dtype=dtype)
            want = 2.0 + 0.5 * torch.randn(shape, generator=torch.Generator().manual_seed(7), dtype=dtype)
            torch.testing.assert_close(got, want)


def test_the_spread_of_x_at_w_is_sqrt_d_in_times_sigma():
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(64, 1000, generator=gen)
    for scale in (1.0, 0.01):
        spread = float((X @ (scale * torch.randn(1000, 100, generator=gen))).std())
        assert abs(spread / (math.sqrt(1000) * scale) - 1) < 0.03


def test_nn_linear_draws_its_biases_within_one_over_sqrt_d_in():
    bias = nn.Linear(400, 300).bias.detach()
    assert float(bias.abs().max()) <= 1 / math.sqrt(400)
    assert float(bias.abs().max()) > 0.9 / math.sqrt(400)   # spread over the range, not zeros
    zeros = nn.init.zeros_(torch.empty(3))
    assert torch.equal(zeros, torch.zeros(3))


def test_a_zero_bias_gets_a_gradient_and_equal_weights_make_equal_units():
    """The notebook's cell: with random weights b1.grad is nonzero and differs per unit; with equal weights it is
    the same for every unit and the columns of W1.grad are equal."""
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(16, 5, generator=gen)

    def hidden_grads(W1, w2):
        b1 = torch.zeros(4, requires_grad=True)
        (torch.relu(X @ W1 + b1) @ w2).pow(2).mean().backward()
        return b1.grad, W1.grad

    b1_grad, _ = hidden_grads(torch.randn(5, 4, generator=gen, requires_grad=True), torch.randn(4, generator=gen))
    assert bool((b1_grad != 0).all()) and len(set(b1_grad.tolist())) == 4
    b1_grad, W1_grad = hidden_grads(torch.full((5, 4), 0.5, requires_grad=True), torch.full((4,), 0.5))
    assert len(set(b1_grad.tolist())) == 1 and bool((W1_grad == W1_grad[:, :1]).all())


def test_the_leaf_trap():
    """randn(..., requires_grad=True) * 0.01 is not a leaf: it has a MulBackward0, its .grad stays None after
    backward() with a warning, and an optimizer refuses it."""
    W = torch.randn(3, requires_grad=True) * 0.01
    assert not W.is_leaf and W.requires_grad and type(W.grad_fn).__name__ == "MulBackward0"
    (W * 2).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert W.grad is None
    assert any("not a leaf Tensor" in str(warning.message) for warning in caught)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([W], lr=0.1)


def test_the_two_facts_that_make_a_leaf():
    """An operation on tensors that do not require grad is not recorded (a leaf without grad_fn);
    requires_grad_() makes the same object a leaf that requires grad; the same operation is then recorded."""
    t = torch.randn(3)
    before = t * 0.5
    assert before.is_leaf and not before.requires_grad and before.grad_fn is None
    assert t.requires_grad_() is t and t.is_leaf and t.requires_grad and t.grad_fn is None
    after = t * 0.5
    assert not after.is_leaf and after.requires_grad and type(after.grad_fn).__name__ == "MulBackward0"


def test_scaling_in_place_under_no_grad_keeps_the_leaf():
    """The model answer's other way: requires_grad first, then scale in place under no_grad."""
    w = torch.randn(3, requires_grad=True)
    with torch.no_grad():
        w.mul_(0.01)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_float32_keeps_about_7_significant_digits_and_float64_about_16():
    assert 6 < -math.log10(torch.finfo(torch.float32).eps) < 7.5
    assert 15 < -math.log10(torch.finfo(torch.float64).eps) < 16.5
