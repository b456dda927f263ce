"""A grading run killed at a random moment, then run again: no grade lost, none duplicated, only the rest graded.

Each test starts `course grade` as a real process on a small toy class,
kills something real at a random moment (Ctrl-C, SIGKILL of the run, of a
worker, of a kernel or trial process, of a Dask worker), then runs
`course grade` again. The gradebook must hold exactly one submission per
student with the right score, and the second run must grade only what the
first did not finish. The moments are drawn at random (the seed is printed
on failure); benchmarks/fault_injection.py repeats this many times.
"""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from course.grading import engine
from course.grading.course import Course

from .process_tree import grading_workers, sandboxed
from .toy import CORRECT, ROOT, make_toy_course, submit, toy_notebook

pytestmark = pytest.mark.nbgrader
CLASS = {"ada": CORRECT, "bob": CORRECT.replace("2 * x", "3 * x"), "cy": CORRECT, "dee": "def double(x):\n    pass"}
POINTS = {"ada": 2.0, "bob": 0.0, "cy": 2.0, "dee": 0.0}


def _course(tmp_path):
    (tmp_path / "course").mkdir()
    root = make_toy_course(tmp_path / "course")
    for student, code in CLASS.items():
        submit(root, student, toy_notebook(code))
    return root


def _start(root, *options):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the toy's exercise module lives in tests/
    return subprocess.Popen([sys.executable, "-m", "course.cli", "--root", str(root), "grade", "toy", "--no-feedback",
                             "--jobs", "2", *options], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _workers(run):
    return grading_workers(run.pid)


def _sandboxed(run):
    return sandboxed(run.pid)


def _kill_at_random(run, rng, target, sig):
    """Wait a random moment, then send `sig` to a process `target(run)` names (waiting for one to exist)."""
    time.sleep(rng.uniform(0.5, 6.0))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        pids = target(run)
        if pids:
            os.kill(rng.choice(pids), sig)
            return True
        time.sleep(0.05)
    return False


def _run_and_kill(root, target, sig, seed, *options):
    rng = random.Random(seed)
    run = _start(root, *options)
    killed = _kill_at_random(run, rng, target, sig)
    try:
        run.wait(timeout=300)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    return killed


def _then_run_again_and_check(root):
    again = engine.grade(root, Course.of(root).submissions(["toy"]), jobs=2)
    assert all(r.ok for r in again.values()), {k: r.message for k, r in again.items()}
    with Course.of(root).gradebook() as gb:
        rows = [s.student.id for s in gb.find_assignment("toy").submissions]
    assert sorted(rows) == sorted(CLASS), "a submission is missing or duplicated"
    assert {s: Course.of(root).cell_scores("toy", s)["double_tests"][0] for s in CLASS} == POINTS
    assert Course.of(root).grading_failures() == {}
    third = engine.grade(root, Course.of(root).submissions(["toy"]), jobs=2)
    assert all(r.message == engine.ALREADY_GRADED for r in third.values())
    return again


KILLS = {
    "ctrl_c_of_the_run": (lambda run: [run.pid], signal.SIGINT),
    "sigkill_of_the_run": (lambda run: [run.pid], signal.SIGKILL),
    "sigkill_of_a_worker": (_workers, signal.SIGKILL),
    "sigkill_of_a_kernel_or_trial_process": (_sandboxed, signal.SIGKILL),
}


@pytest.mark.parametrize("kill", sorted(KILLS))
def test_a_run_killed_at_a_random_moment_loses_nothing_when_run_again(tmp_path, kill):
    seed = random.SystemRandom().randrange(10 ** 6)
    root = _course(tmp_path)
    target, sig = KILLS[kill]
    assert _run_and_kill(root, target, sig, seed), f"seed {seed}: the run ended before anything was killed"
    again = _then_run_again_and_check(root)
    graded_before = [s for s in CLASS if again["toy", s].message == engine.ALREADY_GRADED]
    print(f"seed {seed}: the second run graded {len(CLASS) - len(graded_before)} of {len(CLASS)}")


def test_a_killed_dask_worker_has_its_task_run_again(tmp_path):
    seed = random.SystemRandom().randrange(10 ** 6)
    root = _course(tmp_path)
    assert _run_and_kill(root, _workers, signal.SIGKILL, seed, "--executor", "dask"), \
        f"seed {seed}: the run ended before a worker was killed"
    _then_run_again_and_check(root)


def test_killed_runs_leave_a_postgresql_gradebook_consistent(tmp_path, monkeypatch, postgres_url):
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", postgres_url)
    seed = random.SystemRandom().randrange(10 ** 6)
    root = _course(tmp_path)
    assert _run_and_kill(root, lambda run: [run.pid], signal.SIGKILL, seed)
    _run_and_kill(root, _workers, signal.SIGKILL, seed + 1)
    _then_run_again_and_check(root)
    assert not (root / "gradebook.db").exists()
