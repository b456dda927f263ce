"""Hand out and collect through nbgrader's exchange (JupyterHub's Assignments tab), and say what was odd.

`release_assignment` puts release/<id>/ into the exchange's outbound folder
(`nbgrader release_assignment`); students fetch and submit from JupyterLab's
Assignments tab, each submission a folder `<student>+<id>+<time>+<random>`
in the exchange's inbound folder, which students can write to but not list.

`collect` runs `nbgrader collect --update` with `RosterCollect`, nbgrader's
own collector that takes only what the roster's students handed in
themselves, then lists the same oddities as `course collect` does for an
LMS export (course/grading/collect.py): earlier submissions of a student
who submitted more than once (the latest is collected), a notebook handed
in under another name (collected as <id>.ipynb), other files (not
collected), submissions from someone not on the roster or made as another
student (a file owned by one user in another's name: not collected), and
who submitted nothing.
"""
from dataclasses import asdict, dataclass
from datetime import timezone
import glob
import json
import os
from pathlib import Path
import shutil

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

from . import steps
from .collect import REPORT_FILE, Collect, CollectReport
from .roster import Roster

KEPT_FILES = {"timestamp.txt", "submission_secret.txt"}


@dataclass(frozen=True)
class Record:
    """One submission folder in the exchange's inbound."""

    folder: str        # <student>+<id>+<timestamp>[+<random>]
    student: str       # the name it was handed in under
    timestamp: object  # datetime, naive UTC (as nbgrader compares it with due dates)
    owner: str         # the user who owns the folder

    @property
    def forged(self):
        return self.owner != self.student


def inbound_records(inbound, assignment_id, student="*"):
    """Every submission of an assignment in an exchange's inbound folder (the instructor may list it)."""
    import pwd

    records = []
    for path in glob.glob(os.path.join(glob.escape(str(inbound)), f"{student}+{glob.escape(assignment_id)}+*")):
        name = os.path.basename(path)
        parts = name.rsplit("+", 3) if name.count("+") >= 3 else name.rsplit("+", 2)
        try:
            owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
        except KeyError:
            owner = f"uid {os.stat(path).st_uid}"
        records.append(Record(name, parts[0], parse_utc(parts[2]), owner))
    return sorted(records, key=lambda r: (r.student, r.timestamp))


def _roster_ids(coursedir, config):
    path = Path(coursedir.root) / Collect(config=config).roster
    return {s.id for s in Roster.read(path)} if path.exists() else None


def accepted(record, roster_ids, check_owner=True):
    return (roster_ids is None or record.student in roster_ids) and not (check_owner and record.forged)


class RosterCollect(ExchangeCollect):
    """`nbgrader collect` that takes only submissions of students on the roster (if there is one), each
    handed in by that student's own user (unless `check_owner` is off); of those, as nbgrader does,
    each student's latest (or, with --before-duedate, the latest before the due date)."""

    def init_src(self):
        super().init_src()  # nbgrader's checks, the due date and its choice among all submissions
        roster_ids = _roster_ids(self.coursedir, self.config)
        student = self.coursedir.student_id or "*"
        by_student = {}
        for record in inbound_records(self.inbound_path, self.coursedir.assignment_id, student):
            if accepted(record, roster_ids, self.check_owner):
                by_student.setdefault(record.student, []).append(record)
        self.src_records = []
        for records in by_student.values():
            chosen = records[-1]
            if self.before_duedate and self.duedate is not None:
                on_time = [r for r in records if r.timestamp <= self.duedate]
                chosen = on_time[-1] if on_time else chosen
            self.src_records.append({"username": chosen.student, "filename": chosen.folder,
                                     "timestamp": chosen.timestamp})


def exchange_settings(root):
    """(exchange root, course id) of a course folder, from its nbgrader_config.py."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.exchange import Exchange

    from .course import Course

    config = Course.of(root).config
    return Path(Exchange(config=config).root), CourseDirectory(config=config).course_id


def release_assignment(root, assignment_id):
    """Put release/<id>/ into the exchange for students to fetch (`nbgrader release_assignment`)."""
    return steps.nbgrader(root, "release_assignment", assignment_id, "--force")


class CollectFailed(RuntimeError):
    pass


def collect(root, assignment_id):
    """Collect an assignment from the exchange into submitted/; a CollectReport (also in downloaded/<id>/)."""
    from .course import Course

    root = Path(root)
    config = Course.of(root).config
    exchange, course_id = exchange_settings(root)
    inbound = exchange / course_id / "inbound"
    if not inbound.is_dir():
        raise CollectFailed(f"no course {course_id} in the exchange {exchange}: release an assignment first")
    settings = Collect(config=config)
    roster = Roster.read(root / settings.roster)
    check_owner = ExchangeCollect(config=config).check_owner
    records = inbound_records(inbound, assignment_id)
    done = steps.nbgrader(root, "collect", assignment_id, "--update",
                          "--ExchangeFactory.collect=course.grading.exchange.RosterCollect")
    if not done.ok:
        raise CollectFailed(f"nbgrader collect {assignment_id}: {done.message}")

    report = CollectReport(assignment_id)
    by_student = {}
    for record in records:
        if record.student not in roster:
            report.unknown.append({"file": record.folder, "who": record.student})
        elif check_owner and record.forged:
            report.refused.append({"file": record.folder, "why": f"handed in as {record.student} by the user "
                                                                 f"{record.owner} (not collected)"})
        else:
            by_student.setdefault(record.student, []).append(record)
    wanted = f"{assignment_id}.ipynb"
    for student, handed_in in sorted(by_student.items()):
        kept = handed_in[-1]
        report.duplicates += [{"student": student, "kept": kept.folder, "dropped": r.folder} for r in handed_in[:-1]]
        folder = root / "submitted" / student / assignment_id
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        notebooks = [f for f in files if f.endswith(".ipynb") and ".ipynb_checkpoints" not in f]
        if wanted not in notebooks and notebooks:
            newest = max(notebooks, key=lambda f: (folder / f).stat().st_mtime)
            shutil.move(folder / newest, folder / wanted)
            report.renamed.append({"student": student, "file": f"{kept.folder}/{newest}"})
            files.remove(newest)
        for name in files:
            if name != wanted and name not in KEPT_FILES:
                report.extra.append({"student": student, "file": f"{kept.folder}/{name}"})
                (folder / name).unlink()
        for empty in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
            if not any(empty.iterdir()):
                empty.rmdir()
        timestamp = kept.timestamp.replace(tzinfo=timezone.utc)
        report.collected.append({"student": student, "file": kept.folder, "timestamp": timestamp.isoformat()})
    report.missing = sorted(s.id for s in roster if s.id not in by_student)
    with Course.of(root).gradebook() as gb:
        roster.import_into(gb)
    downloaded = root / "downloaded" / assignment_id
    downloaded.mkdir(parents=True, exist_ok=True)
    (downloaded / REPORT_FILE).write_text(json.dumps(asdict(report), indent=1))
    return report
