"""Signs of tampering in the learner's code, for the instructor: read, never run.

The grader reads every code cell that is not one of the course's test
cells (course.grading.reading.cells). Code that reaches into the checks'
machinery or the interpreter (frames, the garbage collector, `builtins`,
`sys.modules`, tracers and profilers, IPython's event callbacks and input
transformers, torch's C core, patched torch or course attributes, tensor
subclasses, the course's own grader-side modules), a cell the reading
cannot parse and a `%%` cell magic go to the submission's integrity
report, with the cell and line. The cells' scores stand as judged: since
every exercise is judged in a process of its own on the statements it
depends on (course.grading.sandbox.trials), none of this can steer a grade;
the report tells the instructor who tried. By-hand code is read with an
allow-list (course.grading.reading.allowlist), whose violations join this
report too.
"""
import ast
from dataclasses import dataclass

TAMPER_ATTRIBUTES = {
    "_C": "torch's C core", "_getframe": "frame inspection", "f_back": "frame inspection",
    "f_globals": "frame inspection", "f_locals": "frame inspection", "tb_frame": "frame inspection",
    "__torch_function__": "a tensor subclass hook", "as_subclass": "a tensor subclass",
    "set_custom_exc": "hiding exceptions", "excepthook": "hiding exceptions",
    "__builtins__": "patching builtins", "__globals__": "reaching into a function's globals",
    "__code__": "rewriting code objects", "settrace": "a tracer", "setprofile": "a profiler",
    "monitoring": "a tracer (sys.monitoring)", "events": "IPython's event callbacks",
    "input_transformers_post": "an IPython input transformer",
    "input_transformers_cleanup": "an IPython input transformer", "register_magic_function": "a new magic",
    "modules": None,  # only as sys.modules (see tamper_signs)
}
TAMPER_MODULES = {"gc": "the garbage collector", "inspect": "frame inspection", "builtins": "patching builtins",
                  "ctypes": "raw memory access", "importlib": "dynamic imports", "cProfile": "a profiler",
                  "profile": "a profiler", "trace": "a tracer"}
PATCHED_ROOTS = {"torch", "course", "numpy", "np", "sys", "builtins", "nbgrader", "IPython"}
DYNAMIC_CALLS = {"eval", "exec", "compile", "__import__", "setattr"}  # setattr: only on torch, course, ...
# The course's checking machinery: a notebook imports only `check` and `reveal` of it.
MACHINERY = {"checks", "grading", "kernel"}


@dataclass
class Finding:
    cell: str     # grade_id of the cell, or "cell N" (1-based) for cells without one
    line: int
    what: str


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
    return {alias.asname or alias.name for cell in cells if cell.module for node in ast.walk(cell.module)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course"
            for alias in node.names}


def _course_import(node):
    """The course module an import reaches in the checking machinery (the checks beyond `check` and `reveal`,
    the grader, the kernel side), or None."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0:
        names = [f"{node.module}.{a.name}" for a in node.names]
    else:
        return None
    for name in names:
        parts = name.split(".")
        if parts[0] == "course" and len(parts) > 1 and parts[1] in MACHINERY \
                and name not in ("course.checks.check", "course.checks.reveal"):
            return name
    return None


def tamper_signs(cells):
    """[Finding] for code that reaches into the checks' machinery or the interpreter, and unreadable cells."""
    findings = []
    course_names = _course_names(cells)
    for cell in cells:
        if cell.module is None:
            findings.append(Finding(cell.label, 0, f"a cell the grader cannot read ({cell.problem}): nothing in it "
                                                   "runs where exercises are judged"))
            continue
        if "run_cell_magic" in cell.source:
            findings.append(Finding(cell.label, 1, "a %% cell magic: its code is not read, and does not run where "
                                                   "exercises are judged"))
        if "run_line_magic('run'" in cell.source or "run_line_magic('load'" in cell.source:
            findings.append(Finding(cell.label, 1, "%run or %load of another file: its code is not read, and does "
                                                   "not run where exercises are judged"))
        findings += _signs(cell.label, cell.module, course_names)
    return findings


def _signs(label, module, course_names):
    from .scopes import bound

    findings = []
    for statement in module.body:
        for name in bound(statement):
            if name in course_names and not isinstance(statement, ast.ImportFrom):
                findings.append(Finding(label, getattr(statement, "lineno", 0),
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
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and _course_import(node):
            what = f"the course's checking machinery (import {_course_import(node)})"
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
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("vars", "globals"):
            what = f"reaching into namespaces ({node.func.id}())"
        if what:
            findings.append(Finding(label, getattr(node, "lineno", 0), what))
    return findings
