"""Collect submissions from a folder or an LMS zip export into submitted/, and say what was odd.

The layout is nbgrader's `zip_collect`: the export is kept in
`downloaded/<id>/archive/`, unpacked into `downloaded/<id>/extracted/`, and
each student's notebook is copied to `submitted/<student>/<id>/<id>.ipynb`
with a `timestamp.txt` (the time the zip or the file system gives it),
which nbgrader's autograde compares with the assignment's due date.

Whose file it is comes from its path (`parse_path`): Canvas names files
`doejane_12345_67890_<file>` (`doejane_late_...` when late), Moodle puts them
in `Jane Doe_12345_assignsubmission_file_/<file>`, and a plain folder has
`<student id>/<file>`. Students are matched against the roster (by id, LMS
id, then name). Nothing is dropped silently: a renamed notebook is collected
and listed; of several notebooks the latest is collected and the others are
listed as duplicates; other files, unknown students, unsafe or oversized
entries are listed and left in `extracted/`; roster students with nothing
are listed as missing. The list is also written to `downloaded/<id>/collect.json`.
"""
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
import json
import os
from pathlib import Path, PurePosixPath
import re
import shutil
import zipfile

from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

from .roster import Roster
from .course import Course

REPORT_FILE = "collect.json"
CANVAS = re.compile(r"^(?P<name>[a-z]+)(?P<late>_late)?_(?P<lms_id>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<lms_id>\d+)_assignsubmission_(file|onlinetext)_(?P<file>.*)$")


class Collect(LoggingConfigurable):
    """Settings of `course collect` (and of `nbgrader zip_collect` with the course's collector)."""

    roster = Unicode("roster.csv", help="The class list (CSV: id, first_name, last_name, email, lms_id), "
                                        "relative to the course folder").tag(config=True)
    max_file_mb = Integer(64, help="A file in an export larger than this is not unpacked").tag(config=True)


@dataclass(frozen=True)
class Owner:
    """What a path says about whose file it is, and the file's own name."""

    file: str
    student_id: str = ""
    lms_id: str = ""
    name: str = ""
    style: str = ""


def parse_path(relative_path):
    """The Owner of a file at `relative_path` (POSIX) inside an export, or None if it names nobody."""
    parts = PurePosixPath(relative_path).parts
    for i, part in enumerate(parts):
        moodle = MOODLE.match(part)
        if moodle:
            rest = [moodle["file"]] if moodle["file"] else list(parts[i + 1:])
            if rest and rest[-1]:
                return Owner(rest[-1], lms_id=moodle["lms_id"], name=moodle["name"], style="moodle")
            return None
    canvas = CANVAS.match(parts[-1])
    if canvas:
        # Canvas numbers a resubmission's file: 01_randn-1.ipynb is 01_randn.ipynb handed in again.
        file = re.sub(r"-\d+(\.ipynb)$", r"\1", canvas["file"])
        return Owner(file, lms_id=canvas["lms_id"], name=canvas["name"], style="canvas")
    if len(parts) >= 2:
        return Owner(parts[-1], student_id=parts[0], style="folder")
    return None


@dataclass
class Entry:
    path: str          # inside the export
    owner: Owner
    timestamp: datetime


@dataclass
class CollectReport:
    assignment_id: str
    collected: list = field(default_factory=list)   # {student, file, timestamp}
    renamed: list = field(default_factory=list)     # {student, file}: collected as <id>.ipynb
    duplicates: list = field(default_factory=list)  # {student, kept, dropped}
    extra: list = field(default_factory=list)       # {student, file}: not a notebook, not collected
    unknown: list = field(default_factory=list)     # {file, who}: nobody on the roster
    refused: list = field(default_factory=list)     # {file, why}: unsafe, too large, whose unknown
    missing: list = field(default_factory=list)     # roster ids with nothing collected

    def lines(self):
        a = self.assignment_id
        out = [f"{a}: {len(self.collected)} notebooks collected"]
        out += [f"  renamed    {r['student']}: {r['file']} (collected as {a}.ipynb)" for r in self.renamed]
        out += [f"  duplicate  {d['student']}: kept {d['kept']}, not {d['dropped']}" for d in self.duplicates]
        out += [f"  extra      {e['student']}: {e['file']} (not collected)" for e in self.extra]
        out += [f"  unknown    {u['file']}: {u['who']} is not on the roster (not collected)" for u in self.unknown]
        out += [f"  refused    {r['file']}: {r['why']}" for r in self.refused]
        out += [f"  missing    {student}: nothing submitted" for student in self.missing]
        return out


