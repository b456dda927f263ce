"""Keep hidden tests hidden in the feedback students get back.

nbgrader renders the full test cells in feedback, hidden tests included
(nbgrader #917, #1363), and a traceback quotes the failing line of a hidden
test. `HideHiddenTests` runs in GenerateFeedback's pipeline: it removes each
hidden region from the cell source and cuts the error outputs of those cells
down to their last line (the diagnosis from course.checks), which names the
mistake without showing the test.
"""
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests

HIDDEN_NOTE = "# (hidden tests ran here; their result is shown below)"


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden test regions and the tracebacks that quote them."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        if not self._remove_hidden_test_region(cell):
            return cell, resources
        cell.source = cell.source.rstrip("\n") + "\n" + HIDDEN_NOTE
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
