"""Seconds a notebook takes to grade with `nbgrader autograde` and this checkout's config, per assignment.

    .venv/bin/python benchmarks/grading_times.py [--students 4] [--repeat 2] [--cold] [ids...]

One `nbgrader autograde <id>` grades `--students` copies of the solution, as
an instructor grades a class; the figure is its time divided by the students.
Self-contained (nbgrader's command line and nbformat only), so a copy of it
times an older checkout the same way: that is how trusted judging's cost was
measured against the in-kernel checks it replaced. `--cold` starts every
kernel cold (no warm template), as the older checkouts did. Prints the best
of `--repeat` runs per notebook and the total.
"""
import argparse
import atexit
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic


def course_folder(assignment_id, students):
    root = Path(tempfile.mkdtemp(prefix="course-times-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # removed however the benchmark ends
    shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(ROOT / "source" / assignment_id, root / "source" / assignment_id)
    subprocess.run([NBGRADER, "generate_assignment", assignment_id, "--force"], cwd=root, check=True,
                   capture_output=True, env=ENV)
    for student in range(students):
        submitted = root / "submitted" / f"solution-{student}" / assignment_id
        submitted.mkdir(parents=True)
        shutil.copy(ROOT / "source" / assignment_id / f"{assignment_id}.ipynb", submitted)
    return root


def grade_seconds(root, assignment_id, cold):
    command = [NBGRADER, "autograde", assignment_id, "--force"]
    if cold:
        command.append("--SandboxedExecute.warm_kernels=False")
    start = time.perf_counter()
    subprocess.run(command, cwd=root, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()
    ids = args.ids or sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
    total = 0.0
    for assignment_id in ids:
        root = course_folder(assignment_id, args.students)
        best = min(grade_seconds(root, assignment_id, args.cold) for _ in range(args.repeat)) / args.students
        shutil.rmtree(root, ignore_errors=True)
        total += best
        print(f"{assignment_id:24} {best:6.2f} s a notebook", flush=True)
    print(f"{'total':24} {total:6.2f} s")


if __name__ == "__main__":
    main()
