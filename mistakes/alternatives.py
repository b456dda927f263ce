"""Correct answers written another way than the solution: they must score full marks.

The tests grade them through nbgrader with every assignment's example class
(tests/conftest.py), and the demo's term (examples/example_term.py) hands in
those of its assignments, so the grading is seen to judge what a function
does, not how it is written.
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
            name="view_vjp_with_flatten",
            cell="vjp_of_view",
            code='''
def vjp_of_view(v):
    """x.grad after (2 * x).view(2, 2).backward(v), for x of shape (4,): computed by hand."""
    return v.flatten() * 2
''',
            loses=(),
        ),
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
        Mistake(
            name="pow_with_method_calls",
            cell="pow_backward",
            code='''
def pow_backward(x, p, grad_out):
    """The gradient of x ** p with respect to x (p a Python number), weighted by grad_out."""
    if not p:                                   # x ** 0 == 1: nothing flows back
        return torch.zeros_like(grad_out)
    return x.pow(p - 1).mul(p).mul(grad_out)
''',
            loses=(),
        ),
        Mistake(
            name="log_with_reciprocal",
            cell="log_backward",
            code='''
def log_backward(x, grad_out):
    """The gradient of torch.log(x) with respect to x (x > 0), weighted by grad_out."""
    return grad_out * x.reciprocal()
''',
            loses=(),
        ),
        Mistake(
            name="tanh_with_cosh",
            cell="tanh_backward",
            code='''
def tanh_backward(x, grad_out):
    """The gradient of torch.tanh(x) with respect to x, weighted by grad_out."""
    return grad_out / torch.cosh(x) ** 2       # sech^2 x; cosh overflows to inf, and 1 / inf = 0, as torch gives
''',
            loses=(),
        ),
        Mistake(
            name="sigmoid_stable_with_where",
            cell="sigmoid_backward",
            code='''
def sigmoid_backward(x, grad_out):
    """The gradient of torch.sigmoid(x) with respect to x, weighted by grad_out."""
    e = torch.exp(-x.abs())                     # never the exp of a large positive number
    s = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return grad_out * s * (1 - s)
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
        Mistake(
            name="train_linreg_as_d2l_writes_it",
            cell="train_linreg",
            code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    """Train linreg with minibatch SGD; returns (w, b, losses), one loss (batch mean) per minibatch."""
    w = torch.normal(0, 0.01, size=(features.shape[1], 1), generator=generator, dtype=features.dtype,
                     requires_grad=True)
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    net, loss = linreg, squared_loss
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = loss(net(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(float(l.mean()))
    return w.detach(), b.detach(), losses
''',
            loses=(),
        ),
    ],
    "08_mlp": [
        Mistake(
            name="init_with_nn_init_fan_out",
            cell="init_mlp",
            code='''
def init_mlp(num_inputs, num_hiddens, num_outputs, scheme, generator=None):
    """[W1, b1, W2, b2] as nn.Parameters in d2l's layout; weights ~ N(0, std^2), std set by scheme."""
    def weight(fan_in, fan_out):
        W = torch.empty(fan_in, fan_out)        # d2l's (in, out): nn.init must read fan_in from dimension 0
        if scheme == "he":
            nn.init.kaiming_normal_(W, mode="fan_out", nonlinearity="relu", generator=generator)
        elif scheme == "xavier":
            nn.init.xavier_normal_(W, generator=generator)      # symmetric in fan_in and fan_out
        else:
            nn.init.normal_(W, mean=0.0, std=float(scheme), generator=generator)
        return nn.Parameter(W)

    return [weight(num_inputs, num_hiddens), nn.Parameter(torch.zeros(num_hiddens)),
            weight(num_hiddens, num_outputs), nn.Parameter(torch.zeros(num_outputs))]
''',
            loses=(),
        ),
        Mistake(
            name="train_with_split_and_add_",
            cell="train_mlp",
            code='''
def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, num_epochs=10, batch_size=64,
              lr=0.5, drop=0.5, every=4, generator=None):
    """Train the MLP with He init, minibatch SGD by hand and step decay; returns (params, history)."""
    params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
    history = {"loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        rate = step_decay_lr(lr, epoch, drop, every)
        order = torch.randperm(X_train.shape[0], generator=generator)
        for X, y in zip(X_train[order].split(batch_size), y_train[order].split(batch_size)):
            for p in params:
                p.grad = None                   # optimizer.zero_grad(), before the backward
            loss = F.cross_entropy(F.linear(F.relu(F.linear(X, params[0].T, params[1])), params[2].T, params[3]), y)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-rate)     # what optimizer.step() does
            history["loss"].append(float(loss))
        with torch.no_grad():
            for key, X, y in (("train_acc", X_train, y_train), ("test_acc", X_test, y_test)):
                history[key].append((mlp_forward(X, params).argmax(dim=1) == y).double().mean().item())
    return params, history
''',
            loses=(),
        ),
    ],
    "09_tiny_autograd": [
        Mistake(
            name="sigmoid_stable_forward_in_place_backward_on_a_copy",
            cell="Sigmoid",
            code='''
class Sigmoid(torch.autograd.Function):
    """torch.sigmoid as a node of torch's graph, with your backward rule from 03."""

    @staticmethod
    def forward(ctx, x):
        e = torch.exp(-x.abs())                 # never the exp of a large positive number
        out = torch.where(x >= 0, 1 / (1 + e), e / (1 + e))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        grad = grad_out.clone()                 # a tensor of its own: grad_out stays autograd's
        grad.mul_(out).mul_(1 - out)
        return grad
''',
            loses=(),
        ),
    ],
}
