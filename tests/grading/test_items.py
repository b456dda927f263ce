"""Item analysis (course.grading.items) against a hand computation, on a small class in a throwaway gradebook.

The class is built with nbgrader's own Gradebook API (no kernel, no notebook run): five students and
four autograded test cells, one of which every student passes. The numbers below were computed by hand,
step by step in the comments, with population variances.
"""
import csv
import math

import nbformat
import pytest

from course.cli import main
from course.grading import class_report, items
from course.grading.course import Course

from ..conftest import with_empty_gradebook

ASSIGNMENT = "hw"
CELLS = {"c1": 1, "c2": 2, "c3": 1, "c4": 1}     # test cell -> points
SCORES = {                                       # student -> points on c1, c2, c3, c4
    "ann": (1, 2, 1, 0),                         # total 4
    "bob": (1, 2, 1, 1),                         # total 5
    "cyd": (1, 0, 1, 1),                         # total 3
    "dan": (0, 0, 1, 1),                         # total 2
    "eli": (0, 0, 1, 0),                         # total 1
}
# c1: x = [1, 1, 1, 0, 0], rest = total - x = [3, 4, 2, 2, 1]; means 0.6 and 2.4
#     cov = (.4*.6 + .4*1.6 + .4*-.4 + -.6*-.4 + -.6*-1.4) / 5 = 1.8 / 5 = 0.36
#     var x = 0.24, var rest = (.36 + 2.56 + .16 + .16 + 1.96) / 5 = 1.04: r = 0.36 / sqrt(0.24 * 1.04)
# c2: x = [2, 2, 0, 0, 0], rest = [2, 3, 3, 2, 1]; means 0.8 and 2.2
#     cov = (1.2*-.2 + 1.2*.8 + -.8*.8 + -.8*-.2 + -.8*-1.2) / 5 = 1.2 / 5 = 0.24
#     var x = 0.96, var rest = (.04 + .64 + .64 + .04 + 1.44) / 5 = 0.56: r = 0.24 / sqrt(0.96 * 0.56)
# c3: every student has full points: no spread, the discrimination is undefined
# c4: x = [0, 1, 1, 1, 0], rest = [4, 4, 2, 1, 1]; means 0.6 and 2.4
#     cov = (-.6*1.6 + .4*1.6 + .4*-.4 + .4*-1.4 + -.6*-1.4) / 5 = -0.2 / 5 = -0.04
#     var x = 0.24, var rest = (2.56 + 2.56 + .16 + 1.96 + 1.96) / 5 = 1.84: r = -0.04 / sqrt(0.24 * 1.84)
# alpha: item variances 0.24 + 0.96 + 0 + 0.24 = 1.44; totals [4, 5, 3, 2, 1], variance 2;
#     4 / 3 * (1 - 1.44 / 2) = 0.3733...
HAND = {
    "c1": (0.6, 0.36 / math.sqrt(0.24 * 1.04), ""),
    "c2": (0.4, 0.24 / math.sqrt(0.96 * 0.56), ""),
    "c3": (1.0, None, ""),
    "c4": (0.6, -0.04 / math.sqrt(0.24 * 1.84), "check this item: negative discrimination"),
}
ALPHA = 4 / 3 * (1 - 1.44 / 2)


@pytest.fixture
def small_class(tmp_path):
    root = tmp_path / "course"
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), str(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "items-test"\n')
    with Course(with_empty_gradebook(root)).gradebook() as gb:
        gb.add_assignment(ASSIGNMENT)
        gb.add_notebook(ASSIGNMENT, ASSIGNMENT)
        for cell, points in CELLS.items():
            gb.add_grade_cell(cell, ASSIGNMENT, ASSIGNMENT, max_score=points, cell_type="code")
        gb.add_grade_cell("written", ASSIGNMENT, ASSIGNMENT, max_score=3, cell_type="markdown")  # not an item
        for student, scores in SCORES.items():
            gb.add_student(student)
            gb.add_submission(ASSIGNMENT, student)
            for cell, score in zip(CELLS, scores):
                grade = gb.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student)
                grade.auto_score, grade.needs_manual_grade = score, False   # as autograde leaves a test cell
        gb.db.commit()
    return root


