"""`course check`: a learner's own notebook judged as grading judges it, offline, before handing it in.

The notebook runs in a fresh sandboxed kernel through the grader's own
Execute step (`TrustedExecute`, course.grading.plugins.trusted_execute): every registered test
cell is judged outside the kernel, on its visible example and on randomized
hidden trials drawn from a fresh seed (or `--seed N`) from `course.checks`,
so nothing here needs `source/`. Points are nbgrader's (`determine_grade`) on
the judged cells. The learner's file is read, never written.

With `--reveal`, a self-learner also reads, for the prediction exercises,
which predictions were right, torch's answer and why
(`course.checks.core.predictions.reveal`), and for each written question their
answer beside the model answer of `source/<id>/<id>.ipynb` when the
repository holds it. An instructor turns reveal off in `nbgrader_config.py`
(`c.SelfCheck.reveal = False`) until the deadline.

A failed check ends with the misconception its diagnosis shows and the
section to reread. With `--record`, and only then, the run is also kept in
`course_check.json` beside the notebook (CHECK_RECORD: the time, seed,
points and every verdict with its misconception ids; the last RECORD_RUNS
runs), from which `course report --student NAME --checks FOLDER` writes a
self-learner's study plan.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
import json
from pathlib import Path

import nbformat
from nbgrader import utils
from traitlets import Bool
from traitlets.config import LoggingConfigurable

import course
from course.checks.core import predictions
from course.kernel import plain
from course.checks.registry import EXERCISES

from .plugins.trusted_execute import TrustedExecute
from .model_answers import model_answers as written_answers
from .course import Course

CHECK_RECORD = "course_check.json"   # beside the notebook, written only with `course check --record`
RECORD_RUNS = 50

REVEAL_OFF = ("course check --reveal: your instructor turned reveal off until the deadline "
              "(c.SelfCheck.reveal = False in nbgrader_config.py); `course check` without --reveal still works.")


class SelfCheck(LoggingConfigurable):
    """What `course check` may show a learner."""

    reveal = Bool(True, help="Whether `course check --reveal` may show torch's answers to the prediction "
                             "exercises and the model answers of the written questions. Turn it off in a "
                             "graded class until the deadline").tag(config=True)


class SelfCheckExecute(TrustedExecute):
    """The grader's Execute step, keeping the kernel's answers (for --reveal) and writing no record."""

    def preprocess(self, nb, resources=None, km=None):
        self.answers = {}
        return super().preprocess(nb, resources, km)

    def _ask(self, exercise, program, trials, cancelled=None):
        outcomes = super()._ask(exercise, program, trials, cancelled)
        self.answers[exercise.grade_id] = outcomes
        return outcomes

    def _write_record(self, resources):
        pass  # the learner's folder keeps only what the learner put there


@dataclass
class Row:
    """One graded test cell: its verdicts (None: not judged), the diagnosis and the points."""

    grade_id: str
    visible: object
    hidden: object
    diagnosis: str
    score: float
    points: float


@dataclass
class Result:
    path: Path
    seed: int
    rows: list
    written: list = field(default_factory=list)      # [(grade_id, the learner's answer, points)]
    answers: dict = field(default_factory=dict)      # grade_id -> what the kernel answered the grader
    integrity: list = field(default_factory=list)    # the grader's integrity findings
    verdicts: dict = field(default_factory=dict)     # grade_id -> [verdict records], as judge.json keeps them

    @property
    def score(self):
        return sum(row.score for row in self.rows)

    @property
    def points(self):
        return sum(row.points for row in self.rows)


def check_notebook(path, seed=0, root="."):
    """Run the notebook at `path` as grading does and return its Result (hidden trials from `seed`, 0: fresh)."""
    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    executor = SelfCheckExecute(config=Course.of(root).config)
    if seed:
        executor.seed = seed
    executor.preprocess(nb, {"metadata": {"path": str(path.parent.resolve())}})
    rows, written = [], []
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        if not utils.is_grade(cell):
            continue
        if cell.cell_type != "code":
            written.append((grading["grade_id"], cell.source, float(grading.get("points", 0))))
            continue
        score, points = utils.determine_grade(cell)
        rows.append(_row(grading["grade_id"], cell, executor.verdicts.get(grading["grade_id"]), score, points))
    return Result(path, executor.run_seed, rows, written, executor.answers,
                  [vars(finding) for finding in executor.findings], executor.verdicts)


def _row(grade_id, cell, verdicts, score, points):
    if verdicts is None:  # a test cell the kernel ran itself: its own asserts are all there is
        errors = [o for o in cell.outputs if o.output_type == "error"]
        diagnosis = f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
        return Row(grade_id, not errors, None, diagnosis, score, points)
    passed = [v["passed"] for v in verdicts] + [None, None]
    failed = [v["message"] for v in verdicts if not v["passed"]]
    return Row(grade_id, passed[0], passed[1], failed[0] if failed else "", score, points)


# ---- what is printed ----------------------------------------------------------

def _mark(passed):
    return {True: "pass", False: "FAIL", None: "-"}[passed]


def _points(value):
    return f"{value:g}"


def table(result, width=60):
    """The table of `course check`: a row per exercise, the total, then the full diagnoses."""
    header = ("exercise", "example", "hidden trials", "points", "diagnosis")
    lines = [(row.grade_id, _mark(row.visible), _mark(row.hidden), f"{_points(row.score)}/{_points(row.points)}",
              _first_line(row.diagnosis, width)) for row in result.rows]
    widths = [max(len(line[i]) for line in [header] + lines) for i in range(4)]
    out = ["  ".join(text.ljust(w) for text, w in zip(line, widths)) + "  " + line[4] for line in [header] + lines]
    out.insert(1, "-" * len(out[0]))
    out.append(f"total: {_points(result.score)}/{_points(result.points)} points autograded"
               + (f", and {len(result.written)} written answer(s) worth "
                  f"{_points(sum(p for _, _, p in result.written))} graded by hand" if result.written else ""))
    out.append(f"hidden trials drawn from seed {result.seed} (`course check --seed {result.seed}` draws them again)")
    if any(row.hidden is None for row in result.rows):
        out.append("-: not judged, since the example failed first (grading stops there too)")
    failed = [row for row in result.rows if row.diagnosis]
    if failed:
        out.append("")
        out.extend(f"{row.grade_id}:\n{_indent(row.diagnosis)}" for row in failed)
    if result.integrity:
        out.append("\nThe grader would also report to your instructor:")
        out.extend(f"  {f['cell']}, line {f['line']}: {f['what']}" for f in result.integrity)
    return "\n".join(out)


def _first_line(text, width):
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[:width - 1] + "…"


def _indent(text):
    return "\n".join("    " + line for line in text.strip().splitlines())


# ---- --reveal -------------------------------------------------------------------

def revealed_predictions(result):
    """{grade_id: [predictions.Revealed]} for the prediction exercises of the checked notebook."""
    revealed = {}
    for row in result.rows:
        exercise = EXERCISES.get(row.grade_id)
        if not isinstance(exercise, predictions.PredictionExercise):
            continue
        outcomes = result.answers.get(row.grade_id)
        got = None
        if isinstance(outcomes, list) and outcomes and isinstance(outcomes[-1], dict) and "value" in outcomes[-1]:
            got = plain.decode(outcomes[-1]["value"])
        revealed[row.grade_id] = predictions.reveal(exercise, got)
    return revealed


def model_answers(assignment_id, roots):
    """{grade_id: model answer} of the written questions in source/<id>/<id>.ipynb under the first root
    that has it, or None when none does."""
    for root in roots:
        source = Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb"
        if source.exists():
            return written_answers(source)
    return None


def source_roots(root):
    """Where a repository with source/ may be: the course folder given, then the one the package lives in."""
    return [Path(root), Path(course.__file__).resolve().parents[1]]


def reveal_text(result, roots):
    """What --reveal adds under the table; model answers come from the first of `roots` with source/."""
    out = []
    for grade_id, rows in revealed_predictions(result).items():
        out.append("\n" + predictions.revealed_text(grade_id, rows))
    if result.written:
        models = model_answers(result.path.stem, roots)
        if models is None:
            out.append(f"\nModel answers: not available (this copy of the course has no "
                       f"source/{result.path.stem}/{result.path.stem}.ipynb, which only the repository holds).")
        for grade_id, answer, _ in result.written:
            out.append(f"\n{grade_id}\n  your answer:\n{_indent(answer) or '    (empty)'}")
            if models is not None:
                model = models.get(grade_id)
                out.append("  model answer:\n" + (_indent(model) if model else "    (not available for this question)"))
    return "\n".join(out)


# ---- --record ---------------------------------------------------------------------

def write_record(result, now=None):
    """Add `result`'s run to CHECK_RECORD beside its notebook (the last RECORD_RUNS kept); the record's path."""
    path = result.path.parent / CHECK_RECORD
    try:
        record = json.loads(path.read_text())
        runs = record["runs"] if isinstance(record.get("runs"), list) else []
    except (OSError, ValueError, KeyError, AttributeError):
        runs = []
    runs.append({"time": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"), "seed": result.seed,
                 "score": result.score, "points": result.points, "verdicts": result.verdicts})
    path.write_text(json.dumps({"assignment": result.path.stem, "notebook": result.path.name,
                                "runs": runs[-RECORD_RUNS:]}, indent=1))
    return path


def run(path, seed=0, reveal=False, root=".", record=False):
    """`course check`: print the table (and with `reveal`, the answers); 0 when every autograded point is earned.
    With `record`, also keep the run in CHECK_RECORD beside the notebook."""
    if reveal and not SelfCheck(config=Course.of(root).config).reveal:
        print(REVEAL_OFF)
        return 2
    if not Path(path).is_file():
        print(f"course check: there is no notebook at {path} (save it first, and give its path, "
              "e.g. release/01_randn/01_randn.ipynb)")
        return 2
    try:
        result = check_notebook(path, seed, root)
    except nbformat.reader.NotJSONError:
        print(f"course check: {path} is not a notebook nbformat can read (not JSON)")
        return 2
    print(table(result))
    if reveal:
        print(reveal_text(result, source_roots(root)))
    if record:
        print(f"\nRecorded in {write_record(result)} (`course report --student NAME --checks "
              f"{result.path.parent.parent}` writes your study plan from such records).")
    return 0 if result.score == result.points else 1
