"""Which misconceptions a class, or one learner, shows: counted from the grader's records.

Every failed verdict in judge.json carries the ids of the misconceptions its
diagnosis shows (course.checks.core.misconceptions). `class_showings` reads
them for a graded class; `check_showings` reads them from the records
`course check --record` keeps beside a self-learner's notebooks
(course.grading.selfcheck.CHECK_RECORD). From either:

- the heat map: for each misconception and assignment, the share of the
  graded students who showed it;
- the misconceptions that persist: shown by a student in an assignment and
  again in a later one (assignments in teaching order);
- a profile per student, and `student_page`, one student's study plan: what
  they showed, where, and the sections to reread.
"""
from dataclasses import dataclass, field
from datetime import datetime
import html
import json
from pathlib import Path

from course.checks.core.misconceptions import catalogue
from .page import png, pyplot, table


@dataclass(frozen=True)
class Showing:
    """A misconception one student showed in one assignment."""

    student: str
    assignment: str
    misconception: str     # its id
    cells: tuple           # the test cells whose verdict showed it
    current: bool = True   # False: shown in an earlier `course check` run only, not in the latest


@dataclass
class Showings:
    assignments: list                                  # in teaching order
    graded: dict = field(default_factory=dict)         # assignment -> [students with a graded submission]
    found: list = field(default_factory=list)          # [Showing]
    source: str = ""                                   # what they were read from, for the page

    def ids(self):
        """The ids shown by anyone, in catalogue order."""
        seen = {s.misconception for s in self.found}
        return [i for i in catalogue() if i in seen] + sorted(seen - set(catalogue()))

    def students(self, misconception, assignment):
        return sorted({s.student for s in self.found
                       if s.misconception == misconception and s.assignment == assignment and s.current})

    def share(self, misconception, assignment):
        """The share of `assignment`'s graded students who showed `misconception` (None: nobody graded)."""
        graded = self.graded.get(assignment) or []
        return len(self.students(misconception, assignment)) / len(graded) if graded else None

    def where(self, student, misconception):
        """[Showing] of one student and misconception, in teaching order."""
        order = {a: i for i, a in enumerate(self.assignments)}
        return sorted((s for s in self.found if s.student == student and s.misconception == misconception),
                      key=lambda s: (order.get(s.assignment, len(order)), s.assignment))

    def persistent(self):
        """[(misconception, student, [assignments])]: shown in an assignment and again in a later one."""
        out = []
        for misconception in self.ids():
            for student in sorted({s.student for s in self.found if s.misconception == misconception}):
                assignments = list(dict.fromkeys(s.assignment for s in self.where(student, misconception)))
                if len(assignments) >= 2:
                    out.append((misconception, student, assignments))
        return out

    def profile(self, student):
        """[(misconception, [Showing])] of one student: those shown in most assignments first, then in
        catalogue order."""
        ids = [i for i in self.ids() if any(s.student == student and s.misconception == i for s in self.found)]
        rank = {i: n for n, i in enumerate(ids)}
        found = [(i, self.where(student, i)) for i in ids]
        return sorted(found, key=lambda entry: (-len({s.assignment for s in entry[1]}),
                                                 not any(s.current for s in entry[1]), rank[entry[0]]))


def _showings_of(verdicts, student, assignment, current=True):
    cells = {}
    for grade_id, entries in (verdicts or {}).items():
        for verdict in entries if isinstance(entries, list) else []:
            if isinstance(verdict, dict) and not verdict.get("passed"):
                for misconception in verdict.get("misconceptions") or []:
                    cells.setdefault(misconception, []).append(grade_id)
    return [Showing(student, assignment, m, tuple(dict.fromkeys(c)), current) for m, c in cells.items()]


def class_showings(root, assignment_ids, graded, record_name="judge.json"):
    """Showings of a graded class: the judge.json of every graded submission (`graded`: {assignment: [students]})."""
    result = Showings(list(assignment_ids), {a: list(graded.get(a, [])) for a in assignment_ids},
                      source="the grader's records of the graded submissions")
    for assignment in assignment_ids:
        for student in graded.get(assignment, []):
            try:
                record = json.loads((Path(root) / "autograded" / student / assignment / record_name).read_text())
            except (OSError, ValueError):
                continue
            result.found += _showings_of(record.get("verdicts"), student, assignment)
    return result


