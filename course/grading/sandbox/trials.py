"""Judge an exercise in a process learner code has not touched: the grader's side of a trial process.

For each judged exercise the grader forks a fresh process from the warm
template (course.grading.sandbox.forkserver), confined like a kernel, and
opens a channel to it: a socket pair whose other end only that process
holds. It sends the exercise's program (the learner's statements the
exercise depends on) and the request, reads one answer of at most
`max_bytes` within `timeout` seconds, then stops the process and whatever it
started. Nothing the notebook's own kernel did reaches this process, and no
display message of the notebook can stand in for its answer.
"""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import os
import select
import signal
import threading
import time

from course.kernel import trials

from . import forkserver, homes, processes


@dataclass
class Answer:
    outcomes: list = None    # one {"value"} or {"error"} per trial, as the process sent them
    problem: str = ""        # why there are none: the time limit, the size limit, the process died
    timed_out: bool = False
    died: bool = False       # the process stopped without answering


def ask(program, request, cwd, env, limits, timeout, max_bytes, cancelled=None):
    """Run `program` (course.grading.reading.slicing.Program.message()) and `request` in a fresh
    trial process; an Answer. Setting the Event `cancelled` stops the process early (the Answer says so).

    A process that stops without answering is asked once more, in a fresh process: learner code that
    ends its process (or runs out of memory) does so again, but a process killed from outside (the
    machine's OOM killer, an operator, a grading run killed at that moment) must not cost the exercise.
    """
    answer = _ask_once(program, request, cwd, env, limits, timeout, max_bytes, cancelled)
    if answer.died and not (cancelled is not None and cancelled.is_set()):
        answer = _ask_once(program, request, cwd, env, limits, timeout, max_bytes, cancelled)
    return answer


def _ask_once(program, request, cwd, env, limits, timeout, max_bytes, cancelled):
    env = {name: value for name, value in env.items() if name != "COURSE_MPL_CACHE"}
    server = forkserver.trials_server(limits)
    with server.trials_lock:
        home = homes.new_home()
        try:
            child, channel = server.spawn_trials(cwd, env, limits, home)
        except BaseException:
            homes.remove(home)
            raise
        deadline = time.monotonic() + timeout
        try:
            trials.send(channel, {"cells": program, "request": request})
            return _read_answer(channel, deadline, timeout, max_bytes, cancelled)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            return Answer(problem="the process that ran it stopped without answering (it ran out of memory, "
                                  "or the code ended the process)", died=True)
        finally:
            channel.close()
            stop(child)
            homes.remove(home)


def _read_answer(channel, deadline, timeout, max_bytes, cancelled=None):
    while not select.select([channel], [], [], min(max(deadline - time.monotonic(), 0), 0.1))[0]:
        if cancelled is not None and cancelled.is_set():
            return Answer(problem="the grading of its notebook stopped before it answered")
        if time.monotonic() >= deadline:
            return Answer(problem=f"it did not return within {timeout} s: look for a loop that never ends",
                          timed_out=True)
    channel.settimeout(max(deadline - time.monotonic(), 0.5))
    try:
        outcomes = trials.receive(channel, limit=max_bytes)
    except OverflowError:
        return Answer(problem="its answers are larger than the checks accept")
    except TimeoutError:
        return Answer(problem="its answer did not arrive in time")
    except (ValueError, RecursionError):
        return Answer(problem="its answer could not be read")
    return Answer(outcomes)


def stop(child):
    """Kill a trial process and whatever it started (all its nursery's cgroup holds); never raises."""
    try:
        if child.poll() is None:  # alive, so its process group cannot belong to anyone else yet
            os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass
    child.kill()
    child.wait(5)
    if child.cgroup:
        processes.kill_all(child.cgroup, sparing=child.cgroup)
    else:  # no nursery cgroup: the process made its own, if it could
        processes.remove(child.pid)


class Ahead:
    """A notebook's trial processes, run one after another in a thread of their own while its kernel runs.

    Neither needs the other: a trial process runs the program read from the
    notebook as handed in, never the kernel's state. So the grader asks for
    every judged exercise as soon as it has read the notebook, and the
    judgement of each test cell waits only for its own answer, not for the
    kernel to reach that cell and then for the trial. `close` stops what is
    still running or waiting.
    """

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trial-processes")
        self.cancelled = threading.Event()

    def ask(self, function, *args):
        """A Future of `function(*args, cancelled=...)`, run after those asked before."""
        return self._pool.submit(function, *args, cancelled=self.cancelled)

    def close(self):
        self.cancelled.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
