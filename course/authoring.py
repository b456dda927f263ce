"""Build notebook cells with nbgrader metadata (schema 3) from Python.

For scripts and tests that write notebooks: instructors can equally use
JupyterLab's nbgrader "Create Assignment" toolbar; the result is the same.

Every notebook starts with the Colab cell (`colab_cell_text`): it installs
the `course` package from the repository named in pyproject.toml
(`[project.urls] Repository`) when `import course` fails, as on Google
Colab, and does nothing where the package is installed (JupyterLab from this
repository, grading). While that address is still the placeholder
(`is_placeholder`), there is nothing to install from: the cell then stops
with one line saying what to do instead, never with a git error.
`python -m course.authoring` writes it into every `source/` notebook;
`course release` then carries it to `release/`.

The test cell of every registered exercise is written the same way
(`test_cell_text`): its comment comes from the exercise's entry in
`course.checks.registry.EXAMPLES`, kept beside the visible trials it
describes, so the two cannot drift; `course release` refuses a test cell
that says anything else.
"""
from pathlib import Path
import sys
import textwrap
import tomllib

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


# ---- the Colab cell --------------------------------------------------------------

COLAB_MARKER = "# Setup for Google Colab"
ROOT = Path(__file__).resolve().parents[1]


def repository_url(root=ROOT):
    """The repository's URL, declared once: `[project.urls] Repository` in pyproject.toml."""
    with open(Path(root) / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["urls"]["Repository"]


# The owner a fresh copy of the course names in pyproject.toml until it has a public address.
PLACEHOLDER_OWNER = "your-name"

# What the placeholder cell tells a learner without the package: one line, the error's message.
WITHOUT_ADDRESS = ("The course package is missing, and this copy of the course has no public address to "
                   "install it from: upload the course folder (the one with pyproject.toml), run "
                   "`pip install` on it and run this cell again, or work in JupyterLab from that folder "
                   "(its README.md says how).")


def _wrapped(text, indent=30, width=100):
    """`text` as adjacent string literals, one per line, for a cell's source."""
    lines = textwrap.wrap(text, width - indent - 4, break_on_hyphens=False)
    pieces = [line + " " for line in lines[:-1]] + lines[-1:]   # the spaces the wrapping took
    return ("\n" + " " * indent).join(map(repr, pieces))


def is_placeholder(url):
    """Whether `url` is still the placeholder address of a fresh copy (github.com/your-name/...)."""
    return f"/{PLACEHOLDER_OWNER}/" in url


def colab_cell_text(url):
    """The first cell of every notebook: install `course` from `url` if it cannot be imported, else nothing.

    While `url` is the placeholder, the cell installs nothing and stops with `WITHOUT_ADDRESS` instead.
    """
    if is_placeholder(url):
        return f"""{COLAB_MARKER} (or any Python without the course): the course's package is needed. In
# JupyterLab from the repository, and when grading, it is installed and this cell does nothing.
try:
    import course  # noqa: F401
except ModuleNotFoundError:
    raise ModuleNotFoundError({_wrapped(WITHOUT_ADDRESS)}) from None"""
    return f"""{COLAB_MARKER} (or any Python without the course): installs the course's package when it
# is missing. In JupyterLab from the repository, and when grading, it does nothing.
try:
    import course  # noqa: F401
except ModuleNotFoundError:
    import subprocess
    import sys
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "git+{url}"],
                   check=True)"""


def with_colab_cell(nb, url):
    """`nb` with the Colab cell for `url` first: an existing one is updated in place, else one is inserted."""
    text = colab_cell_text(url)
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and first.source.startswith(COLAB_MARKER):
        first.source = text
    else:
        nb.cells.insert(0, code(text))
    return nb


def add_colab_cells(root=ROOT):
    """Write or update the Colab cell of every source/<id>/<id>.ipynb under `root`; the paths changed."""
    url, changed = repository_url(root), []
    for path in sorted(Path(root).glob("source/*/*.ipynb")):
        if path.stem != path.parent.name:
            continue
        nb = nbformat.read(str(path), as_version=4)
        before = nbformat.writes(nb)
        if nbformat.writes(with_colab_cell(nb, url)) != before:
            nbformat.write(nb, str(path))
            changed.append(path)
    return changed


def test_cell_text(grade_id, function, example):
    """A test cell's source: what the visible example checks (as comment lines), the visible check,
    then the hidden one. `example` is the exercise's entry in course.checks.registry.EXAMPLES."""
    comments = "\n".join(f"# {line}" if line else "#" for line in example.strip("\n").split("\n"))
    return (f"{comments}\ncheck(\"{grade_id}\", {function})\n### BEGIN HIDDEN TESTS\n"
            f"check(\"{grade_id}\", {function}, hidden=True)\n### END HIDDEN TESTS")


def expected_test_cell(cell):
    """What a test cell of a registered exercise must say (from course/checks), or None for any other cell."""
    from course.checks.registry import EXAMPLES, EXERCISES

    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    if cell.cell_type != "code" or grade_id not in EXERCISES or grade_id not in EXAMPLES:
        return None
    return test_cell_text(grade_id, EXERCISES[grade_id].function, EXAMPLES[grade_id])


def write_test_cells(root=ROOT):
    """Rewrite every registered test cell of source/ from course/checks; the paths changed."""
    changed = []
    for path in sorted(Path(root).glob("source/*/*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        edited = False
        for cell in nb.cells:
            text = expected_test_cell(cell)
            if text is not None and cell.source != text:
                cell.source, edited = text, True
        if edited:
            nbformat.write(nb, str(path))
            changed.append(path)
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT
    for changed_path in sorted(set(add_colab_cells(target)) | set(write_test_cells(target))):
        print(f"updated {changed_path}")
