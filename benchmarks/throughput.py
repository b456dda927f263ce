"""Grading throughput: plain serial `nbgrader autograde` against the course's engine, on the same submissions.

    .venv/bin/python benchmarks/throughput.py [--students 8] [ids...]   (default ids: 01_randn 03_backward)

Builds two throwaway course folders with the same example submissions
(solution, stub and mistakes students, repeated to `--students`). The first
is graded by `nbgrader autograde <id>` with nbgrader's default Execute and
no course config (a bare nbgrader_config.py), one notebook after another;
the second by `course.grading.engine` (warm kernels, every core). Checks
that both give the same scores, then prints notebooks per minute for both,
their ratio, the floor (the learner cells' own execution time, summed over
the notebooks, divided by the cores) and the peak memory of a worker.
"""
import argparse
import os
from pathlib import Path
import resource
import subprocess
import sys
import tempfile
import time

import nbformat

from course.grading import engine, steps
from course import api
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = api.examples(ROOT)


def build(root, ids, students):
    """A course at `root` with `students` submissions per assignment; returns [(id, student)]."""
    EXAMPLES.example_class.new_course(root, ROOT)
    submissions = []
    for assignment_id in ids:
        assert steps.release(root, assignment_id).ok
        base = EXAMPLES.example_class.add_submissions(root, ROOT, assignment_id)
        for copy in range(students):
            name = sorted(base)[copy % len(base)]
            student = f"{name}-{copy:03}"
            nb = nbformat.read(str(root / "submitted" / name / assignment_id / f"{assignment_id}.ipynb"), 4)
            EXAMPLES.example_class.submit(root, student, assignment_id, nb)
            submissions.append((assignment_id, student))
        for name in base:
            subprocess.run(["rm", "-rf", str(root / "submitted" / name)], check=True)
    return submissions


def cell_seconds(root, submissions):
    """The learner cells' own execution time, from the timestamps nbclient records in each cell."""
    from datetime import datetime

    total = 0.0
    for assignment_id, student in submissions:
        nb = nbformat.read(str(root / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"), 4)
        for cell in nb.cells:
            timing = cell.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
                start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                              for k in ("iopub.execute_input", "shell.execute_reply"))
                total += (end - start).total_seconds()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", default=["01_randn", "03_backward"])
    parser.add_argument("--students", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="course-bench-") as scratch:  # the two classes: 37 MB
        return measure(Path(scratch), args.ids, args.students)


def measure(scratch, ids, students):
    """Grade the same class with plain nbgrader and with the engine in `scratch`; print the figures."""
    cores = os.cpu_count()
    plain, ours = scratch / "plain", scratch / "engine"
    submissions = build(plain, ids, students)
    build(ours, ids, students)
    # Plain nbgrader: its defaults, no course config.
    (plain / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'torch-gradients'\n"
                                              "c.ClearMetadataPreprocessor.enabled = False  # keep cell timings\n")
    start = time.perf_counter()
    for assignment_id in ids:
        done = steps.nbgrader(plain, "autograde", assignment_id, "--force")
        assert done.ok, done.log[-2000:]
    plain_seconds = time.perf_counter() - start
    start = time.perf_counter()
    results = engine.grade(ours, submissions, progress=False)
    ours_seconds = time.perf_counter() - start
    assert all(r.ok for r in results.values()), {k: r.message for k, r in results.items() if not r.ok}
    differ = [(a, s) for a, s in submissions if Course.of(plain).cell_scores(a, s) != Course.of(ours).cell_scores(a, s)]
    n = len(submissions)
    floor = cell_seconds(plain, submissions) / cores
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{n} notebooks ({', '.join(ids)}), {cores} cores")
    print(f"grades agree:             {'yes' if not differ else 'NO: ' + str(differ)}")
    print(f"plain serial nbgrader:    {plain_seconds:7.1f} s  {60 * n / plain_seconds:6.1f} notebooks/min")
    print(f"course engine:            {ours_seconds:7.1f} s  {60 * n / ours_seconds:6.1f} notebooks/min")
    print(f"ratio:                    {plain_seconds / ours_seconds:7.2f} x")
    print(f"floor (cells / cores):    {floor:7.1f} s  {60 * n / floor:6.1f} notebooks/min")
    print(f"peak memory of a worker:  {children:7.0f} MiB (largest child process, kernels included)")
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
