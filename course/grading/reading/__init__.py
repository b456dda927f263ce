"""The grader reads the learner's code, never runs it.

`Reading(nb)` is what the grader knows of one notebook by reading: its
cells (`cells`), the signs of tampering for the instructor (`integrity`),
and, for each exercise, its program, the learner's statements the checked
name depends on (`slicing`, with Python's scoping rules in `scopes`), read
against the allow-list of the exercise's rule (`allowlist`).
"""
from functools import cached_property

from . import allowlist, integrity, slicing
from .cells import learner_cells


class Reading:
    """One notebook as the grader reads it."""

    def __init__(self, nb):
        self.cells = learner_cells(nb)
        self._programs = {}

    @cached_property
    def signs(self):
        """The signs of tampering in the notebook, for the integrity record (read when asked for)."""
        return integrity.tamper_signs(self.cells)

    def program(self, name, rule=""):
        """(Program, [Violation]) of `name`; the violations of `rule`'s allow-list ([] without a rule)."""
        key = (name, rule)
        if key not in self._programs:
            program = slicing.program(self.cells, name)
            self._programs[key] = (program, allowlist.read(program, rule) if rule else [])
        return self._programs[key]

    def refusal(self, name, rule):
        """The message that refuses `name`'s code under `rule`, or "" when it passes (or has no rule)."""
        violations = self.program(name, rule)[1]
        return violations[0].message(name, rule) if violations else ""

    def findings(self, name, rule, limit=5):
        """The first violations of `name` as integrity findings, for the instructor's record."""
        return [integrity.Finding(v.cell, v.line, f"{name}: {v.construct}, which by-hand code may not use")
                for v in self.program(name, rule)[1][:limit]]
