"""A cap on the processes (and threads) one grading kernel may run: a cgroup of its own.

RLIMIT_NPROC counts every process of the user and root ignores it, so it
cannot stop a notebook graded as root from starting 300 processes. A pids
cgroup per kernel can: the kernel joins ``course-kernel-<pid>`` before it
is confined, every process it starts is born inside, and a fork past
``pids.max`` fails with EAGAIN. The kernel manager removes the cgroup when
the kernel is gone, killing whatever the notebook left running in it.
(Trial processes are born in their nursery's cgroup instead:
course.grading.sandbox.forkserver.)

Where no pids cgroup can be made (cgroup v2 without a delegated subtree,
not Linux) the cap falls back to RLIMIT_NPROC, which holds for an
unprivileged grader only; `limit` says which one it applied.
"""
import os
import resource
import signal
import time

PREFIX = "course-kernel-"


def _pids_parent():
    """The folder of this process's own pids cgroup (v1 pids hierarchy, or v2 with pids), or None."""
    try:
        mounts = [line.split() for line in open("/proc/self/mounts")]
        memberships = [line.rstrip("\n").split(":", 2) for line in open("/proc/self/cgroup")]
    except OSError:
        return None
    for _, controllers, path in memberships:
        if "pids" in controllers.split(","):
            for _, mount, kind, options, *_ in mounts:
                if kind == "cgroup" and "pids" in options.split(","):
                    return os.path.join(mount, path.lstrip("/"))
    for hierarchy, _, path in memberships:
        if hierarchy == "0":
            for _, mount, kind, *_ in mounts:
                if kind == "cgroup2" and "pids" in _read(os.path.join(mount, "cgroup.controllers")).split():
                    return os.path.join(mount, path.lstrip("/"))
    return None


def _read(path):
    try:
        with open(path) as file:
            return file.read()
    except OSError:
        return ""


def cgroup_path(pid):
    parent = _pids_parent()
    return os.path.join(parent, f"{PREFIX}{pid}") if parent else None


def limit(max_tasks, rlimit=True):
    """Cap this process and all it will start at `max_tasks` tasks; returns how ("cgroup" or "rlimit"), or
    "" where there is no pids cgroup and `rlimit` is false."""
    path = cgroup_path(os.getpid())
    try:
        if path is None:
            raise OSError("no pids cgroup")
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "pids.max"), "w") as file:
            file.write(str(max_tasks))
        with open(os.path.join(path, "cgroup.procs"), "w") as file:
            file.write(str(os.getpid()))
        return "cgroup"
    except OSError:
        if not rlimit:
            return ""
        resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks, max_tasks))
        return "rlimit"


def kill_all(pid, sparing=None):
    """Kill every task in `pid`'s cgroup but `sparing`; never raises."""
    path = cgroup_path(pid)
    for task in [int(p) for p in _read(os.path.join(path, "cgroup.procs")).split()] if path else []:
        if task != sparing:
            try:
                os.kill(task, signal.SIGKILL)
            except ProcessLookupError:
                pass


def remove(pid, timeout=5.0):
    """Kill what is left in kernel `pid`'s cgroup, then remove the cgroup (no-op if there is none)."""
    path = cgroup_path(pid)
    if not path or not os.path.isdir(path):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kill_all(pid)
        try:
            os.rmdir(path)
            return
        except OSError:  # busy until the killed tasks are reaped
            time.sleep(0.05)


def sweep():
    """Remove the cgroups of kernels and nurseries that are gone (their grader was killed before it could):
    whatever is left in them is killed. Once per process."""
    global _swept
    if _swept:
        return
    _swept = True
    parent = _pids_parent()
    try:
        names = os.listdir(parent) if parent else []
    except OSError:
        return
    for name in names:
        owner = name[len(PREFIX):]
        if name.startswith(PREFIX) and owner.isdigit() and not running(int(owner)):
            remove(int(owner), timeout=0.5)


def running(pid):
    """Whether a process `pid` exists (one of another user's too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_swept = False
