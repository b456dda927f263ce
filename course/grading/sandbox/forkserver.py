"""Warm grading kernels: a template process that has imported the libraries forks one kernel per notebook.

A cold kernel spends seconds starting Python and importing torch before
the learner's first cell. The template (``python -m course.grading.sandbox.forkserver``)
imports torch, numpy, matplotlib, ipykernel and `course` once, while it is
still single-threaded, and never runs learner code. For each notebook it
forks a child that starts a new session, takes the notebook's folder and
environment, confines itself (`course.grading.sandbox.confine`) and serves
the notebook as an ipykernel. For each judged exercise a trial process is
forked the same way, which runs only that exercise's program and answers
the grader over a channel of its own (`course.kernel.trials`). Every
notebook and every judgement gets a fresh process; what one student's code
does to its modules dies with its process.

Trial processes are forked by a nursery: a child of the template that sits
alone in a pids cgroup of its own, capped at the trial's process limit. A
trial process is born inside that cgroup. Moving a process into a cgroup
waits for the kernel's RCU grace period (10 to 20 ms), which a kernel pays
once per notebook but a trial process would pay on every judgement.

The grader side (`spawn`, `spawn_trials`) talks to the template over a
control socket (one JSON message per request, the child's pid in reply; a
trial request carries the child's end of its channel) and holds each child
by a pidfd, since the child is the template's, not the grader's.
"""
import gc
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading

from . import confine, landlock, processes

# What a grading kernel imports anyway: loaded once, shared copy-on-write by every kernel.
WARM_MODULES = ["torch", "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
                "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "course", "course.plots",
                "course.data", "course.kernel.runner", "course.kernel.trials"]
KERNEL_MODULE = "ipykernel_launcher"
MAX_REQUEST_BYTES = 1 << 20
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# What no template reads, so one started before it changed still serves: the gradebook's address is the
# grading process's (nbgrader_config.py); each grading task sets TMPDIR to a scratch folder of its own, and
# torch sets its compile caches' folders in the grader when it first judges with torch.optim, while every
# kernel and trial process gets a private TMPDIR and caches of its own (confine); pytest names the test it
# runs. Any other change of the environment gets a new template (`server`).
UNREAD_VARIABLES = ("COURSE_GRADEBOOK_URL", "TMPDIR", *confine.TORCH_CACHE_VARIABLES, "PYTEST_CURRENT_TEST")


def can_fork(command):
    """Whether a kernel command is this interpreter's ipykernel, which the template can become."""
    return (len(command) >= 3 and command[1:3] == ["-m", KERNEL_MODULE]
            and os.path.realpath(command[0]) == os.path.realpath(sys.executable) and hasattr(os, "pidfd_open"))


# ---- the template process ----------------------------------------------------------------------

def _leave_the_template(request, template):
    """In a forked child: killed with the template, a session of its own, the request's folder and environment."""
    PR_SET_PDEATHSIG = 1
    landlock.libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the template ends when its grader does
    if os.getppid() != template:  # the template was already gone
        os._exit(1)
    os.setsid()  # its own process group: the grader signals it and all it starts
    for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def _become_kernel(request, kernel_path, template):
    """In the forked child: the sandbox, then ipykernel serving the notebook."""
    _leave_the_template(request, template)
    os.dup2(2, 1)
    sys.path[:] = kernel_path
    command = request["command"]
    confine.confine(**request["limits"], connection=confine.connection_file(command), home=request.get("home"))
    import tempfile
    tempfile.tempdir = None  # the cold kernel's Python reads TMPDIR afresh: the private home's, since confine
    # The template is its parent: the kernel ends when the template does (ipykernel polls its parent).
    # --matplotlib=inline: matplotlib_inline hooks figures into the shell when its backend is imported with a
    # shell running, as in a cold kernel; the template imported it before any shell existed, so without it a
    # figure reached the graded notebook and the feedback as the text "<Figure size ...>", not as an image.
    sys.argv = [KERNEL_MODULE, *command[3:], f"--IPKernelApp.parent_handle={os.getppid()}", "--matplotlib=inline"]
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()


def _become_trials(request, channel, kernel_path, nursery, in_cgroup):
    """In the forked child: the sandbox, then one exercise's program and trials (course.kernel.trials)."""
    from course.kernel import trials

    _leave_the_template(request, nursery)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # what the learner's code writes to the process's own stdout/stderr goes nowhere
    os.dup2(quiet, 2)
    sys.path[:] = kernel_path
    limits = dict(request["limits"])
    if in_cgroup:  # born in the nursery's capped cgroup: already limited
        limits["process_limit"] = 0
    confine.confine(**limits, home=request.get("home"))
    trials.serve(channel)


