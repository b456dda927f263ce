"""Every assignment, through nbgrader itself: release, grading of the example class, feedback.

One throwaway course grades, for every assignment, a full solution, the
untouched student version, and submissions carrying the typical mistakes
of mistakes/<id>.py, all in one parallel run of the grading engine; the
tests then read the gradebook, the autograded notebooks and the feedback HTML.
"""
from dataclasses import dataclass
import html
import json
from pathlib import Path

import nbformat
import pytest

from course.checks.core.misconceptions import catalogue
from course.grading.mistakes import load_mistakes
from course.grading.course import Course

from .checks import misconception_cases
from .conftest import ASSIGNMENTS, ROOT

pytestmark = pytest.mark.nbgrader


@dataclass
class Graded:
    root: Path
    assignment_id: str
    students: dict   # student -> mistakes carried
    results: dict    # student -> StepResult

    def scores(self, student):
        return Course.of(self.root).cell_scores(self.assignment_id, student)

    def outputs(self, student):
        """{grade_id: all that the cell printed or raised} in the student's autograded notebook."""
        path = self.root / "autograded" / student / self.assignment_id / f"{self.assignment_id}.ipynb"
        return {cell.metadata.get("nbgrader", {}).get("grade_id"):
                "\n".join(str(part) for output in cell.get("outputs", [])
                          for part in (output.get("text", ""), output.get("evalue", ""),
                                       output.get("data", {}).get("text/plain", "")))
                for cell in nbformat.read(str(path), as_version=4).cells}

    def feedback(self, student):
        path = self.root / "feedback" / student / self.assignment_id / f"{self.assignment_id}.html"
        return html.unescape(path.read_text())

    def verdicts(self, student):
        """{grade_id: [verdict]} of the grader's record (judge.json) of the student's submission."""
        return _record(self.root, self.assignment_id, student)["verdicts"]


def _record(root, assignment_id, student):
    return json.loads((root / "autograded" / student / assignment_id / "judge.json").read_text())


@pytest.fixture(params=ASSIGNMENTS)
def graded(request, graded_classes):
    root, graded = graded_classes
    students, results = graded[request.param]
    return Graded(root, request.param, students, results)


def test_figures_reach_the_graded_notebook_and_the_feedback_as_images(graded):
    """Does each figure the solution draws reach its autograded notebook and its feedback as a PNG image,
    as in the learner's own JupyterLab, and never as the text "<Figure size ...>"?"""
    path = graded.root / "autograded" / "solution" / graded.assignment_id / f"{graded.assignment_id}.ipynb"
    displays = [output for cell in nbformat.read(str(path), as_version=4).cells
                for output in cell.get("outputs", []) if output.get("output_type") == "display_data"]
    as_text = [o["data"]["text/plain"] for o in displays
               if "image/png" not in o.get("data", {}) and "<Figure size" in o.get("data", {}).get("text/plain", "")]
    assert not as_text, f"figures shown as text: {as_text[:2]}"
    if "plt." in "".join(cell.source for cell in _notebook("source", graded.assignment_id).cells):
        assert any("image/png" in o.get("data", {}) for o in displays)
        assert "data:image/png" in graded.feedback("solution")


def _notebook(folder, assignment_id):
    return nbformat.read(str(ROOT / folder / assignment_id / f"{assignment_id}.ipynb"), as_version=4)


def _hidden_lines(assignment_id):
    """Lines that stand only inside hidden-test regions of the source notebook."""
    hidden, visible = set(), set()
    for cell in _notebook("source", assignment_id).cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif line.strip():
                (hidden if inside else visible).add(line.strip())
    return {line for line in hidden - visible if len(line) > 12}


def _auto_cells(scores):
    return {cell for cell, (score, maximum) in scores.items() if score is not None}


