"""By-hand code read with an allow-list: what it may use is listed; anything else, or anything unresolved, is refused.

A by-hand exercise is judged on a program (course.grading.reading.slicing):
the learner's function and every statement it depends on. Every node of
that program must resolve, by reading alone, to something on the list of
its rule:

- `tensors` (the by-hand gradients of 02-08 and 09's `Sigmoid`): tensor
  operations and methods, `math`, `numpy`, a few standard modules, Python's
  built-ins that do not reach code, and the learner's own names. Not
  autograd (`.backward`, `.grad`, `torch.autograd` but its `Function`
  base class, `torch.func`, `enable_grad`, hooks, torch's own `*_backward`
  kernels), not `torch.ops`, `torch._C` or any private name the learner did
  not define, not `getattr`/`vars`/`globals`/`eval`/`exec`/`compile`/
  `__import__`, not `import course`, not an IPython magic.
- `python` (09's `Value` engine and its SGD step): plain Python and `math`;
  no torch, no numpy; the learner's own attributes (`.grad`, `._backward`)
  are theirs to use; `setattr` is allowed (09 attaches methods with it).
- `written` (the predictions of 01 and 02): a dict written down, its
  values literals or torch dtypes; nothing computed.

A violation names the construct, its cell and line, and the rule; the
exercise scores 0 and the instructor's integrity record lists it.
"""
import ast
import builtins
from dataclasses import dataclass
import importlib
import inspect


TENSORS, PYTHON, WRITTEN = "tensors", "python", "written"

RULES = {
    TENSORS: "a by-hand function may use tensor operations and methods, math, numpy, Python's built-ins "
             "and its own helpers: not autograd (.backward, .grad, torch.autograd, torch.func, hooks, "
             "torch's *_backward kernels), not torch.ops, torch._C or private names, not getattr, vars, "
             "globals, eval, exec, compile or __import__, not imports of course, not IPython magics",
    PYTHON: "the engine is built from scratch: plain Python and math on numbers, your own classes and "
            "attributes; not torch or numpy, not getattr, vars, globals, eval, exec, compile or __import__, "
            "not dunder attributes such as __dict__ or __class__, not IPython magics",
    WRITTEN: "a prediction is written down, not computed: literal values (numbers, strings, tuples, "
             "True/False/None) and torch dtypes such as torch.float32 only, no calls",
}

MUST = {TENSORS: "must compute the gradient by hand", PYTHON: "must be built by hand from plain Python",
        WRITTEN: "must be written down by hand"}

STANDARD = {"math", "cmath", "functools", "itertools", "collections", "typing", "dataclasses", "numbers",
            "random", "warnings", "operator", "statistics", "fractions", "__future__"}
MODULES = {
    TENSORS: STANDARD | {"torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.linalg",
                         "torch.special", "torch.fft", "torch.distributions", "torch.random",
                         "numpy", "numpy.linalg", "numpy.random", "numpy.fft"},
    PYTHON: STANDARD,
    WRITTEN: {"torch"},
}
# Reached through a module that is otherwise refused: the base class 09's Sigmoid extends.
LIBRARY_NAMES = {TENSORS: {"torch.autograd.Function"}, PYTHON: set(), WRITTEN: set()}

DENIED_BUILTINS = {"getattr", "setattr", "delattr", "vars", "globals", "locals", "dir", "eval", "exec",
                   "compile", "__import__", "open", "input", "breakpoint", "help", "exit", "quit",
                   "memoryview", "__build_class__", "__loader__", "__spec__", "copyright", "credits", "license"}
ALLOWED_BUILTINS = {TENSORS: set(dir(builtins)) - DENIED_BUILTINS,
                    PYTHON: set(dir(builtins)) - (DENIED_BUILTINS - {"setattr"}),
                    WRITTEN: {"True", "False", "None", "Ellipsis"}}

# Module attributes refused although public: they turn autograd on, compile, or map names to code.
DENIED_MODULE_NAMES = {"enable_grad", "set_grad_enabled", "inference_mode", "compile", "vmap", "gradient",
                       "Gradient", "attrgetter", "methodcaller", "load", "set_default_tensor_type"}
AUTOGRAD_ATTRIBUTES = {"backward", "grad", "grad_fn", "requires_grad_", "retain_grad", "retains_grad",
                       "output_nr"}
FRAME_ATTRIBUTES = {"f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "tb_next",
                    "gi_frame", "gi_code", "cr_frame", "ag_frame", "co_code", "func_globals"}
