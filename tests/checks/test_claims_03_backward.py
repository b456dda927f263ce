"""Is what 03_backward says about torch true of the torch installed? One test per claim the notebook makes."""
import warnings

import pytest
import torch


def _seeds_graph():
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    return x, out


def test_backward_on_a_scalar_starts_from_one():
    """out.backward() gives 4.5 and is out.backward(torch.tensor(1.0))."""
    x, out = _seeds_graph()
    out.backward()
    x1, out1 = _seeds_graph()
    out1.backward(torch.tensor(1.0))
    assert torch.equal(x.grad, torch.full((2, 2), 4.5)) and torch.equal(x.grad, x1.grad)


def test_the_graph_links_and_the_leafs_accumulate_grad_node():
    """out.grad_fn is a MeanBackward0 whose input is a MulBackward0, and the leaf is an AccumulateGrad node."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    (times_3, _), = out.grad_fn.next_functions
    assert type(out.grad_fn).__name__ == "MeanBackward0" and type(times_3).__name__ == "MulBackward0"
    (add, _), = y.grad_fn.next_functions[:1]
    assert type(add).__name__ == "AccumulateGrad" and add.variable is x
    y_times_y = times_3.next_functions[0][0]
    assert [type(node).__name__ for node, _ in y_times_y.next_functions] == ["AddBackward0", "AddBackward0"]


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (2 * x).view(2, 2).backward()


def test_the_three_descriptions_of_a_vector_jacobian_product_agree():
    """c.backward(v), (c * v).sum().backward() and v^T J agree for c = x.cumsum(0), whose Jacobian is a lower
    triangle of ones, so x.grad_j is the sum of v from j on: [10, 9, 7, 4] for v = [1, 2, 3, 4]."""
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = torch.tensor([1.0, 2.0, 3.0, 4.0])
    x.cumsum(0).backward(v)
    x2 = x.detach().clone().requires_grad_(True)
    (x2.cumsum(0) * v).sum().backward()
    J = torch.autograd.functional.jacobian(lambda t: t.cumsum(0), x.detach())
    assert torch.equal(J, torch.tril(torch.ones(4, 4)))
    assert torch.equal(x.grad, torch.tensor([10.0, 9.0, 7.0, 4.0]))
    assert torch.equal(x.grad, x2.grad) and torch.equal(x.grad, v @ J)


def test_a_transpose_is_not_contiguous_view_refuses_it_and_reshape_reads_it_row_by_row():
    """Exercise 1's note on memory layout: m = arange(6).reshape(2, 3).T is not contiguous; m.reshape(6) is its
    values row by row as it prints, [0, 3, 1, 4, 2, 5]; m.view(6) raises and its message names reshape."""
    m = torch.arange(6.0).reshape(2, 3).T
    assert not m.is_contiguous() and m.shape == (3, 2)
    assert torch.equal(m.reshape(6), torch.tensor([0.0, 3.0, 1.0, 4.0, 2.0, 5.0]))
    assert m.reshape(6).tolist() == [v for row in m.tolist() for v in row]
    with pytest.raises(RuntimeError, match=r"view size is not compatible .*Use \.reshape"):
        m.view(6)


def test_the_ends_of_the_domains_named_in_the_notebook():
    """The numbers section 5 and the test cells quote: the largest float32 and float64 (3.4e38, 1.8e308), their
    smallest subnormals (1.4e-45, 5e-324), exp's overflow points (88.72, 709.78), and e^100 is inf in float32."""
    for dtype, largest, subnormal, overflow in [(torch.float32, "3.4e+38", "1.4e-45", 88.72),
                                                (torch.float64, "1.8e+308", "4.9e-324", 709.78)]:
        assert f"{torch.finfo(dtype).max:.2g}" == largest
        smallest = torch.nextafter(torch.zeros((), dtype=dtype), torch.ones((), dtype=dtype))
        assert f"{float(smallest):.2g}" == subnormal and smallest / 2 == 0
        assert torch.isfinite(torch.exp(torch.tensor(overflow, dtype=dtype)))
        assert torch.isinf(torch.exp(torch.tensor(overflow + 0.01, dtype=dtype)))
    assert torch.isinf(torch.exp(torch.tensor(100.0))) and torch.isfinite(torch.exp(torch.tensor(100.0, dtype=torch.float64)))