def read_check_records(folder):
    """{assignment: record} of the `course check --record` files under `folder` (the newest per assignment)."""
    from .selfcheck import CHECK_RECORD

    records = {}
    for path in sorted(Path(folder).rglob(CHECK_RECORD)):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        runs = record.get("runs") if isinstance(record, dict) else None
        if not isinstance(runs, list) or not runs:
            continue
        assignment = str(record.get("assignment") or path.parent.name)
        if assignment not in records or runs[-1].get("time", "") > records[assignment]["runs"][-1].get("time", ""):
            records[assignment] = record
    return records


def check_showings(folder, student="you"):
    """Showings of one self-learner from `course check --record` records under `folder`: the latest run
    of each notebook, and what earlier runs showed that the latest no longer does (current=False)."""
    records = read_check_records(folder)
    assignments = sorted(records)
    result = Showings(assignments, {a: [student] for a in assignments},
                      source=f"the records of course check --record under {folder}")
    for assignment in assignments:
        runs = records[assignment]["runs"]
        latest = _showings_of(runs[-1].get("verdicts"), student, assignment)
        result.found += latest
        now = {s.misconception for s in latest}
        earlier = {}
        for run in runs[:-1]:
            for showing in _showings_of(run.get("verdicts"), student, assignment, current=False):
                if showing.misconception not in now:
                    earlier[showing.misconception] = showing
        result.found += list(earlier.values())
    return result


# ---- pictures -----------------------------------------------------------------

def heat_map(showings):
    """The heat map of misconception x assignment (share of the graded students), as base64 PNG; None if
    nobody showed any."""

    ids = showings.ids()
    if not ids:
        return None
    plt = pyplot()
    columns = showings.assignments
    figure, axes = plt.subplots(figsize=(2.0 + 1.3 * len(columns), 0.9 + 0.36 * len(ids)))
    shares = [[showings.share(i, a) or 0.0 for a in columns] for i in ids]
    image = axes.imshow(shares, cmap="Reds", vmin=0.0, vmax=1.0, aspect="auto")
    figure.colorbar(image, ax=axes, fraction=0.05, pad=0.03, label="share of the graded students")
    axes.set_xticks(range(len(columns)), labels=columns, rotation=30, ha="right")
    axes.set_yticks(range(len(ids)), labels=ids)
    for row, misconception in enumerate(ids):
        for column, assignment in enumerate(columns):
            count, graded = len(showings.students(misconception, assignment)), len(showings.graded.get(assignment) or [])
            if count:
                axes.text(column, row, f"{count}/{graded}", ha="center", va="center", fontsize=8,
                          color="white" if shares[row][column] > 0.5 else "black")
    axes.set_title("Misconceptions: share of the graded students who showed each")
    data = png(figure)
    plt.close(figure)
    return data


# ---- HTML -------------------------------------------------------------------------

def _where(found):
    parts = []
    for showing in found:
        cells = ", ".join(showing.cells)
        parts.append(f"{showing.assignment} ({cells})" + ("" if showing.current else ", earlier check only"))
    return "; ".join(parts)


