"""Regrade a class from what the trial processes answered: today's checks, no kernel.

Every judged test cell has its answers on record (course.grading.answers).
`regrade` reads each graded submission's record, rebuilds the cell's trials
from the seed in judge.json and, where the request is the one that was
answered (same fingerprint), judges the recorded outcomes again with today's
checks; by-hand code is read again with today's allow-list. Where the
request changed (new trials, a new adapter, another program) or there is no
record, the submission is graded again through the engine, and the report
says which and why.

Changed cells are written back: the new score into the gradebook through
nbgrader's API (the late penalty recomputed by the course's plugin from the
new score, manual grades untouched), the new verdicts into judge.json and
the autograded notebook's cell, and the feedback of each changed submission
regenerated. `dry_run` writes nothing.
"""
from dataclasses import dataclass, field
import json
from pathlib import Path

import nbformat
from nbgrader import utils

from course.checks.core.exercise import Verdict
from course.checks import registry

from . import answers, steps
from .plugins.trusted_execute import exercise_of, judged, outputs, trials_of
from .reading import Reading
from .course import Course


@dataclass
class Change:
    assignment: str
    student: str
    cell: str
    before: float
    after: float
    diagnosis: str      # the new verdict's message ("" when it passes now)


@dataclass
class Regrade:
    changes: list = field(default_factory=list)        # [Change]
    again: dict = field(default_factory=dict)          # (assignment, student) -> why it was graded again
    judged: int = 0                                    # cells judged again from their answers
    graded_again: dict = field(default_factory=dict)   # (assignment, student) -> StepResult of the engine

    def lines(self):
        out = [f"{c.student} / {c.assignment}, {c.cell}: {c.before:g} -> {c.after:g}"
               + (f": {c.diagnosis}" if c.diagnosis else " (passes now)") for c in self.changes]
        out += [f"{s} / {a}: graded again through the engine: {why}" for (a, s), why in sorted(self.again.items())]
        out.append(f"{self.judged} judged cell(s) judged again from their recorded answers, {len(self.changes)} "
                   f"changed; {len(self.again)} submission(s) graded again")
        return out


@dataclass
class _Cell:
    index: int
    grade_id: str
    verdicts: list


def _judge_again(nb, record, folder, exercises, only=None):
    """([_Cell] judged again from the answers, why the submission must run again or ""); only test cell
    `only`, if given."""
    reading = Reading(nb)
    judged_cells = []
    for index, cell in enumerate(nb.cells):
        exercise = exercise_of(cell, exercises)
        if exercise is None or (only and exercise.grade_id != only):
            continue
        grade_id = exercise.grade_id
        refused = reading.refusal(exercise.function, exercise.reading)
        if refused:
            judged_cells.append(_Cell(index, grade_id, [Verdict(False, refused, refused=True)]))
            continue
        entry = answers.read(folder, grade_id)
        if not isinstance(entry, dict):
            return judged_cells, f"{grade_id} has no recorded answers"
        visible, hidden = trials_of(exercise, record["seed"])
        program = reading.program(exercise.function, exercise.reading)[0]
        if answers.request_fingerprint(exercise, program, visible + hidden) != entry.get("request"):
            return judged_cells, f"{grade_id}'s trials changed since it was graded"
        outcomes = (Verdict(False, str(entry["problem"]), error=str(entry.get("error", "AssertionError")))
                    if "problem" in entry else entry.get("outcomes"))
        judged_cells.append(_Cell(index, grade_id, judged(exercise, visible, hidden, outcomes)))
    return judged_cells, ""


def _late_plugin(root):
    from nbgrader.preprocessors import AssignLatePenalties

    return AssignLatePenalties(config=Course.of(root).config).plugin_class(config=Course.of(root).config)


def _cells_only(path):
    """A graded notebook's cells without their outputs, read as data: what the judging needs, in a fraction of
    nbformat's time (it validates every output against the schema)."""
    data = json.loads(Path(path).read_text())
    for cell in data.get("cells", []):
        cell.pop("outputs", None)
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nbformat.from_dict(data)


