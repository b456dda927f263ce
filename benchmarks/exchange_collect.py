"""Collecting a class from nbgrader's exchange: `course collect <id> --exchange` on a made-up class of N students.

    .venv/bin/python benchmarks/exchange_collect.py [--students 300]

Builds a course folder and an exchange whose inbound holds, for each of N
roster students, the released 01_randn notebook handed in twice (so every
student also has an earlier submission to list), then times
`course.grading.exchange.collect` (nbgrader collect with RosterCollect, the
listing of oddities, the roster into the gradebook). All folders belong to
the user running it, so the owner check is off here (`check_owner`); the
hub's tests (tests/test_hub.py) collect real users' submissions with it on.
"""
import argparse
from pathlib import Path
import shutil
import tempfile
import time

from course.grading import exchange
from course.grading.course import Course
from course.grading.roster import Roster, Student

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_randn"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        root = Course.new(folder / "course", ROOT).root
        inbound = folder / "exchange" / "torch-gradients" / "inbound"
        inbound.mkdir(parents=True)
        with open(root / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.Exchange.root = {str(folder / 'exchange')!r}\nc.ExchangeCollect.check_owner = False\n")
        students = [f"student{n:04}" for n in range(args.students)]
        Roster([Student(s) for s in students]).write(root / "roster.csv")
        notebook = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        for student in students:
            for minute in (10, 20):
                when = f"2026-12-01 10:{minute}:00.000000 UTC"
                target = inbound / f"{student}+{ASSIGNMENT}+{when}+abcdefghijkl"
                target.mkdir()
                shutil.copy(notebook, target)
                (target / "timestamp.txt").write_text(when)
                (target / "submission_secret.txt").write_text("secret")
        started = time.perf_counter()
        report = exchange.collect(root, ASSIGNMENT)
        seconds = time.perf_counter() - started
        assert len(report.collected) == args.students and len(report.duplicates) == args.students
        print(f"collected {len(report.collected)} students' notebooks from {2 * args.students} submissions "
              f"in {seconds:.1f} s ({len(report.duplicates)} earlier submissions listed)")


if __name__ == "__main__":
    main()
