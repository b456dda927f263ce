"""Where grading tasks run: worker processes on this machine, or a Dask cluster.

An executor runs `function(*arguments)` for many argument tuples and yields
(arguments, result) as each finishes, in any order, until `deadline` (a
time.time()): then it stops yielding, and `abort` stops what still runs.
The function must not raise (`course.grading.engine` returns a result for
every failure). The engine is the same whatever runs it; only the executor
is chosen.
"""
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
import gc
import multiprocessing
import os
import select
import signal
import threading
import time


# What every worker needs, imported once by multiprocessing's fork server, from which each worker is forked
# warm: nbgrader, the engine, the checks and torch (with the symbolic shapes that backward(gradient) loads
# on first use, and torch._dynamo, which torch.optim and torch.nn.init load, as the references of the
# updates and the MLP do: about 1 s). Spawning each worker cold cost about 2.5 s of CPU per worker and run.
WORKER_MODULES = ["course.grading.engine", "course.grading.plugins.trusted_execute", "course.checks.registry",
                  "nbgrader.apps", "torch.fx.experimental.symbolic_shapes", "torch._dynamo"]


def _start_worker(grader):
    """In a new local worker: the warm modules frozen, and death as soon as the grading process `grader`
    (a pid) is gone, whatever the worker was doing: a worker left running would take a queued notebook and
    grade it beside the next run's.

    A worker is forked from multiprocessing's fork server, not from the grader, and it holds that server
    open: neither dies with the grader by itself. So a thread of the worker watches the grader.
    """
    # The preloaded modules' objects live as long as the worker: frozen, its cyclic collector no longer walks
    # them on each full collection (10% of a worker's CPU; the kernel templates do the same).
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle, not each worker's
    try:
        watched = os.pidfd_open(grader)
    except ProcessLookupError:  # gone before this worker started
        os._exit(1)
    except (OSError, AttributeError):  # not Linux: the worker ends when its task does
        return
    threading.Thread(target=_die_when_readable, args=(watched,), name="watch-the-grader", daemon=True).start()


def _in_environment(environment, function, *arguments):
    """In a local worker: `function(*arguments)` in the environment the grader had when its run began. A kept
    worker serves run after run, and the grader's environment may have changed in between (a gradebook
    elsewhere, another TMPDIR); the kernel templates follow it (`course.grading.sandbox.forkserver.server`)."""
    if os.environ != environment:
        os.environ.clear()
        os.environ.update(environment)
    return function(*arguments)


def _die_when_readable(pidfd):
    select.select([pidfd], [], [])  # readable when the process has ended
    os.kill(os.getpid(), signal.SIGKILL)


def _worker_context():
    """multiprocessing's fork server, preloaded with WORKER_MODULES (it is single-threaded, unlike the
    grader, which has the progress bar's thread: a worker forked from the grader would copy its locks)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


class LocalExecutor:
    """`jobs` long-lived worker processes on this machine, forked warm (WORKER_MODULES), each started when
    a task first needs it."""

    def __init__(self, jobs):
        self.open, self.futures = True, set()
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_worker_context(),
                                        initializer=_start_worker, initargs=(os.getpid(),))

    def run(self, function, tasks, deadline=float("inf")):
        environment = dict(os.environ)
        futures = {self.pool.submit(_in_environment, environment, function, *task): task for task in tasks}
        self.futures = pending = set(futures)
        while pending:
            left = deadline - time.time()
            if left <= 0:
                return
            done, pending = wait(pending, timeout=min(left, 3600), return_when=FIRST_COMPLETED)
            for future in done:
                yield futures[future], future.result()

    def fits(self):
        """Whether these workers can serve another run: none of them dead or stopped. (Each task takes the
        grader's environment of its run, so a changed environment needs no new workers.)"""
        return self.open and not getattr(self.pool, "_broken", False) and all(w.is_alive() for w in self._workers())

    def _workers(self):
        """The worker processes started so far (none once the pool has shut down)."""
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def abort(self):
        """Stop every worker at once, and with it its kernels and trial processes."""
        self.open = False
        for process in self._workers():
            try:
                os.kill(process.pid, signal.SIGKILL)
            except OSError:
                pass
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self):
        self.open = False
        self.pool.shutdown(cancel_futures=True)


class _KeptLocalExecutor(LocalExecutor):
    """This process's local workers, kept warm from one run to the next: a worker keeps its kernel
    templates (`course.grading.sandbox.forkserver`), whose start costs about 2.4 s of CPU each, so a
    program that grades again and again (the instructor's round, `course regrade`, a test suite) pays
    that once. A process keeps one set per number of jobs it ran with. They die with this process, as any
    worker does. One run at a time borrows a set."""

    def __init__(self, jobs):
        super().__init__(jobs)
        self.lent = False

    def close(self):
        """Keep the workers for the next run, unless this run left a task behind (it ended early): then end
        them as LocalExecutor does, so no task of this run is graded beside the next run's."""
        self.lent = False
        if any(not future.done() for future in self.futures):
            LocalExecutor.close(self)

    def abort(self):
        self.lent = False
        super().abort()


_kept = {}  # {jobs: _KeptLocalExecutor}
_kept_lock = threading.Lock()


def local(jobs):
    """Local workers for a run of `jobs` at once: the last such run's, if they are still sound and no other
    run of this process has them, else new ones."""
    with _kept_lock:
        kept = _kept.get(jobs)
        if kept is not None and kept.lent:  # another thread's run: workers of its own, ended after it
            return LocalExecutor(jobs)
        if kept is None or not kept.fits():
            if kept is not None:
                LocalExecutor.close(kept)
            kept = _kept[jobs] = _KeptLocalExecutor(jobs)
        kept.lent = True
        return kept


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


def executor(name, jobs, scheduler="", tasks=None):
    """The executor called `name`, one of EXECUTORS, running `jobs` tasks at once, for a run of `tasks` tasks.
    Local workers start as tasks need them; a Dask LocalCluster starts all its workers at once."""
    if name == "dask":
        return DaskExecutor(max(1, min(jobs, tasks or jobs)), scheduler)
    return local(max(1, jobs))
