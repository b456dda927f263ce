"""Does the parallel engine grade a class at once into one SQLite gradebook, losing nothing?"""
import gc
import time

import pytest

from course.grading import engine, executors
from course.grading.course import Course

from .toy import CORRECT, submit, toy_notebook

pytestmark = pytest.mark.nbgrader
WRONG = CORRECT.replace("2 * x", "3 * x")


def test_parallel_writers_lose_no_grade(toy_course, capsys):
    """With four notebooks graded at once into SQLite (one writer at a time), is every grade there and right?"""
    students = {f"s{number:02}": number % 3 != 0 for number in range(12)}  # every third one wrong
    for student, right in students.items():
        submit(toy_course, student, toy_notebook(CORRECT if right else WRONG))
    results = engine.grade(toy_course, Course.of(toy_course).submissions(["toy"]), jobs=4)
    assert {s for (_, s), r in results.items() if r.ok} == set(students)
    with Course.of(toy_course).gradebook() as gb:
        assert len(gb.find_assignment("toy").submissions) == len(students)
    assert {s: Course.of(toy_course).cell_scores("toy", s)["double_tests"][0] for s in students} == \
        {s: 2.0 if right else 0.0 for s, right in students.items()}
    assert "grading" not in capsys.readouterr().err, "a progress bar off a terminal"


def test_run_time_limit_reports_what_it_did_not_grade(toy_course):
    """Does a run over --run-timeout stop, with every unfinished notebook reported and not a grade lost?"""
    submit(toy_course, "a_quick", toy_notebook())
    assert engine.grade(toy_course, [("toy", "a_quick")])["toy", "a_quick"].ok  # graded before, whatever the load
    for number in range(3):
        submit(toy_course, f"b_slow{number}", toy_notebook(CORRECT + "\nimport time\ntime.sleep(120)"))
    start = time.monotonic()
    results = engine.grade(toy_course, Course.of(toy_course).submissions(["toy"]), jobs=2, run_timeout=25)
    # At the limit the engine stops its workers rather than waiting for them: the slow notebooks sleep 120 s,
    # so a run that waited would take 145 s or more; the margin is for a busy machine, not a tolerance.
    assert time.monotonic() - start < 25 + 60
    assert results["toy", "a_quick"].ok and Course.of(toy_course).cell_scores("toy", "a_quick")["double_tests"][0] == 2.0
    slow = [results["toy", f"b_slow{n}"] for n in range(3)]
    assert not any(r.ok for r in slow)
    assert all("ran too long" in r.message or "time limit" in r.message for r in slow)



def test_a_worker_whose_grader_died_while_it_started_takes_no_notebook(tmp_path):
    """A grader killed while its workers are still starting (before they ask to die with it) must not leave
    them running: they would take queued notebooks and grade them beside the next run's."""
    import os
    import subprocess
    import sys

    from .process_tree import cmdline

    script = tmp_path / "grader.py"
    script.write_text(
        "import os, time\n"
        "from course.grading.executors import LocalExecutor\n"
        "if __name__ == '__main__':\n"
        "    pool = LocalExecutor(2)\n"
        "    pool.pool.submit(time.sleep, 60)\n"   # the workers spawn; one would take this task
        "    os._exit(0)\n")                       # and the grader is gone before they have started
    grader = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    assert grader.wait(timeout=120) == 0

    def workers():
        """The grader's workers (and multiprocessing's fork server they are forked from): they keep its
        process group."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and "multiprocessing" in cmdline(int(entry)):
                try:
                    if os.getpgid(int(entry)) == grader.pid:
                        found.append(int(entry))
                except ProcessLookupError:
                    pass
        return found

    deadline = time.monotonic() + 60
    while workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    left = workers()
    for pid in left:
        os.kill(pid, 9)
    assert not left, "workers kept running after their grader died"


def test_a_notebook_whose_kernel_died_before_its_first_message_is_graded_again(toy_course, monkeypatch):
    """A kernel that dies while starting (the port chosen for it taken before it could bind it: a race of
    jupyter_client's under load) is no fault of the notebook's, which is graded once more."""
    from nbgrader.apps import NbGraderAPI

    submit(toy_course, "ada", toy_notebook(CORRECT))
    real, calls = NbGraderAPI.autograde, []

    def autograde(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 1:  # what nbgrader answers when the kernel dies while starting
            return {"success": False, "log": "[ERROR] Error occurred while starting new kernel client for kernel "
                                              "x: Kernel died before replying to kernel_info"}
        return real(self, *args, **kwargs)

    monkeypatch.setattr(NbGraderAPI, "autograde", autograde)
    with Course.of(toy_course).gradebook() as gb:
        gb.update_or_create_student("ada")
    result = engine.grade_notebook(str(toy_course), "toy", "ada", time.time() + 300, 30)
    assert result.ok and len(calls) == 2
    assert Course.of(toy_course).cell_scores("toy", "ada")["double_tests"][0] == 2.0


def test_a_notebooks_scratch_folder_is_a_home_of_its_worker_and_is_removed(toy_course):
    """The folder where a notebook's kernels make their homes is a home of the grading process (named after
    its pid), so the sweep of the next grader removes it if the process is killed first; it is gone after."""
    import json
    import os

    import nbformat

    from course.grading.sandbox import homes

    submit(toy_course, "ada", toy_notebook(CORRECT + "\nimport os\nprint('TMPDIR', os.environ['TMPDIR'])"))
    with Course.of(toy_course).gradebook() as gb:
        gb.update_or_create_student("ada")
    assert engine.grade_notebook(str(toy_course), "toy", "ada", time.time() + 300, 30).ok
    nb = nbformat.read(str(toy_course / "autograded" / "ada" / "toy" / "toy.ipynb"), as_version=4)
    printed = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))
    kernel_tmp = next(line.split(" ", 1)[1] for line in printed.splitlines() if line.startswith("TMPDIR "))
    scratch = os.path.dirname(os.path.dirname(kernel_tmp))  # <scratch>/<kernel's home>/tmp
    assert os.path.basename(scratch).startswith(f"{homes.PREFIX}{os.getpid()}-"), json.dumps(kernel_tmp)
    assert not os.path.exists(scratch)


def test_a_local_worker_starts_with_its_warm_modules_frozen():
    """The modules a worker is forked with live as long as it does: frozen, its cyclic collector skips them."""
    workers = executors.LocalExecutor(1)
    try:
        [(_, frozen)] = list(workers.run(gc.get_freeze_count, [()]))
    finally:
        workers.close()
    assert frozen > 100_000


def test_a_run_while_another_has_the_kept_workers_gets_workers_of_its_own():
    """Two runs at once in one process (two threads) must not share workers: the second run's end would
    otherwise decide over the first run's tasks. The kept workers go back to the next run once returned."""
    first = executors.local(1)
    second = executors.local(1)
    assert second is not first and not isinstance(second, type(first))
    second.close()
    first.close()
    assert executors.local(1) is first, "the kept workers were not lent again"
    first.close()
