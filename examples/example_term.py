"""The bundled example class: one term of a small class, from its LMS exports to the report.

Ten students on the roster hand in three assignments, every notebook made
from `source/`, `release/` and the catalogues in `mistakes/`: full
solutions, untouched stubs, each assignment's typical mistakes, correct
answers written another way, broken files (not JSON, a test cell deleted,
an endless loop), late work, a resubmission, a renamed notebook, an extra
file, a student who hands in nothing and one who is not on the roster. The
exports are zips as Canvas and Moodle write them. `plan` says what each
submission is and what it must score; the pipeline grades it and the tests
compare.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
import json
from pathlib import Path
import runpy
import zipfile

import nbformat

from .example_class import demo_mistakes, new_course
from course.grading.mistakes import apply_mistakes, group_disjoint, load_mistakes, read_notebook
from course.grading.model_answers import is_written_question
from course.grading.plugins.percent_per_day_late import PercentPerDayLate
from course.grading.roster import Roster, Student, name_key

ASSIGNMENTS = ("01_randn", "03_backward", "06_linear_regression")
EXPORT_STYLE = {"01_randn": "canvas", "03_backward": "moodle", "06_linear_regression": "canvas"}
DUE = {a: datetime(2026, 10, 5, 17, tzinfo=timezone.utc) + timedelta(weeks=2 * i) for i, a in enumerate(ASSIGNMENTS)}

ROSTER = Roster([
    Student("ada", "Ada", "Lovelace", "ada@example.edu", "10001"),
    Student("ben", "Ben", "Okafor", "ben@example.edu", "10002"),
    Student("cam", "Camille", "Roux", "cam@example.edu", "10003"),
    Student("dee", "Deepa", "Iyer", "dee@example.edu", "10004"),
    Student("eve", "Eve", "Novak", "eve@example.edu", "10005"),
    Student("fay", "Fay", "Chen", "fay@example.edu", "10006"),
    Student("gus", "Gus", "Moreno", "gus@example.edu", "10007"),
    Student("hal", "Hal", "Berg", "hal@example.edu", "10008"),
    Student("ivy", "Ivy", "Tanaka", "ivy@example.edu", "10009"),
    Student("jo", "Jo", "Park", "jo@example.edu", "10010"),
])
UNKNOWN = Student("zed", "Zed", "Quinn", "zed@example.edu", "19999")  # hands in 01, is on no roster

# What each student hands in (a kind of submission per assignment; no entry: nothing).
CLASS = {
    "ada": dict.fromkeys(ASSIGNMENTS, "solution"),
    "ben": dict.fromkeys(ASSIGNMENTS, "stub"),
    "cam": dict.fromkeys(ASSIGNMENTS, "mistakes 1"),
    "dee": dict.fromkeys(ASSIGNMENTS, "mistakes 2"),
    "eve": dict.fromkeys(ASSIGNMENTS, "written another way"),
    "fay": {"01_randn": "solution", "03_backward": "mistakes 3", "06_linear_regression": "30 hours late"},
    "gus": {"01_randn": "not JSON", "03_backward": "a test cell deleted", "06_linear_regression": "endless loop"},
    "hal": {"01_randn": "handed in twice", "03_backward": "renamed", "06_linear_regression": "with an extra file"},
    "ivy": {"01_randn": "3 hours late", "03_backward": "every other exercise wrong"},
    "jo": {},
}

# Endless: the function never returns, so its check times out (TrustedExecute's cell timeout) and scores 0.
ENDLESS_LOOP = {"06_linear_regression": ("sgd", "def sgd(params, lr, batch_size):\n    while True:\n        pass\n",
                                         ("sgd_tests", "train_linreg_tests"))}
DELETED_TEST_CELL = {"03_backward": "sum_backward_tests"}
CONFIG = "\n# The example class: a shorter cell timeout, so its endless loop costs seconds, not minutes.\n" \
         "c.SandboxedExecute.timeout = 5\n"


@dataclass
class Submission:
    student: str
    assignment: str
    kind: str
    file: str                     # its name as handed in
    content: bytes
    submitted: datetime
    loses: tuple = ()             # test cells that must score 0
    late_days: int = 0            # started days late, after nbgrader's grace (PercentPerDayLate)
    fails: bool = False           # grading must fail (and say why)
    written: bool = True          # written answers to grade by hand
    extra: dict = field(default_factory=dict)   # other files handed in: {name: bytes}
    earlier: object = None        # an earlier version handed in too (a Submission)


def new_term(root, course_root):
    """A course folder for the example class: the course's config and source, a roster."""
    root = new_course(root, course_root)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(CONFIG)
    ROSTER.write(root / "roster.csv")
    return root