def _write(root, assignment_id, student, folder, record, cells, record_name):
    """The new verdicts into the autograded notebook, judge.json and the gradebook."""
    nb = nbformat.read(str(folder / f"{assignment_id}.ipynb"), as_version=4)
    for cell in cells:
        nb.cells[cell.index].outputs = outputs(cell.verdicts)
        record["verdicts"][cell.grade_id] = [v.record() for v in cell.verdicts]
    nbformat.write(nb, str(folder / f"{assignment_id}.ipynb"))
    (folder / record_name).write_text(json.dumps(record, indent=1))
    with Course.of(root).gradebook() as gb:
        for cell in cells:
            grade = gb.find_grade(cell.grade_id, assignment_id, assignment_id, student)
            grade.auto_score = utils.determine_grade(nb.cells[cell.index])[0]
        submission = gb.find_submission(assignment_id, student)
        if submission.total_seconds_late > 0:
            plugin = _late_plugin(root)
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = plugin.late_submission_penalty(
                    student, notebook.score, submission.total_seconds_late)
        gb.db.commit()


def regrade(root, assignment_ids, cell=None, dry_run=False, **engine_settings):
    """Judge the recorded answers of `assignment_ids` again (only test cell `cell`, if given); a Regrade."""
    root = Path(root)
    record_name = Course.of(root).record_file
    exercises = registry.exercises(Course.of(root).config.TrustedExecute.get("exercise_modules", []))
    result, rewrite = Regrade(), []
    with Course.of(root).gradebook() as gb:
        scores = _scores(gb, assignment_ids)
    for assignment_id in assignment_ids:
        for folder in sorted((root / "autograded").glob(f"*/{assignment_id}")):
            student = folder.parent.name
            try:
                record = json.loads((folder / record_name).read_text())
                nb = _cells_only(folder / f"{assignment_id}.ipynb")
            except (OSError, ValueError):
                result.again[assignment_id, student] = "its record or its graded notebook cannot be read"
                continue
            judged_cells, why = _judge_again(nb, record, folder, exercises, only=cell)
            if why:
                result.again[assignment_id, student] = why
                continue
            result.judged += len(judged_cells)
            changed = []
            for judged_cell in judged_cells:
                before = scores.get((assignment_id, student, judged_cell.grade_id))
                # nbgrader's rule (utils.determine_grade): a test cell scores its points unless it shows an error
                points = float(nb.cells[judged_cell.index].metadata["nbgrader"].get("points", 0))
                after = points if all(v.passed for v in judged_cell.verdicts) else 0.0
                if before is None or abs(after - before) > 1e-9:
                    failed = [v for v in judged_cell.verdicts if not v.passed]
                    result.changes.append(Change(assignment_id, student, judged_cell.grade_id, before or 0.0, after,
                                                 failed[0].message if failed else ""))
                    changed.append(judged_cell)
            if changed:
                rewrite.append((assignment_id, student, folder, record, changed))
    if dry_run:
        return result
    for assignment_id, student, folder, record, changed in rewrite:
        _write(root, assignment_id, student, folder, record, changed, record_name)
        steps.nbgrader(root, "generate_feedback", assignment_id, f"--student={student}", "--force")
    if result.again:
        from . import engine

        result.graded_again = engine.grade(root, sorted(result.again), force=True, **engine_settings)
        for assignment_id in sorted({a for a, _ in result.again}):
            steps.generate_feedback(root, assignment_id)
    return result


def _scores(gb, assignment_ids):
    """{(assignment, student, grade_id): score} in one query (the ORM's lazy loads take seconds for a class)."""
    from nbgrader.api import Assignment, Grade, GradeCell, SubmittedAssignment, SubmittedNotebook

    rows = (gb.db.query(Assignment.name, SubmittedAssignment.student_id, GradeCell.name, Grade.score)
            .join(SubmittedAssignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
            .join(GradeCell, GradeCell.id == Grade.cell_id)
            .filter(Assignment.name.in_(list(assignment_ids))))
    return {(a, s, g): score for a, s, g, score in rows}
