"""Read the learner's code, never run it: autograd in by-hand functions, and signs of tampering.

The grader parses every code cell that is not one of the course's test
cells. For each function an exercise wants written by hand it follows what
the function uses (other functions and module-level names of the notebook,
not its own parameters and locals) and reports any autograd entry point on
that path: that exercise then scores 0, with the message learners already
get in the kernel. Code that reaches into the checks' machinery (frames, the
garbage collector, `builtins`, `sys.modules`, torch's C core, patched torch
or course attributes, tensor subclasses) goes to the submission's integrity
report for the instructor, with the cell and line.
"""
import ast
from dataclasses import dataclass, field

from nbgrader import utils

# Attribute names that lead into autograd (`tensor.backward`, `torch.autograd.grad`, ...).
AUTOGRAD_ATTRIBUTES = {"backward", "autograd", "enable_grad", "set_grad_enabled", "requires_grad_", "functorch"}
AUTOGRAD_MODULES = ("torch.autograd", "torch.func", "functorch")

TAMPER_ATTRIBUTES = {
    "_C": "torch's C core", "_getframe": "frame inspection", "f_back": "frame inspection",
    "f_globals": "frame inspection", "f_locals": "frame inspection", "tb_frame": "frame inspection",
    "__torch_function__": "a tensor subclass hook", "as_subclass": "a tensor subclass",
    "set_custom_exc": "hiding exceptions", "excepthook": "hiding exceptions",
    "__builtins__": "patching builtins", "__globals__": "reaching into a function's globals",
    "__code__": "rewriting code objects", "modules": None,  # only as sys.modules (see _tamper_signs)
}
TAMPER_MODULES = {"gc": "the garbage collector", "inspect": "frame inspection", "builtins": "patching builtins",
                  "ctypes": "raw memory access", "importlib": "dynamic imports"}
PATCHED_ROOTS = {"torch", "course", "numpy", "np", "sys", "builtins", "nbgrader", "IPython"}
DYNAMIC_CALLS = {"eval", "exec", "compile", "__import__", "setattr"}  # setattr: only on torch, course, ...


@dataclass
class Finding:
    cell: str     # grade_id of the cell, or "cell N" (1-based) for cells without one
    line: int
    what: str


@dataclass
class Scan:
    by_hand: dict = field(default_factory=dict)   # function -> message (its exercises score 0)
    signs: list = field(default_factory=list)     # [Finding] for the integrity report


def learner_cells(nb):
    """(label, parsed module) of every code cell that is not a course test cell."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or utils.is_grade(cell):
            continue
        label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        try:
            cells.append((label, ast.parse(transform(cell.source))))
        except (SyntaxError, ValueError):
            continue  # a cell that does not parse defines nothing the checks can call
    return cells


def _bindings(cells):
    """name -> [(label, node)] of every module-level statement that binds it (inside if/for/with/try too)."""
    bindings = {}
    for label, module in cells:
        for name, node in _bound(module.body):
            bindings.setdefault(name, []).append((label, node))
    return bindings


def _bound(statements):
    """(name, node that gives it its value) for the statements, recursing into blocks but not into defs."""
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield statement.name, statement
            continue
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                yield (alias.asname or alias.name).split(".")[0], statement
            continue
        targets = []
        if isinstance(statement, ast.Assign):
            targets = [(t, statement) for t in statement.targets]
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [(statement.target, statement)]
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            targets = [(statement.target, statement.iter)]
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            targets = [(i.optional_vars, i.context_expr) for i in statement.items if i.optional_vars]
        for target, value in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    yield node.id, value
        for block in ("body", "orelse", "finalbody"):
            yield from _bound(getattr(statement, block, []))
        for handler in getattr(statement, "handlers", []):
            yield from _bound(handler.body)


def _free_names(node):
    """Names `node` reads that it does not bind itself (parameters and locals of a function excluded)."""
    local = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            local.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            local.add(inner.id)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner is not node:
            local.add(inner.name)
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - local


def _autograd_uses(node):
    """(line, what) of each autograd entry point inside `node`."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and inner.attr in AUTOGRAD_ATTRIBUTES:
            yield inner.lineno, f".{inner.attr}"
        elif (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "getattr"
              and len(inner.args) > 1 and isinstance(inner.args[1], ast.Constant)
              and inner.args[1].value in AUTOGRAD_ATTRIBUTES | {"func"}):
            yield inner.lineno, f"getattr(..., {inner.args[1].value!r})"
        elif (isinstance(inner, ast.Attribute) and inner.attr == "func"
              and isinstance(inner.value, ast.Name) and inner.value.id == "torch"):
            yield inner.lineno, "torch.func"
        elif isinstance(inner, ast.Import) and any(a.name.startswith(AUTOGRAD_MODULES) for a in inner.names):
            yield inner.lineno, f"import {inner.names[0].name}"
        elif isinstance(inner, ast.ImportFrom) and (
                (inner.module or "").startswith(AUTOGRAD_MODULES)
                or any(a.name in AUTOGRAD_ATTRIBUTES | {"func"} for a in inner.names)):
            yield inner.lineno, f"from {inner.module} import {', '.join(a.name for a in inner.names)}"


