"""Print how long each source notebook takes to execute with its solutions, and the total.

    .venv/bin/python benchmarks/notebook_times.py [ids...]

Each notebook runs in a fresh kernel, in its own folder, as nbgrader would
run it; the time includes kernel start-up and `import torch`.
"""
from pathlib import Path
import sys
import time

import nbformat
from nbclient import NotebookClient

from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {}  # seconds, where a notebook may take longer than 15 s: none does


def execute(assignment_id):
    path = ROOT / "source" / assignment_id / f"{assignment_id}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(ids):
    total = 0.0
    print(f"{'assignment':24} {'seconds':>8} {'limit':>6}")
    for assignment_id in ids or Course(ROOT).assignment_ids():
        seconds = execute(assignment_id)
        total += seconds
        limit = LIMITS.get(assignment_id, 15.0)
        print(f"{assignment_id:24} {seconds:8.1f} {limit:6.0f}{'  OVER' if seconds > limit else ''}", flush=True)
    print(f"{'all':24} {total:8.1f} {90:6.0f}{'  OVER' if total > 90 else ''}")


if __name__ == "__main__":
    main(sys.argv[1:])
