"""Kill a grading run at random moments, many times, and check that running it again loses and duplicates nothing.

    .venv/bin/python benchmarks/fault_injection.py [--rounds 20] [--assignment 01_randn] [--seed N]

The example class of one assignment (its solution, stub and every group of
typical mistakes) is graded once as the reference. Then, each round, the
gradebook and graded folders are wiped, `course grade` starts as a real
process, and at a random moment one of these is killed: the run with Ctrl-C
(SIGINT), the run with SIGKILL, a worker, a kernel or trial process. Then
`course grade` runs again to the end. Each round checks that the gradebook
holds one submission per student with the reference's scores, and prints
what the second run had left to grade. tests/grading/test_faults.py does the
same once per kind of kill, on a toy class.
"""
import argparse
import atexit
import os
from pathlib import Path
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.grading.process_tree import grading_workers, sandboxed  # noqa: E402

KILLS = {
    "Ctrl-C of the run": (lambda run: [run.pid], signal.SIGINT),
    "SIGKILL of the run": (lambda run: [run.pid], signal.SIGKILL),
    "SIGKILL of a worker": (lambda run: grading_workers(run.pid), signal.SIGKILL),
    "SIGKILL of a kernel or trial process": (lambda run: sandboxed(run.pid), signal.SIGKILL),
}


def _grade(root):
    return subprocess.Popen([sys.executable, "-m", "course.cli", "--root", str(root), "grade", "--no-feedback"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _state(root, assignment):
    from course.grading.course import Course

    course = Course(root)
    with course.gradebook() as gb:
        students = sorted(s.student.id for s in gb.find_assignment(assignment).submissions)
    return students, {s: course.cell_scores(assignment, s) for s in students}


def _wipe(root, assignment):
    """Back to nothing graded: the graded folders, failures and submissions go (the released assignment stays)."""
    from course.grading.course import Course

    for name in ("autograded", "feedback"):
        shutil.rmtree(root / name, ignore_errors=True)
    (root / "grading_failures.json").unlink(missing_ok=True)
    with Course(root).gradebook() as gb:
        for submission in list(gb.find_assignment(assignment).submissions):
            gb.remove_submission(assignment, submission.student.id)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--assignment", default="01_randn")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10 ** 6)
    rng = random.Random(seed)

    from course import api
    from course.grading import steps

    example_class = api.examples(ROOT).example_class
    root = Path(example_class.new_course(Path(tempfile.mkdtemp(prefix="course-faults-")), ROOT))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # removed however the benchmark ends
    assert steps.release(root, args.assignment).ok
    example_class.add_submissions(root, ROOT, args.assignment, all_mistakes=True)
    start = time.perf_counter()
    assert _grade(root).wait() == 0
    full = time.perf_counter() - start
    reference = _state(root, args.assignment)
    print(f"seed {seed}; {len(reference[0])} submissions of {args.assignment}, a whole run {full:.0f} s")
    failures = 0
    for number in range(args.rounds):
        _wipe(root, args.assignment)
        kind = rng.choice(sorted(KILLS))
        target, sig = KILLS[kind]
        moment = rng.uniform(0.5, full)
        run = _grade(root)
        time.sleep(moment)
        pids = target(run)
        if pids and run.poll() is None:
            os.kill(rng.choice(pids), sig)
        try:
            run.wait(timeout=600)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
        again = _grade(root)
        output, _ = again.communicate(timeout=1200)
        left = output.count(": graded")
        ok = _state(root, args.assignment) == reference
        failures += not ok
        print(f"round {number + 1:2}: {kind:38} at {moment:5.1f} s: the second run graded {left:2} "
              f"of {len(reference[0])}; gradebook {'as the reference' if ok else 'DIFFERS'}", flush=True)
    print(f"{args.rounds - failures} of {args.rounds} rounds lost and duplicated nothing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
