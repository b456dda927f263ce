"""The README's main job: the bundled example class's round, through real nbgrader, step by step.

`course demo` runs once for this module (release, collect from the LMS
zips, grade, feedback, export, report); the tests read what it left: the
collection reports, the gradebook, the feedback handed back, the CSV and
the HTML report, which also opens in headless Chromium.
"""
from contextlib import redirect_stdout
import base64
import csv
import html
import io
from pathlib import Path
import re
import shutil
import zipfile

import nbformat
import pytest

from course.checks.core.misconceptions import catalogue
from course.cli import main
from course.grading import class_report, collect, items, misconception_report, steps
from examples import example_term
from course.grading.mistakes import group_disjoint, load_mistakes
from course.grading.model_answers import MARK, model_answers
from course.grading.course import Course, final_score
from course.grading.table import class_table

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = list(example_term.ASSIGNMENTS)
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    folder = tmp_path_factory.mktemp("term") / "demo"
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["--root", str(ROOT), "demo", "--into", str(folder)])
    return folder, status, out.getvalue()


def test_the_round_ends_with_every_score_as_expected_and_where_the_report_is(term):
    folder, status, out = term
    expected = example_term.expected(ROOT, example_term.plan(ROOT))
    assert status == 0, out
    assert f"{len(expected)} of {len(expected)} submissions scored as expected" in out
    assert out.strip().splitlines()[-1] == f"Report: {folder / class_report.REPORT_FILE}"
    assert f"Item statistics: {folder / items.CSV_FILE}" in out
    assert example_term.compare(folder, expected) == []
    assert len(expected) >= 25


def test_collection_lists_the_duplicate_the_renamed_the_extra_the_unknown_and_the_missing(term):
    folder, _, _ = term
    reports = {a: collect.read_report(folder, a) for a in ASSIGNMENTS}
    first, second, third = (reports[a] for a in ASSIGNMENTS)
    assert [d["student"] for d in first.duplicates] == ["hal"] and "-1.ipynb" in first.duplicates[0]["kept"]
    assert [u["who"] for u in first.unknown] == ["quinnzed"]
    assert not (folder / "submitted" / "zed").exists()
    assert [r["student"] for r in second.renamed] == ["hal"] and "(1).ipynb" in second.renamed[0]["file"]
    assert [e["file"].rsplit("_", 1)[-1] for e in third.extra] == ["scratch.py"]
    assert first.missing == second.missing == ["jo"] and third.missing == ["ivy", "jo"]
    assert sorted(p.name for p in (folder / "submitted" / "hal" / ASSIGNMENTS[1]).iterdir()) == \
        [f"{ASSIGNMENTS[1]}.ipynb", "timestamp.txt"]


def test_late_work_is_penalised_per_started_day_and_broken_files_fail_alone(term):
    folder, _, out = term
    tests_points = {a: sum(example_term.points(ROOT, a)[0].values()) for a in ASSIGNMENTS}
    with Course.of(folder).gradebook() as gb:
        fay = gb.find_submission("06_linear_regression", "fay")
        assert fay.score == tests_points["06_linear_regression"]           # 30 hours late: two days, 20%
        assert fay.late_submission_penalty == pytest.approx(0.2 * fay.score)
        ivy = gb.find_submission("01_randn", "ivy")
        assert ivy.late_submission_penalty == pytest.approx(0.1 * ivy.score)
        assert gb.find_submission("01_randn", "ada").late_submission_penalty in (None, 0)
        # the deleted test cell is put back and run: full marks
        assert gb.find_submission("03_backward", "gus").score == tests_points["03_backward"]
    failures = Course.of(folder).grading_failures()
    assert list(failures) == [("01_randn", "gus")] and "not valid JSON" in failures["01_randn", "gus"]
    table = class_table(folder, ASSIGNMENTS)
    assert re.search(r"^gus\s+error\s", table, re.M) and "gus / 01_randn: the file is not a notebook" in table
    record = (folder / "autograded" / "gus" / "06_linear_regression" / "judge.json").read_text()
    assert "look for a loop that never ends" in record


def test_feedback_is_handed_back_with_diagnoses_and_without_hidden_tests_or_model_answers(term):
    folder, _, _ = term
    for assignment in ASSIGNMENTS:
        source = nbformat.read(str(ROOT / "source" / assignment / f"{assignment}.ipynb"), as_version=4)
        hidden_lines = [line.strip() for cell in source.cells
                        for region in re.findall(r"BEGIN HIDDEN TESTS(.*?)END HIDDEN TESTS", cell.source, re.S)
                        for line in region.splitlines() if len(line.strip()) > 25]
        with zipfile.ZipFile(folder / "returned" / f"{assignment}_feedback.zip") as bundle:
            names = bundle.namelist()
            pages = {name.split("/")[0]: html.unescape(bundle.read(name).decode()) for name in names}
        graded = sorted(p.name for p in (folder / "autograded").iterdir() if (p / assignment).is_dir())
        assert sorted(pages) == graded
        for student, page in pages.items():
            assert "BEGIN HIDDEN TESTS" not in page
            assert not [line for line in hidden_lines if line in page], (assignment, student)
            assert "Model answer" not in page
        group = group_disjoint(load_mistakes(ROOT, assignment))[0]
        for mistake in group:
            for phrase in mistake.feedback:
                assert phrase in pages["cam"], (assignment, mistake.name, phrase)


