"""Private homes of sandboxed processes: removed when the process stops, whoever started the grading."""
import os
from pathlib import Path

import pytest

from course.grading import steps
from course.grading.sandbox import homes

from .toy import CORRECT, ROOT, make_toy_course, submit, toy_notebook


def _homes(folder):
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(homes.PREFIX))


@pytest.mark.nbgrader
def test_nbgrader_autograde_leaves_no_private_home_behind(tmp_path):
    """`nbgrader autograde` with the course's config (the formgrader's button) removes every kernel's and
    trial process's home, as `course grade` does."""
    (tmp_path / "course").mkdir()
    root = make_toy_course(tmp_path / "course")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    submit(root, "ada", toy_notebook(CORRECT))
    # PYTHONPATH: nbgrader runs in the course folder, and the toy's exercise module lives in tests/
    result = steps.nbgrader(root, "autograde", "toy", "--force", env={"TMPDIR": str(scratch), "PYTHONPATH": str(ROOT)})
    assert result.ok, result.log
    assert (root / "autograded" / "ada" / "toy" / "answers" / "double_tests.json").exists()
    assert _homes(scratch) == []


def test_homes_of_graders_that_are_gone_are_swept_on_the_next_start(tmp_path, monkeypatch):
    dead = tmp_path / f"{homes.PREFIX}{2 ** 22 + 12345}-abc"   # above this machine's pid_max: no such grader
    alive = tmp_path / f"{homes.PREFIX}{os.getpid()}-def"
    other = tmp_path / "course-kernel-notapid"
    for folder in (dead, alive, other):
        (folder / "tmp").mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.setattr(homes, "_swept", set())
    made = homes.new_home()
    assert not dead.exists() and alive.exists() and other.exists()
    assert Path(made).parent == tmp_path and Path(made).name.startswith(f"{homes.PREFIX}{os.getpid()}-")
    homes.remove(made)
    assert not Path(made).exists()
