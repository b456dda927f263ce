"""Lint every source notebook: the conventions nbgrader and the tests rely on."""
import ast
from pathlib import Path

import nbformat
import pytest

from course.grading import release
from course.grading.mistakes import load_mistakes
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = Course.of(ROOT).assignment_ids()
SAFE_LAST_CALLS = {"assert_close", "check_predictions", "check"}


def _source(assignment_id):
    return release.read_source(ROOT, assignment_id)


_meta = release.nbgrader_metadata


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_no_outputs_committed(assignment_id):
    """The rule `course release` refuses by (course.grading.release), on the committed source/."""
    for cell in _source(assignment_id).cells:
        assert release.output_problem(cell) is None, cell.source[:60]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_only_the_notebook_in_its_source_folder(assignment_id):
    """Is there nothing else in source/<id>/ that nbgrader would copy to students?"""
    files = [p.name for p in (ROOT / "source" / assignment_id).iterdir() if p.name != ".ipynb_checkpoints"]
    assert files == [f"{assignment_id}.ipynb"]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_nbgrader_metadata_is_valid_and_current(assignment_id):
    """nbgrader's own validator (schema version 3, grade ids, points), and no graded-looking cell left unmarked."""
    for cell in _source(assignment_id).cells:
        assert release.metadata_problem(cell) is None and release.unmarked_problem(cell) is None, cell.source[:60]


def test_grade_ids_are_unique_across_the_course():
    notebooks = {assignment_id: _source(assignment_id) for assignment_id in ASSIGNMENTS}
    assert [str(problem) for problem in release.duplicate_grade_ids(notebooks)] == []


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_cells_mark_their_solution(assignment_id):
    """Does every code solution cell keep its signature outside BEGIN/END SOLUTION?"""
    for cell in _source(assignment_id).cells:
        if cell.cell_type == "code" and _meta(cell).get("solution"):
            lines = cell.source.splitlines()
            begin = [i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line]
            end = [i for i, line in enumerate(lines) if "### END SOLUTION" in line]
            assert begin and len(begin) == len(end), _meta(cell)["grade_id"]
            assert begin[0] > 0, f"{_meta(cell)['grade_id']}: nothing before BEGIN SOLUTION"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_test_cells_are_locked_graded_and_end_without_a_value(assignment_id):
    """Is no test cell left ending in an expression nbgrader would read as partial credit?"""
    for cell in _source(assignment_id).cells:
        if "HIDDEN TESTS" in cell.source:
            assert _meta(cell).get("grade") and not _meta(cell).get("solution")
        if cell.cell_type == "code" and _meta(cell).get("grade"):
            assert _meta(cell)["locked"] and _meta(cell)["points"] > 0
            last = ast.parse(cell.source).body[-1]
            if isinstance(last, ast.Expr):
                called = last.value.func if isinstance(last.value, ast.Call) else None
                name = getattr(called, "id", getattr(called, "attr", ""))
                assert name in SAFE_LAST_CALLS or name.startswith("_"), \
                    f"{_meta(cell)['grade_id']} ends in an expression"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_has_a_written_answer_graded_by_hand(assignment_id):
    assert any(cell.cell_type == "markdown" and _meta(cell).get("grade") and _meta(cell).get("solution")
               for cell in _source(assignment_id).cells)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_mistakes_name_cells_that_exist(assignment_id):
    grade_ids = {_meta(cell).get("grade_id") for cell in _source(assignment_id).cells}
    for mistake in load_mistakes(ROOT, assignment_id):
        assert mistake.cell in grade_ids and set(mistake.loses) <= grade_ids, mistake.name


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_released(assignment_id):
    assert (ROOT / "release" / assignment_id / f"{assignment_id}.ipynb").exists()


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_autograded_test_cell_is_judged_by_the_grader(assignment_id):
    """Is every test cell's verdict computed outside the learner's kernel (course.checks.registry)?

    An unregistered test cell would run in the kernel, where learner code can make it pass.
    """
    from course.checks.registry import EXERCISES
    in_kernel = [_meta(c)["grade_id"] for c in _source(assignment_id).cells
                 if c.cell_type == "code" and _meta(c).get("grade") and not _meta(c).get("solution")
                 and _meta(c)["grade_id"] not in EXERCISES]
    assert not in_kernel, f"graded in the kernel, not by the grader: {in_kernel}"


# Solution lines a learner may read above their exercise: the statement names the pieces an
# assembly exercise puts together (06's and 07's training loops are d2l's lines, 08's init_mlp
# calls the stds of Exercise 5), stubs keep their scaffolding, and 09's operations end as its
# worked example does. Anything else found above is an answer given away.
SPELLED_OUT = {
    "RANDN_DTYPE_ANSWERS": {"RANDN_DTYPE_ANSWERS={"},
    "GRAPH_PREDICTIONS": {"GRAPH_PREDICTIONS={"},
    "train_linreg": {"l=squared_loss(linreg(X,w,b),y)", "l.sum().backward()", "sgd([w,b],lr,batch_size)"},
    "train_two_layer": {"loss=(two_layer_forward(X,W1,W2)-y).pow(2).sum()"},
    "init_mlp": {"std=xavier_std(fan_in,fan_out)", "std=he_std(fan_in)",
                 "b1=nn.Parameter(torch.zeros(num_hiddens))", "b2=nn.Parameter(torch.zeros(num_outputs))"},
    "Value": {"out._backward=_backward"}, "Value_pow": {"out._backward=_backward"},
    "Value_unary_ops": {"out._backward=_backward"},
}


def _code_lines(text):
    """Each line without comments and blanks: the same code however it is spaced."""
    return ["".join(line.split("#")[0].split()) for line in text.splitlines()]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_no_solution_line_is_shown_above_its_exercise(assignment_id):
    """Does any line of a solution appear, as code, in what the learner reads before it (release/)?

    Lines of 18 characters or more that are not a def, import, return, for, if or no_grad header:
    the short and structural lines every answer shares are not an answer.
    """
    released = nbformat.read(str(ROOT / "release" / assignment_id / f"{assignment_id}.ipynb"), as_version=4)
    ids = [_meta(c).get("grade_id") for c in released.cells]
    shown = {}
    for cell in _source(assignment_id).cells:
        if "### BEGIN SOLUTION" not in cell.source:
            continue
        grade_id = _meta(cell)["grade_id"]
        solution = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        above_text = "\n".join(line for c in released.cells[:ids.index(grade_id) + 1] for line in _code_lines(c.source))
        lines = [line for line in _code_lines(solution) if len(line) >= 18 and not line.startswith(
            ("def", "import", "from", "return", "for", "if", "withtorch.no_grad"))]
        found = {line for line in lines if line in above_text} - SPELLED_OUT.get(grade_id, set())
        if found:
            shown[grade_id] = sorted(found)
    assert not shown, f"solution lines shown above their exercise: {shown}"