def test_graders_see_each_written_questions_model_answer_beside_the_answer(term):
    folder, _, _ = term
    assignment = "06_linear_regression"
    answers = model_answers(ROOT / "source" / assignment / f"{assignment}.ipynb")
    nb = nbformat.read(str(folder / "autograded" / "ada" / assignment / f"{assignment}.ipynb"), as_version=4)
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            after = nb.cells[index + 1]
            assert after.metadata["course"][MARK] == grade_id
            assert "Model answer (for graders)" in after.source
            assert answers[grade_id].splitlines()[0] in after.source
    assert len(answers) == 2
    with Course.of(folder).gradebook() as gb:
        assert gb.find_submission(assignment, "ada").needs_manual_grade


def test_a_manual_grade_through_nbgraders_api_reaches_the_exported_csv(term):
    folder, _, _ = term
    assignment, question = "03_backward", "why_gradient_argument"
    with Course.of(folder).gradebook() as gb:
        grade = gb.find_grade(question, assignment, assignment, "eve")
        grade.manual_score = grade.max_score
        gb.db.commit()
        expected = gb.find_submission(assignment, "eve").score
    assert steps.export_grades(folder, "after_manual.csv").ok
    with open(folder / "after_manual.csv") as handle:
        rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(handle)}
    assert float(rows[assignment, "eve"]["score"]) == expected == sum(example_term.points(ROOT, assignment)[0].values()) + 2
    assert float(rows["01_randn", "jo"]["score"]) == 0.0          # handed in nothing: 0, still a row
    assert rows["01_randn", "ada"]["first_name"] == "Ada"         # the roster reached the gradebook


def test_the_reports_numbers_are_the_gradebooks(term):
    folder, _, _ = term
    summaries = {s.assignment_id: s for s in class_report.class_summary(folder, ASSIGNMENTS)}
    page = class_report.write_report(folder, ASSIGNMENTS, folder / "again.html").read_text()  # after the manual grade
    with Course.of(folder).gradebook() as gb:
        for assignment in ASSIGNMENTS:
            summary = summaries[assignment]
            submissions = {s.student.id: s for s in gb.assignment_submissions(assignment)}
            graded = {k: v for k, v in submissions.items() if (assignment, k) not in Course.of(folder).grading_failures()}
            assert summary.scores == pytest.approx({k: final_score(v) for k, v in graded.items()})
            assert summary.manual == sorted(k for k, v in graded.items() if v.needs_manual_grade)
            for cell in summary.cells:
                full = sum(1 for s in graded.values() for n in s.notebooks for g in n.grades
                           if g.name == cell.grade_id and g.score >= g.max_score)
                assert (cell.passed, cell.graded) == (full, len(graded))
                assert f"<td>{cell.grade_id}</td><td>{cell.points:g}</td><td>{full} / {len(graded)}</td>" in page
            assert f"{summary.mean:.1f} / {summary.max_score:g}" in page
    # ben handed in the stub: "not written yet" is a diagnosis of every exercise, once
    backward = summaries["03_backward"]
    assert all(any(d.text == class_report.NOT_WRITTEN and d.count >= 1 for d in found)
               for found in backward.diagnoses.values())
    mistakes = group_disjoint(load_mistakes(ROOT, "03_backward"))[0]
    shown = " ".join(d.text for found in backward.diagnoses.values() for d in found)
    assert all(any(phrase in shown for phrase in m.feedback) for m in mistakes)
    assert summaries["01_randn"].failures == {"gus": Course.of(folder).grading_failures()["01_randn", "gus"]}
    assert "Where the class struggles" in page and "quinnzed is not on the roster" in page
    images = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(images) == 2 * len(ASSIGNMENTS) + 1   # and the heat map of misconceptions
    assert all(base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n" for data in images)


def test_the_report_shows_the_misconceptions_the_mistakes_declare_and_which_persist(term):
    """cam hands in the first group of mistakes of every assignment: does the report's profile hold each
    misconception those mistakes declare, where they were made, and the one that comes back in 06?"""
    folder, _, _ = term
    summaries = class_report.class_summary(folder, ASSIGNMENTS)
    showings = misconception_report.class_showings(folder, ASSIGNMENTS, {s.assignment_id: sorted(s.scores)
                                                                         for s in summaries})
    declared = {(assignment, m.misconception) for assignment in ASSIGNMENTS
                for m in group_disjoint(load_mistakes(ROOT, assignment))[0] if m.misconception}
    shown = {(s.assignment, s.misconception) for s in showings.found if s.student == "cam"}
    assert declared <= shown, declared - shown
    assert ("broadcast-grad-sum", "cam", ["03_backward", "06_linear_regression"]) in showings.persistent()
    assert not [s for s in showings.found if s.student in ("ada", "eve")]   # full solutions, written two ways
    page = (folder / class_report.REPORT_FILE).read_text().replace("&#x27;", "'")
    broadcast = catalogue()["broadcast-grad-sum"]
    assert "<h2>Misconceptions</h2>" in page and "id='misconception-heat-map'" in page
    assert f"<td>{broadcast.name}</td><td>cam</td><td>03_backward → 06_linear_regression</td>" in page
    assert page.count("<h3>Item analysis</h3>") == len(ASSIGNMENTS) and "Cronbach's alpha" in page
    with open(folder / items.CSV_FILE) as handle:
        rows = list(csv.DictReader(handle))
    assert {r["assignment"] for r in rows} == set(ASSIGNMENTS)
    assert len(rows) == sum(len(s.cells) for s in summaries)
    for row in rows:
        assert row["discrimination"] == "undefined" or -1 <= float(row["discrimination"]) <= 1
        assert 0 <= float(row["difficulty"]) <= 1


def test_a_students_study_plan_names_what_to_reread(term, capsys):
    folder, _, _ = term
    assert main(["--root", str(folder), "report", "--student", "cam", *ASSIGNMENTS]) == 0
    page = Path(capsys.readouterr().out.strip()).read_text().replace("&#x27;", "'")
    broadcast = catalogue()["broadcast-grad-sum"]
    assert "<h1>Study plan: cam</h1>" in page and f"<b>Reread:</b> {broadcast.reread}" in page
    assert page.index(broadcast.name) < page.index(catalogue()["vjp-not-grad"].name)  # what persists comes first


def test_the_report_opens_in_headless_chromium_without_errors(term):
    folder, _, _ = term
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed: apt-get install chromium")
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto((folder / class_report.REPORT_FILE).as_uri())
        widths = page.eval_on_selector_all("img", "images => images.map(i => i.complete ? i.naturalWidth : 0)")
        heading = page.inner_text("h1")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "class_report.png"), full_page=True)
        heat_map = page.locator("#misconception-heat-map")
        heat_map_size = heat_map.evaluate("i => [i.complete ? i.naturalWidth : 0, i.naturalHeight]")
        heat_map.screenshot(path=str(SCREENSHOTS / "misconception_heat_map.png"))
        browser.close()
    assert errors == []
    assert len(widths) == 2 * len(ASSIGNMENTS) + 1 and all(w > 100 for w in widths)
    assert heat_map_size[0] > 300 and heat_map_size[1] > 200
    assert heading == "Class report: torch-gradients"


