"""What one judgement's trial process costs: the time from asking to answer, and the machine's CPU.

    .venv/bin/python benchmarks/trial_process.py [--trials 40] [--repeat 3]

Asks `--trials` times in a row, as TrustedExecute does for each judged
exercise, for a fresh trial process (course.grading.sandbox.trials.ask) that
runs a two-statement program and six trials on small tensors, with the
course's sandbox limits. Prints, per repeat, the wall time of one ask and
the CPU the whole machine spent per ask (from /proc/stat: the grader, the
template, the nursery and the trial process together), and the best repeat.
Run it on a quiet machine: the CPU figure counts every process.
"""
import argparse
from dataclasses import asdict
import os
import tempfile
import time

import torch

from course.checks.core.exercise import Exercise, Trial
from course.grading.plugins.sandboxed_execute import SandboxedExecute
from course.grading.sandbox import trials
from course.kernel import plain

PROGRAM = [{"label": "cell 1", "statements": [0, 1],
            "source": "import torch\ndef f(x):\n    return [(x * x).sum(), torch.tanh(x) * 2]\n"}]


def machine_busy_ticks():
    """Clock ticks the whole machine has spent busy (every CPU), from /proc/stat."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # minus idle and iowait


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    limits = asdict(SandboxedExecute().sandbox_limits())
    request = Exercise("t", "f", visible=None, hidden=None).request([Trial((torch.randn(5),)) for _ in range(6)])
    with tempfile.TemporaryDirectory(prefix="course-trial-bench-") as folder:  # the trial processes' folder
        measure(args, limits, request, folder)


def measure(args, limits, request, folder):
    """Ask `args.repeat` times `args.trials` trial processes in a row in `folder`; print the figures."""
    ask = lambda: trials.ask(PROGRAM, request, folder, dict(os.environ), limits, 30, plain.MAX_REPLY_BYTES)
    first = ask()  # starts the template and its nursery
    assert first.outcomes and "value" in first.outcomes[0], first
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    best = None
    for _ in range(args.repeat):
        start, busy = time.perf_counter(), machine_busy_ticks()
        for _ in range(args.trials):
            ask()
        wall = (time.perf_counter() - start) * 1000 / args.trials
        cpu = (machine_busy_ticks() - busy) * tick / args.trials
        best = min(best or (wall, cpu), (wall, cpu))
        print(f"{wall:6.1f} ms an ask, {cpu:6.1f} ms of CPU an ask (whole machine)", flush=True)
    print(f"best:  {best[0]:6.1f} ms an ask, {best[1]:6.1f} ms of CPU")


if __name__ == "__main__":
    main()
