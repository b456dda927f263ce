"""Read grades back from the gradebook: per test cell, and as a class table."""
from contextlib import contextmanager
import json
import os
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .steps import path_with_this_environment


def course_config(root):
    """The traitlets config of course `root`: its nbgrader_config.py, with the root set."""
    config = Config()
    config_file = os.path.join(root, "nbgrader_config.py")
    if os.path.exists(config_file):
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    config.CourseDirectory.root = os.path.abspath(root)
    return config


def _course_directory(root):
    return CourseDirectory(config=course_config(root))


@contextmanager
def gradebook(root):
    """The course's gradebook, as its nbgrader_config.py names it."""
    coursedir = _course_directory(root)
    os.environ["PATH"] = path_with_this_environment()  # in case this opening makes a new gradebook
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        yield gb


def final_score(submission):
    """A submitted assignment's score with its late penalty taken off (nbgrader keeps the two apart)."""
    return max(0.0, submission.score - (submission.late_submission_penalty or 0.0))


def cell_scores(root, assignment_id, student_id):
    """{grade_id: (score, max_score)} of one student's notebook; score None = needs manual grading."""
    with gradebook(root) as gb:
        notebook = gb.find_submission_notebook(assignment_id, assignment_id, student_id)
        return {grade.name: (None if grade.needs_manual_grade else grade.score, grade.max_score)
                for grade in notebook.grades}


RECORD_FILE = "judge.json"  # the grader's record beside each graded notebook (TrustedExecute.record_file)


def record_file(root):
    """The name TrustedExecute writes its record under, as the course's config sets it."""
    return course_config(root).TrustedExecute.get("record_file", RECORD_FILE)


def integrity_findings(root, assignment_id, student_id, record_name=RECORD_FILE):
    """The grader's integrity findings on one submission ([{cell, line, what}]), from its record."""
    record = Path(root) / "autograded" / student_id / assignment_id / record_name
    try:
        return json.loads(record.read_text()).get("integrity", [])
    except (OSError, ValueError):
        return []


FAILURES_FILE = "grading_failures.json"  # in the course folder: submissions whose last grading failed, and why


def record_failures(root, results):
    """Keep {(assignment, student): StepResult} of a grading run: failures added, successes cleared."""
    failures = grading_failures(root)
    for key, result in results.items():
        if result.ok:
            failures.pop(key, None)
        else:
            failures[key] = result.message
    rows = [{"assignment": a, "student": s, "reason": why} for (a, s), why in sorted(failures.items())]
    (Path(root) / FAILURES_FILE).write_text(json.dumps(rows, indent=1))


def grading_failures(root):
    """{(assignment, student): reason} of the submissions whose last grading failed."""
    try:
        rows = json.loads((Path(root) / FAILURES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {(row["assignment"], row["student"]): row["reason"] for row in rows}


def class_table(root, assignment_ids):
    """Rows [student, score of each assignment..., total] as text; failed gradings say "error".

    A "!" marks a submission with integrity findings; they are listed under the
    table, and so are the grading failures with their reasons.
    """
    failures = {key: why for key, why in grading_failures(root).items() if key[0] in assignment_ids}
    findings, record_name = [], record_file(root)
    with gradebook(root) as gb:
        students = sorted(s.id for s in gb.students)
        known = {a.name for a in gb.assignments}
        assignment_ids = [a for a in assignment_ids if a in known]  # one never graded has no column yet
        maxima = [gb.find_assignment(a).max_score for a in assignment_ids]
        rows = []
        for student in students:
            row, total = [student], 0.0
            for assignment_id in assignment_ids:
                if (assignment_id, student) in failures:
                    row.append("error")
                    continue
                try:
                    submission = gb.find_submission(assignment_id, student)
                except MissingEntry:
                    row.append("-")
                    continue
                score = final_score(submission)
                total += score
                manual = " *" if submission.needs_manual_grade else ""
                late = " L" if submission.late_submission_penalty else ""
                found = integrity_findings(root, assignment_id, student, record_name)
                findings += [f"  {student} / {assignment_id}, {f['cell']} line {f['line']}: {f['what']}" for f in found]
                row.append(f"{score:g}{late}{manual}{' !' if found else ''}")
            rows.append(row + [f"{total:g}"])
    header = ["student", *(f"{a} (/{m:g})" for a, m in zip(assignment_ids, maxima)), f"total (/{sum(maxima):g})"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = "\n(* : written answers still to be graded by hand in the formgrader; L : late, penalty taken off)"
    if findings:
        legend += "\n(! : signs of tampering the grader found in the code; the cells' scores stand as judged)\n"
        legend += "\n".join(findings)
    if failures:
        legend += "\n(error : not graded; the reasons, from the last grading run)\n"
        legend += "\n".join(f"  {s} / {a}: {why}" for (a, s), why in sorted(failures.items()))
    return "\n".join(lines) + legend
