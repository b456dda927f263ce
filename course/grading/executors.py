"""Where grading tasks run: worker processes on this machine, or a Dask cluster.

An executor runs `function(*arguments)` for many argument tuples and yields
(arguments, result) as each finishes, in any order, until `deadline` (a
time.time()): then it stops yielding, and `abort` stops what still runs.
The function must not raise (`course.grading.engine` returns a result for
every failure). The engine is the same whatever runs it; only the executor
is chosen.
"""
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
import multiprocessing
import os
import signal
import time


def _die_with_the_grader(grader):
    """In a local worker: killed as soon as the grading process `grader` (a pid) is gone, whatever it was doing."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker ends when its task does
        pass
    if os.getppid() != grader:
        # The grader died while this worker was starting, before the signal was asked for: a worker left
        # running would take a queued notebook and grade it beside the next run's.
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle, not each worker's


class LocalExecutor:
    """`jobs` long-lived worker processes on this machine: each imports nbgrader once."""

    def __init__(self, jobs):
        # spawn, not fork: the grader has threads (the progress bar's), a forked worker would copy their locks.
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_die_with_the_grader, initargs=(os.getpid(),))

    def run(self, function, tasks, deadline=float("inf")):
        futures = {self.pool.submit(function, *task): task for task in tasks}
        pending = set(futures)
        while pending:
            left = deadline - time.time()
            if left <= 0:
                return
            done, pending = wait(pending, timeout=min(left, 3600), return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()

    def abort(self):
        """Stop every worker at once, and with it its kernels and trial processes."""
        for process in list(getattr(self.pool, "_processes", {}).values()):
            try:
                os.kill(process.pid, signal.SIGKILL)
            except OSError:
                pass
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self):
        self.pool.shutdown(cancel_futures=True)


class DaskExecutor:
    """Tasks on Dask's distributed scheduler at `address`, or on a LocalCluster of `jobs` workers.

    One thread per worker process: a grading task sets its process's
    environment for the kernel it starts, and a kernel wants a core. A worker
    that dies has its task run again on another (Dask's own retry).
    """

    def __init__(self, jobs, address=""):
        from distributed import Client, LocalCluster

        self.cluster = None if address else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                         dashboard_address=None, host="127.0.0.1")
        self.client = Client(address or self.cluster)
        self.futures = []

    def run(self, function, tasks, deadline=float("inf")):
        from distributed import wait as dask_wait

        futures = {self.client.submit(function, *task, pure=False): task for task in tasks}
        self.futures = list(futures)
        pending = set(futures)
        while pending:
            left = deadline - time.time()
            if left <= 0:
                return
            try:
                done, pending = dask_wait(pending, timeout=min(left, 3600), return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for future in done:
                yield futures[future], future.result()

    def abort(self):
        self.client.cancel(self.futures)
        self.close()

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


EXECUTORS = ("local", "dask")


def executor(name, jobs, scheduler=""):
    """The executor called `name`, one of EXECUTORS."""
    return DaskExecutor(jobs, scheduler) if name == "dask" else LocalExecutor(jobs)
