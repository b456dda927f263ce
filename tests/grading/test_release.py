"""Does `course release` refuse a broken source notebook with a message saying where and what to fix, and does
`course release --check` tell a current release/ from a stale one?"""
import shutil

import nbformat
import pytest

from course import authoring
from course.cli import main
from course.grading import release

from .toy import ROOT, toy_notebook
from ..conftest import new_course, with_empty_gradebook

pytestmark = pytest.mark.nbgrader

CHECKED = "02_requires_grad"  # one of the shorter notebooks keeps --check fast


# A second assignment that shares no grade id with the toy one.
NOTES = authoring.notebook([authoring.markdown("# Notes"), authoring.code("x = 1")])


def course_with(root, notebooks):
    """A course folder at `root` with the course's config and source/<id>/<id>.ipynb for each {id: notebook}."""
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    with_empty_gradebook(root)
    for assignment_id, nb in notebooks.items():
        (root / "source" / assignment_id).mkdir(parents=True)
        nbformat.write(nb, str(root / "source" / assignment_id / f"{assignment_id}.ipynb"))
    return root


def release_output(root, capsys, *args):
    status = main(["--root", str(root), "release", *args])
    return status, capsys.readouterr().out


def toy_without_nbgrader_metadata():
    nb = toy_notebook()
    del nb.cells[3].metadata["nbgrader"]  # the tests cell, with its hidden tests and check-like calls
    return nb


def toy_without(key, cell_index):
    nb = toy_notebook()
    del nb.cells[cell_index].metadata["nbgrader"][key]
    return nb


def toy_with_outputs():
    nb = toy_notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="imported\n")]
    nb.cells[1].execution_count = 1
    return nb


def toy_with_a_check_call():
    nb = toy_notebook()
    nb.cells.append(authoring.code("check('double_tests', double)"))
    return nb


@pytest.mark.parametrize("broken, cell, expected", [
    (toy_without_nbgrader_metadata, "cell 3 ('check(\"double_tests\", double)')",
     "contains ### BEGIN HIDDEN TESTS and check( but has no nbgrader metadata"),
    (toy_with_a_check_call, "cell 6 (\"check('double_tests', double)\")", "contains check( but has no nbgrader"),
    (lambda: toy_without("points", 3), "cell 3", "nbgrader cell 'double_tests' does not have points"),
    (lambda: toy_without("grade_id", 5), "cell 5 ('Because 2(a + b) = 2a + 2b.')",
     "nbgrader metadata: nbgrader cell does not have a grade_id; set it"),
    (toy_with_outputs, "cell 1 ('import torch')", "has outputs or an execution count: clear all outputs"),
], ids=["no-metadata", "check-call", "no-points", "no-grade-id", "outputs"])
def test_a_broken_notebook_is_refused_saying_where_and_what_to_fix(tmp_path, capsys, broken, cell, expected):
    root = course_with(tmp_path, {"broken": broken()})
    status, out = release_output(root, capsys)
    assert status == 1
    assert f"release/broken: refused, fix 1 problem(s) in source/ first:\n  source/broken/broken.ipynb, {cell}" in out
    assert expected in out
    assert not (root / "release").exists()


def test_the_other_assignments_are_still_released(tmp_path, capsys):
    root = course_with(tmp_path, {"broken": toy_with_outputs(), "notes": NOTES})
    status, out = release_output(root, capsys)
    assert status == 1 and "release/broken: refused" in out and not (root / "release" / "broken").exists()
    assert "release/notes: ok" in out and (root / "release" / "notes" / "notes.ipynb").exists()


def test_a_source_that_is_not_json_is_refused_and_the_others_released(tmp_path, capsys):
    root = course_with(tmp_path, {"broken": NOTES, "notes": NOTES})
    (root / "source" / "broken" / "broken.ipynb").write_text('{"cells": [')  # cut off mid-save
    status, out = release_output(root, capsys)
    assert status == 1 and "release/broken: refused" in out and "not a readable notebook" in out
    assert "release/notes: ok" in out and not (root / "release" / "broken").exists()


def test_a_grade_id_used_twice_in_one_notebook_is_refused(tmp_path, capsys):
    nb = toy_notebook()
    nb.cells[5].metadata["nbgrader"]["grade_id"] = "double_tests"
    status, out = release_output(course_with(tmp_path, {"toy": nb}), capsys)
    assert status == 1
    assert ("source/toy/toy.ipynb, cell 3 ('check(\"double_tests\", double)'): grade_id 'double_tests' is also used by "
            "source/toy/toy.ipynb cell 5: give each cell its own") in out
    assert "cell 5 ('Because 2(a + b) = 2a + 2b.'): grade_id 'double_tests' is also used by" in out
    assert not (tmp_path / "release").exists()


def test_a_grade_id_used_in_two_notebooks_is_refused_in_both(tmp_path, capsys):
    """The course's registry keys exercises by grade_id alone, so another notebook's cell is a duplicate too."""
    root = course_with(tmp_path, {"toy": toy_notebook(), "toy_again": toy_notebook()})
    status, out = release_output(root, capsys, "toy")  # only one released, yet the other notebook counts
    assert status == 1
    assert "grade_id 'double' is also used by source/toy_again/toy_again.ipynb cell 2" in out
    assert not (root / "release").exists()


def test_check_passes_on_the_committed_release_and_leaves_it_alone(capsys):
    committed = ROOT / "release" / CHECKED / f"{CHECKED}.ipynb"
    before = committed.read_bytes(), committed.stat().st_mtime_ns
    status, out = release_output(ROOT, capsys, "--check", CHECKED)
    assert (status, out) == (0, f"release/{CHECKED} is current\n")
    assert (committed.read_bytes(), committed.stat().st_mtime_ns) == before


def test_check_names_the_cell_of_a_release_edited_by_hand(tmp_path, capsys):
    root = new_course(tmp_path / "course")
    shutil.copytree(ROOT / "release" / CHECKED, root / "release" / CHECKED)
    path = root / "release" / CHECKED / f"{CHECKED}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].source = "# edited by hand\n" + nb.cells[3].source
    nbformat.write(nb, str(path))
    status, out = release_output(root, capsys, "--check", CHECKED)
    assert status == 1
    assert out.splitlines() == [
        f"release/{CHECKED} differs from what source/{CHECKED} generates in 1 cell(s) "
        f"(run `course release {CHECKED}` and commit it):",
        "  cell 3 ('# edited by hand')"]
    assert nbformat.read(str(path), as_version=4) == nb  # --check reports, never rewrites


def test_differing_cells_compares_types_sources_and_nbgrader_metadata_not_cell_ids():
    committed = toy_notebook()
    regenerated = toy_notebook()  # new cell ids
    assert release.differing_cells(committed, regenerated) == []
    regenerated.cells[3].metadata["nbgrader"]["points"] = 5
    regenerated.cells[4].cell_type = "raw"
    regenerated.cells.append(authoring.markdown("More"))
    assert release.differing_cells(committed, regenerated) == [
        (3, 'check("double_tests", double)'), (4, "Why is doubling linear?"), (6, "More (only in one of them)")]
