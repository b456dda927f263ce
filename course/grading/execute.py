"""nbgrader's Execute preprocessor, with every kernel started in the course sandbox."""
import sys

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through the sandbox launcher (course.grading.sandbox)."""

    launcher_arguments: list = []

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, "-m", "course.grading.sandbox", *self.launcher_arguments, "--", *command]


class SandboxedExecute(Execute):
    """nbgrader's Execute, with every kernel started in the course sandbox."""

    memory_limit_gb = Integer(8, help="Address-space limit of a grading kernel, in GiB (0: none)").tag(config=True)
    file_size_limit_mb = Integer(256, help="Largest file a grading kernel may write, in MiB (0: none)").tag(config=True)
    threads = Integer(1, help="Threads a grading kernel's torch and numpy may use (0: their default). "
                               "One keeps a notebook's time the same on a busy machine: with more, "
                               "threads of parallel kernels wait on each other").tag(config=True)
    require_landlock = Bool(False, help="Refuse to grade where Landlock is unavailable, "
                                        "instead of running with resource limits only").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # loads the config the launcher arguments come from
        arguments = [f"--memory-gb={self.memory_limit_gb}", f"--file-size-mb={self.file_size_limit_mb}",
                     f"--threads={self.threads}"]
        if self.require_landlock:
            arguments.append("--require-landlock")
        self.kernel_manager_class = type("ConfiguredSandboxKernelManager", (SandboxKernelManager,),
                                         {"launcher_arguments": arguments})
