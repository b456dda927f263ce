"""`course check`: does a learner's own check judge as the autograder does, and teach with --reveal?"""
import json
from pathlib import Path

import nbformat
import pytest

from course import cli
from course.checks.core.misconceptions import catalogue
from course.grading import selfcheck
from course.grading.mistakes import apply_mistakes, load_mistakes, read_notebook
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ["03_backward", "06_linear_regression"]


def _run_cli(capsys, *argv):
    status = cli.main(["--root", str(ROOT), *map(str, argv)])
    return status, capsys.readouterr().out


@pytest.mark.nbgrader
def test_untouched_student_version_scores_nothing_and_says_why(capsys):
    """Does `course check` on the released notebook give one failing row per exercise, with the stub's message?"""
    status, out = _run_cli(capsys, "check", ROOT / "release" / "01_randn" / "01_randn.ipynb")
    assert status == 1
    lines = out.splitlines()
    rows = {line.split()[0]: line for line in lines if line.strip()}
    for grade_id in ("RANDN_DTYPE_ANSWERS_tests", "normal_sample_tests", "init_leaf_tests"):
        assert rows[grade_id].split()[1:3] == ["FAIL", "-"]
    assert "Not written yet" in rows["normal_sample_tests"]
    assert "total: 0/7 points autograded, and 1 written answer(s) worth 2 graded by hand" in out
    assert "torch says" not in out and "model answer" not in out  # nothing revealed without --reveal


@pytest.mark.nbgrader
def test_reveal_teaches_predictions_and_shows_model_answers(tmp_path, capsys):
    """With --reveal, are wrong predictions told with torch's answer and why, and written answers paired with the model?"""
    mistake = next(m for m in load_mistakes(ROOT, "01_randn") if m.name == "dtype_float_is_float32")
    nb = apply_mistakes(read_notebook(ROOT / "source" / "01_randn" / "01_randn.ipynb"), [mistake])
    path = tmp_path / "01_randn.ipynb"
    nbformat.write(nb, str(path))
    status, out = _run_cli(capsys, "check", path, "--reveal")
    assert status == 1  # the wrong prediction costs its cell's points
    assert "RANDN_DTYPE_ANSWERS_tests: 5 of 6 predictions right" in out
    assert ("[ ] dtype of torch.randn((14, 128), dtype=float) + torch.randn(128): torch says torch.float64 "
            "(you said torch.float32)") in out
    assert "why: dtype=float is float64" in out
    assert "[x] shape of torch.randn(()) * torch.randn(3): torch says (3,) (you were right)" in out
    model = selfcheck.model_answers("01_randn", [ROOT])["randn_leaf_written"]
    assert "your answer:" in out and "model answer:\n    " + model.splitlines()[0] in out


def test_reveal_off_refuses_with_the_reason(tmp_path, capsys):
    """When the instructor turned reveal off, does --reveal refuse (running nothing) and say who and until when?"""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.SelfCheck.reveal = False\n")
    status = cli.main(["--root", str(tmp_path), "check", str(tmp_path / "no-such.ipynb"), "--reveal"])
    out = capsys.readouterr().out
    assert status == 2
    assert "instructor turned reveal off until the deadline" in out


def test_a_missing_or_broken_notebook_is_named(tmp_path, capsys):
    """Does `course check` say what is wrong with the path instead of a traceback?"""
    assert cli.main(["check", str(tmp_path / "01_randn.ipynb")]) == 2
    assert "there is no notebook at" in capsys.readouterr().out
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert cli.main(["check", str(tmp_path / "broken.ipynb")]) == 2
    assert "not a notebook" in capsys.readouterr().out


def test_model_answers_say_when_they_are_not_available(tmp_path):
    """Without the repository's source/, does --reveal say the model answers are not available?"""
    result = selfcheck.Result(tmp_path / "01_randn.ipynb", 1, [], written=[("randn_leaf_written", "It is not a leaf.", 2)])
    text = selfcheck.reveal_text(result, [tmp_path])
    assert "Model answers: not available" in text and "It is not a leaf." in text
    assert "model answer:" not in text


def test_every_written_question_has_a_model_answer():
    """Does source/ hold a model answer for each written question that --reveal can show?"""
    for source in sorted((ROOT / "source").glob("*/*.ipynb")):
        nb = nbformat.read(str(source), as_version=4)
        written = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                   if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
        models = selfcheck.model_answers(source.stem, [ROOT])
        assert all(len(models[grade_id]) > 40 for grade_id in written), source.stem


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment_id", COMPARED)
def test_verdicts_equal_the_autograders(graded_classes, assignment_id):
    """On the example class (solution, stub, each group of mistakes, the correct alternatives), does `course
    check` with the grading's seed pass and fail exactly the cells nbgrader autograde scored, with the same
    points and diagnoses? (The attacks on the trust line are the tamper tests'.)"""
    root, graded = graded_classes
    if assignment_id not in graded:
        pytest.skip(f"{assignment_id} is not among COURSE_TEST_ASSIGNMENTS")
    students = [s for s in graded[assignment_id][0] if not s.startswith("attack-")]
    assert {"solution", "stub", "mistakes-1", "mistakes-2"} <= set(students)
    for student in students:
        record = json.loads((root / "autograded" / student / assignment_id / "judge.json").read_text())
        notebook = root / "submitted" / student / assignment_id / f"{assignment_id}.ipynb"
        result = selfcheck.check_notebook(notebook, seed=record["seed"], root=root)
        written = {grade_id for grade_id, _, _ in result.written}  # an untouched one scores 0 without a test
        autograded = {cell: score for cell, score in Course.of(root).cell_scores(assignment_id, student).items()
                      if score[0] is not None and cell not in written}
        assert {row.grade_id: (row.score, row.points) for row in result.rows} == autograded, student
        printed = selfcheck.table(result)
        for row in result.rows:
            messages = [v["message"] for v in record["verdicts"][row.grade_id] if not v["passed"]]
            assert row.diagnosis == (messages[0] if messages else ""), (student, row.grade_id)
            shown = [i for v in record["verdicts"][row.grade_id] if not v["passed"] for i in v["misconceptions"]][:1]
            for misconception in shown:  # a failed check ends with the misconception's name and where to reread it
                line = catalogue()[misconception].line
                assert row.diagnosis.endswith(line) and line in printed, (student, row.grade_id)
