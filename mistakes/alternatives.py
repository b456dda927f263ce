"""Correct answers written another way than the solution: they must score full marks.

The bundled example class (course/grading/example_term.py) hands them in, so
the grading is seen to judge what a function does, not how it is written.
Each entry replaces one solution cell, like a Mistake that loses nothing.
"""
from course.grading.mistakes import Mistake

ALTERNATIVES = {
    "01_randn": [
        Mistake(
            name="chained_methods",
            cell="normal_sample",
            code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    """Samples of N(mean, std**2) with the given shape and dtype, drawn with torch.randn."""
    return torch.randn(shape, generator=generator, dtype=dtype).mul(std).add(mean)
''',
            loses=(),
        ),
        Mistake(
            name="requires_grad_attribute",
            cell="init_leaf",
            code='''
def init_leaf(shape, scale, generator=None):
    """A float32 leaf tensor that requires grad, with values scale * N(0, 1)."""
    weights = torch.randn(shape, generator=generator) * scale
    weights.requires_grad = True
    return weights
''',
            loses=(),
        ),
    ],
    "03_backward": [
        Mistake(
            name="sum_once_over_all_broadcast_dims",
            cell="sum_to_shape",
            code='''
def sum_to_shape(grad, shape):
    """Sum `grad` over the dimensions that broadcasting added, so it has shape `shape`."""
    shape = tuple(shape)
    lead = grad.dim() - len(shape)
    dims = [d for d in range(grad.dim()) if d < lead or (shape[d - lead] == 1 and grad.shape[d] != 1)]
    if not dims:
        return grad
    return grad.sum(dim=dims, keepdim=True).reshape(shape)
''',
            loses=(),
        ),
        Mistake(
            name="relu_with_where",
            cell="relu_backward",
            code='''
def relu_backward(x, grad_out):
    """The gradient of torch.relu(x) with respect to x, weighted by grad_out."""
    return torch.where(x > 0, grad_out, torch.zeros_like(grad_out))
''',
            loses=(),
        ),
    ],
    "06_linear_regression": [
        Mistake(
            name="grads_with_mm_and_t",
            cell="linreg_grads",
            code='''
def linreg_grads(X, y, w, b):
    """Gradients of squared_loss(linreg(X, w, b), y).sum(): (grad_w of shape (d, 1), grad_b of shape (1,))."""
    r = torch.mm(X, w) + b - y.view(y.shape[0], 1)
    return torch.mm(X.t(), r), r.sum(dim=0)
''',
            loses=(),
        ),
        Mistake(
            name="sgd_with_sub_",
            cell="sgd",
            code='''
def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent: param -= lr * param.grad / batch_size, then zero the grad."""
    with torch.no_grad():
        for param in params:
            param.sub_(param.grad * (lr / batch_size))
            param.grad.zero_()
''',
            loses=(),
        ),
    ],
}