def _nursery(control, process_limit, kernel_path, template):
    """In a child of the template: a pids cgroup of its own, then a trial process forked for each request
    the template passes on over `control`, until the template closes it."""
    _leave_the_template({"cwd": "/", "env": dict(os.environ)}, template)
    PR_SET_CHILD_SUBREAPER = 36
    landlock.libc().prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a trial leaves behind is reaped here, uncharged
    in_cgroup = bool(process_limit) and processes.limit(process_limit + 1, rlimit=False) == "cgroup"
    me = os.getpid()
    control.sendall(str(me if in_cgroup else 0).encode())
    while True:
        data, fds, _, _ = socket.recv_fds(control, MAX_REQUEST_BYTES, 1)
        _reap()  # a zombie still counts against the cgroup's cap
        if not data:
            return
        channel = socket.socket(fileno=fds[0])
        pid = _fork(lambda: _become_trials(json.loads(data), channel, kernel_path, me, in_cgroup),
                    close_in_child=[control], close_in_parent=channel)
        control.sendall(str(pid).encode())


def _fork(become, close_in_child=(), close_in_parent=None):
    """Fork a child that runs `become()` and exits; its pid."""
    pid = os.fork()
    if pid:
        if close_in_parent is not None:
            close_in_parent.close()
        return pid
    code = 1
    try:
        for connection in close_in_child:  # the child must never talk to the template
            connection.close()
        become()
        code = 0
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # the child must never return into the template's loop
        import traceback
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def _warm_up():
    """Pay the libraries' one-time costs once, not in every kernel: backward() with a gradient argument
    imports sympy (0.25 s) on first use, a torch.optim optimizer imports torch._dynamo (0.9 s), and
    matplotlib's first figure costs twice what later ones do."""
    import io

    import matplotlib.pyplot as plt
    import torch

    x = torch.ones(2, requires_grad=True)
    (x * x).backward(torch.ones(2))
    torch.optim.SGD([x], lr=0.1)
    figure, axes = plt.subplots()
    axes.plot([0, 1])
    figure.savefig(io.BytesIO(), format="png")
    plt.close(figure)


