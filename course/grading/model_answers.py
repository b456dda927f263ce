"""Model answers of the written questions, for the graders and, if the instructor wants, the students.

Each written question is a markdown cell of `source/` whose whole text is
the model answer (nbgrader replaces it by a stub in `release/`). nbgrader
keeps only the stub in the gradebook, so the grading process reads
`source/` itself: `AddModelAnswers` (last in autograde's pipeline) puts a
marked, read-only cell "Model answer (for graders)" after each student's
answer, which the formgrader shows beside the answer to be graded.
`RemoveModelAnswers` (first in generate_feedback's) takes these cells out of
the feedback, unless `c.ModelAnswers.in_feedback = True`. Both plugins live in
course/grading/plugins/; this module holds what they and `course check`
share: the setting, and reading the model answers and marking their cells.
"""
from pathlib import Path
import re

import nbformat
from nbgrader import utils
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


def answer_cell(grade_id, text, heading):
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    cell = nbformat.v4.new_markdown_cell(f"{heading} ({grade_id})\n\n{quoted}")
    cell.metadata["course"] = {MARK: grade_id}
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell
