"""Build notebook cells with nbgrader metadata (schema 3) from Python.

For scripts and tests that write notebooks: instructors can equally use
JupyterLab's nbgrader "Create Assignment" toolbar; the result is the same.
"""
import nbformat

SCHEMA_VERSION = 3
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _nbgrader(grade_id, *, grade, solution, locked, points=None, task=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(text, grade_id=None):
    """A markdown cell; with a grade_id it is locked (read-only for learners)."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    if grade_id:
        cell.metadata.update(_nbgrader(grade_id, grade=False, solution=False, locked=True))
    return cell


def code(text, grade_id=None):
    """A plain code cell; with a grade_id it is locked."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    if grade_id:
        cell.metadata.update(_nbgrader(grade_id, grade=False, solution=False, locked=True))
    return cell


def solution(grade_id, text):
    """An autograded answer cell: the part between BEGIN/END SOLUTION becomes the stub."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    cell.metadata.update(_nbgrader(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id, text, points):
    """A locked autograder test cell worth `points`; it may hold a hidden-tests region."""
    cell = nbformat.v4.new_code_cell(text.strip("\n"))
    cell.metadata.update(_nbgrader(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def written(grade_id, text, points):
    """A manually graded written answer (markdown)."""
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell.metadata.update(_nbgrader(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def notebook(cells):
    """A notebook for the Python 3 kernel holding `cells`."""
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb
