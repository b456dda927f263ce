"""nbgrader's Execute preprocessor, with every kernel started warm and in the course sandbox."""
from dataclasses import asdict
from queue import Empty
import random
import socket
import sys
import time

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type, default

from ..sandbox import confine, forkserver, homes, processes


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's client, but a kernel_info that lost its IOPub race is asked again at once.

    A new kernel publishes its first status messages before the client's IOPub
    subscription has reached it; jupyter_client then waits 0.2 s for a message
    that was dropped, a fifth of a warm kernel's start. Asking again costs a few ms.
    """

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while time.time() < deadline:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.02)
                except Empty:
                    continue  # IOPub was not connected yet: ask again
                self._handle_kernel_info_reply(reply)
                break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
        else:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        await self._async_flush_iopub()  # what jupyter_client does too: start execution from a quiet IOPub

    wait_for_ready = _async_wait_for_ready  # what nbclient calls (AsyncKernelClient binds it by name)

    async def _async_flush_iopub(self):
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                return


PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "hb_port", "control_port")


def kernel_ports(ip, count=len(PORT_NAMES)):
    """`count` TCP ports of `ip` that are free now, drawn at random below the system's ephemeral range.

    jupyter_client picks a kernel's ports by binding port 0, which hands out a
    port of the ephemeral range, and closes it before the kernel binds it. In
    between, the outgoing connections of the other graders and kernels on the
    machine take ephemeral ports too: seen under load, a kernel that could
    not bind its port, or a client connected to another kernel's socket and
    waiting for ever. Below the ephemeral range no outgoing connection takes
    a port.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
            ephemeral = int(ranges.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    draw, ports = random.SystemRandom(), []
    while len(ports) < count:
        port = draw.randrange(max(1024, ephemeral - 20000), ephemeral)
        if port not in ports and _free(ip, port):
            ports.append(port)
    return ports


def _free(ip, port):
    with socket.socket() as probe:
        try:
            probe.bind((ip, port))
        except OSError:
            return False
    return True


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are forked warm (course.grading.sandbox.forkserver) or started
    through the sandbox launcher (course.grading.sandbox.confine), confined either way."""

    client_factory = Type(PromptKernelClient)
    limits = confine.Limits()
    warm: bool = True
    running: set = set()  # pids of this process's live kernels, shared by every subclass

    home = None  # the kernel's private home (course.grading.sandbox.homes), removed when the kernel is gone

    @default("cache_ports")
    def _no_port_cache(self):
        return False  # the ports come from kernel_ports, set before jupyter_client would pick its own

    async def _async_pre_start_kernel(self, **kw):
        if self.transport == "tcp" and not any(getattr(self, name) for name in PORT_NAMES):
            for name, port in zip(PORT_NAMES, kernel_ports(self.ip)):
                setattr(self, name, port)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, "-m", "course.grading.sandbox.confine", *self.limits.arguments(), "--", *command]

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        command = kernel_cmd[kernel_cmd.index("--") + 1:]
        homes.remove(self.home)  # a restarted kernel starts in a fresh home too
        self.home = homes.new_home()
        if not (self.warm and forkserver.can_fork(command)):
            kw["env"] = {**kw["env"], "COURSE_KERNEL_HOME": self.home}
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:
            kernel = forkserver.spawn(command, kw["cwd"], kw["env"], asdict(self.limits), self.home)
            provisioner = self.provisioner
            provisioner.process, provisioner.pid, provisioner.pgid = kernel, kernel.pid, kernel.pid
            provisioner.cwd = kw["cwd"]
            self._reconcile_connection_info(provisioner.connection_info)
        self.kernel_pid = self.provisioner.pid
        SandboxKernelManager.running.add(self.kernel_pid)

    async def _async_wait(self, pollinterval=0.005):
        # jupyter_client polls a dying kernel every 0.1 s; a killed kernel is gone within a few ms
        await super()._async_wait(pollinterval)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart)
        # Whatever the notebook left running dies with its kernel's cgroup.
        if getattr(self, "kernel_pid", None):
            SandboxKernelManager.running.discard(self.kernel_pid)
            processes.remove(self.kernel_pid)
        if not restart:
            homes.remove(self.home)
            self.home = None


class SandboxedExecute(Execute):
    """nbgrader's Execute, with every kernel started warm and in the course sandbox."""

    memory_limit_gb = Integer(8, help="Address-space limit of a grading kernel, in GiB (0: none)").tag(config=True)
    file_size_limit_mb = Integer(256, help="Largest file a grading kernel may write, in MiB (0: none)").tag(config=True)
    threads = Integer(1, help="Threads a grading kernel's torch and numpy may use (0: their default). "
                               "One keeps a notebook's time the same on a busy machine: with more, "
                               "threads of parallel kernels wait on each other").tag(config=True)
    process_limit = Integer(64, help="Processes and threads a grading kernel may run at once, itself "
                                     "included (0: no limit); a pids cgroup per kernel where the "
                                     "system offers one").tag(config=True)
    require_landlock = Bool(False, help="Refuse to grade where Landlock is unavailable, "
                                        "instead of running with resource limits only").tag(config=True)
    warm_kernels = Bool(True, help="Fork each kernel from a template that has imported torch, numpy, "
                                   "matplotlib and course (course.grading.sandbox.forkserver) instead of "
                                   "starting a new Python").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # loads the config the limits come from
        # The kernel listens on loopback only: its warning about unencrypted TCP, once per notebook, said nothing.
        self.extra_arguments = [*self.extra_arguments, "--IPKernelApp.log_level=ERROR"]
        self.kernel_manager_class = type("ConfiguredSandboxKernelManager", (SandboxKernelManager,),
                                         {"limits": self.sandbox_limits(), "warm": self.warm_kernels})

    def sandbox_limits(self):
        """The sandbox's limits (course.grading.sandbox.confine.Limits), from these settings."""
        return confine.Limits(memory_gb=self.memory_limit_gb, file_size_mb=self.file_size_limit_mb,
                              threads=self.threads, process_limit=self.process_limit,
                              require_landlock=self.require_landlock)
