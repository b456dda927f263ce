"""Typical wrong answers to 03_backward, each graded in the tests."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # vjp_of_view
    Mistake(
        name="view_vjp_without_the_2",
        cell="vjp_of_view",
        code='''
def vjp_of_view(v):
    """x.grad after (2 * x).view(2, 2).backward(v), for x of shape (4,): computed by hand."""
    return v.reshape(4)
''',
        loses=["vjp_of_view_tests"],
        feedback=["0.5 times the right answer"],
    ),
    Mistake(
        name="view_vjp_keeps_the_shape_of_v",
        cell="vjp_of_view",
        code='''
def vjp_of_view(v):
    """x.grad after (2 * x).view(2, 2).backward(v), for x of shape (4,): computed by hand."""
    return 2 * v
''',
        loses=["vjp_of_view_tests"],
        feedback=["must have shape (4,)", "another arrangement"],
    ),
    # sum_to_shape (add_backward and mul_backward call it, so their checks fail too)
    Mistake(
        name="sum_to_shape_only_leading_dims",
        cell="sum_to_shape",
        code='''
def sum_to_shape(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added, so it has shape `shape`."""
    while grad.dim() > len(shape):
        grad = grad.sum(dim=0)
    return grad
''',
        loses=["sum_to_shape_tests", "add_backward_tests", "mul_backward_tests"],
        feedback=["summed over the broadcast dimensions"],
    ),
    Mistake(
        name="sum_to_shape_drops_size_one_dims",
        cell="sum_to_shape",
        code='''