def test_release_is_what_nbgrader_generates_now(graded):
    """Is the committed release/ exactly what generate_assignment makes of source/ today?"""
    generated = json.loads((graded.root / "release" / graded.assignment_id / f"{graded.assignment_id}.ipynb").read_text())
    committed = json.loads((ROOT / "release" / graded.assignment_id / f"{graded.assignment_id}.ipynb").read_text())
    assert generated == committed, (f"release/{graded.assignment_id} is stale: run "
                                    f"`python3 tasks.py course release {graded.assignment_id}`")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_holds_no_solution_or_hidden_test(assignment_id):
    """Does the student version leave out every solution and hidden test?"""
    text = (ROOT / "release" / assignment_id / f"{assignment_id}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    leaked = [line for line in _hidden_lines(assignment_id) if json.dumps(line)[1:-1] in text]
    assert not leaked, f"hidden test lines in release/: {leaked[:3]}"


def test_every_submission_is_graded(graded):
    """Does autograde finish for every example student, the empty one included?"""
    failed = {s: r.message for s, r in graded.results.items() if not r.ok}
    assert not failed


def test_full_solution_earns_full_marks(graded):
    """Does the instructor's solution, submitted as is, get every autograded point?"""
    scores = graded.scores("solution")
    lost = {cell: s for cell, s in scores.items() if s[0] is not None and s[0] < s[1]}
    assert not lost, f"the solution loses points in {lost}"
    assert any(score is None for score, _ in scores.values()), "no written answer left to grade by hand"


def test_correct_alternatives_earn_full_marks(graded):
    """Does every correct variant of mistakes/alternatives.py, graded with the class, get every autograded point?"""
    students = [s for s in graded.students if s.startswith("alternatives-")]
    if not students:
        pytest.skip(f"mistakes/alternatives.py has no variant for {graded.assignment_id}")
    for student in students:
        assert graded.results[student].ok, graded.results[student].message
        lost = {cell: s for cell, s in graded.scores(student).items() if s[0] is not None and s[0] < s[1]}
        assert not lost, f"{student} loses points in {lost}: {graded.verdicts(student)}"


def test_untouched_student_version_earns_nothing(graded):
    """Does the release notebook, submitted unchanged, score 0 everywhere?"""
    scores = graded.scores("stub")
    earned = {cell: s for cell, s in scores.items() if s[0]}
    assert not earned, f"an empty submission earns points in {earned}"


def test_each_mistake_loses_exactly_its_points(graded):
    """Does every typical mistake cost the points of its own checks, and no others?"""
    wrong = {}
    for student, mistakes in graded.students.items():
        if not mistakes:
            continue
        scores = graded.scores(student)
        should_lose = {cell for m in mistakes for cell in m.loses}
        lost = {cell for cell in _auto_cells(scores) if scores[cell][0] < scores[cell][1]}
        if lost != should_lose:
            wrong[student] = {"mistakes": [m.name for m in mistakes],
                              "lost but should not": sorted(lost - should_lose),
                              "kept but should lose": sorted(should_lose - lost)}
    assert not wrong, json.dumps(wrong, indent=1)


def test_feedback_names_each_mistake(graded):
    """Does the feedback a student gets back say what the mistake is?

    Each phrase must be printed by the failing checks (the outputs of the cells
    the mistake loses), not merely stand in the visible test code, and must
    reach the feedback HTML.
    """
    missing = {}
    for student, mistakes in graded.students.items():
        if not mistakes:
            continue
        feedback, outputs = graded.feedback(student), graded.outputs(student)
        for mistake in mistakes:
            printed = "\n".join(outputs.get(cell, "") for cell in mistake.loses)
            absent = [phrase for phrase in mistake.feedback if phrase not in printed or phrase not in feedback]
            if absent:
                missing[mistake.name] = absent
    assert not missing, f"the failing checks do not print these phrases: {missing}"


def test_each_mistake_shows_the_misconception_it_declares(graded):
    """Does grading each typical mistake record the misconception it declares in judge.json, and end its
    failing check's output and the feedback with the misconception's name and where to reread it? A mistake
    that declares none (its diagnosis cannot tell the cause) shows none."""
    wrong = {}
    for student, mistakes in graded.students.items():
        if not mistakes:
            continue
        verdicts, feedback, outputs = graded.verdicts(student), graded.feedback(student), graded.outputs(student)
        for mistake in mistakes:
            shown = {i for cell in mistake.loses for v in verdicts.get(cell, []) if not v["passed"]
                     for i in v["misconceptions"]}
            printed = "\n".join(outputs.get(cell, "") for cell in mistake.loses)
            if mistake.misconception is None:
                if shown:
                    wrong[mistake.name] = f"declares none ({mistake.why_none}), but shows {sorted(shown)}"
            elif mistake.misconception not in shown:
                wrong[mistake.name] = f"shows {sorted(shown)}, not {mistake.misconception}"
            elif catalogue()[mistake.misconception].line not in printed:
                wrong[mistake.name] = "its failing check does not end with the misconception's line"
            elif catalogue()[mistake.misconception].line not in feedback:
                wrong[mistake.name] = "the feedback does not name the misconception"
    assert not wrong, json.dumps(wrong, indent=1)


def test_the_solution_shows_no_misconception(graded):
    verdicts = graded.verdicts("solution")
    assert all(v["passed"] and v["misconceptions"] == [] for found in verdicts.values() for v in found)
    assert "Misconception:" not in graded.feedback("solution")


@pytest.mark.parametrize("scope", ["catalogue"])  # a parameter keeps it with the graded classes (conftest)
def test_every_pattern_matches_a_real_diagnosis_and_none_a_passing_answer(graded_classes, scope):
    """Does each pattern of the catalogue match at least one diagnosis the grader really gave (a mistake's,
    or one of tests/checks/misconception_cases.py), and none of the messages of a passing check?"""
    if set(ASSIGNMENTS) != set(Course.of(ROOT).assignment_ids()):
        pytest.skip("every assignment must be graded (COURSE_TEST_ASSIGNMENTS is set)")
    root, graded = graded_classes
    failed, passed = misconception_cases.diagnoses(), []
    for assignment_id, (students, _) in graded.items():
        for student in students:
            for grade_id, verdicts in _record(root, assignment_id, student)["verdicts"].items():
                for verdict in verdicts:
                    if verdict["passed"]:
                        passed.append((verdict["message"], grade_id))
                    else:
                        failed.append((verdict["diagnosis"], grade_id))
    unmatched = [(entry.id, pattern.regex.pattern) for entry in catalogue().values() for pattern in entry.shows
                 if not any(pattern.matches(diagnosis, grade_id) for diagnosis, grade_id in failed)]
    assert not unmatched, unmatched
    assert len(passed) > 100
    matched = [(message, grade_id) for message, grade_id in passed
               if any(entry.shown_in(message, grade_id) for entry in catalogue().values())]
    assert not matched


def test_feedback_never_shows_hidden_tests(graded):
    """Does the feedback leave out the hidden tests, even where they failed?"""
    hidden = _hidden_lines(graded.assignment_id)
    assert hidden, "the assignment has no hidden tests"
    for student in graded.students:
        feedback = graded.feedback(student)
        shown = [line for line in hidden if line in feedback]
        assert not shown, f"{student}'s feedback shows hidden test lines: {shown[:3]}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_each_graded_function_has_two_typical_mistakes(assignment_id):
    """Is every autograded exercise exercised by at least two realistic wrong answers?"""
    mistakes = load_mistakes(ROOT, assignment_id)
    cells = [c.metadata["nbgrader"]["grade_id"] for c in _notebook("source", assignment_id).cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    counts = {cell: sum(m.cell == cell for m in mistakes) for cell in cells}
    assert all(n >= 2 for n in counts.values()), f"mistakes per exercise: {counts}"