def test_the_statistics_are_the_hand_computation(small_class):
    (analysis,) = items.item_analysis(small_class, [ASSIGNMENT])
    assert analysis.students == sorted(SCORES)
    assert [item.grade_id for item in analysis.items] == list(CELLS)
    for item in analysis.items:
        difficulty, discrimination, flag = HAND[item.grade_id]
        assert item.difficulty == pytest.approx(difficulty)
        if discrimination is None:
            assert item.discrimination is None and item.undefined_why == "every student has full points"
        else:
            assert item.discrimination == pytest.approx(discrimination, abs=1e-12)
        assert item.flag == flag
    assert analysis.alpha == pytest.approx(ALPHA, abs=1e-12)
    assert HAND["c1"][1] == pytest.approx(0.720577, abs=1e-6) and HAND["c2"][1] == pytest.approx(0.327327, abs=1e-6)


def test_low_but_positive_discrimination_is_flagged_too():
    analysis = items.analyse("x", [("a", 1), ("b", 1), ("c", 1)],
                             {"s1": {"a": 1, "b": 1, "c": 1}, "s2": {"a": 0, "b": 1, "c": 0},
                              "s3": {"a": 1, "b": 0, "c": 0}, "s4": {"a": 0, "b": 0, "c": 1}})
    # b against a + c: x = [1, 1, 0, 0], rest = [2, 0, 1, 1]: cov = (.5*1 + .5*-1 + -.5*0 + -.5*0) / 4 = 0
    assert analysis.items[1].discrimination == pytest.approx(0.0, abs=1e-12)
    assert analysis.items[1].flag == "check this item: low discrimination"


def test_undefined_is_never_a_number_and_alpha_needs_two_cells():
    assert items.correlation([1, 1, 1], [1, 2, 3]) is None and items.correlation([1, 2, 3], [4, 4, 4]) is None
    assert items.cronbach_alpha([[1, 0, 1]]) is None and items.cronbach_alpha([[1, 1], [0, 0]]) is None
    assert items.shown(None) == "undefined" and items.shown(0.5) == "0.50"


def test_the_report_and_the_csv_show_them(small_class, capsys):
    csv_path = small_class / "items.csv"
    assert main(["--root", str(small_class), "report", ASSIGNMENT, "--items-csv", str(csv_path)]) == 0
    out = capsys.readouterr().out.split()
    assert out == [str(small_class / class_report.REPORT_FILE), str(csv_path)]
    with open(csv_path) as handle:
        rows = {row["test_cell"]: row for row in csv.DictReader(handle)}
    assert list(rows) == list(CELLS)
    assert rows["c3"]["discrimination"] == "undefined" and rows["c3"]["note"] == "every student has full points"
    assert float(rows["c1"]["discrimination"]) == pytest.approx(HAND["c1"][1], abs=5e-4)
    assert float(rows["c2"]["difficulty"]) == pytest.approx(0.4)
    assert rows["c4"]["flag"] == "check this item: negative discrimination"
    assert {row["assignment_alpha"] for row in rows.values()} == {f"{ALPHA:.3f}"}
    page = (small_class / class_report.REPORT_FILE).read_text()
    assert "<h3>Item analysis</h3>" in page and f"<b>{ALPHA:.2f}</b>" in page
    assert "<td>c3</td><td>1</td><td>5 / 5</td><td>1.00</td><td>undefined</td>" in page
    assert "<td>c1</td><td>1</td><td>3 / 5</td><td>0.60</td><td>0.72</td><td></td>" in page
    assert ">nan<" not in page.lower()
