"""Does the `course` command grade a class and print the table, and is the gradebook URL configurable?"""
import shutil

import pytest

from course.cli import main
from course.grading.course import Course

from .grading.toy import CORRECT, make_toy_course, submit, toy_notebook

pytestmark = pytest.mark.nbgrader


def test_grade_prints_each_student_and_the_table(tmp_path, capsys):
    root = make_toy_course(tmp_path)
    submit(root, "ada", toy_notebook())
    submit(root, "bob", toy_notebook(CORRECT.replace("2 * x", "x + x + 1")))
    status = main(["--root", str(root), "grade", "toy"])
    out = capsys.readouterr().out
    assert status == 0
    assert "toy / ada: graded" in out and "toy / bob: graded" in out
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith(("ada", "bob"))}
    assert rows == {"ada": "2", "bob": "0"}
    assert (root / "feedback" / "bob" / "toy" / "toy.html").exists()


def test_grade_without_ids_grades_what_has_submissions_and_lists_the_rest(tmp_path, capsys):
    """An assignment of source/ that nobody handed in (never released here) is listed, not graded: no
    empty feedback, no traceback from the class table."""
    root = make_toy_course(tmp_path)
    (root / "source" / "unused").mkdir()
    shutil.copy(root / "source" / "toy" / "toy.ipynb", root / "source" / "unused" / "unused.ipynb")
    submit(root, "ada", toy_notebook())
    status = main(["--root", str(root), "grade"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "toy / ada: graded" in out
    assert "not graded, no submissions: unused" in out
    assert not (root / "feedback" / "ada" / "unused").exists()


def test_unknown_assignment_is_refused_with_the_known_ones(tmp_path):
    root = make_toy_course(tmp_path)
    with pytest.raises(SystemExit, match="unknown assignment.*known: toy"):
        main(["--root", str(root), "grade", "nope"])


def test_gradebook_url_comes_from_the_environment(tmp_path, monkeypatch):
    """With COURSE_GRADEBOOK_URL set, does nbgrader write the gradebook there and not in the course folder?"""
    elsewhere = tmp_path / "db" / "gradebook.sqlite"
    elsewhere.parent.mkdir()
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", f"sqlite:///{elsewhere}")
    (tmp_path / "course_root").mkdir()
    root = make_toy_course(tmp_path / "course_root")
    submit(root, "ada", toy_notebook())
    assert main(["--root", str(root), "grade", "toy", "--no-feedback"]) == 0
    assert elsewhere.exists() and not (root / "gradebook.db").exists()
    with Course.of(root).gradebook() as gb:
        assert gb.find_submission("toy", "ada").score == 2
