"""Reading learner code: by-hand code against its allow-list, and signs of tampering (no kernel needed)."""
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from course import authoring
from course.checks.registry import EXERCISES
from course.grading.reading import Reading

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Scan:
    by_hand: dict    # function -> the message that refuses it
    signs: list      # integrity findings


def _scan(*sources, functions=("relu_backward",), rule="tensors"):
    nb = authoring.notebook([authoring.code("import torch\nfrom course.checks import check")]
                            + [authoring.code(s) for s in sources])
    reading = Reading(nb)
    refused = {name: reading.refusal(name, rule) for name in functions}
    return Scan({name: message for name, message in refused.items() if message}, reading.signs)


@pytest.mark.parametrize("source", [
    "def relu_backward(x, g):\n    x.requires_grad_()\n    torch.relu(x).backward(g)\n    return x.grad",
    "_g = torch.autograd.grad\ndef relu_backward(x, g):\n    return _g(torch.relu(x), x, g)[0]",
    "from torch.autograd import grad as _g\ndef relu_backward(x, g):\n    return _g(x, x, g)[0]",
    "if True:\n    _g = torch.func.vjp\ndef relu_backward(x, g):\n    return _g(torch.relu, x)[1](g)[0]",
    "def _helper(x):\n    with torch.enable_grad():\n        return x\ndef relu_backward(x, g):\n    return _helper(x) * g",
    "relu_backward = lambda x, g: torch.autograd.grad(torch.relu(x), x, g)[0]",
])
def test_autograd_in_a_by_hand_function_is_found(source):
    """Is autograd found in the function, in what it calls, or in a name it captured at cell level?"""
    found = _scan(source).by_hand
    assert "relu_backward" in found and "must compute the gradient by hand" in found["relu_backward"]


@pytest.mark.parametrize("source", [
    "def relu_backward(x, grad_out):\n    return grad_out * (x > 0).to(grad_out.dtype)",
    # a demonstration cell uses autograd on a global x; the function's own x is its parameter
    "x = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()\n"
    "def relu_backward(x, grad_out):\n    return grad_out * (x > 0)",
    "def sum_backward(shape, g):\n    return g.expand(shape)\ndef relu_backward(x, g):\n    return sum_backward(x.shape, g) * (x > 0)",
])
def test_honest_code_is_not_flagged(source):
    """Does honest code, beside autograd demonstrations, pass unflagged?"""
    scan = _scan(source)
    assert scan.by_hand == {} and scan.signs == []


@pytest.mark.parametrize("source, words", [
    ("torch.Tensor.all = lambda self: True", "patching torch.Tensor.all"),
    ("import sys\nf = sys._getframe(1)", "frame inspection"),
    ("import gc", "garbage collector"),
    ("import builtins", "patching builtins"),
    ("import sys\nsys.modules['torch'] = None", "sys.modules"),
    ("class T(torch.Tensor):\n    def __torch_function__(self, *a):\n        return True", "__torch_function__"),
    ("y = torch.zeros(2).as_subclass(object)", "tensor subclass"),
    ("check = print", "rebinding check"),
    ("def check(*args):\n    pass", "rebinding check"),
    ("get_ipython().set_custom_exc((Exception,), None)", "hiding exceptions"),
    ("setattr(torch, 'isclose', None)", "dynamic"),
    ("torch._C._set_grad_enabled(True)", "C core"),
])
def test_signs_of_tampering_are_reported_with_cell_and_line(source, words):
    """Is each kind of tampering reported, with the cell and line it stands on?"""
    signs = _scan(source).signs
    assert any(words in s.what for s in signs), signs
    assert all(s.cell == "cell 2" and s.line >= 1 for s in signs)


@pytest.mark.parametrize("assignment_id", sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir()))
def test_the_solutions_are_clean(assignment_id):
    """Does every instructor solution pass its allow-list with no integrity finding?"""
    nb = nbformat.read(str(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb"), as_version=4)
    reading = Reading(nb)
    refused = {e.function: reading.refusal(e.function, e.reading) for e in EXERCISES.values() if e.reading}
    assert {name: message for name, message in refused.items() if message} == {} and reading.signs == []


def test_a_cell_that_does_not_parse_runs_nothing_and_is_reported():
    """A cell the reading cannot parse defines nothing the grader runs, refuses nothing, and is on the record."""
    scan = _scan("def relu_backward(x, g:\n    return", "%timeit 1 + 1",
                 "def relu_backward(x, g):\n    return g * (x > 0)")
    assert scan.by_hand == {}
    assert [s.cell for s in scan.signs if "cannot read" in s.what] == ["cell 2"]


def test_autograd_reached_through_getattr_is_found():
    """Is `getattr(torch, "autograd")` read as the attribute it names?"""
    source = "def relu_backward(x, g):\n    return getattr(torch, 'autograd').grad(x, x, g)[0]"
    assert "relu_backward" in _scan(source).by_hand