def test_backward_twice_and_retain_graph():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert torch.equal(x.grad, 2 * 2 * x.detach())


def test_grad_of_a_non_leaf_is_none_with_a_warning_unless_retained():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x
    (y ** 2).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert y.grad is None
    assert any(issubclass(w.category, UserWarning) and "not a leaf Tensor" in str(w.message) for w in caught)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x
    y.retain_grad()
    (y ** 2).sum().backward()
    assert torch.equal(y.grad, 2 * y.detach()) and torch.equal(x.grad, 2 * y.grad)


def test_a_broadcast_inputs_gradient_is_summed_over_the_broadcast_rows():
    a, b = torch.zeros(2, 3, requires_grad=True), torch.zeros(3, requires_grad=True)
    grad_out = torch.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    (a + b).backward(grad_out)
    assert torch.equal(a.grad, grad_out) and torch.equal(b.grad, torch.tensor([11.0, 22.0, 33.0]))


def test_sum_over_a_dim_is_an_expand_backward():
    """The backward of a sum broadcasts grad_out back (Exercise 7's premise): SumBackward1 for sum(dim)."""
    x = torch.randn(2, 3, requires_grad=True)
    s = x.sum(1)
    assert type(s.grad_fn).__name__ == "SumBackward1"
    g = torch.tensor([1.0, 2.0])
    s.backward(g)
    assert torch.equal(x.grad, g.unsqueeze(1).expand(2, 3))


def test_relu_passes_no_gradient_at_exactly_zero():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
    torch.relu(x).backward(torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert torch.equal(x.grad, torch.tensor([0.0, 0.0, 0.0, 4.0, 5.0]))


def test_a_power_of_zero_has_gradient_zero_even_at_zero():
    """x ** 0 is 1 everywhere; torch's gradient is 0 at x = 0 too, where p * x ** (p - 1) gives 0 * inf = nan."""
    x = torch.tensor([0.0, -1.0, 2.0], requires_grad=True)
    (x ** 0).backward(torch.tensor([1.0, 2.0, 3.0]))
    assert torch.equal(x.grad, torch.zeros(3))
    assert torch.isnan(0 * x.detach() ** (0 - 1))[0]


def test_tanh_and_sigmoid_derivatives_through_their_outputs_and_raw_exponentials_overflow():
    """tanh' = 1 - tanh^2 and sigmoid' = s (1 - s) match autograd, at +-800 too, where e^800 is inf and a raw
    exponential formula gives nan."""
    x = torch.tensor([-800.0, -2.0, 0.0, 0.5, 3.0, 800.0], dtype=torch.float64, requires_grad=True)
    (g_tanh,) = torch.autograd.grad(torch.tanh(x).sum(), x)
    (g_sigmoid,) = torch.autograd.grad(torch.sigmoid(x).sum(), x)
    t, s = torch.tanh(x.detach()), torch.sigmoid(x.detach())
    torch.testing.assert_close(g_tanh, 1 - t ** 2)
    torch.testing.assert_close(g_sigmoid, s * (1 - s))
    x = x.detach()
    assert torch.isinf(torch.exp(x[-1]))
    raw_tanh = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))       # inf / inf at +-800
    raw_sigmoid_grad = torch.exp(-x) / (1 + torch.exp(-x)) ** 2                       # inf / inf at -800
    assert torch.isnan(1 - raw_tanh ** 2)[[0, -1]].all() and torch.isnan(raw_sigmoid_grad[0])


def test_the_chained_rules_match_autograd_to_float64_rounding():
    """Section 6: a one-hidden-layer network differentiated rule by rule equals loss.backward()."""
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    W = torch.randn(3, 4, generator=gen, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, generator=gen, dtype=torch.float64, requires_grad=True)
    h = X @ W
    a = h + b
    t = torch.tanh(a)
    (t ** 2).mean().backward()
    with torch.no_grad():
        g_t = 2 * t / t.numel()
        g_a = g_t * (1 - torch.tanh(a) ** 2)
        g_W, g_b = X.T @ g_a, g_a.sum(0)
    assert float((g_W - W.grad).abs().max()) < 1e-15 and float((g_b - b.grad).abs().max()) < 1e-15
