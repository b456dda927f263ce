"""Cap what a graded notebook keeps of each cell's output, and say so where it was cut.

nbgrader's LimitOutput counts lines: one line of 100 MB passes it and is
stored in the autograded notebook and the feedback. `CapOutputs` keeps at
most `max_kb` of text per cell, and empties images past that size.
"""
import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


class CapOutputs(NbGraderPreprocessor):
    """Cut each cell's stored output to at most `max_kb` kilobytes, with a note saying how much it printed."""

    max_kb = Integer(256, help="Kilobytes of output a graded notebook keeps per cell").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        budget = self.max_kb * 1024
        total = 0
        for output in cell.get("outputs", []):
            for holder, key in _texts(output):
                text = holder[key] if isinstance(holder[key], str) else "".join(holder[key])
                total += len(text)
                if len(text) > budget:
                    holder[key] = text[:budget] if not str(key).startswith("image/") else ""
                budget -= min(len(text), budget)
        if total > self.max_kb * 1024:
            note = (f"\n[output cut: this cell printed {total / 1024 ** 2:.1f} MB; "
                    f"the first {self.max_kb} KB are kept]\n")
            cell.outputs.append(nbformat.v4.new_output("stream", name="stdout", text=note))
        return cell, resources


def _texts(output):
    """(container, key) of every text an output holds."""
    if output.get("output_type") == "stream":
        yield output, "text"
    elif output.get("output_type") == "error":
        output["traceback"] = ["\n".join(output.get("traceback", []))]
        yield output["traceback"], 0
    for key in list(output.get("data", {})):
        if key in TEXT_KEYS or key.startswith("image/"):
            yield output["data"], key
