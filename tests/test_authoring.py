"""The Colab cell: one URL in pyproject.toml, the same first cell in every notebook, harmless when grading."""
from pathlib import Path
import subprocess
import sys

import nbformat
import pytest

from course import authoring
from course.grading.reading import Reading
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
URL = authoring.repository_url(ROOT)


@pytest.mark.parametrize("folder", ["source", "release"])
@pytest.mark.parametrize("assignment_id", Course.of(ROOT).assignment_ids())
def test_every_notebook_starts_with_the_current_colab_cell(folder, assignment_id):
    """Does each notebook open with the Colab cell for the repository URL of pyproject.toml, as a plain cell?
    (After changing the URL: python -m course.authoring, then python3 tasks.py course release.)"""
    nb = nbformat.read(str(ROOT / folder / assignment_id / f"{assignment_id}.ipynb"), as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code" and first.source == authoring.colab_cell_text(URL)
    assert "nbgrader" not in first.metadata and not first.get("outputs")


def test_the_url_is_written_once_in_the_cell():
    url = "https://github.com/someone/torch-gradients-course"
    text = authoring.colab_cell_text(url)
    assert text.count(url) == 1 and URL.startswith("https://")


def test_the_placeholder_address_is_recognised():
    assert authoring.is_placeholder("https://github.com/your-name/torch-gradients-course")
    assert not authoring.is_placeholder("https://github.com/someone/torch-gradients-course")


def _run_without_course(text, monkeypatch):
    """Run a Colab cell where `import course` fails, as on Colab; the pip/git commands it runs, and its error."""
    commands = []
    monkeypatch.setitem(sys.modules, "course", None)   # makes `import course` raise ModuleNotFoundError
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: commands.append(command))
    try:
        exec(text, {})
    except ModuleNotFoundError as error:
        return commands, str(error)
    return commands, None


def test_without_a_public_address_the_cell_says_what_to_do_instead_of_running_git(monkeypatch):
    """While pyproject.toml names the placeholder, does the cell, where course is missing, run no pip or git
    and stop with one line that says what to do?"""
    commands, error = _run_without_course(
        authoring.colab_cell_text("https://github.com/your-name/torch-gradients-course"), monkeypatch)
    assert commands == [] and error == authoring.WITHOUT_ADDRESS
    assert "\n" not in error and "pip install" in error and "README.md" in error


def test_with_a_public_address_the_cell_installs_from_it(monkeypatch):
    url = "https://github.com/someone/torch-gradients-course"
    commands, error = _run_without_course(authoring.colab_cell_text(url), monkeypatch)
    assert error is None and len(commands) == 1 and commands[0][-1] == f"git+{url}"


def test_the_cell_is_inserted_once_then_updated():
    """Does writing the cell twice, with a new URL, keep one Colab cell, first, with the new URL?"""
    nb = authoring.notebook([authoring.markdown("# Title"), authoring.code("x = 1")])
    authoring.with_colab_cell(nb, "https://example.org/old")
    authoring.with_colab_cell(nb, "https://example.org/new")
    assert [c.source.startswith(authoring.COLAB_MARKER) for c in nb.cells] == [True, False, False]
    assert "example.org/new" in nb.cells[0].source and "example.org/old" not in nb.cells[0].source


def test_add_colab_cells_updates_source_notebooks(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://example.org/course"\n')
    (tmp_path / "source" / "01_x").mkdir(parents=True)
    path = tmp_path / "source" / "01_x" / "01_x.ipynb"
    nbformat.write(authoring.notebook([authoring.markdown("# 01")]), str(path))
    assert authoring.add_colab_cells(tmp_path) == [path]
    assert authoring.add_colab_cells(tmp_path) == []  # already current
    assert nbformat.read(str(path), as_version=4).cells[0].source == authoring.colab_cell_text("https://example.org/course")


def test_the_cell_does_nothing_where_course_is_installed():
    """Where `course` imports (JupyterLab from the repository, grading kernels), is nothing installed or bound?"""
    namespace = {}
    exec(authoring.colab_cell_text(URL), namespace)
    assert "course" in namespace and "subprocess" not in namespace


def test_the_grader_finds_nothing_to_report_in_the_cell():
    """Does the integrity scan of a graded notebook see no sign of tampering in the Colab cell?"""
    reading = Reading(authoring.notebook([authoring.code(authoring.colab_cell_text(URL))]))
    assert reading.signs == [] and reading.refusal("relu_backward", "tensors") == ""


def test_every_test_cell_is_what_course_checks_describes():
    """Is each registered exercise's test cell exactly the one written from its EXAMPLES entry (no drift)?"""
    import nbformat

    from course.checks.registry import EXAMPLES, EXERCISES

    seen = set()
    for path in sorted(ROOT.glob("source/*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            expected = authoring.expected_test_cell(cell)
            if expected is not None:
                assert cell.source == expected, f"{path.name}: {cell.metadata.nbgrader.grade_id}"
                seen.add(cell.metadata.nbgrader.grade_id)
    assert seen == set(EXERCISES) == set(EXAMPLES)


def test_a_test_cell_whose_comment_drifted_is_refused_by_the_release_lint():
    import nbformat

    from course.grading.release import cell_problems

    nb = nbformat.read(str(ROOT / "source" / "03_backward" / "03_backward.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "relu_backward_tests")
    cell.source = cell.source.replace("torch passes no gradient", "torch passes half the gradient")
    problems = cell_problems("03_backward.ipynb", nb)
    assert any("differs from the test cell course/checks describes" in p.fix for p in problems)
