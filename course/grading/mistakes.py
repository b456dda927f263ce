"""Typical learner mistakes, kept as data: each replaces one solution cell of an assignment.

Each assignment has a catalog `mistakes/<assignment id>.py` that defines
``MISTAKES = [Mistake(...), ...]``. The example class and the tests grade
submissions made by applying them, and check that each loses exactly the
points it should, with feedback that names the mistake.

Each mistake also declares the misconception its diagnosis shows: the id of
an entry of course/checks/core/misconceptions.toml (`misconception="vjp-not-grad"`),
or None with the reason its diagnosis cannot name one
(`misconception=None, why_none="..."`). The tests grade it and check that
judge.json records that id and the feedback its name.
"""
from dataclasses import dataclass, field
import copy
import runpy
from pathlib import Path

import nbformat


UNDECLARED = "(undeclared)"


@dataclass(frozen=True)
class Mistake:
    """A wrong solution for one cell and what grading must make of it."""

    name: str                      # short id, e.g. "rand_instead_of_randn"
    cell: str                      # grade_id of the solution cell it changes
    loses: tuple                   # grade_ids of the test cells that must score 0
    feedback: tuple = field(default=())  # phrases the feedback of those cells must show
    code: str = ""                 # the wrong solution as the whole new cell source, or
    replace: tuple = ()            # (old, new) edits of the solution cell, each old found once
    misconception: object = UNDECLARED  # the id of the misconception it shows, or None (then say why_none)
    why_none: str = ""             # why its diagnosis names no misconception

    def __post_init__(self):
        for name in ("loses", "feedback"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
        if bool(self.code) == bool(self.replace):
            raise ValueError(f"mistake {self.name!r}: give either code or replace")
        if self.replace and isinstance(self.replace[0], str):
            object.__setattr__(self, "replace", (tuple(self.replace),))

    def applied_to(self, source):
        """The wrong cell source this mistake makes of the solution cell's `source`."""
        if self.code:
            return self.code.strip("\n")
        for old, new in self.replace:
            if source.count(old) != 1:
                raise ValueError(f"mistake {self.name!r}: {old!r} occurs {source.count(old)} times "
                                 f"in cell {self.cell!r}, not once (did the solution change?)")
            source = source.replace(old, new)
        return source


def declaration_problem(mistake, known_ids):
    """Why `mistake`'s misconception is not declared properly (an id of `known_ids`, or None with a reason), or ""."""
    if mistake.misconception is None:
        return "" if mistake.why_none.strip() else f"mistake {mistake.name!r}: misconception=None needs why_none"
    if mistake.misconception == UNDECLARED:
        return f"mistake {mistake.name!r} declares no misconception (an id, or None with why_none)"
    if mistake.misconception not in known_ids:
        return f"mistake {mistake.name!r}: {mistake.misconception!r} is not an id of the catalogue"
    if mistake.why_none:
        return f"mistake {mistake.name!r}: why_none goes with misconception=None only"
    return ""


def catalog_path(root, assignment_id):
    return Path(root) / "mistakes" / f"{assignment_id}.py"


def load_mistakes(root, assignment_id):
    """The mistakes of an assignment ([] if it has no catalog)."""
    path = catalog_path(root, assignment_id)
    if not path.exists():
        return []
    return list(runpy.run_path(str(path))["MISTAKES"])


def apply_mistakes(nb, mistakes):
    """A copy of notebook `nb` with each mistake's cell replaced by its wrong code."""
    nb = copy.deepcopy(nb)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for mistake in mistakes:
        if mistake.cell not in cells:
            raise KeyError(f"mistake {mistake.name!r}: no cell with grade_id {mistake.cell!r}")
        cells[mistake.cell].source = mistake.applied_to(cells[mistake.cell].source)
    return nb


def group_disjoint(mistakes):
    """Group mistakes so that within a group no two touch the same cells.

    Each group can be graded as one submission: its expected losses are the
    union of its members', and a loss nobody declared still shows up.
    """
    groups = []
    for mistake in mistakes:
        touched = {mistake.cell, *mistake.loses}
        for group in groups:
            if not touched & group["touched"]:
                group["mistakes"].append(mistake)
                group["touched"] |= touched
                break
        else:
            groups.append({"mistakes": [mistake], "touched": touched})
    return [group["mistakes"] for group in groups]


def read_notebook(path):
    return nbformat.read(str(path), as_version=4)
