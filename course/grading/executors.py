"""Where grading tasks run: worker processes on this machine, or a Dask cluster.

An executor runs `function(*arguments)` for many argument tuples and yields
(arguments, result) as each finishes, in any order. The function must not
raise (`course.grading.engine` returns a result for every failure). The
engine is the same whatever runs it; only the executor is chosen.
"""
from concurrent.futures import ProcessPoolExecutor, as_completed
import multiprocessing


class LocalExecutor:
    """`jobs` long-lived worker processes on this machine: each imports nbgrader once."""

    def __init__(self, jobs):
        # spawn, not fork: the grader has threads (the progress bar's), a forked worker would copy their locks.
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))

    def run(self, function, tasks):
        futures = {self.pool.submit(function, *task): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self):
        self.pool.shutdown(cancel_futures=True)


class DaskExecutor:
    """Tasks on Dask's distributed scheduler at `address`, or on a LocalCluster of `jobs` workers.

    One thread per worker process: a grading task sets its process's
    environment for the kernel it starts, and a kernel wants a core.
    """

    def __init__(self, jobs, address=""):
        from distributed import Client, LocalCluster

        self.cluster = None if address else LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                         dashboard_address=None, host="127.0.0.1")
        self.client = Client(address or self.cluster)

    def run(self, function, tasks):
        from distributed import as_completed as dask_completed

        futures = {self.client.submit(function, *task, pure=False): task for task in tasks}
        for future in dask_completed(futures):
            yield futures[future], future.result()

    def close(self):
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


EXECUTORS = ("local", "dask")


def executor(name, jobs, scheduler=""):
    """The executor called `name`, one of EXECUTORS."""
    return DaskExecutor(jobs, scheduler) if name == "dask" else LocalExecutor(jobs)