class _Nurseries:
    """The template's nurseries, one per process limit, each started on first use."""

    def __init__(self, kernel_path):
        self.kernel_path, self.by_limit = kernel_path, {}

    def fork_trials(self, request, channel, control):
        """Pass a trial request to its nursery: the reply to the grader, "<pid> <nursery's cgroup pid or 0>"."""
        limit = int(request["limits"].get("process_limit") or 0)
        for attempt in (1, 2):  # a nursery that died (killed from outside) is replaced once
            nursery = self.by_limit.get(limit) or self._start(limit, control, channel)
            try:
                socket.send_fds(nursery["control"], [json.dumps(request).encode()], [channel.fileno()])
                pid = nursery["control"].recv(32)
            except OSError:
                pid = b""
            if pid:
                return f"{int(pid)} {nursery['cgroup']}"
            nursery["control"].close()
            del self.by_limit[limit]
        return "0 0"

    def sockets(self):
        """The template's ends of its nurseries' control sockets, which no child may keep: through one, a
        kernel could ask for a process confined as it chose."""
        return [nursery["control"] for nursery in self.by_limit.values()]

    def close(self):
        """End the nurseries and remove their cgroups."""
        for nursery in self.by_limit.values():
            nursery["control"].close()  # the nursery's cue to exit
        for nursery in self.by_limit.values():
            try:
                os.waitpid(nursery["pid"], 0)
            except ChildProcessError:
                pass
            if nursery["cgroup"]:
                processes.remove(nursery["cgroup"])

    def _start(self, limit, control, channel):
        """A nursery for trial processes with process limit `limit`, forked while the template holds
        `channel` (the request's): the nursery must not keep it, or that trial's end would never close."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        template = os.getpid()
        pid = _fork(lambda: _nursery(theirs, limit, self.kernel_path, template),
                    close_in_child=[control, mine, channel, *self.sockets()], close_in_parent=theirs)
        self.by_limit[limit] = {"control": mine, "pid": pid, "cgroup": int(mine.recv(32) or 0)}
        return self.by_limit[limit]


def serve(control_fd):
    """Import the warm modules, then fork a child for each request until the grader closes the control socket."""
    # The template starts in a neutral folder; that folder is no kernel's import path.
    kernel_path = [p for p in sys.path[1:]]
    for name in WARM_MODULES:
        __import__(name)
    _warm_up()
    confine.python_read_paths()  # what every child's sandbox reads: found once, here
    landlock.libc()
    # The imports' 360,000 objects live as long as every child: frozen, the cyclic collector of a kernel no
    # longer walks them all on each full collection. Code that makes many small cycles (09's Value graphs,
    # a closure per node) spent 85% of its time there: 09's training cell took 2.4 s instead of 0.4 s.
    gc.freeze()
    threads = len(os.listdir("/proc/self/task"))
    if threads != 1:  # fork copies only the calling thread: another one's locks would stay held forever
        sys.exit(f"course forkserver: {threads} threads after the imports; cannot fork safely")
    control = socket.socket(fileno=control_fd)
    control.sendall(b"ready")
    nurseries = _Nurseries(kernel_path)
    template = os.getpid()
    while True:
        ready, _, _ = select.select([control], [], [], 1.0)
        _reap()
        if not ready:
            continue
        data, fds, _, _ = socket.recv_fds(control, MAX_REQUEST_BYTES, 1)
        if not data:
            nurseries.close()
            return
        request = json.loads(data)
        if fds:  # a trial request, with the trial process's end of its channel
            channel = socket.socket(fileno=fds[0])
            reply = nurseries.fork_trials(request, channel, control)
            channel.close()
        else:
            reply = str(_fork(lambda: _become_kernel(request, kernel_path, template),
                              close_in_child=[control, *nurseries.sockets()]))
        control.sendall(reply.encode())


def _reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return


# ---- the grader side ---------------------------------------------------------------------------

class ForkedKernel:
    """A kernel (or trial process) forked by the template, with the part of Popen's interface jupyter_client
    uses. `cgroup` is the pid that names the pids cgroup a trial process was born in (its nursery's), or 0."""

    stdin = stdout = stderr = None

    def __init__(self, pid, cgroup=0):
        self.pid, self.cgroup, self.returncode = pid, cgroup, None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # died (and was reaped) before we looked
            self._pidfd, self.returncode = None, 1

    def poll(self):
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            # The exit status belongs to the template, which reaps the kernel; the kernel is gone.
            self.returncode = 1
            os.close(self._pidfd)
            self._pidfd = None
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            select.select([self._pidfd], [], [], timeout)
        return self.poll()

    def send_signal(self, number):
        if self.poll() is None:
            signal.pidfd_send_signal(self._pidfd, number)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class ForkServer:
    """One template process, started on first use, with the threads setting of the children it forks.

    The template's control socket is a SOCK_SEQPACKET pair (one message per
    request, the child's pid in reply); a trial request carries the child's
    end of its channel as an SCM_RIGHTS file descriptor.
    """

    def __init__(self, threads):
        self.environment = template_environment()
        processes.sweep()  # the cgroups of kernels and nurseries whose grader was killed
        # PYDEVD_DISABLE_FILE_VALIDATION: ipykernel.debugger's debugpy would warn of frozen modules at import.
        env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline",
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        if threads:  # numpy's BLAS sizes its thread pool at import, in the template
            env.update({name: str(threads) for name in THREAD_VARIABLES})
        cache = os.environ.get("COURSE_MPL_CACHE")
        if cache:
            env["MPLCONFIGDIR"] = cache
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen([sys.executable, "-m", "course.grading.sandbox.forkserver", str(theirs.fileno())],
                                        cwd="/", stdin=subprocess.DEVNULL, env=env, pass_fds=[theirs.fileno()])
        theirs.close()
        self.lock = threading.Lock()
        # Trial processes share their nursery's cgroup, and stopping one kills all it holds: one at a time.
        self.trials_lock = threading.Lock()
        if self.control.recv(16) != b"ready":
            self.process.wait()
            raise RuntimeError("the kernel template did not start (its error is on the log above)")

    def alive(self):
        return self.process.poll() is None

    def _ask(self, request, channel=None):
        data = json.dumps(request).encode()
        with self.lock:
            if channel is None:
                self.control.sendall(data)
            else:
                socket.send_fds(self.control, [data], [channel.fileno()])
            reply = self.control.recv(32)
        if not reply:
            raise RuntimeError("the kernel template exited")
        pid, *cgroup = map(int, reply.split())
        if not pid:
            raise RuntimeError("the kernel template could not start a trial process")
        return ForkedKernel(pid, *cgroup)

    def spawn(self, command, cwd, env, limits, home):
        """Fork a kernel running `command` in `cwd` with `env`, confined with sandbox `limits` in `home`."""
        return self._ask({"command": command, "cwd": str(cwd), "env": dict(env), "limits": limits, "home": home})

    def spawn_trials(self, cwd, env, limits, home):
        """Fork a trial process (course.kernel.trials) in `cwd`, confined with `limits` in `home`:
        (process, channel). Hold `trials_lock` until it is stopped."""
        mine, theirs = socket.socketpair()
        try:
            child = self._ask({"trials": True, "cwd": str(cwd), "env": dict(env), "limits": limits, "home": home},
                              theirs)
        finally:
            theirs.close()
        return child, mine

    def close(self):
        if self.alive():
            self.control.close()
            self.process.wait(timeout=10)


def template_environment():
    """What of this process's environment a template started now would take with it."""
    return {name: value for name, value in os.environ.items() if name not in UNREAD_VARIABLES}


_servers = {}
_servers_lock = threading.Lock()


def server(threads):
    """This process's template for kernels with `threads` threads, started on first use, and again when the
    environment it started with has changed since (PYTHONPATH, the matplotlib cache, ...)."""
    with _servers_lock:
        current = _servers.get(threads)
        if current is None or not current.alive() or current.environment != template_environment():
            if current is not None:
                current.close()  # a no-op for a template that is gone
            current = _servers[threads] = ForkServer(threads)
        return current


def spawn(command, cwd, env, limits, home):
    return server(limits.get("threads", 0)).spawn(command, cwd, env, limits, home)


def trials_server(limits):
    """The template that forks trial processes with sandbox `limits`; hold its `trials_lock` while one runs."""
    return server(limits.get("threads", 0))


if __name__ == "__main__":
    serve(int(sys.argv[1]))
