"""Where the class struggles: the report of a graded course, as plain data and as one offline HTML page.

`class_summary` reads the gradebook (scores, late penalties, what still
needs grading by hand), the grader's record beside each graded notebook
(diagnoses, integrity findings), the grading failures and the collection
reports. `write_report` renders it with the misconceptions the class showed
(course.grading.misconception_report: heat map, what persists, a profile per
student) and the item analysis of every test cell (course.grading.items):
plots as embedded PNGs, no script, no network, so the page opens anywhere.
`write_student_page` writes one student's study plan.
"""
from collections import Counter
from dataclasses import dataclass, field
import html
import json
from pathlib import Path
import re

from nbgrader.api import MissingEntry

from . import items as item_stats, misconception_report
from .page import png, pyplot, table
from .collect import read_report
from .course import Course, final_score

REPORT_FILE = "class_report.html"
TOP_DIAGNOSES = 3


@dataclass
class TestCell:
    grade_id: str
    points: float
    passed: int        # submissions with full points on it
    graded: int

    @property
    def pass_rate(self):
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class Diagnosis:
    text: str          # one real message of the group
    count: int         # submissions that got it
    share: float       # of the graded submissions


@dataclass
class AssignmentSummary:
    assignment_id: str
    max_score: float
    duedate: str
    scores: dict                                    # student -> score after late penalty
    late: dict = field(default_factory=dict)        # student -> penalty
    cells: list = field(default_factory=list)       # TestCell
    diagnoses: dict = field(default_factory=dict)   # test cell -> [Diagnosis], most frequent first
    manual: list = field(default_factory=list)      # students with answers to grade by hand
    failures: dict = field(default_factory=dict)    # student -> reason
    integrity: list = field(default_factory=list)   # (student, cell, line, what)
    collection: object = None                       # CollectReport of the last collection, or None

    @property
    def mean(self):
        return sum(self.scores.values()) / len(self.scores) if self.scores else 0.0


NOT_WRITTEN = "not written yet (the stub's NotImplementedError is still there)"


def _key(message):
    """What makes two diagnoses the same mistake: the first sentence, numbers and shapes left out."""
    if "NotImplementedError" in message:
        return NOT_WRITTEN
    first = re.split(r"(?<=[.!?])\s", message.strip(), maxsplit=1)[0]
    return re.sub(r"\d+(\.\d+)?(e-?\d+)?", "#", first)


def _shown(key, message):
    return NOT_WRITTEN if key == NOT_WRITTEN else message


def _cell_messages(root, assignment_id, student, record_name):
    """{test cell: diagnosis} of one graded submission: the grader's record, else the cell's error output."""
    folder = Path(root) / "autograded" / student / assignment_id
    messages = {}
    try:
        record = json.loads((folder / record_name).read_text())
        for grade_id, verdicts in record.get("verdicts", {}).items():
            failed = [v for v in verdicts if not v["passed"]]
            if failed:
                messages[grade_id] = failed[0].get("diagnosis") or failed[0]["message"]
    except (OSError, ValueError):
        pass
    try:
        import nbformat

        nb = nbformat.read(str(folder / f"{assignment_id}.ipynb"), as_version=4)
    except Exception:
        return messages
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if grade_id and errors and grade_id not in messages:
            messages[grade_id] = f"{errors[-1].ename}: {errors[-1].evalue}".strip()
    return messages


def class_summary(root, assignment_ids):
    """[AssignmentSummary] of course `root`, from its gradebook and the grader's records (an assignment never
    graded, which the gradebook does not know yet, is left out)."""
    failures, record_name = Course.of(root).grading_failures(), Course.of(root).record_file
    summaries = []
    with Course.of(root).gradebook() as gb:
        students = sorted(s.id for s in gb.students)
        known = {a.name for a in gb.assignments}
        for assignment_id in [a for a in assignment_ids if a in known]:
            assignment = gb.find_assignment(assignment_id)
            summary = AssignmentSummary(assignment_id, assignment.max_score,
                                        str(assignment.duedate or ""), {}, collection=read_report(root, assignment_id))
            passed, messages = Counter(), {}
            for student in students:
                if (assignment_id, student) in failures:
                    summary.failures[student] = failures[assignment_id, student]
                    continue
                try:
                    submission = gb.find_submission(assignment_id, student)
                except MissingEntry:
                    continue
                summary.scores[student] = final_score(submission)
                if submission.late_submission_penalty:
                    summary.late[student] = submission.late_submission_penalty
                if submission.needs_manual_grade:
                    summary.manual.append(student)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell_type == "code" and grade.max_score and not grade.needs_manual_grade:
                            passed[grade.name] += grade.score >= grade.max_score
                cell_messages = _cell_messages(root, assignment_id, student, record_name)
                for grade_id, message in cell_messages.items():
                    messages.setdefault(grade_id, []).append(message)
                summary.integrity += [(student, f["cell"], f["line"], f["what"])
                                      for f in Course.of(root).integrity_findings(assignment_id, student)]
            graded = len(summary.scores)
            for notebook in assignment.notebooks:
                for cell in notebook.grade_cells:
                    if cell.cell_type == "code":
                        summary.cells.append(TestCell(cell.name, cell.max_score, passed[cell.name], graded))
            for cell in summary.cells:  # test cells only, in the notebook's order
                first = {}  # key -> the first message with it
                groups = Counter()
                for message in messages.get(cell.grade_id, []):
                    key = _key(message)
                    first.setdefault(key, message)
                    groups[key] += 1
                if groups:
                    summary.diagnoses[cell.grade_id] = [Diagnosis(_shown(key, first[key]), count, count / graded)
                                                        for key, count in groups.most_common(TOP_DIAGNOSES)]
            summaries.append(summary)
    return summaries