def sum_to_shape(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added, so it has shape `shape`."""
    while grad.dim() > len(shape):
        grad = grad.sum(dim=0)
    for dim in reversed(range(len(shape))):
        if shape[dim] == 1 and grad.shape[dim] != 1:
            grad = grad.sum(dim=dim)
    return grad
''',
        loses=["sum_to_shape_tests", "add_backward_tests", "mul_backward_tests"],
        feedback=["keepdim"],
    ),
    # add_backward
    Mistake(
        name="add_grad_not_reduced",
        cell="add_backward",
        code='''
def add_backward(a_shape, b_shape, grad_out):
    """(grad_a, grad_b) for out = a + b, with a of shape a_shape and b of shape b_shape."""
    return grad_out, grad_out
''',
        loses=["add_backward_tests"],
        feedback=["summed over the broadcast dimensions", "grad_b (b of shape (3,))"],
    ),
    Mistake(
        name="add_grad_is_ones",
        cell="add_backward",
        code='''
def add_backward(a_shape, b_shape, grad_out):
    """(grad_a, grad_b) for out = a + b, with a of shape a_shape and b of shape b_shape."""
    return torch.ones(a_shape), torch.ones(b_shape)
''',
        loses=["add_backward_tests"],
        feedback=["5 of 6 elements differ"],
    ),
    # mul_backward
    Mistake(
        name="mul_grads_swapped",
        cell="mul_backward",
        code='''
def mul_backward(a, b, grad_out):
    """(grad_a, grad_b) for out = a * b (elementwise, with broadcasting)."""
    return sum_to_shape(grad_out * a, a.shape), sum_to_shape(grad_out * b, b.shape)
''',
        loses=["mul_backward_tests"],
        feedback=["swapped"],
    ),
    Mistake(
        name="mul_grad_not_reduced",
        cell="mul_backward",
        code='''
def mul_backward(a, b, grad_out):
    """(grad_a, grad_b) for out = a * b (elementwise, with broadcasting)."""
    return grad_out * b, grad_out * a
''',
        loses=["mul_backward_tests"],
        feedback=["summed over the broadcast dimensions"],
    ),
    # matmul_backward
    Mistake(
        name="matmul_transpose_missing",
        cell="matmul_backward",
        code='''
def matmul_backward(A, B, grad_out):
    """(grad_A, grad_B) for out = A @ B, with A of shape (n, k) and B of shape (k, m)."""
    return grad_out @ B, A @ grad_out
''',
        loses=["matmul_backward_tests"],
        feedback=["mat1 and mat2 shapes cannot be multiplied", "needs a .T"],
    ),
    Mistake(
        name="matmul_grad_B_transposed",
        cell="matmul_backward",
        code='''
def matmul_backward(A, B, grad_out):
    """(grad_A, grad_B) for out = A @ B, with A of shape (n, k) and B of shape (k, m)."""
    return grad_out @ B.T, grad_out.T @ A
''',
        loses=["matmul_backward_tests"],
        feedback=["transpose of the right shape"],
    ),
    # relu_backward
    Mistake(
        name="relu_gradient_one_at_zero",
        cell="relu_backward",
        code='''
def relu_backward(x, grad_out):
    """The gradient of torch.relu(x) with respect to x, weighted by grad_out."""
    return grad_out * (x >= 0).to(grad_out.dtype)
''',
        loses=["relu_backward_tests"],
        feedback=["at x == 0 torch's relu gradient is 0"],
    ),
    Mistake(
        name="relu_forgets_grad_out",
        cell="relu_backward",
        code='''
def relu_backward(x, grad_out):
    """The gradient of torch.relu(x) with respect to x, weighted by grad_out."""
    return (x > 0).to(x.dtype)
''',
        loses=["relu_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    # sum_backward
    Mistake(
        name="sum_backward_ignores_removed_dims",
        cell="sum_backward",
        code='''
def sum_backward(x_shape, grad_out, dim=None, keepdim=False):
    """The gradient of x.sum(dim=dim, keepdim=keepdim) with respect to x of shape x_shape."""
    return grad_out.expand(x_shape).clone()
''',
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=1, keepdim=False", "sum_backward raised RuntimeError"],
    ),
    Mistake(
        name="sum_backward_unsqueezes_even_with_keepdim",
        cell="sum_backward",
        code='''
def sum_backward(x_shape, grad_out, dim=None, keepdim=False):
    """The gradient of x.sum(dim=dim, keepdim=keepdim) with respect to x of shape x_shape."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        for d in sorted(d % len(x_shape) for d in dims):
            grad_out = grad_out.unsqueeze(d)
    return grad_out.expand(x_shape).clone()
''',
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=1, keepdim=True"],
    ),
    Mistake(
        name="sum_backward_negative_dims_unsorted",
        cell="sum_backward",
        code='''
def sum_backward(x_shape, grad_out, dim=None, keepdim=False):
    """The gradient of x.sum(dim=dim, keepdim=keepdim) with respect to x of shape x_shape."""
    if dim is not None and not keepdim:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        for d in dims:
            grad_out = grad_out.unsqueeze(d)
    return grad_out.expand(x_shape).clone()
''',
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=(2, 0), keepdim=False"],
    ),
    # mean_backward
    Mistake(
        name="mean_backward_not_divided",
        cell="mean_backward",
        code='''
def mean_backward(x_shape, grad_out, dim=None, keepdim=False):
    """The gradient of x.mean(dim=dim, keepdim=keepdim) with respect to x of shape x_shape."""
    return sum_backward(x_shape, grad_out, dim=dim, keepdim=keepdim)
''',
        loses=["mean_backward_tests"],
        feedback=["N, the number of elements in each mean: a division by it is missing"],
    ),
    Mistake(
        name="mean_backward_divides_by_numel",
        cell="mean_backward",
        code='''
def mean_backward(x_shape, grad_out, dim=None, keepdim=False):
    """The gradient of x.mean(dim=dim, keepdim=keepdim) with respect to x of shape x_shape."""
    count = 1
    for size in x_shape:
        count *= size
    return sum_backward(x_shape, grad_out, dim=dim, keepdim=keepdim) / count
''',
        loses=["mean_backward_tests"],
        feedback=["dividing by all elements of x instead of N", "a division by it too many"],
    ),
    # pow_backward
    Mistake(
        name="pow_drops_the_factor_p",
        cell="pow_backward",
        code='''
def pow_backward(x, p, grad_out):
    """The gradient of x ** p with respect to x (p a Python number), weighted by grad_out."""
    return grad_out * x ** (p - 1)
''',
        loses=["pow_backward_tests"],
        feedback=["p = 2", "0.5 times the right answer"],
    ),
    Mistake(
        name="pow_operator_precedence",
        cell="pow_backward",
        code='''
def pow_backward(x, p, grad_out):
    """The gradient of x ** p with respect to x (p a Python number), weighted by grad_out."""
    return grad_out * p * x ** p - 1
''',
        loses=["pow_backward_tests"],
        feedback=["p = 2", "elements differ"],
    ),
    # exp_backward
    Mistake(
        name="exp_forgets_grad_out",
        cell="exp_backward",
        code='''
def exp_backward(x, grad_out):
    """The gradient of torch.exp(x) with respect to x, weighted by grad_out."""
    return torch.exp(x)
''',
        loses=["exp_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    Mistake(
        name="exp_power_rule",
        cell="exp_backward",
        code='''
def exp_backward(x, grad_out):
    """The gradient of torch.exp(x) with respect to x, weighted by grad_out."""
    return grad_out * x * torch.exp(x - 1)
''',
        loses=["exp_backward_tests"],
        feedback=["x = [-3, -1, 0, 1, 4]", "elements differ"],
    ),
    # log_backward
    Mistake(
        name="log_forgets_grad_out",
        cell="log_backward",
        code='''
def log_backward(x, grad_out):
    """The gradient of torch.log(x) with respect to x (x > 0), weighted by grad_out."""
    return 1 / x
''',
        loses=["log_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    Mistake(
        name="log_derivative_of_reciprocal",
        cell="log_backward",
        code='''
def log_backward(x, grad_out):
    """The gradient of torch.log(x) with respect to x (x > 0), weighted by grad_out."""
    return -grad_out / x ** 2
''',
        loses=["log_backward_tests"],
        feedback=["x = [0.1, 0.5, 1, 2, 10]", "elements differ"],
    ),
    # tanh_backward
    Mistake(
        name="tanh_uses_x_not_tanh_x",
        cell="tanh_backward",
        code='''
def tanh_backward(x, grad_out):
    """The gradient of torch.tanh(x) with respect to x, weighted by grad_out."""
    return grad_out * (1 - x ** 2)
''',
        loses=["tanh_backward_tests"],
        feedback=["x = [-100, -2, 0, 0.5, 3, 100]", "elements differ"],
    ),
    Mistake(
        name="tanh_from_raw_exponentials",
        cell="tanh_backward",
        code='''
def tanh_backward(x, grad_out):
    """The gradient of torch.tanh(x) with respect to x, weighted by grad_out."""
    t = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
    return grad_out * (1 - t ** 2)
''',
        loses=["tanh_backward_tests"],
        feedback=["contains NaN", "exp of a large number"],
    ),
    # sigmoid_backward
    Mistake(
        name="sigmoid_from_raw_exponentials",
        cell="sigmoid_backward",
        code='''
def sigmoid_backward(x, grad_out):
    """The gradient of torch.sigmoid(x) with respect to x, weighted by grad_out."""
    e = torch.exp(-x)
    return grad_out * e / (1 + e) ** 2
''',
        loses=["sigmoid_backward_tests"],
        feedback=["contains NaN", "exp of a large number"],
    ),
    Mistake(
        name="sigmoid_missing_one_minus",
        cell="sigmoid_backward",
        code='''
def sigmoid_backward(x, grad_out):
    """The gradient of torch.sigmoid(x) with respect to x, weighted by grad_out."""
    s = torch.sigmoid(x)
    return grad_out * s
''',
        loses=["sigmoid_backward_tests"],
        feedback=["x = [-100, -2, 0, 0.5, 3, 100]", "elements differ"],
    ),
]