def collect(root, assignment_id, source, roster=None):
    """Collect `source` (a .zip export or a folder) for one assignment of course `root`; a CollectReport."""
    root, source = Path(root), Path(source)
    settings = Collect(config=Course.of(root).config)
    roster = roster or Roster.read(root / settings.roster)
    downloaded = root / "downloaded" / assignment_id
    extracted = downloaded / "extracted"
    shutil.rmtree(extracted, ignore_errors=True)
    extracted.mkdir(parents=True)
    report = CollectReport(assignment_id)
    if source.is_dir():
        entries = _from_folder(source, extracted, report)
    else:
        (downloaded / "archive").mkdir(exist_ok=True)
        shutil.copy(source, downloaded / "archive" / source.name)
        entries = _from_zip(source, extracted, report, settings.max_file_mb * 2 ** 20)
    by_student = {}
    for entry in entries:
        student = roster.find(entry.owner.student_id, entry.owner.lms_id, entry.owner.name)
        if student is None:
            who = entry.owner.student_id or entry.owner.name or entry.owner.lms_id
            report.unknown.append({"file": entry.path, "who": who})
        elif not entry.owner.file.endswith(".ipynb"):
            report.extra.append({"student": student.id, "file": entry.path})
        else:
            by_student.setdefault(student.id, []).append(entry)
    wanted = f"{assignment_id}.ipynb"
    for student, notebooks in sorted(by_student.items()):
        # The latest wins; at the same time, the one with the right name.
        notebooks.sort(key=lambda e: (e.timestamp, e.owner.file == wanted))
        kept = notebooks[-1]
        report.duplicates += [{"student": student, "kept": kept.path, "dropped": e.path} for e in notebooks[:-1]]
        if kept.owner.file != wanted:
            report.renamed.append({"student": student, "file": kept.path})
        folder = root / "submitted" / student / assignment_id
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copy(extracted / kept.path, folder / wanted)
        (folder / "timestamp.txt").write_text(kept.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        report.collected.append({"student": student, "file": kept.path, "timestamp": kept.timestamp.isoformat()})
    report.missing = sorted(s.id for s in roster if s.id not in by_student)
    with Course.of(root).gradebook() as gb:  # names for the formgrader and the export, and a row for who handed in nothing
        roster.import_into(gb)
    (downloaded / REPORT_FILE).write_text(json.dumps(asdict(report), indent=1))
    return report


def read_report(root, assignment_id):
    """The CollectReport of the last collection of an assignment, or None."""
    try:
        data = json.loads((Path(root) / "downloaded" / assignment_id / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return None
    return CollectReport(**data)


def _entry(path, timestamp, report):
    owner = parse_path(path)
    if owner is None:
        report.refused.append({"file": path, "why": "its name says nothing about whose it is"})
        return None
    return Entry(path, owner, timestamp)


def _from_zip(archive, extracted, report, max_bytes):
    entries = []
    try:
        bundle = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as error:
        report.refused.append({"file": archive.name, "why": f"not a readable zip file ({error})"})
        return entries
    with bundle:
        for member in bundle.infolist():
            name = member.filename
            if member.is_dir() or PurePosixPath(name).name.startswith(".") or "__MACOSX" in name:
                continue
            path = PurePosixPath(name)
            if path.is_absolute() or ".." in path.parts:
                report.refused.append({"file": name, "why": "a path outside the export (not unpacked)"})
                continue
            if member.file_size > max_bytes:
                report.refused.append({"file": name, "why": f"{member.file_size / 2 ** 20:.0f} MB, "
                                                            "larger than Collect.max_file_mb"})
                continue
            target = extracted / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as data, open(target, "wb") as out:
                shutil.copyfileobj(data, out)
            # Zip times have no zone: LMS exports write them in UTC.
            timestamp = datetime(*member.date_time, tzinfo=timezone.utc)
            os.utime(target, (timestamp.timestamp(), timestamp.timestamp()))
            entry = _entry(name, timestamp, report)
            if entry:
                entries.append(entry)
    return entries


def _from_folder(folder, extracted, report):
    entries = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if path.name.startswith(".") or path.name == "timestamp.txt" or ".ipynb_checkpoints" in relative:
            continue
        target = extracted / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        entry = _entry(relative, _folder_timestamp(path), report)
        if entry:
            entries.append(entry)
    return entries


def _folder_timestamp(path):
    """nbgrader's timestamp.txt beside the file if there is one, else the file's modification time."""
    from nbgrader.utils import parse_utc

    stamp = path.parent / "timestamp.txt"
    if stamp.exists():
        try:
            return parse_utc(stamp.read_text().strip()).replace(tzinfo=timezone.utc)  # parse_utc: naive UTC
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
