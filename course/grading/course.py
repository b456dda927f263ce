"""A course folder as the grading tools see it: one object instead of a path handed everywhere.

`Course(root)` reads nbgrader_config.py once and knows the course's folders
(nbgrader's layout: source/, release/, submitted/, autograded/, feedback/),
its assignments and who submitted what, its gradebook (whatever database the
config names), and the grader's records beside each graded notebook (the
verdicts in judge.json, the integrity findings) and in the course folder
(the grading failures of the last runs). Every step takes a Course, or a
path it makes one of (`Course.of`).
"""
from contextlib import contextmanager
from functools import cached_property
import json
import os
from pathlib import Path
import sys

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

RECORD_FILE = "judge.json"  # the grader's record beside each graded notebook (TrustedExecute.record_file)
FAILURES_FILE = "grading_failures.json"  # in the course folder: submissions whose last grading failed, and why


def path_with_this_environment():
    """PATH with this Python's bin folder first: nbgrader runs `alembic` by name when it makes a gradebook."""
    here = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    return path if here in path.split(os.pathsep) else os.pathsep.join([here, path])


class Course:
    """One course folder: its config (read once), folders, gradebook and records."""

    def __init__(self, root="."):
        self.root = Path(root).resolve()

    @classmethod
    def of(cls, course):
        """`course` itself if it is a Course, else the Course of that folder."""
        return course if isinstance(course, Course) else cls(course)

    @classmethod
    def new(cls, folder, template):
        """A new course folder `folder` with the config and source notebooks of course folder `template`."""
        import shutil

        folder, template = Path(folder), Path(template)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(template / "nbgrader_config.py", folder / "nbgrader_config.py")
        shutil.copytree(template / "source", folder / "source", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        return cls(folder)

    def __fspath__(self):  # a Course stands wherever a path to its folder is expected
        return str(self.root)

    @cached_property
    def config(self):
        """The traitlets config of the course: its nbgrader_config.py, with the root set."""
        config = Config()
        if (self.root / "nbgrader_config.py").exists():
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config())
        config.CourseDirectory.root = str(self.root)
        return config

    # ---- folders ----

    def folder(self, kind, assignment_id, student_id=None):
        """nbgrader's folder `kind` (source, release, submitted, autograded, feedback) of an assignment."""
        return self.root / kind / assignment_id if student_id is None else self.root / kind / student_id / assignment_id

    def notebook(self, kind, assignment_id, student_id=None):
        return self.folder(kind, assignment_id, student_id) / f"{assignment_id}.ipynb"

    def assignment_ids(self):
        """The assignments of the course, in teaching order (their ids sort that way)."""
        return sorted(p.name for p in (self.root / "source").iterdir()
                      if p.is_dir() and (p / f"{p.name}.ipynb").exists())

    def submitted_students(self, assignment_id):
        folder = self.root / "submitted"
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / assignment_id).is_dir())

    def submissions(self, assignment_ids):
        """[(assignment_id, student_id)] of everything in submitted/ for these assignments."""
        return [(a, s) for a in assignment_ids for s in self.submitted_students(a)]

    # ---- the gradebook ----

    @contextmanager
    def gradebook(self):
        """The course's gradebook, as its nbgrader_config.py names it."""
        coursedir = CourseDirectory(config=self.config)
        os.environ["PATH"] = path_with_this_environment()  # in case this opening makes a new gradebook
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            yield gb

    def cell_scores(self, assignment_id, student_id):
        """{grade_id: (score, max_score)} of one student's notebook; score None = needs manual grading."""
        with self.gradebook() as gb:
            notebook = gb.find_submission_notebook(assignment_id, assignment_id, student_id)
            return {grade.name: (None if grade.needs_manual_grade else grade.score, grade.max_score)
                    for grade in notebook.grades}

    # ---- the grader's records ----

    @cached_property
    def record_file(self):
        """The name TrustedExecute writes its record under, as the course's config sets it."""
        return self.config.TrustedExecute.get("record_file", RECORD_FILE)

    def record(self, assignment_id, student_id):
        """The grader's record (judge.json) of one graded submission, or {} if there is none."""
        try:
            return json.loads((self.folder("autograded", assignment_id, student_id) / self.record_file).read_text())
        except (OSError, ValueError):
            return {}

    def integrity_findings(self, assignment_id, student_id):
        """The grader's integrity findings on one submission ([{cell, line, what}])."""
        return self.record(assignment_id, student_id).get("integrity", [])

    def grading_failures(self):
        """{(assignment, student): reason} of the submissions whose last grading failed."""
        try:
            rows = json.loads((self.root / FAILURES_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return {(row["assignment"], row["student"]): row["reason"] for row in rows}

    def record_failures(self, results):
        """Keep {(assignment, student): StepResult} of a grading run: failures added, successes cleared."""
        failures = self.grading_failures()
        for key, result in results.items():
            if result.ok:
                failures.pop(key, None)
            else:
                failures[key] = result.message
        rows = [{"assignment": a, "student": s, "reason": why} for (a, s), why in sorted(failures.items())]
        (self.root / FAILURES_FILE).write_text(json.dumps(rows, indent=1))


def final_score(submission):
    """A submitted assignment's score with its late penalty taken off (nbgrader keeps the two apart)."""
    return max(0.0, submission.score - (submission.late_submission_penalty or 0.0))
