"""The learner's code cells as the grader reads them: IPython's transforms applied, parsed, never run.

Every code cell that is not one of the course's test cells is read. A cell
the reading cannot parse (a syntax error, nesting too deep for the parser)
defines nothing the grader will run: its `module` is None and `problem`
says why, for the messages that name it.
"""
import ast
from dataclasses import dataclass
from functools import lru_cache

from nbgrader import utils


@dataclass
class LearnerCell:
    label: str            # the cell's grade_id, or "cell N" (1-based) for cells without one
    source: str           # the code after IPython's transforms (magics become get_ipython() calls)
    module: object = None  # the parsed ast.Module, or None if the cell cannot be parsed
    problem: str = ""     # why it cannot be parsed
    magic: bool = False   # IPython turned part of it into Python (a %magic, !shell, or a %% cell magic)


def _transform(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def read_cell(label, source):
    """One cell as a LearnerCell: transformed, parsed if it can be."""
    return LearnerCell(label, *_read(source))


@lru_cache(maxsize=4096)
def _read(source):
    """(code, module, problem, magic) of a cell's source. The same source is read once per process: a class's
    notebooks share most of their cells, and the grader only reads the trees, never changes them."""
    try:
        code = _transform(source)
    except Exception as error:  # IPython's own transforms failed on it: nothing of it can run
        return source, None, f"IPython could not read it ({type(error).__name__})", False
    magic = code.strip() != source.strip() and "get_ipython()" in code
    try:
        return code, ast.parse(code), "", magic
    except SyntaxError as error:
        return code, None, f"a syntax error on line {error.lineno}", magic
    except (RecursionError, MemoryError, ValueError) as error:
        return code, None, f"it is nested too deeply to read ({type(error).__name__})", magic


def learner_cells(nb):
    """A LearnerCell for every code cell of `nb` that is not a grade cell (the course's test cells)."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or utils.is_grade(cell):
            continue
        label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        cells.append(read_cell(label, cell.source))
    return cells
