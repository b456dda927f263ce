"""The trial process: a fresh, confined process per judgement, which runs only the program it is given.

No nbgrader here: the grader's side (course.grading.sandbox.trials) is
called directly with a program and a request, as TrustedExecute calls it.
"""
import os
import time
from dataclasses import asdict

import pytest
import torch

from course.checks.core.exercise import Exercise, Trial
from course.grading.sandbox import confine, trials
from course.kernel import plain

from .process_tree import alive

LIMITS = asdict(confine.Limits(memory_gb=8, file_size_mb=64, threads=1, process_limit=32))


def _request(function, *trial_args):
    return Exercise("t", function, visible=None, hidden=None).request([Trial(args) for args in trial_args])


def _ask(tmp_path, sources, function, *trial_args, timeout=30, max_bytes=plain.MAX_REPLY_BYTES, statements=None):
    program = [{"label": f"cell {i + 1}", "source": source,
                "statements": statements[i] if statements else list(range(len(source.strip().splitlines())))}
               for i, source in enumerate(sources)]
    return trials.ask(program, _request(function, *trial_args), tmp_path, dict(os.environ), LIMITS, timeout, max_bytes)


def test_the_program_runs_and_the_trials_are_answered(tmp_path):
    answer = _ask(tmp_path, ["import torch", "def double(x):\n    return 2 * x"], "double", (torch.arange(3.0),),
                  statements=[[0], [0]])
    assert answer.problem == "" and plain.decode(answer.outcomes[0]["value"]).tolist() == [0.0, 2.0, 4.0]


def test_only_the_listed_statements_run(tmp_path):
    """A statement the program does not list (here one that writes a file) never runs in the trial process."""
    source = "open('ran.txt', 'w').write('x')\ndef double(x):\n    return 2 * x"
    answer = _ask(tmp_path, [source], "double", (3,), statements=[[1]])
    assert plain.decode(answer.outcomes[0]["value"]) == 6 and not (tmp_path / "ran.txt").exists()


PROBE = """def probe(path):
    import sys
    loaded = sorted(m for m in sys.modules if m.startswith(("course.checks.", "course.grading.reading",
                                                             "course.grading.plugins")))
    try:
        open(path).read()
        readable = True
    except PermissionError:
        readable = False
    import course.kernel.plain, course.plots
    return [loaded, readable]"""


def test_the_process_holds_no_oracle_and_cannot_read_the_checks(tmp_path):
    """Nothing of course.checks is loaded in it, and the sandbox refuses to read the checks' files."""
    import course.checks.core.reference as reference

    answer = _ask(tmp_path, [PROBE], "probe", (reference.__file__,), statements=[[0]])
    loaded, readable = plain.decode(answer.outcomes[0]["value"])
    assert loaded == [] and readable is False


def test_an_endless_program_is_stopped_at_the_time_limit(tmp_path):
    answer = _ask(tmp_path, ["while True:\n    pass", "def f():\n    return 1"], "f", (), timeout=2,
                  statements=[[0], [0]])
    assert answer.outcomes is None and "did not return within 2 s" in answer.problem


def test_a_process_that_ends_itself_is_reported(tmp_path):
    answer = _ask(tmp_path, ["import os\ndef f():\n    os._exit(3)"], "f", (), statements=[[0, 1]])
    assert answer.outcomes is None and "stopped without answering" in answer.problem


KILLED_ONCE = """import os, time
open(f"pid-{os.getpid()}", "w").close()
def f():
    time.sleep(5)  # time enough for the test to kill it, even on a busy machine
    return 1"""


def test_a_process_killed_from_outside_is_asked_once_more(tmp_path):
    """A trial process killed from outside (here SIGKILL while it runs) is asked again in a fresh process,
    which answers: only what the learner's code does, twice, costs the exercise."""
    import signal
    import threading

    def kill_the_first():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(tmp_path.glob("pid-*")):
            time.sleep(0.02)
        for path in tmp_path.glob("pid-*"):
            os.kill(int(path.name.split("-")[1]), signal.SIGKILL)

    killer = threading.Thread(target=kill_the_first)
    killer.start()
    answer = _ask(tmp_path, [KILLED_ONCE], "f", (), statements=[[0, 1, 2]])
    killer.join()
    assert answer.problem == "" and plain.decode(answer.outcomes[0]["value"]) == 1
    assert len(list(tmp_path.glob("pid-*"))) == 2


def test_an_answer_over_the_size_limit_is_refused(tmp_path):
    answer = _ask(tmp_path, ["def f():\n    return 'x' * 100000"], "f", (), max_bytes=1000, statements=[[0]])
    assert answer.outcomes is None and "larger than the checks accept" in answer.problem


