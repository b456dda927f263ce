"""Attacks on the checks of 03_backward, as a determined student with the course's source at hand would write them.

Each attack starts from the untouched student version and replaces its
solution cells: the first one gets the attack's code, the others `pass`, so
nothing redefines what the attack set up. None of them writes a gradient.
Before trusted judging (measured on the in-kernel checks, issue 8) they
scored 18, 17, 12, 2 and 14 of 18 points.
"""
# Answers by torch itself, under enable_grad and with autograd captured at cell level:
# the in-kernel by-hand guard patched the entry points only while the function ran.
_BY_AUTOGRAD = '''
_grad = torch.autograd.grad
def _vjp(f, inputs, g):
    with torch.enable_grad():
        leaves = [t.detach().clone().requires_grad_() for t in inputs]
        return _grad(f(*leaves), leaves, g)
def _reduce(op, dim, keepdim):
    return (lambda t: op(t)) if dim is None and not keepdim else (lambda t: op(t, dim=dim, keepdim=keepdim))
def vjp_of_view(v): return _vjp(lambda t: (2 * t).view(2, 2), [torch.zeros(4, dtype=v.dtype)], v)[0]
def sum_to_shape(grad, shape): return _vjp(lambda t: t.expand(grad.shape), [torch.zeros(shape, dtype=grad.dtype)], grad)[0]
def add_backward(a_shape, b_shape, g):
    return _vjp(torch.add, [torch.zeros(a_shape, dtype=g.dtype), torch.zeros(b_shape, dtype=g.dtype)], g)
def mul_backward(a, b, g): return _vjp(torch.mul, [a, b], g)
def matmul_backward(A, B, g): return _vjp(torch.matmul, [A, B], g)
def relu_backward(x, g): return _vjp(torch.relu, [x], g)[0]
def sum_backward(shape, g, dim=None, keepdim=False):
    return _vjp(_reduce(torch.sum, dim, keepdim), [torch.zeros(shape, dtype=g.dtype)], g)[0]
def mean_backward(shape, g, dim=None, keepdim=False):
    return _vjp(_reduce(torch.mean, dim, keepdim), [torch.zeros(shape, dtype=g.dtype)], g)[0]
def pow_backward(x, p, g): return _vjp(lambda t: t ** p, [x], g)[0]
def exp_backward(x, g): return _vjp(torch.exp, [x], g)[0]
def log_backward(x, g): return _vjp(torch.log, [x], g)[0]
def tanh_backward(x, g): return _vjp(torch.tanh, [x], g)[0]
def sigmoid_backward(x, g): return _vjp(torch.sigmoid, [x], g)[0]
'''

# Every function returns zeros shaped like its first tensor-ish argument.
_ZEROS = '''
def _zeros(first, *rest, **kwargs):
    return torch.zeros(first) if isinstance(first, tuple) else torch.zeros_like(first)
vjp_of_view = sum_to_shape = add_backward = mul_backward = matmul_backward = relu_backward = _zeros
sum_backward = mean_backward = exp_backward = log_backward = tanh_backward = sigmoid_backward = _zeros
def pow_backward(x, p, g): return torch.zeros_like(x)
'''

ATTACKS = {
    "rebinds_the_checks": _ZEROS + '''
def _passes(*args, **kwargs):
    print("passed")
check = assert_close = call_by_hand = compare = _passes
''',
    "patches_tensor_methods": "import torch\n" + _ZEROS + '''
torch.Tensor.all = lambda self, *args, **kwargs: torch.tensor(True)
torch.Tensor.__bool__ = lambda self: True
torch.isclose = lambda *args, **kwargs: torch.tensor(True)
''',
    "lying_subclass": '''
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.isclose, torch.eq, torch.equal, torch.allclose, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def _lie(first, *rest, **kwargs):
    zeros = torch.zeros(first) if isinstance(first, tuple) else torch.zeros_like(first)
    return zeros.as_subclass(Liar)
vjp_of_view = sum_to_shape = relu_backward = sum_backward = mean_backward = _lie
exp_backward = log_backward = tanh_backward = sigmoid_backward = _lie
def pow_backward(x, p, g): return _lie(x)
def add_backward(a_shape, b_shape, g): return _lie(a_shape), _lie(b_shape)
def mul_backward(a, b, g): return _lie(a), _lie(b)
def matmul_backward(A, B, g): return _lie(A), _lie(B)
''',
    "steals_the_reference_from_frames": '''
import sys
def _steal(*args, **kwargs):
    frame = sys._getframe().f_back
    while frame is not None:
        for name in ("_want", "want", "_ref", "expected", "reference"):
            if name in frame.f_locals:
                return frame.f_locals[name]
        frame = frame.f_back
    return None
vjp_of_view = sum_to_shape = add_backward = mul_backward = matmul_backward = relu_backward = _steal
sum_backward = mean_backward = pow_backward = exp_backward = log_backward = tanh_backward = _steal
sigmoid_backward = _steal
''',
    "captured_autograd": _BY_AUTOGRAD,
}

FIRST_SOLUTION_CELL = "vjp_of_view"
