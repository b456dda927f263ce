"""The course's misconceptions, as data: which one a failed check's diagnosis shows, and where to reread it.

The catalogue is `misconceptions.toml` beside this module. Each entry has a
stable id (kebab-case), a name a learner recognises, two or three sentences
that explain it, the notebook section that teaches it (an assignment id and
the exact text of a markdown heading of source/<id>/<id>.ipynb) and `shows`:
the diagnoses that exhibit it, as regular expressions searched in the
diagnosis text. A pattern is a string (any test cell) or a table
``{pattern = "...", cells = ["<grade_id>", ...]}`` that holds only in those
test cells, where the exercise makes the cause likely.

Every message is true: a pattern matches only diagnoses that name that cause.
A diagnosis that cannot tell the cause ("3 of 6 elements differ") matches no
entry, and its verdict carries no misconception. `Exercise.judge` looks every
failure up here (`shown_by`) and ends its message with `reread_lines`.
"""
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
import re
import tomllib

CATALOGUE = Path(__file__).with_name("misconceptions.toml")
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    cells: tuple = ()          # test cells (grade_ids) where it holds; () for any

    def matches(self, diagnosis, grade_id=None):
        return (not self.cells or grade_id in self.cells) and bool(self.regex.search(diagnosis))


@dataclass(frozen=True)
class Misconception:
    id: str
    name: str
    explanation: str
    assignment: str            # the assignment whose notebook teaches it
    section: str               # the exact text of that section's markdown heading, without the #s
    shows: tuple               # (Pattern, ...)

    def shown_in(self, diagnosis, grade_id=None):
        return any(pattern.matches(diagnosis, grade_id) for pattern in self.shows)

    @property
    def reread(self):
        return f"{self.assignment}, section '{self.section}'"

    @property
    def line(self):
        """What ends a failed check that shows it."""
        return f"Misconception: {self.name}; reread {self.reread}"


def _pattern(entry_id, raw):
    if isinstance(raw, str):
        raw = {"pattern": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("pattern"), str) or set(raw) - {"pattern", "cells"}:
        raise ValueError(f"misconception {entry_id!r}: a pattern is a string or {{pattern, cells}}, not {raw!r}")
    return Pattern(re.compile(raw["pattern"]), tuple(raw.get("cells", ())))


def parse(text):
    """{id: Misconception} of a catalogue's TOML `text`, in its order; a ValueError names what is wrong."""
    entries = tomllib.loads(text).get("misconception", [])
    catalogue = {}
    for entry in entries:
        missing = {"id", "name", "explanation", "assignment", "section", "shows"} - set(entry)
        if missing:
            raise ValueError(f"misconception {entry.get('id', entry)!r} lacks {sorted(missing)}")
        if not ID.match(entry["id"]):
            raise ValueError(f"misconception id {entry['id']!r} is not kebab-case")
        if entry["id"] in catalogue:
            raise ValueError(f"misconception id {entry['id']!r} is given twice")
        catalogue[entry["id"]] = Misconception(
            entry["id"], entry["name"].strip(), " ".join(entry["explanation"].split()), entry["assignment"],
            entry["section"], tuple(_pattern(entry["id"], raw) for raw in entry["shows"]))
    return catalogue


@lru_cache(maxsize=1)
def catalogue():
    """{id: Misconception} of the course's catalogue, in teaching order."""
    return parse(CATALOGUE.read_text(encoding="utf-8"))


def shown_by(diagnosis, grade_id=None):
    """The ids of the misconceptions `diagnosis` (of test cell `grade_id`) shows, in catalogue order."""
    if not isinstance(diagnosis, str) or not diagnosis:
        return ()
    return tuple(entry.id for entry in catalogue().values() if entry.shown_in(diagnosis, grade_id))


def reread_lines(ids):
    """The lines that end a failed check showing misconceptions `ids`: name and where to reread, one each."""
    known = catalogue()
    return "".join(f"\n{known[i].line}" for i in ids if i in known)
