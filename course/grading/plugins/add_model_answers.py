"""AddModelAnswers: after each written answer, the question's model answer from source/, for the graders."""
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..model_answers import GRADER_HEADING, MARK, answer_cell, is_written_question, model_answers


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
                cells.append(answer_cell(grade_id, answers[grade_id], GRADER_HEADING))
        nb.cells = cells
        return nb, resources