SAFE_DUNDERS = {f"__{name}__" for name in (
    "init name qualname doc repr str float int bool len add radd sub rsub mul rmul truediv rtruediv "
    "floordiv rfloordiv mod rmod pow rpow matmul rmatmul neg pos abs eq ne lt le gt ge hash iter next "
    "contains getitem setitem call enter exit").split()}
HOOK_DEFINITIONS = {"__torch_function__", "__torch_dispatch__", "__getattribute__", "__init_subclass__",
                    "__class_getitem__", "__set_name__"}


def _tensor_private():
    import torch

    return {name for name in dir(torch.Tensor) if name.startswith("_") and not name.startswith("__")}


@dataclass
class Violation:
    cell: str
    line: int
    construct: str

    def message(self, name, rule):
        return (f"{name} {MUST[rule]}, and the grader reads such code with an allow-list: {self.construct} "
                f"({self.cell}, line {self.line}) is not on it. The rule: {RULES[rule]}.")


def _dunder(name):
    return name.startswith("__") and name.endswith("__")


class _Reader:
    """One program read against one rule."""

    def __init__(self, program, rule):
        self.rule, self.program = rule, program
        self.violations = []
        self.defined = set()
        self.owned = set()          # attribute names the learner's code stores or defines in a class
        self.aliases = {}           # name -> dotted path of the module or library object it was imported as
        for statement in program.statements:
            for node in ast.walk(statement.node):
                self._collect(node)
        self.tensor_private = _tensor_private() if rule == TENSORS else set()

    def _collect(self, node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.defined.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.defined.add(node.name)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        self.owned.add(item.name)
                    for target in getattr(item, "targets", [getattr(item, "target", None)]):
                        if isinstance(target, ast.Name):
                            self.owned.add(target.id)
        elif isinstance(node, ast.arg):
            self.defined.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.defined.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            self.defined.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            self.defined.update(node.names)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            self.owned.add(node.attr)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                self.defined.add(name)
                self.aliases[name] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    self.defined.add(alias.asname or alias.name)
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    # ---- what a dotted name resolves to ----

    def _module_attribute(self, path, attr):
        """For `path.attr` with `path` an allowed module: ("module", path.attr), ("library", ...) or a refusal."""
        dotted = f"{path}.{attr}"
        if attr.startswith("_"):
            return None, f"the private name {dotted}"
        if attr in DENIED_MODULE_NAMES or "backward" in attr:
            return None, dotted
        try:
            value = getattr(importlib.import_module(path), attr)
        except (ImportError, AttributeError):
            try:
                value = importlib.import_module(dotted) if path.split(".")[0] in ("torch", "numpy") else None
            except ImportError:
                value = None
        if inspect.ismodule(value):
            if dotted in MODULES[self.rule]:
                return ("module", dotted), None
            return None, f"the module {dotted}"
        return ("library", dotted), None

    def _object_attribute(self, attr, store):
        if attr in FRAME_ATTRIBUTES:
            return f"frame inspection (.{attr})"
        if _dunder(attr):
            return None if attr in SAFE_DUNDERS else f"the dunder attribute .{attr}"
        if self.rule == PYTHON:
            return None
        if attr in AUTOGRAD_ATTRIBUTES or ("backward" in attr and attr != "save_for_backward") or "hook" in attr \
                or (attr == "requires_grad" and store):
            return f"autograd (.{attr})"
        if attr.startswith("_") and (attr in self.tensor_private or attr not in self.owned):
            return f"the private attribute .{attr}"
        return None

    def _chain(self, node):
        """(base node, [attrs]) of an attribute chain a.b.c, and the Attribute nodes inside it."""
        attrs, inner = [], []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            inner.append(node)
            node = node.value
        return node, attrs[::-1], inner

    def _read_attribute(self, node, seen, cell):
        base, attrs, inner = self._chain(node)
        seen.update(id(n) for n in inner)
        store = isinstance(node.ctx, (ast.Store, ast.Del))
        origin = None
        if isinstance(base, ast.Name) and base.id in self.aliases:
            origin = self._import_origin(self.aliases[base.id], node, cell)
            if origin is False:
                return
        for position, attr in enumerate(attrs):
            if origin and origin[0] == "module":
                dotted = f"{origin[1]}.{attr}"
                if any(dotted == name or name.startswith(dotted + ".") for name in LIBRARY_NAMES[self.rule]):
                    origin = ("library", dotted) if dotted in LIBRARY_NAMES[self.rule] else ("module", dotted)
                    continue
                if origin[1] not in MODULES[self.rule]:  # passed through only on the way to a library name
                    return self._refuse(cell, node, dotted)
                origin, refused = self._module_attribute(origin[1], attr)
                if refused:
                    return self._refuse(cell, node, refused)
                continue
            refused = self._object_attribute(attr, store and position == len(attrs) - 1)
            if refused:
                return self._refuse(cell, node, refused)
            origin = ("object", None) if origin is None or position < len(attrs) - 1 else origin
        if origin and origin[0] == "module" and origin[1] not in MODULES[self.rule]:
            return self._refuse(cell, node, f"the module {origin[1]}")
        if store and origin and origin[0] in ("module", "library"):
            self._refuse(cell, node, f"changing {'.'.join([self.aliases.get(getattr(base, 'id', ''), '?'), *attrs])}"
                                     " (patching a library)")
        if self.rule == WRITTEN and not (origin and origin[0] == "library" and self._is_dtype(origin[1])):
            self._refuse(cell, node, f"{ast.unparse(node)} (only torch dtypes such as torch.float32 are names a "
                                     "prediction may use)")

    @staticmethod
    def _is_dtype(dotted):
        import torch

        parts = dotted.split(".")
        return parts[0] == "torch" and len(parts) == 2 and isinstance(getattr(torch, parts[1], None), torch.dtype)

    def _import_origin(self, dotted, node, cell):
        """What an imported name stands for: ("module", path), ("library", path), or False when refused."""
        if dotted in LIBRARY_NAMES[self.rule]:
            return ("library", dotted)
        top = dotted.split(".")[0]
        if top not in {m.split(".")[0] for m in MODULES[self.rule]}:
            return False  # the import itself is refused where it is read
        if dotted in MODULES[self.rule]:
            return ("module", dotted)
        parent, _, attr = dotted.rpartition(".")
        if parent not in MODULES[self.rule]:
            return False
        origin, refused = self._module_attribute(parent, attr)
        return False if refused else origin

    # ---- the walk ----

    def _refuse(self, cell, node, construct):
        self.violations.append(Violation(cell, getattr(node, "lineno", 0), construct))

    def _read_import(self, node, cell):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                return self._refuse(cell, node, "a relative import")
            if node.module == "__future__":
                return
            names = [f"{node.module}.{a.name}" for a in node.names]
            if any(a.name == "*" for a in node.names):
                return self._refuse(cell, node, f"from {node.module} import * (name what you import)")
        else:
            names = [a.name for a in node.names]
        for dotted in names:
            top = dotted.split(".")[0]
            if top == "course":
                return self._refuse(cell, node, f"importing {dotted} (the course's own code)")
            if self._import_origin(dotted, node, cell) is False:
                return self._refuse(cell, node, f"importing {dotted}")

    def read(self):
        for statement in self.program.statements:
            cell = statement.cell.label
            if self.rule == WRITTEN and not isinstance(statement.node, (ast.Assign, ast.AnnAssign, ast.Import,
                                                                        ast.ImportFrom)):
                self._refuse(cell, statement.node, f"a {type(statement.node).__name__} statement")
                continue
            seen = set()
            for node in ast.walk(statement.node):
                if id(node) in seen:
                    continue
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    self._read_import(node, cell)
                elif isinstance(node, ast.Attribute):
                    self._read_attribute(node, seen, cell)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    self._read_name(node, cell)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in HOOK_DEFINITIONS:
                    self._refuse(cell, node, f"defining {node.name}")
                elif self.rule == WRITTEN and not isinstance(node, (
                        ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom, ast.alias, ast.Dict, ast.Tuple,
                        ast.List, ast.Set, ast.Constant, ast.UnaryOp, ast.USub, ast.UAdd, ast.Subscript,
                        ast.Load, ast.Store, ast.Name)):
                    self._refuse(cell, node, f"{ast.unparse(node)[:60]} (computed)")
                    seen.update(id(n) for n in ast.walk(node))
        return self.violations

    def _read_name(self, node, cell):
        name = node.id
        if name in DENIED_BUILTINS and name not in ALLOWED_BUILTINS[self.rule]:
            return self._refuse(cell, node, f"{name}()" if name in dir(builtins) else name)
        if name == "get_ipython":
            return self._refuse(cell, node, "an IPython magic or get_ipython()")
        if _dunder(name) and name != "__name__":
            return self._refuse(cell, node, f"the name {name}")
        if name in self.defined or name in ALLOWED_BUILTINS[self.rule]:
            return None
        return self._refuse(cell, node, f"the name {name}, which neither your code nor Python's allowed "
                                        "built-ins define")


def read(program, rule):
    """The [Violation] of `program` against `rule` (TENSORS, PYTHON or WRITTEN), in reading order."""
    return _Reader(program, rule).read()
