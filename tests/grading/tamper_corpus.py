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



def tampered(stub, code):
    """The student version with its first solution cell replaced by `code` and every other one by `pass`."""
    nb = stub.copy()
    nb.cells = [cell.copy() for cell in stub.cells]
    first = True
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = code if first else "pass"
            first = False
    return nb


# ---- the course-wide corpus (issue 23): each class of attack on every assignment with by-hand code, and 09 ----
#
# Each attack notebook replaces the assignment's first solution cell with the attack and every other solution
# cell with `pass`, so nothing honest is left to score. The attack's answers are torch's own gradients: each
# by-hand function of the assignment computed with autograd, reached through one technique. Before the
# trial process and the allow-list (issue 23), techniques like these earned full marks.

_VJP = '''
def _vjp(f, inputs, g=None):
    with _ENABLE():
        leaves = [torch.nn.Parameter(t.detach().clone()) for t in inputs]   # leaves that require grad
        return _GRAD(f(*leaves), leaves, g, allow_unused=True)
'''

ANSWERS = {
    "02_requires_grad": '''
def grad_of_mean_cube_graph(x): return _vjp(lambda t: (3 * (t + 2) ** 2).mean(), [x])[0]
def grad_of_ratio_graph(a): return _vjp(lambda t: ((t * 3) / (t - 1)).sum(), [a])[0]
''',
    "03_backward": _BY_AUTOGRAD.replace("_grad = torch.autograd.grad\n", "").replace(
        "with torch.enable_grad()", "with _ENABLE()").replace("return _grad(", "return _GRAD(").replace(
        "t.detach().clone().requires_grad_()", "torch.nn.Parameter(t.detach().clone())"),
    "04_grad_accumulation": '''
def grad_after_repeats(x, k): return k * _vjp(lambda t: (t ** 2).sum(), [x])[0]
def shared_weight_grad(x, w): return _vjp(lambda t: (t * x + t ** 2).sum(), [w])[0]
''',
    "05_manual_updates": '''
def weights_after_steps(w0, lr, k):
    w = w0
    for _ in range(k):
        w = w - lr * _vjp(lambda t: (t ** 2).sum() / 2, [w])[0]
    return w
''',
    "06_linear_regression": '''
def linreg_grads(X, y, w, b):
    return tuple(_vjp(lambda W, B: ((X @ W + B - y.reshape(-1, 1)) ** 2 / 2).sum(), [w, b]))
''',
    "07_two_layer_net": '''
def two_layer_grads(X, y, W1, W2):
    return tuple(_vjp(lambda A, B: ((X @ A).clamp(min=0) @ B - y).pow(2).sum(), [W1, W2]))
def two_layer_bias_grads(X, y, W1, b1, W2, b2):
    return tuple(_vjp(lambda A, a, B, b: ((X @ A + a).clamp(min=0) @ B + b - y).pow(2).mean(), [W1, b1, W2, b2]))
''',
    "08_mlp": '''
def softmax_cross_entropy_grad(logits, targets):
    return _vjp(lambda t: torch.nn.functional.cross_entropy(t, targets), [logits])[0]
def mlp_grads(X, y, params):
    return list(_vjp(lambda W1, b1, W2, b2: torch.nn.functional.cross_entropy(torch.relu(X @ W1 + b1) @ W2 + b2, y),
                     list(params)))
''',
    "09_tiny_autograd": '''
class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = torch.sigmoid(x)
        ctx.save_for_backward(out, x)
        return out
    @staticmethod
    def backward(ctx, g):
        out, x = ctx.saved_tensors
        return _vjp(torch.sigmoid, [x], g)[0]
class Value:
    """A Value that is torch underneath: no engine written."""
    def __init__(self, data, _t=None):
        self._t = torch.tensor(float(data), dtype=torch.float64, requires_grad=True) if _t is None else _t
        if _t is not None:
            self._t.retain_grad()
    data = property(lambda self: self._t.item())
    grad = property(lambda self: 0.0 if self._t.grad is None else self._t.grad.item())
    def _v(self, o): return o._t if isinstance(o, Value) else o
    def __add__(self, o): return Value(0, self._t + self._v(o))
    def __radd__(self, o): return Value(0, self._v(o) + self._t)
    def __mul__(self, o): return Value(0, self._t * self._v(o))
    def __rmul__(self, o): return Value(0, self._v(o) * self._t)
    def __sub__(self, o): return Value(0, self._t - self._v(o))
    def __rsub__(self, o): return Value(0, self._v(o) - self._t)
    def __truediv__(self, o): return Value(0, self._t / self._v(o))
    def __rtruediv__(self, o): return Value(0, self._v(o) / self._t)
    def __pow__(self, p): return Value(0, self._t ** p)
    def __neg__(self): return Value(0, -self._t)
    def relu(self): return Value(0, torch.relu(self._t))
    def tanh(self): return Value(0, torch.tanh(self._t))
    def exp(self): return Value(0, torch.exp(self._t))
    def log(self): return Value(0, torch.log(self._t))
    def backward(self): self._t.backward()
''',
}

