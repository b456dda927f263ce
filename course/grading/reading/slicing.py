"""The program an exercise is judged on: only the learner's statements its name depends on, found by reading.

Starting from the name a test cell checks (a function, a class, a dict),
the slice takes every module-level statement of the notebook that binds a
name it needs or changes the object bound to one (`Value.__radd__ = ...`,
`@add_to_class(Value)`, `cache.update(...)`), then everything those
statements read, until nothing new is needed. Statements are kept whole and
in notebook order, later ones included (09 attaches `Value`'s methods in
cells after the class). Nothing else of the notebook runs where the exercise
is judged: a demonstration that plots, a tracer installed in a cell of its
own, a cell that does not parse.

The trial process (course.kernel.trials) receives each cell's transformed
source with the positions of its statements to run, and parses it itself,
so what runs is exactly what was read here.
"""
import ast
from dataclasses import dataclass, field
from functools import lru_cache

from . import scopes


@dataclass(frozen=True)
class Statement:
    cell: object      # its LearnerCell
    index: int        # its position in the cell's module body
    node: ast.stmt


@dataclass
class Program:
    name: str                                   # what the exercise checks
    statements: list = field(default_factory=list)   # [Statement], in notebook order

    def message(self):
        """The cells to run as plain data: [{"label", "source", "statements": [positions]}], in order."""
        cells = []
        for statement in self.statements:
            if not cells or cells[-1]["label"] != statement.cell.label:
                cells.append({"label": statement.cell.label, "source": statement.cell.source, "statements": []})
            cells[-1]["statements"].append(statement.index)
        return cells


@dataclass(frozen=True)
class _Facts:
    statement: Statement
    bound: frozenset
    stored: frozenset     # names whose object it changes by assignment (x.a = ..., x[k] = ...)
    used: frozenset       # names whose object a statement-level call may change (x.m(...), f(x), @d(x))
    free: frozenset


def _facts(cells):
    return [_Facts(Statement(cell, index, node), *_statement_facts(node))
            for cell in cells if cell.module is not None for index, node in enumerate(cell.module.body)]


@lru_cache(maxsize=65536)
def _statement_facts(node):
    """(bound, stored, used, free) of one statement; cached, since cells read alike share their trees."""
    stored = set()
    for part in ast.walk(node):
        if isinstance(part, (ast.Attribute, ast.Subscript)) and isinstance(part.ctx, (ast.Store, ast.Del)):
            root = scopes.object_root(part.value)
            if root:
                stored.add(root)
    return (frozenset(scopes.bound(node)), frozenset(stored), frozenset(scopes.changed(node) - stored),
            frozenset(scopes.free(node)))


def _imported(facts):
    """Names bound only by imports: a method call on a module (torch.manual_seed(0)) does not change it."""
    imports, others = set(), set()
    for fact in facts:
        node = fact.statement.node
        (imports if isinstance(node, (ast.Import, ast.ImportFrom)) else others).update(fact.bound)
    return imports - others


def program(cells, name):
    """The Program of `name` in the LearnerCells `cells`."""
    facts = _facts(cells)
    modules = _imported(facts)
    needed, included = {name}, set()
    grew = True
    while grew:
        grew = False
        for position, fact in enumerate(facts):
            if position in included:
                continue
            if fact.bound & needed or fact.stored & needed or (fact.used - modules) & needed:
                included.add(position)
                needed |= fact.free
                grew = True
    return Program(name, [facts[p].statement for p in sorted(included)])
