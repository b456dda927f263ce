"""Item analysis from the gradebook: which test cells measure what the assignment measures.

For every autograded test cell ("item") of an assignment, over the students
with a graded submission (a grading failure is left out):

- difficulty: the share of students with full points on it;
- discrimination: the corrected point-biserial, the Pearson correlation of
  the cell's points with the student's points on the rest of the
  assignment's autograded cells (the cell itself left out, so that it does
  not correlate with itself). With all-or-nothing cells this is the
  point-biserial of passing the cell. Undefined (None, shown "undefined")
  when the cell or the rest does not vary: a cell every student passes, or
  every student fails, tells nothing about who is stronger;
- a flag, "check this item", when the discrimination is below
  LOW_DISCRIMINATION (0.2, the usual rule of thumb) or negative: the cell
  is passed about as often, or more often, by the students who do worse on
  the rest, so it may test something else (a typo in its checks, an
  unclear task, a trap).

Per assignment, Cronbach's alpha of the cells' points (KR-20 when every cell
is worth the same and scored all or nothing): how consistently the cells
rank the students; undefined with fewer than two cells or no spread in the
totals. Written answers graded by hand are not items here.

Variances are population variances; the ratios used do not depend on that choice.
"""
from dataclasses import dataclass, field
import csv
import math

from nbgrader.api import MissingEntry

LOW_DISCRIMINATION = 0.2
UNDEFINED = "undefined"
CSV_FILE = "item_analysis.csv"
CSV_COLUMNS = ["assignment", "test_cell", "points", "students", "full_points", "difficulty",
               "discrimination", "flag", "note", "assignment_alpha", "assignment_cells"]


@dataclass
class Item:
    assignment: str
    grade_id: str
    points: float
    scores: list                  # one per student, in the order of AssignmentItems.students
    discrimination: object = None  # float, or None: undefined
    undefined_why: str = ""        # why the discrimination is undefined

    @property
    def students(self):
        return len(self.scores)

    @property
    def full(self):
        return sum(score >= self.points for score in self.scores)

    @property
    def difficulty(self):
        """The share of students with full points (None without students)."""
        return self.full / self.students if self.students else None

    @property
    def flag(self):
        if self.discrimination is None:
            return ""
        if self.discrimination < 0:
            return "check this item: negative discrimination"
        if self.discrimination < LOW_DISCRIMINATION:
            return "check this item: low discrimination"
        return ""


@dataclass
class AssignmentItems:
    assignment: str
    students: list = field(default_factory=list)
    items: list = field(default_factory=list)     # [Item], in the notebook's order
    alpha: object = None                          # float, or None: undefined


def _variance(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def correlation(xs, ys):
    """Pearson's r of two equally long lists, or None where it is undefined (no spread in one of them)."""
    if len(xs) != len(ys) or not xs:
        return None
    vx, vy = _variance(xs), _variance(ys)
    if vx <= 1e-12 or vy <= 1e-12:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / len(xs)
    return max(-1.0, min(1.0, covariance / math.sqrt(vx * vy)))


def cronbach_alpha(columns):
    """Cronbach's alpha of item score lists `columns` (one list per item, one entry per student), or None."""
    if len(columns) < 2 or not columns[0]:
        return None
    totals = [sum(scores) for scores in zip(*columns)]
    total_variance = _variance(totals)
    if total_variance <= 1e-12:
        return None
    k = len(columns)
    return k / (k - 1) * (1 - sum(_variance(c) for c in columns) / total_variance)


def analyse(assignment_id, cells, scores):
    """AssignmentItems from `cells` [(grade_id, points)] and `scores` {student: {grade_id: points earned}}."""
    students = sorted(scores)
    result = AssignmentItems(assignment_id, students)
    columns = {grade_id: [float(scores[s].get(grade_id) or 0.0) for s in students] for grade_id, _ in cells}
    for grade_id, points in cells:
        rest = [sum(columns[other][i] for other, _ in cells if other != grade_id) for i in range(len(students))]
        item = Item(assignment_id, grade_id, float(points), columns[grade_id], correlation(columns[grade_id], rest))
        if item.discrimination is None and students:
            item.undefined_why = ("every student has full points" if item.full == len(students) else
                                  "every student has the same points" if len(set(item.scores)) == 1 else
                                  "the rest of the assignment does not vary")
        result.items.append(item)
    result.alpha = cronbach_alpha([columns[grade_id] for grade_id, _ in cells])
    return result


def from_gradebook(gb, assignment_id, leave_out=()):
    """AssignmentItems of one assignment from an open nbgrader Gradebook (students in `leave_out` are not counted)."""
    assignment = gb.find_assignment(assignment_id)
    cells = [(cell.name, cell.max_score) for notebook in assignment.notebooks for cell in notebook.grade_cells
             if cell.cell_type == "code" and cell.max_score]
    scores = {}
    for student in sorted(s.id for s in gb.students):
        if student in leave_out:
            continue
        try:
            submission = gb.find_submission(assignment_id, student)
        except MissingEntry:
            continue
        scores[student] = {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                           if grade.cell_type == "code"}
    return analyse(assignment_id, cells, scores)


def item_analysis(root, assignment_ids):
    """[AssignmentItems] of course `root`, from its gradebook; submissions whose grading failed are left out."""
    from .course import Course

    course = Course.of(root)
    failures = course.grading_failures()
    with course.gradebook() as gb:
        known = {a.name for a in gb.assignments}   # one never graded is not in the gradebook yet
        return [from_gradebook(gb, a, {s for (f, s) in failures if f == a}) for a in assignment_ids if a in known]


def shown(value, digits=2):
    """A statistic as the report shows it: rounded, or "undefined"."""
    return UNDEFINED if value is None else f"{value:.{digits}f}"


def rows(analyses):
    """The CSV's rows (dicts of CSV_COLUMNS), a row per test cell."""
    out = []
    for analysis in analyses:
        for item in analysis.items:
            out.append({"assignment": analysis.assignment, "test_cell": item.grade_id, "points": f"{item.points:g}",
                        "students": item.students, "full_points": item.full,
                        "difficulty": shown(item.difficulty, 3), "discrimination": shown(item.discrimination, 3),
                        "flag": item.flag, "note": item.undefined_why, "assignment_alpha": shown(analysis.alpha, 3),
                        "assignment_cells": len(analysis.items)})
    return out


def write_csv(analyses, path):
    """Write the item statistics of `analyses` as CSV to `path`; returns the path."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows(analyses))
    return path
