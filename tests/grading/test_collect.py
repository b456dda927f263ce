"""Does collecting find every file's owner, keep the latest, and list whatever is odd instead of dropping it?"""
from datetime import datetime, timezone
import json
import zipfile

import pytest

from course.grading import collect
from course.grading.plugins.percent_per_day_late import PercentPerDayLate
from course.grading.roster import Roster, Student

from ..conftest import with_empty_gradebook

ROSTER = Roster([Student("ada", "Ada", "Lovelace", "ada@example.edu", "101"),
                 Student("ben", "Ben", "Okafor", "", "102"),
                 Student("cy", "Cy", "Young", "", "")])
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize("path, owner", [
    ("lovelaceada_101_5001_hw.ipynb", collect.Owner("hw.ipynb", lms_id="101", name="lovelaceada", style="canvas")),
    ("lovelaceada_late_101_5001_hw-2.ipynb",
     collect.Owner("hw.ipynb", lms_id="101", name="lovelaceada", style="canvas")),
    ("Ada Lovelace_77_assignsubmission_file_/hw.ipynb",
     collect.Owner("hw.ipynb", lms_id="77", name="Ada Lovelace", style="moodle")),
    ("export/Ada Lovelace_77_assignsubmission_file_hw.ipynb",
     collect.Owner("hw.ipynb", lms_id="77", name="Ada Lovelace", style="moodle")),
    ("ada/hw/hw.ipynb", collect.Owner("hw.ipynb", student_id="ada", style="folder")),
    ("hw.ipynb", None),
])
def test_file_names_of_canvas_moodle_and_folders(path, owner):
    assert collect.parse_path(path) == owner


def test_students_are_found_by_id_lms_id_or_name():
    assert ROSTER.find("ben").id == "ben"
    assert ROSTER.find(lms_id="101").id == "ada"
    assert ROSTER.find(name="Cy Young").id == "cy" and ROSTER.find(name="youngcy").id == "cy"
    assert ROSTER.find("zed", "999", "Zed Quinn") is None


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, (content, when) in members.items():
            bundle.writestr(zipfile.ZipInfo(name, date_time=when), content)
    return path


def test_a_zip_export_is_collected_with_everything_odd_listed(tmp_path):
    course = with_empty_gradebook(tmp_path / "course")
    export = _zip(tmp_path / "export.zip", {
        "lovelaceada_101_1_hw.ipynb": (NOTEBOOK, (2026, 10, 1, 9, 0, 0)),
        "lovelaceada_101_2_hw-1.ipynb": ('{"the": "later one"}', (2026, 10, 2, 9, 0, 0)),
        "lovelaceada_101_3_notes.txt": ("notes", (2026, 10, 1, 9, 0, 0)),
        "Ben Okafor_55_assignsubmission_file_/hw (copy).ipynb": (NOTEBOOK, (2026, 10, 1, 10, 0, 0)),
        "quinnzed_999_4_hw.ipynb": (NOTEBOOK, (2026, 10, 1, 9, 0, 0)),
        "../escape.ipynb": (NOTEBOOK, (2026, 10, 1, 9, 0, 0)),
        "README.txt": ("from the LMS", (2026, 10, 1, 9, 0, 0)),
    })
    report = collect.collect(course, "hw", export, roster=ROSTER)
    assert [c["student"] for c in report.collected] == ["ada", "ben"]
    ada = course / "submitted" / "ada" / "hw"
    assert (ada / "hw.ipynb").read_text() == '{"the": "later one"}'
    assert (ada / "timestamp.txt").read_text().startswith("2026-10-02 09:00:00")
    assert report.duplicates == [{"student": "ada", "kept": "lovelaceada_101_2_hw-1.ipynb",
                                  "dropped": "lovelaceada_101_1_hw.ipynb"}]
    assert report.renamed == [{"student": "ben", "file": "Ben Okafor_55_assignsubmission_file_/hw (copy).ipynb"}]
    assert (course / "submitted" / "ben" / "hw" / "hw.ipynb").exists()
    assert report.extra == [{"student": "ada", "file": "lovelaceada_101_3_notes.txt"}]
    assert report.unknown == [{"file": "quinnzed_999_4_hw.ipynb", "who": "quinnzed"}]
    assert {r["file"] for r in report.refused} == {"../escape.ipynb", "README.txt"}
    assert not (tmp_path / "escape.ipynb").exists()
    assert report.missing == ["cy"]
    assert collect.read_report(course, "hw") == report
    assert (course / "downloaded" / "hw" / "archive" / "export.zip").exists()


def test_a_folder_is_collected_with_nbgraders_timestamps(tmp_path):
    course, folder = tmp_path / "course", tmp_path / "inbox"
    (folder / "cy").mkdir(parents=True)
    with_empty_gradebook(course)
    (folder / "cy" / "hw.ipynb").write_text(NOTEBOOK)
    (folder / "cy" / "timestamp.txt").write_text("2026-10-03 12:30:00 UTC")
    report = collect.collect(course, "hw", folder, roster=ROSTER)
    assert report.collected == [{"student": "cy", "file": "cy/hw.ipynb",
                                 "timestamp": datetime(2026, 10, 3, 12, 30, tzinfo=timezone.utc).isoformat()}]
    assert report.missing == ["ada", "ben"] and not report.refused


def test_an_unreadable_export_is_refused_with_a_reason(tmp_path):
    with_empty_gradebook(tmp_path / "course")
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    report = collect.collect(tmp_path / "course", "hw", tmp_path / "broken.zip", roster=ROSTER)
    assert report.refused[0]["file"] == "broken.zip" and "not a readable zip" in report.refused[0]["why"]
    assert report.missing == ["ada", "ben", "cy"]


@pytest.mark.parametrize("seconds_late, penalty", [(0, None), (4 * 60, None), (6 * 60, 1.0), (86400 + 301, 2.0),
                                                   (30 * 86400, 10.0)])
def test_late_penalty_per_started_day_after_the_grace(seconds_late, penalty):
    assert PercentPerDayLate().late_submission_penalty("ada", 10.0, seconds_late) == penalty
