"""Does collecting from nbgrader's exchange take what the roster's students handed in themselves, and list the rest?

A hand-made exchange (no hub, no other users: every folder is owned by the
user running the tests, who is on the roster) goes through `course collect
--exchange`'s code, which runs `nbgrader collect` with the course's
RosterCollect. tests/test_hub.py does the same with real users on a hub.
"""
import getpass
from pathlib import Path

import nbformat
import pytest

from course.grading import exchange
from course.grading.collect import read_report
from ..conftest import new_course
from course.grading.roster import Roster, Student

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "01_randn"
ME = getpass.getuser()


def hand_in(inbound, student, when, files):
    folder = inbound / f"{student}+{ASSIGNMENT}+{when} UTC+{len(list(inbound.iterdir())):04}abcdefgh"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "timestamp.txt").write_text(f"{when} UTC")
    (folder / "submission_secret.txt").write_text("secret-" + when)
    return folder.name


def notebook(marker):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(f"# {marker}"))
    return nbformat.writes(nb)


def test_collect_takes_each_students_latest_own_submission_and_lists_the_oddities(tmp_path):
    root = new_course(tmp_path / "course")
    store = tmp_path / "exchange"
    inbound = store / "torch-gradients" / "inbound"
    inbound.mkdir(parents=True)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Exchange.root = {str(store)!r}\n")
    Roster([Student(ME), Student("absent"), Student("impersonated")]).write(root / "roster.csv")

    first = hand_in(inbound, ME, "2026-12-01 10:00:00.000001", {f"{ASSIGNMENT}.ipynb": notebook("first")})
    latest = hand_in(inbound, ME, "2026-12-01 11:00:00.000001",
                     {f"{ASSIGNMENT} (copy).ipynb": notebook("latest"), "notes.txt": "scratch"})
    forged = hand_in(inbound, "impersonated", "2026-12-01 12:00:00.000001", {f"{ASSIGNMENT}.ipynb": notebook("x")})
    stranger = hand_in(inbound, "stranger", "2026-12-01 12:30:00.000001", {f"{ASSIGNMENT}.ipynb": notebook("y")})

    report = exchange.collect(root, ASSIGNMENT)

    submitted = root / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == [ME]    # not the impersonated student, not the stranger
    mine = submitted / ME / ASSIGNMENT
    assert sorted(p.name for p in mine.iterdir()) == [f"{ASSIGNMENT}.ipynb", "submission_secret.txt", "timestamp.txt"]
    assert "latest" in (mine / f"{ASSIGNMENT}.ipynb").read_text()    # the later one, renamed
    assert [c["file"] for c in report.collected] == [latest]
    assert report.duplicates == [{"student": ME, "kept": latest, "dropped": first}]
    assert report.renamed == [{"student": ME, "file": f"{latest}/{ASSIGNMENT} (copy).ipynb"}]
    assert report.extra == [{"student": ME, "file": f"{latest}/notes.txt"}]
    assert report.unknown == [{"file": stranger, "who": "stranger"}]
    assert [r["file"] for r in report.refused] == [forged]
    assert f"by the user {ME}" in report.refused[0]["why"]
    assert report.missing == ["absent", "impersonated"]
    assert read_report(root, ASSIGNMENT) == report       # kept for the class report
    lines = "\n".join(report.lines())
    assert f"refused    {forged}: handed in as impersonated by the user {ME} (not collected)" in lines
    assert (inbound / forged).exists() and (inbound / latest / "notes.txt").exists()   # nothing removed there


def test_collect_from_an_exchange_without_the_course_says_so(tmp_path):
    root = new_course(tmp_path / "course")
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'nowhere')!r}\n")
    with pytest.raises(exchange.CollectFailed, match="release an assignment first"):
        exchange.collect(root, ASSIGNMENT)


def test_the_command_wants_an_export_or_the_exchange(tmp_path):
    from course.cli import main

    root = new_course(tmp_path / "course")
    for argv in (["collect", ASSIGNMENT], ["collect", ASSIGNMENT, "export.zip", "--exchange"]):
        with pytest.raises(SystemExit, match="or --exchange"):
            main(["--root", str(root), *argv])