def test_a_statement_that_raises_ends_its_cell_and_is_named_when_the_name_is_missing(tmp_path):
    answer = _ask(tmp_path, ["1 / 0\ndef f():\n    return 1"], "f", (), statements=[[0, 1]])
    assert "f is not defined" in answer.outcomes[0]["error"]
    assert "cell 1, line 1, raised ZeroDivisionError" in answer.outcomes[0]["error"]


@pytest.mark.parametrize("source", ["import os\nos.kill(os.getppid(), 9)", "import signal, os\nos.killpg(0, 9)"])
def test_a_trial_process_cannot_end_the_template(tmp_path, source):
    """Killing its parent (the template) is refused by the sandbox; the next judgement still works."""
    _ask(tmp_path, [source + "\ndef f():\n    return 1"], "f", (), statements=[[0, 1, 2]])
    assert _ask(tmp_path, ["def f():\n    return 1"], "f", (), statements=[[0]]).outcomes == [{"value": 1}]


FORKS = """import os, time
def forks():
    started = []
    for _ in range(100):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()  # out of the trial's process group: only the cgroup still holds it
            time.sleep(600)
            os._exit(0)
        started.append(pid)
    return started"""


def test_a_trial_process_is_capped_and_what_it_starts_dies_with_it(tmp_path):
    """Born in its nursery's pids cgroup, a trial process runs at most `process_limit` tasks, itself
    included; whatever it started, even in a session of its own, is killed when it is stopped, and the
    next trial process gets the whole cap again."""
    from course.grading.sandbox import processes

    if processes.cgroup_path(os.getpid()) is None:
        pytest.skip("no pids cgroup on this machine")
    for _ in range(2):
        started = plain.decode(_ask(tmp_path, [FORKS], "forks", (), statements=[[0, 1]]).outcomes[0]["value"])
        assert len(started) == LIMITS["process_limit"] - 1
        assert _all_gone(started)


def _all_gone(pids, seconds=5):
    """Whether every one of `pids` has ended (a zombie has) within `seconds`: SIGKILL takes effect at once,
    but not in the same instant."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [pid for pid in pids if alive(pid)]:
            return True
        time.sleep(0.05)
    return False


def test_the_cgroups_of_graders_that_are_gone_are_swept(tmp_path):
    """A grader killed outright leaves its kernels' and nurseries' cgroups behind; the next one removes
    those whose process is gone, and no other."""
    from course.grading.sandbox import processes

    parent = processes._pids_parent()
    if parent is None:
        pytest.skip("no pids cgroup on this machine")
    gone = 2 ** 22 + 17  # above pid_max's default: no process has it
    left = os.path.join(parent, f"{processes.PREFIX}{gone}")
    mine = os.path.join(parent, f"{processes.PREFIX}{os.getpid()}")
    os.makedirs(left, exist_ok=True)
    os.makedirs(mine, exist_ok=True)
    try:
        processes._swept = False
        processes.sweep()
        assert not os.path.exists(left) and os.path.exists(mine)
    finally:
        for path in (left, mine):
            if os.path.exists(path):
                os.rmdir(path)


def test_trials_asked_ahead_stop_when_their_notebook_does(tmp_path):
    """TrustedExecute asks every trial while the kernel runs (trials.Ahead); when the notebook's grading ends
    early, the trial still running is stopped at once, not at its time limit, and what waits never starts."""
    program = [{"label": "cell 1", "source": "while True:\n    pass", "statements": [0]}]
    ahead = trials.Ahead()
    running = ahead.ask(trials.ask, program, _request("f", ()), tmp_path, dict(os.environ), LIMITS, 60,
                        plain.MAX_REPLY_BYTES)
    waiting = ahead.ask(trials.ask, program, _request("f", ()), tmp_path, dict(os.environ), LIMITS, 60,
                        plain.MAX_REPLY_BYTES)
    time.sleep(1)
    start = time.monotonic()
    ahead.close()
    assert time.monotonic() - start < 10
    assert "stopped before it answered" in running.result().problem and waiting.cancelled()


def test_a_trial_process_that_dies_is_reported_at_once_even_the_first(tmp_path):
    """The first trial process of a nursery dies without answering: its channel closes with it (nothing
    else holds it open), so the grader hears of it at once, not at the time limit."""
    from course.grading.sandbox import forkserver

    forkserver.trials_server(LIMITS).close()  # a new template, whose next trial process is its nursery's first
    start = time.monotonic()
    answer = _ask(tmp_path, ["import os\ndef f():\n    os._exit(3)"], "f", (), timeout=30, statements=[[0, 1]])
    assert "stopped without answering" in answer.problem and time.monotonic() - start < 20
