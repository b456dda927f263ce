"""RemoveModelAnswers: the model answers leave the feedback, unless ModelAnswers.in_feedback."""
from nbgrader.preprocessors import NbGraderPreprocessor

from ..model_answers import FEEDBACK_HEADING, GRADER_HEADING, MARK, ModelAnswers


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
