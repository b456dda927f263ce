"""The tamper corpus on 03_backward, graded with a control student through the instructor's pipeline.

Every attack must earn 0 and be reported in its judge.json (a by-hand
violation or an integrity finding); the control, graded in the same run
after all of them, keeps full marks; the gradebook and source/ are untouched.
"""
import hashlib
import json
from pathlib import Path

import pytest

from course.grading import steps
from examples import example_class
from course.grading.mistakes import read_notebook
from course.grading.course import Course
from course.grading.table import class_table

from .tamper_corpus import ATTACKS, tampered
from course.grading import engine
from ..conftest import new_course

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "03_backward"


def _digest(folder):
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file())).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = new_course(tmp_path_factory.mktemp("tamper"))
    assert steps.release(root, ASSIGNMENT).ok
    stub = read_notebook(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for name, code in ATTACKS.items():
        example_class.submit(root, name, ASSIGNMENT, tampered(stub, code))
    example_class.submit(root, "zz_control", ASSIGNMENT, read_notebook(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    source_before = _digest(root / "source")
    results = engine.autograde(root, ASSIGNMENT)
    return root, results, source_before


def _autograded_points(root, student):
    return sum(score for score, _ in Course.of(root).cell_scores(ASSIGNMENT, student).values() if score is not None)


def _record(root, student):
    return json.loads((root / "autograded" / student / ASSIGNMENT / "judge.json").read_text())


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_earns_nothing_and_is_reported(graded, attack):
    """Does an attack on the checks score 0 and show up in the instructor's integrity record?"""
    root, results, _ = graded
    assert results[attack].ok, results[attack].message
    assert _autograded_points(root, attack) == 0
    record = _record(root, attack)
    assert record["integrity"] or record["by_hand"], f"{attack} left no trace in judge.json"


def test_the_captured_autograd_is_named_in_each_by_hand_verdict(graded):
    """Is the by-hand violation read from the code, with the message learners know?"""
    root, _, _ = graded
    record = _record(root, "captured_autograd")
    assert "relu_backward" in record["by_hand"]
    assert "must compute the gradient by hand" in record["by_hand"]["relu_backward"]


def test_the_control_keeps_full_marks_and_nothing_is_changed(graded):
    """After every attack in the same run, does the honest student get all 18 points, with source/ and gradebook intact?"""
    root, results, source_before = graded
    assert results["zz_control"].ok
    scores = Course.of(root).cell_scores(ASSIGNMENT, "zz_control")
    assert all(score == maximum for score, maximum in scores.values() if score is not None)
    assert _autograded_points(root, "zz_control") == 18
    assert _record(root, "zz_control")["integrity"] == []
    assert _digest(root / "source") == source_before
    with Course.of(root).gradebook() as gb:
        assert {s.id for s in gb.students} == {*ATTACKS, "zz_control"}


def test_the_seed_differs_between_runs_and_is_recorded(graded):
    """Is each graded notebook's secret seed written down (so a grade can be reproduced), and fresh per notebook?"""
    root, _, _ = graded
    seeds = {_record(root, student)["seed"] for student in [*ATTACKS, "zz_control"]}
    assert len(seeds) == len(ATTACKS) + 1 and all(isinstance(s, int) and s > 0 for s in seeds)


def test_the_class_table_marks_the_attacks_and_lists_their_findings(graded):
    """Does the instructor see, next to the grades, which submissions tampered and where?"""
    root, _, _ = graded
    table = class_table(root, [ASSIGNMENT])
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()  # findings are indented
            if not line.startswith(" ") and line.split()[:1] in [[s] for s in [*ATTACKS, "zz_control"]]}
    flagged = {a for a in ATTACKS if _record(root, a)["integrity"]}
    assert flagged and all(rows[a][0] == "0" and "!" in rows[a] for a in flagged)
    assert "!" not in rows["zz_control"] and all("!" not in rows[a] for a in set(ATTACKS) - flagged)
    for attack in flagged:
        first = _record(root, attack)["integrity"][0]
        assert f"  {attack} / {ASSIGNMENT}, {first['cell']} line {first['line']}: {first['what']}" in table