def test_each_step_is_a_course_command_on_the_same_folder(term, capsys):
    folder, _, _ = term
    assignment = "06_linear_regression"
    due = example_term.due_dates()[assignment]
    run = lambda *args: (main(["--root", str(folder), *args]), capsys.readouterr().out)  # noqa: E731
    status, out = run("collect", assignment, str(folder / "exports" / f"{assignment}_submissions.zip"), "--due", due)
    assert status == 0 and "missing    ivy: nothing submitted" in out and "extra      hal" in out
    status, out = run("table", *ASSIGNMENTS)
    assert status == 0 and "gus / 01_randn: the file is not a notebook" in out
    status, out = run("export", "--to", "again.csv")
    assert status == 0 and (folder / "again.csv").read_text().count("\n") == 1 + 10 * len(ASSIGNMENTS)
    status, out = run("report", "--to", str(folder / "cli_report.html"), *ASSIGNMENTS)
    assert status == 0 and out.strip() == str(folder / "cli_report.html")
    status, out = run("feedback", "01_randn")
    assert status == 0 and "returned/01_randn_feedback.zip" in out


def test_model_answers_reach_the_feedback_when_the_instructor_turns_them_on(term):
    folder, _, _ = term
    config = folder / "nbgrader_config.py"
    original = config.read_text()
    try:
        config.write_text(original + "\nc.ModelAnswers.in_feedback = True\n")
        assert steps.generate_feedback(folder, "01_randn").ok
        page = html.unescape((folder / "feedback" / "ada" / "01_randn" / "01_randn.html").read_text())
        answer = model_answers(ROOT / "source" / "01_randn" / "01_randn.ipynb")["randn_leaf_written"]
        assert "Model answer" in page and "for graders" not in page
        assert answer.split("\n")[0][:40] in page
    finally:
        config.write_text(original)
        steps.generate_feedback(folder, "01_randn")


def test_nbgraders_zip_collect_reads_the_exports_with_the_course_collector(tmp_path):
    """Does `nbgrader zip_collect` on the same course folder find the same students as `course collect`?"""
    folder = example_term.new_term(tmp_path / "course", ROOT)
    exports = example_term.write_exports(folder, example_term.plan(ROOT))
    assignment = "03_backward"
    archive = folder / "downloaded" / assignment / "archive"
    archive.mkdir(parents=True)
    shutil.copy(exports[assignment], archive)
    result = steps.nbgrader(folder, "zip_collect", assignment)
    assert result.ok, result.log
    collected = sorted(p.parent.name for p in (folder / "submitted").glob(f"*/{assignment}"))
    assert collected == sorted(s for s, kinds in example_term.CLASS.items() if assignment in kinds)