def _bytes(nb):
    return nbformat.writes(nb).encode()


def plan(course_root):
    """Every submission of the class, made from the course's source/, release/ and mistakes/."""
    root = Path(course_root)
    alternatives = runpy.run_path(str(root / "mistakes" / "alternatives.py"))["ALTERNATIVES"]
    subs = []
    for assignment in ASSIGNMENTS:
        source = read_notebook(root / "source" / assignment / f"{assignment}.ipynb")
        stub = read_notebook(root / "release" / assignment / f"{assignment}.ipynb")
        mistakes = load_mistakes(root, assignment)
        groups = [g for g in group_disjoint(mistakes) if g]
        on_time = DUE[assignment] - timedelta(days=1)
        named = f"{assignment}.ipynb"

        def make(student, kind):
            sub = Submission(student, assignment, kind, named, _bytes(source), on_time)
            if kind == "stub":
                sub.content, sub.written = _bytes(stub), False
            elif kind.startswith("mistakes "):
                group = groups[(int(kind.split()[1]) - 1) % len(groups)]
                sub.content, sub.loses = _bytes(apply_mistakes(source, group)), _union(group)
            elif kind == "every other exercise wrong":
                group = demo_mistakes(mistakes)
                sub.content, sub.loses = _bytes(apply_mistakes(source, group)), _union(group)
            elif kind == "written another way":
                sub.content = _bytes(apply_mistakes(source, alternatives[assignment]))
            elif kind.endswith("hours late"):
                hours = int(kind.split()[0])
                sub.submitted = DUE[assignment] + timedelta(hours=hours)
                sub.late_days = -(-hours // 24)
            elif kind == "not JSON":
                sub.content, sub.fails, sub.written = _bytes(source)[:1000], True, False
            elif kind == "a test cell deleted":
                nb = nbformat.reads(sub.content.decode(), as_version=4)
                nb.cells = [c for c in nb.cells
                            if c.metadata.get("nbgrader", {}).get("grade_id") != DELETED_TEST_CELL[assignment]]
                sub.content = _bytes(nb)
            elif kind == "endless loop":
                cell, code, loses = ENDLESS_LOOP[assignment]
                nb = nbformat.reads(sub.content.decode(), as_version=4)
                for c in nb.cells:
                    if c.metadata.get("nbgrader", {}).get("grade_id") == cell:
                        c.source = code
                sub.content, sub.loses = _bytes(nb), loses
            elif kind == "handed in twice":
                sub.earlier = Submission(student, assignment, "first try", named, _bytes(stub),
                                         on_time - timedelta(days=2), written=False)
            elif kind == "renamed":
                sub.file = f"{assignment} (1).ipynb"
            elif kind == "with an extra file":
                sub.extra = {"scratch.py": b"# my notes while working\nprint('hello')\n"}
            return sub

        for student, kinds in CLASS.items():
            if assignment in kinds:
                subs.append(make(student, kinds[assignment]))
        if assignment == ASSIGNMENTS[0]:
            subs.append(make(UNKNOWN.id, "solution"))
    return subs


def _union(mistakes):
    return tuple(sorted({cell for m in mistakes for cell in m.loses}))


def points(root, assignment):
    """({test cell grade_id: points}, written points) of an assignment's source notebook."""
    nb = read_notebook(Path(root) / "source" / assignment / f"{assignment}.ipynb")
    tests, written = {}, 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        if is_written_question(cell):
            written += float(meta.get("points", 0))
        else:
            tests[meta["grade_id"]] = float(meta.get("points", 0))
    return tests, written


def expected(root, submissions, percent_per_day=PercentPerDayLate.percent_per_day.default_value):
    """{(assignment, student): {"score", "needs_manual_grade", "fails"}} for the rostered submissions
    (the late penalty worked out by hand from the course's default rate)."""
    table, tests_of = {}, {a: points(root, a)[0] for a in ASSIGNMENTS}
    for sub in submissions:
        if sub.student not in ROSTER:
            continue
        tests = tests_of[sub.assignment]
        raw = 0.0 if sub.kind == "stub" else sum(p for cell, p in tests.items() if cell not in sub.loses)
        penalty = min(raw, raw * percent_per_day * sub.late_days / 100)
        table[sub.assignment, sub.student] = {"score": round(raw - penalty, 6), "raw_score": raw,
                                              "needs_manual_grade": sub.written and not sub.fails,
                                              "fails": sub.fails, "kind": sub.kind}
    return table


def write_exports(root, submissions):
    """The LMS's zip export of each assignment, in root/exports/; {assignment: path}."""
    folder = Path(root) / "exports"
    folder.mkdir(exist_ok=True)
    paths = {}
    for assignment in ASSIGNMENTS:
        paths[assignment] = folder / f"{assignment}_submissions.zip"
        with zipfile.ZipFile(paths[assignment], "w", zipfile.ZIP_DEFLATED) as bundle:
            for number, sub in enumerate(s for s in submissions if s.assignment == assignment):
                student = ROSTER.students.get(sub.student, UNKNOWN)
                versions = [v for v in (sub.earlier, sub) if v is not None]
                for version_number, version in enumerate(versions):
                    files = {version.file: version.content, **version.extra}
                    for name, content in files.items():
                        if version_number:  # Canvas marks a resubmission's file name with -1, -2, ...
                            name = name.replace(".ipynb", f"-{version_number}.ipynb")
                        member = _member_name(EXPORT_STYLE[assignment], student, number,
                                              version.submitted > DUE[assignment], name)
                        info = zipfile.ZipInfo(member, date_time=version.submitted.timetuple()[:6])
                        bundle.writestr(info, content)
    return paths


def _member_name(style, student, number, late, file_name):
    if style == "moodle":  # Moodle's number is the participant's in this assignment, not the user's
        return f"{student.full_name}_{500100 + number}_assignsubmission_file_/{file_name}"
    late_mark = "_late" if late else ""
    return f"{name_key(student.last_name + student.first_name)}{late_mark}_{student.lms_id}_{80000 + number}_{file_name}"


def write_expected(root, table):
    rows = [{"assignment": a, "student": s, **v} for (a, s), v in sorted(table.items())]
    (Path(root) / "expected_scores.json").write_text(json.dumps(rows, indent=1))


def due_dates():
    return {a: due.strftime("%Y-%m-%d %H:%M:%S UTC") for a, due in DUE.items()}


def compare(root, table):
    """Lines saying where the gradebook differs from the expected table ([] if nowhere)."""
    from course.grading.course import Course, final_score

    failures, wrong = Course.of(root).grading_failures(), []
    with Course.of(root).gradebook() as gb:
        for (assignment, student), want in sorted(table.items()):
            if (assignment, student) in failures:
                if not want["fails"]:
                    wrong.append(f"{assignment} / {student} ({want['kind']}): not graded: "
                                 f"{failures[assignment, student]}")
                continue
            if want["fails"]:
                wrong.append(f"{assignment} / {student} ({want['kind']}): graded, but it should have failed")
                continue
            submission = gb.find_submission(assignment, student)
            score = final_score(submission)
            if abs(score - want["score"]) > 1e-6 or submission.needs_manual_grade != want["needs_manual_grade"]:
                wrong.append(f"{assignment} / {student} ({want['kind']}): scored {score:g}"
                             f"{' (to grade by hand)' if submission.needs_manual_grade else ''}, "
                             f"expected {want['score']:g}{' (to grade by hand)' if want['needs_manual_grade'] else ''}")
    return wrong