def hardest_checks(summaries, count=5):
    """[(summary, TestCell, its most frequent Diagnosis other than "not written")] with the lowest pass rates."""
    ranked = []
    for summary in summaries:
        for cell in summary.cells:
            written = [d for d in summary.diagnoses.get(cell.grade_id, []) if d.text != NOT_WRITTEN]
            if written and cell.graded:
                ranked.append((cell.pass_rate, summary.assignment_id, cell.grade_id, summary, cell, written[0]))
    return [(s, c, d) for *_, s, c, d in sorted(ranked, key=lambda r: r[:3])[:count]]


def score_plot(summary):
    """Histogram of the scores of one assignment, as base64 PNG."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(4.5, 2.8))
    bins = [summary.max_score * i / 10 for i in range(11)]
    axes.hist(list(summary.scores.values()), bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_title(f"{summary.assignment_id}: scores of {len(summary.scores)} submissions")
    axes.set_xlabel(f"score (of {summary.max_score:g})")
    axes.set_ylabel("submissions")
    axes.set_xlim(0, summary.max_score)
    axes.yaxis.get_major_locator().set_params(integer=True)
    data = png(figure)
    plt.close(figure)
    return data


def pass_rate_plot(summary):
    """Horizontal bars: the share of submissions with full points on each test cell, as base64 PNG."""
    plt = pyplot()
    cells = summary.cells
    figure, axes = plt.subplots(figsize=(5.5, 0.3 * len(cells) + 1.2))
    rates = [100 * c.pass_rate for c in cells]
    axes.barh([c.grade_id for c in cells], rates, color=["#c44e52" if r < 50 else "#55a868" for r in rates])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_title(f"{summary.assignment_id}: who passes each check")
    axes.set_xlabel("submissions with full points (%)")
    data = png(figure)
    plt.close(figure)
    return data


STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
th{background:#f3f3f3}section{border-top:2px solid #4c72b0;margin-top:2em}.plots img{margin-right:1em}
.note{color:#555}"""


def items_section(analysis):
    """An assignment's item analysis: a row per test cell, and Cronbach's alpha."""
    if analysis is None or not analysis.items:
        return ""
    rows = [[item.grade_id, f"{item.points:g}", f"{item.full} / {item.students}", item_stats.shown(item.difficulty),
             item_stats.shown(item.discrimination), item.flag or item.undefined_why] for item in analysis.items]
    flagged = sum(bool(item.flag) for item in analysis.items)
    return ("<h3>Item analysis</h3><p class='note'>Difficulty: the share with full points. Discrimination: the "
            "corrected point-biserial, the cell's points against the rest of the assignment's autograded points "
            f"(undefined where the cell or the rest does not vary); below {item_stats.LOW_DISCRIMINATION:g}: check "
            f"this item. Cronbach's alpha of the {len(analysis.items)} cells over {len(analysis.students)} students: "
            f"<b>{item_stats.shown(analysis.alpha)}</b>; {flagged} cell(s) to check.</p>"
            + table(["test cell", "points", "full points", "difficulty", "discrimination", "flag"], rows))


