"""Does the feedback filter remove hidden tests and the tracebacks that quote them, and nothing else?"""
import nbformat

from course import authoring
from course.grading.plugins.hide_hidden_tests import HIDDEN_NOTE, HideHiddenTests

VISIBLE = "assert_close(call(f, _x), _y, 'f(x)')"
HIDDEN = "_secret_case = make_hidden_case(seed=1234)"


def _graded_cell(source):
    cell = authoring.tests("f_tests", source, points=1)
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="f(x) has the wrong sign",
                                           traceback=["Traceback ...", f"----> 3 {HIDDEN}", "AssertionError: ..."])]
    return cell


def _filtered(cell):
    nb = authoring.notebook([cell])
    HideHiddenTests().preprocess(nb, {})
    return nb.cells[0]


def test_hidden_region_and_its_traceback_are_removed():
    cell = _filtered(_graded_cell(f"{VISIBLE}\n### BEGIN HIDDEN TESTS\n{HIDDEN}\n### END HIDDEN TESTS"))
    assert HIDDEN not in cell.source and VISIBLE in cell.source and HIDDEN_NOTE in cell.source
    assert cell.outputs[0].traceback == ["AssertionError: f(x) has the wrong sign"]


def test_cells_without_hidden_tests_keep_their_traceback():
    cell = _filtered(_graded_cell(VISIBLE))
    assert cell.source == VISIBLE and len(cell.outputs[0].traceback) == 3
