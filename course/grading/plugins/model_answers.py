"""Model answers of the written questions, for the graders and, if the instructor wants, the students.

Each written question is a markdown cell of `source/` whose whole text is
the model answer (nbgrader replaces it by a stub in `release/`). nbgrader
keeps only the stub in the gradebook, so the grading process reads
`source/` itself: `AddModelAnswers` (last in autograde's pipeline) puts a
marked, read-only cell "Model answer (for graders)" after each student's
answer, which the formgrader shows beside the answer to be graded.
`RemoveModelAnswers` (first in generate_feedback's) takes these cells out of
the feedback, unless `c.ModelAnswers.in_feedback = True`.
"""
from pathlib import Path
import re

import nbformat
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool
from traitlets.config import LoggingConfigurable

MARK = "model_answer"  # cell.metadata.course[MARK] = the question's grade_id
GRADER_HEADING = "**Model answer (for graders)**"
FEEDBACK_HEADING = "**Model answer**"


class ModelAnswers(LoggingConfigurable):
    in_feedback = Bool(False, help="Show the model answers in the students' feedback too "
                                   "(after the deadline, so that they are not passed on)").tag(config=True)


def is_written_question(cell):
    return cell.cell_type == "markdown" and utils.is_grade(cell) and utils.is_solution(cell)


def model_answers(source_notebook):
    """{grade_id: model answer} of the written questions of a source notebook ({} if it is not there)."""
    path = Path(source_notebook)
    if not path.exists():
        return {}
    nb = nbformat.read(str(path), as_version=4)
    return {cell.metadata.nbgrader.grade_id: _solution_text(cell.source) for cell in nb.cells
            if is_written_question(cell)}


def _solution_text(text):
    """A written solution as learners read it: the part between the solution markers, if it has them."""
    found = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, re.S)
    return (found.group(1) if found else text).strip()


def _answer_cell(grade_id, text, heading):
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    cell = nbformat.v4.new_markdown_cell(f"{heading} ({grade_id})\n\n{quoted}")
    cell.metadata["course"] = {MARK: grade_id}
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


class AddModelAnswers(NbGraderPreprocessor):  # enabled by default, unlike nbconvert's
    """After each written answer, the question's model answer from source/, marked as the graders'."""

    def preprocess(self, nb, resources):
        coursedir = CourseDirectory(config=self.config)
        names = resources["nbgrader"]
        source = Path(coursedir.format_path(coursedir.source_directory, ".", names["assignment"]),
                      f"{names['notebook']}.ipynb")
        answers = model_answers(source)
        cells = []
        for cell in nb.cells:
            if cell.get("metadata", {}).get("course", {}).get(MARK):
                continue  # a learner's copy of a marked cell is no model answer
            cells.append(cell)
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if is_written_question(cell) and grade_id in answers:
                cells.append(_answer_cell(grade_id, answers[grade_id], GRADER_HEADING))
        nb.cells = cells
        return nb, resources


class RemoveModelAnswers(NbGraderPreprocessor):
    """The model answers leave the feedback, unless ModelAnswers.in_feedback."""

    def preprocess(self, nb, resources):
        shown = ModelAnswers(config=self.config).in_feedback
        cells = []
        for cell in nb.cells:
            mark = cell.get("metadata", {}).get("course", {}).get(MARK)
            if mark and not shown:
                continue
            if mark:
                cell.source = cell.source.replace(GRADER_HEADING, FEEDBACK_HEADING, 1)
            cells.append(cell)
        nb.cells = cells
        return nb, resources