def render(summaries, course_id, showings=None, analyses=None):
    """The report's HTML; with `showings` (misconception_report.Showings) and `analyses`
    ({assignment: items.AssignmentItems}) its misconceptions and item statistics too."""
    analyses = analyses or {}
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report: {course_id}</title>"
             f"<style>{STYLE}</style></head><body><h1>Class report: {html.escape(course_id)}</h1>",
             "<p class='note'>Scores after late penalties; written answers count once graded by hand.</p>",
             table(["assignment", "due", "graded", "mean", "to grade by hand", "not graded"],
                    [[s.assignment_id, s.duedate or "-", len(s.scores), f"{s.mean:.1f} / {s.max_score:g}",
                      len(s.manual), len(s.failures)] for s in summaries]),
             "<h2>Where the class struggles</h2><p class='note'>The checks the fewest submissions pass, "
             "and their most frequent diagnosis.</p>",
             table(["assignment", "test cell", "pass rate", "most frequent diagnosis", "share"],
                    [[s.assignment_id, c.grade_id, f"{c.pass_rate:.0%}", d.text[:200], f"{d.share:.0%}"]
                     for s, c, d in hardest_checks(summaries)])]
    if showings is not None:
        parts.append(misconception_report.class_section(showings))
    for s in summaries:
        parts.append(f"<section id='{s.assignment_id}'><h2>{s.assignment_id}</h2><div class='plots'>"
                     f"<img alt='score distribution of {s.assignment_id}' src='data:image/png;base64,{score_plot(s)}'>"
                     f"<img alt='pass rate per test cell of {s.assignment_id}' "
                     f"src='data:image/png;base64,{pass_rate_plot(s)}'></div>")
        parts.append("<h3>Most frequent diagnoses</h3>")
        rows = [[cell, f"{d.share:.0%}", d.count, d.text[:300]] for cell, found in s.diagnoses.items() for d in found]
        parts.append(table(["test cell", "share", "submissions", "diagnosis"], rows) if rows
                     else "<p>No check failed.</p>")
        parts.append("<h3>Pass rate per test cell</h3>")
        parts.append(table(["test cell", "points", "passed", "pass rate"],
                            [[c.grade_id, f"{c.points:g}", f"{c.passed} / {c.graded}", f"{c.pass_rate:.0%}"]
                             for c in s.cells]))
        parts.append(items_section(analyses.get(s.assignment_id)))
        if s.manual:
            parts.append(f"<h3>Still to grade by hand ({len(s.manual)})</h3><p>{html.escape(', '.join(s.manual))}</p>")
        if s.late:
            parts.append("<h3>Late</h3>" + table(["student", "penalty"], [[k, f"{v:g}"] for k, v in s.late.items()]))
        if s.failures:
            parts.append("<h3>Not graded</h3>" + table(["student", "reason"], sorted(s.failures.items())))
        if s.integrity:
            parts.append("<h3>Integrity findings</h3>" + table(["student", "cell", "line", "what"], s.integrity))
        if s.collection:
            lines = s.collection.lines()
            parts.append("<h3>Collection</h3><pre>" + html.escape("\n".join(lines)) + "</pre>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def write_report(root, assignment_ids, path=None):
    """Write the HTML report of course `root` (default: class_report.html in it); returns its path."""
    from nbgrader.coursedir import CourseDirectory

    path = Path(path or Path(root) / REPORT_FILE)
    course_id = CourseDirectory(config=Course.of(root).config).course_id
    summaries = class_summary(root, assignment_ids)
    graded_ids = [s.assignment_id for s in summaries]
    showings = misconception_report.class_showings(root, graded_ids, {s.assignment_id: sorted(s.scores)
                                                                      for s in summaries}, Course.of(root).record_file)
    analyses = {a.assignment: a for a in item_stats.item_analysis(root, graded_ids)}
    path.write_text(render(summaries, course_id, showings, analyses), encoding="utf-8")
    return path


def write_items_csv(root, assignment_ids, path=None):
    """Write the item statistics of every test cell as CSV (default: item_analysis.csv in the course); its path."""
    path = Path(path or Path(root) / item_stats.CSV_FILE)
    return item_stats.write_csv(item_stats.item_analysis(root, assignment_ids), path)


def student_file(student):
    return f"study_plan_{re.sub(r'[^A-Za-z0-9_.-]', '_', student)}.html"


def write_student_page(root, student, assignment_ids, path=None, checks=None):
    """Write one student's study plan (default: study_plan_<student>.html in the course folder); its path.

    From the graded class's records (the gradebook and judge.json), or, with `checks` (a folder), from the
    `course check --record` records under it: a self-learner's, with no gradebook needed.
    """
    if checks is not None:
        showings = misconception_report.check_showings(checks, student)
        records = misconception_report.read_check_records(checks)
        scores = {a: f"{r['runs'][-1].get('score', 0):g} / {r['runs'][-1].get('points', 0):g} (last check "
                     f"{r['runs'][-1].get('time', '?')})" for a, r in records.items()}
        page = misconception_report.student_page(showings, student, scores)
        path = Path(path or Path(checks) / student_file(student))
    else:
        summaries = class_summary(root, assignment_ids)
        graded = {s.assignment_id: [student] if student in s.scores else [] for s in summaries}
        showings = misconception_report.class_showings(root, list(graded), graded, Course.of(root).record_file)
        scores = {s.assignment_id: (f"{s.scores[student]:g} / {s.max_score:g}" if student in s.scores
                                    else s.failures.get(student, "not handed in")) for s in summaries}
        page = misconception_report.student_page(showings, student, scores)
        path = Path(path or Path(root) / student_file(student))
    path.write_text(page, encoding="utf-8")
    return path
