"""The misconceptions a class and a learner showed: heat map, what persists, profiles and study plans.

A small class in a throwaway gradebook (nbgrader's API, no kernel) with judge.json records written as
the grader writes them; and a self-learner's `course check --record` records.
"""
import base64
import json
from pathlib import Path

import nbformat
import pytest

from course.checks.core.misconceptions import catalogue
from course.cli import main
from course.grading import class_report, misconception_report, selfcheck
from course.grading.course import Course

from ..conftest import with_empty_gradebook

ASSIGNMENTS = ["a1", "a2"]
BROADCAST, MEAN = "broadcast-grad-sum", "mean-factor"
# (student, assignment) -> {test cell: misconception ids of its failed verdict}; None: not handed in
CLASS = {
    ("ann", "a1"): {"t1": [BROADCAST]}, ("ann", "a2"): {"t2": [BROADCAST]},
    ("bob", "a1"): {"t1": [MEAN]}, ("bob", "a2"): {},
    ("cyd", "a1"): {}, ("cyd", "a2"): {"t2": []},      # a failure whose diagnosis cannot tell the cause
    ("dan", "a1"): {"t1": [BROADCAST, MEAN]}, ("dan", "a2"): None,
}


def _verdicts(failed):
    cells = {"t1": [{"passed": True, "message": "f: the example is right.", "diagnosis": "", "misconceptions": []}],
             "t2": [{"passed": True, "message": "g: the example is right.", "diagnosis": "", "misconceptions": []}]}
    for cell, ids in failed.items():
        cells[cell] = [{"passed": False, "message": "wrong", "diagnosis": "wrong", "misconceptions": ids}]
    return cells


@pytest.fixture
def graded_class(tmp_path):
    root = tmp_path / "course"
    (root / "nbgrader_config.py").parent.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "mc-test"\n')
    with Course(with_empty_gradebook(root)).gradebook() as gb:
        for assignment in ASSIGNMENTS:
            (root / "source" / assignment).mkdir(parents=True)
            nbformat.write(nbformat.v4.new_notebook(), str(root / "source" / assignment / f"{assignment}.ipynb"))
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            for cell in ("t1", "t2"):
                gb.add_grade_cell(cell, assignment, assignment, max_score=1, cell_type="code")
        for (student, assignment), failed in CLASS.items():
            if not any(s.id == student for s in gb.students):
                gb.add_student(student)
            if failed is None:
                continue
            gb.add_submission(assignment, student)
            for cell in ("t1", "t2"):
                grade = gb.find_grade(cell, assignment, assignment, student)
                grade.auto_score, grade.needs_manual_grade = (0 if cell in failed else 1), False
            folder = root / "autograded" / student / assignment
            folder.mkdir(parents=True)
            (folder / "judge.json").write_text(json.dumps({"seed": 1, "verdicts": _verdicts(failed)}))
        gb.db.commit()
    (root / "source" / "a3").mkdir()   # released, never graded: not in the gradebook yet
    nbformat.write(nbformat.v4.new_notebook(), str(root / "source" / "a3" / "a3.ipynb"))
    return root


def test_shares_persistence_and_profiles(graded_class):
    graded = {"a1": ["ann", "bob", "cyd", "dan"], "a2": ["ann", "bob", "cyd"]}
    showings = misconception_report.class_showings(graded_class, ASSIGNMENTS, graded)
    assert showings.ids() == [i for i in catalogue() if i in (BROADCAST, MEAN)]
    assert showings.share(BROADCAST, "a1") == 2 / 4 and showings.share(BROADCAST, "a2") == 1 / 3
    assert showings.share(MEAN, "a1") == 2 / 4 and showings.share(MEAN, "a2") == 0
    assert showings.persistent() == [(BROADCAST, "ann", ["a1", "a2"])]
    assert [(m, [s.assignment for s in found]) for m, found in showings.profile("dan")] == \
        [(i, ["a1"]) for i in catalogue() if i in (BROADCAST, MEAN)]
    assert showings.profile("cyd") == []


def test_the_class_report_shows_the_heat_map_what_persists_and_each_profile(graded_class):
    page = class_report.write_report(graded_class, ASSIGNMENTS).read_text()
    section = page[page.index("<section id='misconceptions'>"):]
    section = section[:section.index("</section>")].replace("&#x27;", "'")
    heat_map = section.split("id='misconception-heat-map'")[1].split("src='data:image/png;base64,")[1].split("'")[0]
    assert base64.b64decode(heat_map)[:8] == b"\x89PNG\r\n\x1a\n"
    broadcast = catalogue()[BROADCAST]
    assert f"<td>{BROADCAST}</td><td>{broadcast.name}</td><td>a1: 2/4; a2: 1/3</td><td>{broadcast.reread}</td>" \
        in section
    assert f"<td>{broadcast.name}</td><td>ann</td><td>a1 → a2</td>" in section
    assert f"<td>ann</td><td>{broadcast.name}</td><td>a1 (t1); a2 (t2)</td>" in section
    assert "<td>cyd</td>" not in section


def test_the_report_of_every_assignment_leaves_out_one_never_graded(graded_class, capsys):
    assert main(["--root", str(graded_class), "report"]) == 0
    page = Path(capsys.readouterr().out.strip()).read_text()
    assert "<section id='a2'>" in page and "<section id='a3'>" not in page


def test_one_students_page_is_a_study_plan(graded_class, capsys):
    assert main(["--root", str(graded_class), "report", "--student", "ann"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == graded_class / "study_plan_ann.html"
    page = path.read_text().replace("&#x27;", "'")
    broadcast = catalogue()[BROADCAST]
    assert "<h1>Study plan: ann</h1>" in page and broadcast.explanation in page
    assert f"<b>Reread:</b> {broadcast.reread}" in page and "it persists" in page
    assert "<td>a1</td><td>1 / 2</td>" in page and catalogue()[MEAN].name not in page


def test_a_self_learners_records_make_a_study_plan_without_a_gradebook(tmp_path, capsys):
    work = tmp_path / "my-course" / "release"
    notebook = work / "03_backward" / "03_backward.ipynb"
    notebook.parent.mkdir(parents=True)
    for failed in ({"t1": [MEAN]}, {"t2": [BROADCAST]}):   # two runs of `course check --record`
        result = selfcheck.Result(notebook, 7, [selfcheck.Row("t1", True, True, "", 1, 1)],
                                  verdicts=_verdicts(failed))
        selfcheck.write_record(result)
    record = json.loads((notebook.parent / selfcheck.CHECK_RECORD).read_text())
    assert record["assignment"] == "03_backward" and len(record["runs"]) == 2
    assert main(["report", "--student", "me", "--checks", str(work)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == work / "study_plan_me.html"
    page = path.read_text().replace("&#x27;", "'")
    assert catalogue()[BROADCAST].reread in page
    mean = page[page.index(f"<section id='{MEAN}'>"):]
    assert "not shown in your last check any more" in mean[:mean.index("</section>")]
    assert "03_backward (t1), earlier check only" in page


def test_checks_without_a_student_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="give --student"):
        main(["report", "--checks", str(tmp_path)])
