"""By-hand code read with an allow-list: every class of attack is refused by reading, honest code is not.

No kernel here: these read notebooks built in the test, as the grader reads a
submission (course.grading.reading). The same attacks are graded through
nbgrader in test_tampering.py.
"""
import pytest

from course import authoring
from course.grading.reading import Reading

SETUP = "import math\nimport numpy as np\nimport torch\nfrom course.checks import check"


def _reading(*sources):
    return Reading(authoring.notebook([authoring.code(SETUP)] + [authoring.code(s) for s in sources]))


def _refusal(*sources, name="relu_backward", rule="tensors"):
    return _reading(*sources).refusal(name, rule)


ATTACKS = {
    # 1. autograd under names a deny-list does not resolve
    "computed attribute name": "def relu_backward(x, g):\n    ag = getattr(torch, 'auto' + 'grad')\n"
                               "    return ag.grad(x, x, g)[0]",
    "vars() lookup": "def relu_backward(x, g):\n    return vars(torch)['autograd'].grad(x, x, g)[0]",
    "__dict__ lookup": "def relu_backward(x, g):\n    return torch.__dict__['autograd'].grad(x, x, g)[0]",
    "container filled by a statement": "OPS = []\nOPS.append(torch.autograd.grad)\n"
                                       "def relu_backward(x, g):\n    return OPS[0](x, x, g)[0]",
    "dynamic import": "import importlib\ndef relu_backward(x, g):\n"
                      "    return importlib.import_module('torch.autograd').grad(x, x, g)[0]",
    "__import__": "def relu_backward(x, g):\n    return __import__('torch').autograd.grad(x, x, g)[0]",
    "eval of a string": "def relu_backward(x, g):\n    return eval('torch.autograd.grad')(x, x, g)[0]",
    "globals() binding": "globals()['G'] = 1\ndef relu_backward(x, g):\n    return globals()['torch'].relu(x) * g",
    "walrus binding": "if (G := torch.autograd.grad):\n    pass\ndef relu_backward(x, g):\n    return G(x, x, g)[0]",
    "a local module": "import my_helpers\ndef relu_backward(x, g):\n    return my_helpers.relu_backward(x, g)",
    "builtins reached by name": "def relu_backward(x, g):\n    return __builtins__['eval']('1') * g",
    "frame of a traceback": "def relu_backward(x, g):\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n"
                            "        return e.__traceback__.tb_frame.f_globals['torch'].relu(x) * g",
    "magic in the function's cell": "x = %time 1\ndef relu_backward(x_, g):\n    return x * g",
    # 2. the course's own oracles
    "course reference": "from course.checks.core.reference import autograd_vjp\n"
                        "def relu_backward(x, g):\n    return autograd_vjp(torch.relu, (x,), g)[0]",
    "course kernel": "import course.kernel.calling as c\ndef relu_backward(x, g):\n    return c.call(torch.relu, x) * g",
    # 4. torch's own backward kernels and other ways in
    "torch.ops backward kernel": "def relu_backward(x, g):\n    return torch.ops.aten.threshold_backward(g, x, 0)",
    "torch.nn.grad": "def relu_backward(x, g):\n    return torch.nn.grad.conv1d_input(x.shape, g, g)",
    "private torch": "def relu_backward(x, g):\n    return torch._C._nn.relu(x) * g",
    "tensor backward": "def relu_backward(x, g):\n    x = x.clone().requires_grad_()\n    torch.relu(x).backward(g)\n"
                       "    return x.grad",
    "enable_grad": "def relu_backward(x, g):\n    with torch.enable_grad():\n        return x * g",
    "a hook": "def relu_backward(x, g):\n    x.register_hook(print)\n    return x * g",
    "patching torch": "torch.relu = lambda x: x\ndef relu_backward(x, g):\n    return torch.relu(x) * g",
    "torch.func": "from torch.func import vjp\ndef relu_backward(x, g):\n    return vjp(torch.relu, x)[1](g)[0]",
    "star import": "from torch.autograd import *\ndef relu_backward(x, g):\n    return grad(x, x, g)[0]",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_refused_with_its_construct_cell_and_line(attack):
    """Does the reading refuse the attack, naming a construct, its cell and line, and the rule?"""
    message = _refusal(ATTACKS[attack])
    assert message.startswith("relu_backward must compute the gradient by hand"), (attack, message)
    assert "(cell 2, line " in message and "The rule: a by-hand function may use" in message


HONEST = {
    "a plain rule": "def relu_backward(x, g):\n    return g * (x > 0).to(g.dtype)",
    "torch.where": "def relu_backward(x, g):\n    return torch.where(x > 0, g, torch.zeros_like(g))",
    "math and numpy": "def relu_backward(x, g):\n    scale = math.exp(0.0) * float(np.ones(1)[0])\n"
                      "    return scale * g * (x > 0)",
    "a helper in another cell": ["def _mask(x):\n    return (x > 0).to(torch.float64)",
                                 "def relu_backward(x, g):\n    return (g * _mask(x)).to(g.dtype)"],
    "a demo beside it that uses autograd": ["x = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()",
                                            "def relu_backward(x, g):\n    return g * (x > 0)"],
    "F and no_grad": "import torch.nn.functional as F\ndef relu_backward(x, g):\n    with torch.no_grad():\n"
                     "        return g * (F.relu(x) > 0)",
    "a class of its own with private attributes": "class Mask:\n    def __init__(self, x):\n        self._m = x > 0\n"
                                                  "def relu_backward(x, g):\n    return g * Mask(x)._m",
}


@pytest.mark.parametrize("case", sorted(HONEST))
def test_honest_by_hand_code_passes(case):
    sources = HONEST[case] if isinstance(HONEST[case], list) else [HONEST[case]]
    assert _refusal(*sources) == ""


def test_a_custom_function_may_extend_torch_autograd_function_but_not_call_autograd():
    """09's Sigmoid: the base class is allowed; autograd inside backward is not."""
    honest = ("class Sigmoid(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n"
              "        out = torch.sigmoid(x)\n        ctx.save_for_backward(out)\n        return out\n"
              "    @staticmethod\n    def backward(ctx, g):\n        (out,) = ctx.saved_tensors\n"
              "        return g * out * (1 - out)")
    assert _refusal(honest, name="Sigmoid") == ""
    cheat = honest.replace("(out,) = ctx.saved_tensors\n        return g * out * (1 - out)",
                           "(out,) = ctx.saved_tensors\n        return torch.autograd.grad(out, out, g)[0]")
    assert "torch.autograd.grad" in _refusal(cheat, name="Sigmoid")


VALUE = ("class Value:\n    def __init__(self, data, _children=()):\n        self.data, self.grad = float(data), 0.0\n"
         "        self._backward, self._prev = (lambda: None), tuple(_children)\n"
         "    def backward(self):\n        self.grad = 1.0\n        self._backward()")


def test_value_with_methods_attached_in_later_cells_passes_the_python_rule():
    """09's Value: setattr, __name__ and attributes of its own are fine; methods attached later are read too."""
    attach = ("def add_to_class(cls):\n    def attach(fn):\n        setattr(cls, fn.__name__, fn)\n        return fn\n"
              "    return attach\n@add_to_class(Value)\ndef tanh(self):\n    return Value(math.tanh(self.data), (self,))")
    later = "def relu(self):\n    return Value(max(self.data, 0.0), (self,))\nValue.relu = relu"
    reading = _reading(VALUE, attach, later)
    assert reading.refusal("Value", "python") == ""
    program, _ = reading.program("Value", "python")
    assert {s.cell.label for s in program.statements} >= {"cell 2", "cell 3", "cell 4"}


@pytest.mark.parametrize("cheat, construct", [
    ("import torch as t\nValue.exp = lambda self: Value(t.exp(t.tensor(self.data)).item())", "importing torch"),
    ("Value.log = lambda self: Value(self.__class__.__dict__ and 0.0)", "__class__"),
    ("Value.exp = lambda self: getattr(self, 'data')", "getattr()"),
])
def test_value_may_not_reach_torch_or_dunders(cheat, construct):
    message = _refusal(VALUE, cheat, name="Value", rule="python")
    assert message.startswith("Value must be built by hand from plain Python") and construct in message


@pytest.mark.parametrize("prediction, construct", [
    ("ANSWERS = {'a': torch.float32, 'b': (2, 3), 'c': True, 'd': None, 'e': -1.5}", None),
    ("ANSWERS = {'a': torch.randn(2).dtype}", "computed"),
    ("import course.checks.core.predictions as p\nANSWERS = p.truth", "course"),
    ("ANSWERS = {}\nANSWERS['a'] = torch.float64", None),
    ("ANSWERS = {'a': torch.zeros}", "only torch dtypes"),
])
def test_predictions_are_written_down_not_computed(prediction, construct):
    message = _refusal(prediction, name="ANSWERS", rule="written")
    if construct is None:
        assert message == ""
    else:
        assert message.startswith("ANSWERS must be written down by hand") and construct in message


def test_only_the_statements_the_name_depends_on_are_in_its_program():
    """A tracer, a plot, an unrelated cell: none of them is in the program the trial process runs."""
    reading = _reading("import sys\nsys.settrace(lambda *a: None)",
                       "def _mask(x):\n    return x > 0",
                       "def relu_backward(x, g):\n    return g * _mask(x)",
                       "print(relu_backward(torch.ones(2), torch.ones(2)))")
    program, violations = reading.program("relu_backward", "tensors")
    assert [s.cell.label for s in program.statements] == ["cell 3", "cell 4"] and violations == []
    assert any("tracer" in s.what for s in reading.signs)


@pytest.mark.parametrize("source, words", [
    ("get_ipython().events.register('pre_run_cell', print)", "IPython's event callbacks"),
    ("get_ipython().input_transformers_post.append(lambda lines: lines)", "input transformer"),
    ("import sys\nsys.setprofile(print)", "profiler"),
    ("import course.kernel.runner as r\nr.run = print", "checking machinery"),
    ("%%capture\ndef relu_backward(x, g):\n    return g", "cell magic"),
    ("%run -i helpers.py", "%run or %load"),
    ("x = (" * 300 + ")" * 300, "cannot read"),
])
def test_steering_is_named_in_the_integrity_record(source, words):
    assert any(words in s.what for s in _reading(source).signs), _reading(source).signs
