"""The machine's process tree, read from /proc: what the fault tests, the trial tests and
benchmarks/fault_injection.py kill."""
import os
from pathlib import Path


def children():
    """{ppid: [pid]} of every process on the machine."""
    tree = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def cmdline(pid):
    """The command line of `pid`, "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(pid):
    """Every process below `pid`, children first."""
    tree, found, stack = children(), [], [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def alive(pid):
    """Whether `pid` runs: False once it has ended, a zombie included."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def grading_workers(pid):
    """The grading engine's workers below `pid`: local ones are forked by multiprocessing's fork server,
    so they carry its command line and are its children; Dask's are spawned (`spawn_main`)."""
    tree, below = children(), descendants(pid)
    servers = [p for p in below if "multiprocessing.forkserver" in cmdline(p)]
    local = [child for server in servers for child in tree.get(server, [])
             if "multiprocessing.forkserver" in cmdline(child)]
    return local + [p for p in below if "spawn_main" in cmdline(p) or "distributed" in cmdline(p)]


def sandboxed(pid):
    """The kernels and nurseries below `pid`: the children of a kernel template that carry its command line.
    A nursery's trial processes die with it."""
    tree = children()
    templates = [p for p in descendants(pid) if "course.grading.sandbox.forkserver" in cmdline(p)]
    return [child for t in templates for child in tree.get(t, [])
            if "course.grading.sandbox.forkserver" in cmdline(child)]
