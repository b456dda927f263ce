"""Are mistakes applied to the right cell, and grouped only when they touch different cells?"""
import pytest

from course import authoring
from course.grading.mistakes import Mistake, apply_mistakes, group_disjoint


def _m(name, cell, loses):
    return Mistake(name=name, cell=cell, code=f"# {name}", loses=loses)


def test_apply_replaces_only_the_named_cell_and_leaves_the_original():
    nb = authoring.notebook([authoring.solution("f", "def f(): ..."), authoring.solution("g", "def g(): ...")])
    changed = apply_mistakes(nb, [_m("wrong_f", "f", "f_tests")])
    assert changed.cells[0].source == "# wrong_f" and changed.cells[1].source == "def g(): ..."
    assert nb.cells[0].source == "def f(): ..."


def test_replacements_edit_the_solution_and_fail_loudly_when_it_changed():
    """Does a mistake given as edits apply to the solution, and refuse when its text is not there once?"""
    nb = authoring.notebook([authoring.solution("f", "def f(x):\n    return 2 * x")])
    edit = Mistake(name="triple", cell="f", loses="f_tests", replace=("2 * x", "3 * x"))
    assert apply_mistakes(nb, [edit]).cells[0].source == "def f(x):\n    return 3 * x"
    stale = Mistake(name="stale", cell="f", loses="f_tests", replace=[("4 * x", "5 * x")])
    with pytest.raises(ValueError, match="occurs 0 times"):
        apply_mistakes(nb, [stale])


def test_a_mistake_is_either_code_or_edits():
    with pytest.raises(ValueError, match="either code or replace"):
        Mistake(name="both", cell="f", loses="f_tests", code="x", replace=("a", "b"))


def test_unknown_cell_is_an_error():
    with pytest.raises(KeyError, match="no cell with grade_id 'h'"):
        apply_mistakes(authoring.notebook([]), [_m("x", "h", "h_tests")])


def test_groups_never_share_a_cell_or_a_lost_test():
    mistakes = [_m("f1", "f", ["f_tests"]), _m("f2", "f", ["f_tests"]), _m("g1", "g", ["g_tests"]),
                _m("h1", "h", ["h_tests", "g_tests"])]
    groups = group_disjoint(mistakes)
    assert [[m.name for m in group] for group in groups] == [["f1", "g1"], ["f2", "h1"]]


def test_a_single_string_is_one_lost_test():
    assert _m("x", "f", "f_tests").loses == ("f_tests",)


def test_the_demo_student_gets_every_other_exercise_wrong():
    """The demo's table should show partial credit: a typical mistake in exercises 1, 3, 5..."""
    from examples.example_class import demo_mistakes

    catalog = [Mistake(name=f"{cell}{n}", cell=cell, loses=[f"{cell}_tests"], code="pass")
               for cell, n in [("a", 1), ("a", 2), ("b", 1), ("c", 1), ("c", 2), ("d", 1)]]
    assert [m.name for m in demo_mistakes(catalog)] == ["a1", "c1"]