# How the answers reach autograd (`_GRAD`, `_ENABLE`): one technique per attack, from the classes of issue 23.
TECHNIQUES = {
    # 1. names the reading does not resolve
    "computed_name": "_GRAD = getattr(getattr(torch, 'auto' + 'grad'), 'gr' + 'ad')\n"
                     "_ENABLE = getattr(torch, 'enable_' + 'grad')",
    "vars_lookup": "_GRAD = vars(vars(torch)['autograd'])['grad']\n_ENABLE = vars(torch)['enable_grad']",
    "dunder_dict": "_GRAD = torch.__dict__['autograd'].__dict__['grad']\n_ENABLE = torch.__dict__['enable_grad']",
    "eval_string": "_GRAD = eval('torch.autograd.grad')\n_ENABLE = eval('torch.enable_grad')",
    "dynamic_import": "import importlib\n_GRAD = vars(importlib.import_module('torch.autograd'))['grad']\n"
                      "_ENABLE = vars(importlib.import_module('torch'))['enable_grad']",
    "globals_binding": "globals().update(_GRAD=torch.autograd.grad, _ENABLE=torch.enable_grad)",
    "walrus": "if (_GRAD := torch.autograd.grad) and (_ENABLE := torch.enable_grad):\n    pass",
    "container": "_BOX = {}\n_BOX.update(g=torch.autograd.grad, e=torch.enable_grad)\n_GRAD, _ENABLE = _BOX['g'], _BOX['e']",
    "local_module": "with open('_helpers.py', 'w') as _f:\n"
                    "    _f.write('import torch\\nGRAD = torch.autograd.grad\\nENABLE = torch.enable_grad\\n')\n"
                    "import _helpers\n_GRAD, _ENABLE = _helpers.GRAD, _helpers.ENABLE",
    # 2. the course's own oracles
    "course_oracle": "from course.checks.core import reference as _REF\n_GRAD, _ENABLE = _REF._grad, _REF.torch.enable_grad",
}
# Techniques that wrap the whole attack rather than binding names.
WRAPPERS = {
    # 1. code the reading cannot see: a %% cell magic, and %run of a file the cell writes
    "cell_magic": lambda code: "%%capture\n" + code,
    "run_magic": lambda code: f"with open('_attack.py', 'w') as _f:\n    _f.write({code!r})\n%run -i _attack.py",
    # 3. steering the kernel: an event callback puts the answers into the namespace after every cell,
    #    and the checking machinery is patched through an alias
    "event_callback": lambda code: (f"_CODE = {code!r}\n"
                                    "def _inject(*args):\n    exec(_CODE, get_ipython().user_ns)\n"
                                    "get_ipython().events.register('post_run_cell', _inject)\n"
                                    "import course.kernel.runner as _r\n_r.not_defined = lambda *a, **k: []"),
}
# 4. torch's own backward kernels, where torch has one for the exercise
OPS_ANSWERS = {
    "03_backward": '''
import torch
def relu_backward(x, g): return torch.ops.aten.threshold_backward(g, x, 0)
def tanh_backward(x, g): return torch.ops.aten.tanh_backward(g, torch.tanh(x))
def sigmoid_backward(x, g): return torch.ops.aten.sigmoid_backward(g, torch.sigmoid(x))
''',
    "08_mlp": '''
import torch
def softmax_cross_entropy_grad(logits, targets):
    return torch.ops.aten._log_softmax_backward_data(
        -torch.nn.functional.one_hot(targets, logits.shape[1]).to(logits.dtype) / logits.shape[0],
        torch.log_softmax(logits, 1), 1, logits.dtype)
''',
}


def course_attacks():
    """{(assignment, student): attack code}: every technique on some assignment, each assignment three times
    (four with torch's backward kernels), so that every class meets every assignment with by-hand code."""
    names = [*TECHNIQUES, *WRAPPERS]
    attacks = {}
    for index, assignment in enumerate(sorted(ANSWERS)):
        answers = "import torch\n" + _VJP + ANSWERS[assignment]
        for k in range(3):
            name = names[(3 * index + k) % len(names)]
            if name in TECHNIQUES:
                code = "import torch\n" + TECHNIQUES[name] + "\n" + answers
            else:
                code = WRAPPERS[name]("_GRAD, _ENABLE = torch.autograd.grad, torch.enable_grad\n" + answers)
            attacks[assignment, name] = code
        if assignment in OPS_ANSWERS:
            attacks[assignment, "backward_kernels"] = OPS_ANSWERS[assignment]
    return attacks
