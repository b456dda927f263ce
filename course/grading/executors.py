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


# What every worker needs, imported once by multiprocessing's fork server, from which each worker is forked
# warm: nbgrader, the engine, the checks and torch (with the symbolic shapes that backward(gradient) loads
# on first use). Spawning each worker cold cost about 2.5 s of CPU per worker and run.
WORKER_MODULES = ["course.grading.engine", "course.grading.plugins.trusted_execute", "course.checks.registry",
                  "nbgrader.apps", "torch.fx.experimental.symbolic_shapes"]


def _die_with_the_grader(grader):
    """In a local worker: killed as soon as the grading process `grader` (a pid) is gone, whatever it was doing.

    A worker's parent is multiprocessing's fork server, which exits when the grader does.
    """
    import ctypes

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the worker ends when its task does
        pass
    if not _running(grader):
        # The grader died while this worker was starting, before the signal was asked for: a worker left
        # running would take a queued notebook and grade it beside the next run's.
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle, not each worker's


def _running(pid):
    """Whether process `pid` runs (a zombie does not)."""
    if not os.path.isdir("/proc"):  # not Linux: no zombie can be told from a running process
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1][:1] not in ("Z", "X")
    except OSError:
        return False


def _worker_context():
    """multiprocessing's fork server, preloaded with WORKER_MODULES (it is single-threaded, unlike the
    grader, which has the progress bar's thread: a worker forked from the grader would copy its locks)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


class LocalExecutor:
    """`jobs` long-lived worker processes on this machine, forked warm (WORKER_MODULES)."""

    def __init__(self, jobs):
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context(),
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