def class_section(showings):
    """The class report's section on misconceptions: heat map, what persists, a profile per student."""
    known = catalogue()
    parts = ["<section id='misconceptions'><h2>Misconceptions</h2>",
             "<p class='note'>Each failed check whose diagnosis names a cause is tagged with the misconception it "
             "shows (course/checks/core/misconceptions.toml); a diagnosis that cannot tell the cause counts for "
             "none. Share: of the students with a graded submission.</p>"]
    picture = heat_map(showings)
    if picture is None:
        parts.append("<p>No graded submission showed a misconception of the catalogue.</p></section>")
        return "".join(parts)
    parts.append(f"<div class='plots'><img id='misconception-heat-map' alt='heat map of misconceptions by "
                 f"assignment' src='data:image/png;base64,{picture}'></div>")
    rows = []
    for misconception in showings.ids():
        entry = known.get(misconception)
        counts = [f"{a}: {len(showings.students(misconception, a))}/{len(showings.graded.get(a) or [])}"
                  for a in showings.assignments if showings.students(misconception, a)]
        rows.append([misconception, entry.name if entry else "(not in the catalogue)", "; ".join(counts),
                     entry.reread if entry else "-"])
    parts.append(table(["id", "misconception", "shown by", "reread"], rows))
    persistent = showings.persistent()
    parts.append("<h3>Misconceptions that persist</h3><p class='note'>Shown by a student in one assignment and "
                 "again in a later one.</p>")
    parts.append(table(["misconception", "student", "shown in"],
                        [[known[m].name if m in known else m, student, " → ".join(assignments)]
                         for m, student, assignments in persistent]) if persistent
                 else "<p>None: no student showed the same misconception in two assignments.</p>")
    parts.append("<h3>Per student</h3><p class='note'><code>course report --student ID</code> writes one student's page, "
                 "a study plan.</p>")
    students = sorted({s.student for s in showings.found})
    rows = []
    for student in students:
        for misconception, found in showings.profile(student):
            entry = known.get(misconception)
            rows.append([student, entry.name if entry else misconception, _where(found),
                         entry.reread if entry else "-"])
    parts.append(table(["student", "misconception", "shown in (test cells)", "reread"], rows))
    parts.append("</section>")
    return "".join(parts)


STYLE = """body{font-family:sans-serif;max-width:50em;margin:2em auto;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
th{background:#f3f3f3}section{border-top:2px solid #4c72b0;margin-top:1.5em}.note{color:#555}
.reread{background:#f6f8fc;border-left:4px solid #4c72b0;padding:.3em .8em}"""


def student_page(showings, student, scores=None, title_source=""):
    """One student's study plan as an HTML page: the misconceptions they showed, where, and what to reread.
    `scores` {assignment: text} adds a line per assignment."""
    known = catalogue()
    name = html.escape(student)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Study plan: {name}</title>"
             f"<style>{STYLE}</style></head><body><h1>Study plan: {name}</h1>",
             f"<p class='note'>From {html.escape(title_source or showings.source)}; written "
             f"{datetime.now().strftime('%Y-%m-%d %H:%M')}. Each misconception below was named by a check's "
             "diagnosis; the section named under it is where the course teaches it.</p>"]
    profile = showings.profile(student)
    rows = []
    for assignment in showings.assignments:
        shown = [known[m].name if m in known else m for m, found in profile
                 if any(s.assignment == assignment and s.current for s in found)]
        row = [assignment] + ([scores.get(assignment, "-")] if scores is not None else [])
        rows.append(row + ["; ".join(shown) or "none"])
    header = ["assignment"] + (["score"] if scores is not None else []) + ["misconceptions shown"]
    parts.append(table(header, rows))
    if not profile:
        parts.append("<p>No misconception of the course's catalogue was shown: nothing to reread.</p>")
    for misconception, found in profile:
        entry = known.get(misconception)
        if entry is None:
            continue
        assignments = list(dict.fromkeys(s.assignment for s in found))
        status = []
        if len(assignments) >= 2:
            status.append(f"shown in {len(assignments)} assignments: it persists")
        if not any(s.current for s in found):
            status.append("not shown in your last check any more")
        parts.append(f"<section id='{html.escape(misconception)}'><h2>{html.escape(entry.name)}</h2>"
                     f"<p>{html.escape(entry.explanation)}</p>"
                     f"<p><b>Shown in:</b> {html.escape(_where(found))}"
                     + (f" ({html.escape('; '.join(status))})" if status else "") + "</p>"
                     f"<p class='reread'><b>Reread:</b> {html.escape(entry.reread)}</p></section>")
    parts.append("</body></html>")
    return "".join(parts)