def by_hand_violations(cells, functions):
    """function -> message, for each by-hand function whose code (or what it uses) calls autograd."""
    bindings = _bindings(cells)
    violations = {}
    for function in functions:
        seen, queue = set(), [function]
        while queue and function not in violations:
            name = queue.pop()
            if name in seen:
                continue
            seen.add(name)
            for label, statement in bindings.get(name, []):
                for line, what in _autograd_uses(statement):
                    violations[function] = (
                        f"{function} must compute the gradient by hand, but its code uses autograd "
                        f"({what} in {label}, line {line}{'' if name == function else f', through {name}'}). "
                        "Work it out with the chain rule using ordinary tensor operations; "
                        "autograd is what the checks compare you with.")
                    break
                queue.extend(_free_names(statement) - seen)
    return violations


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _course_names(cells):
    """Names the notebook imports from the course package: the test cells call them."""
    return {alias.asname or alias.name for _, module in cells for node in ast.walk(module)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course"
            for alias in node.names}


def tamper_signs(cells):
    """[Finding] for code that reaches into the checks' machinery."""
    findings = []
    course_names = _course_names(cells)
    for label, module in cells:
        for name, node in _bound(module.body):
            if name in course_names and not isinstance(node, ast.ImportFrom):
                findings.append(Finding(label, getattr(node, "lineno", 0),
                                        f"rebinding {name}, which the course's test cells call"))
        for node in ast.walk(module):
            what = None
            if isinstance(node, ast.Attribute) and node.attr in TAMPER_ATTRIBUTES:
                what = TAMPER_ATTRIBUTES[node.attr]
                if node.attr == "modules":
                    what = "patching sys.modules" if _dotted(node) == "sys.modules" else None
                what = what and f"{what} ({_dotted(node) or node.attr})"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "__torch_function__":
                what = "a tensor subclass hook (__torch_function__)"
            elif isinstance(node, ast.Import):
                hit = [a.name for a in node.names if a.name.split(".")[0] in TAMPER_MODULES]
                what = hit and f"{TAMPER_MODULES[hit[0].split('.')[0]]} (import {hit[0]})"
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in TAMPER_MODULES:
                what = f"{TAMPER_MODULES[node.module.split('.')[0]]} (from {node.module} import ...)"
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                patched = [t for t in targets if isinstance(t, ast.Attribute) and _root(t) in PATCHED_ROOTS]
                what = patched and f"patching {_dotted(patched[0])}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS:
                if node.func.id != "setattr" or (node.args and _root(node.args[0]) in PATCHED_ROOTS):
                    what = f"dynamic code or attribute access ({node.func.id})"
            if what:
                findings.append(Finding(label, getattr(node, "lineno", 0), what))
    return findings


def scan(nb, by_hand_functions):
    """The by-hand violations and tamper signs of notebook `nb`."""
    cells = learner_cells(nb)
    return Scan(by_hand_violations(cells, by_hand_functions), tamper_signs(cells))
