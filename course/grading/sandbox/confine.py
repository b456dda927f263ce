"""The sandbox a grading kernel starts in, so a hostile notebook harms no one else.

`course.grading.plugins.sandboxed_execute.SandboxedExecute` starts every kernel through this
launcher (``python -m course.grading.sandbox.confine [limits] -- <kernel command>``)
or forks it warm from `course.grading.sandbox.forkserver`; either way `confine`,
before the process becomes the kernel:

- gives the kernel a private, empty home and temp folder;
- sets resource limits (address space, size of a written file, no core dumps)
  and the number of threads torch and numpy use;
- caps the processes and threads the kernel may run (`course.grading.sandbox.processes`);
- with Landlock, confines the file system to reading the Python installation
  and the `course` package and to writing the notebook's own folder and the
  private temp folder: the gradebook, `source/` (hidden tests) and other
  students' folders can be neither read nor written; outgoing TCP
  connections and signals to the grader are refused.

Where the kernel has no Landlock (not Linux, or an old kernel) the launcher
says so on the grader's log and, unless `require_landlock` is set, goes on
with the limits alone.
"""
import argparse
import functools
from dataclasses import asdict, dataclass, fields
import os
import resource
import shutil
import sys
import sysconfig

from . import homes, landlock, processes

# torch writes its compile caches' folders into the environment of the process that first imports
# torch._dynamo (the grader, judging with torch.optim): a kernel must use its own.
TORCH_CACHE_VARIABLES = ("TORCHINDUCTOR_CACHE_DIR", "TRITON_CACHE_DIR")
# System folders a Python process reads (shared libraries, certificates, /proc for CPU info).
SYSTEM_READ_PATHS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys"]


@functools.cache  # the same for every kernel and trial process the template forks: read once, there
def python_read_paths():
    """Folders the kernel must read: the interpreter, its libraries, and the kernel side of the course package."""
    from course.kernel import GRADER_SIDE, READABLE_IN_GRADER_SIDE

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    paths.update(sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    paths.update(os.path.join(course_folder(), name) for name in os.listdir(course_folder())
                 if name not in GRADER_SIDE)
    paths.update(os.path.join(course_folder(), part) for part in READABLE_IN_GRADER_SIDE)
    return sorted(paths)


def course_folder():
    import course

    return os.path.dirname(os.path.abspath(course.__file__))


def _private_home(home=None):
    # Without the grader's home (the launcher or the fork server used on their own), a home of this
    # process's own: named after its pid, the next grader's sweep removes it once the process is gone.
    home = home or homes.new_home()
    for name in ("tmp", "ipython", "matplotlib"):
        os.makedirs(os.path.join(home, name), exist_ok=True)
    os.environ.update(HOME=home, TMPDIR=os.path.join(home, "tmp"),
                      IPYTHONDIR=os.path.join(home, "ipython"),
                      MPLCONFIGDIR=os.path.join(home, "matplotlib"))
    for name in TORCH_CACHE_VARIABLES:
        os.environ.pop(name, None)
    cache = os.environ.pop("COURSE_MPL_CACHE", None)  # the grader's warm font cache, copied
    if cache and os.path.isdir(cache):
        shutil.copytree(cache, os.environ["MPLCONFIGDIR"], dirs_exist_ok=True)
    return home


def _set_limits(memory_gb, file_size_mb):
    if memory_gb:
        limit = memory_gb * 1024 ** 3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_size_mb:
        limit = file_size_mb * 1024 ** 2
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _set_threads(threads):
    # Read by torch's and numpy's thread pools when the kernel imports them.
    if threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            os.environ[name] = str(threads)
        if "torch" in sys.modules:  # a warm kernel imported torch before it knew the setting
            sys.modules["torch"].set_num_threads(threads)


def connection_file(command):
    """The connection file a kernel command names (its -f argument), or None."""
    for flag in ("-f", "--f"):
        if flag in command:
            return command[command.index(flag) + 1]
    return None


def confine(memory_gb=0, file_size_mb=0, threads=0, process_limit=0, require_landlock=False,
            connection=None, home=None):
    """Confine this process for good, in its current folder: home (the grader's, course.grading.sandbox.homes,
    or a new one), limits, threads, processes, Landlock."""
    home = _private_home(home)
    _set_limits(memory_gb, file_size_mb)
    _set_threads(threads)
    if process_limit and processes.limit(process_limit) != "cgroup":
        print("course sandbox: no pids cgroup; the process limit is RLIMIT_NPROC (void for root)", file=sys.stderr)
    reads = SYSTEM_READ_PATHS + python_read_paths()
    if connection:
        reads.append(os.path.abspath(connection))
    writes = [os.getcwd(), home, "/dev"]
    try:
        # The course package's folders may be listed (Python's imports list them), but only its kernel
        # side read: the checks (references, trial generators, judges) and the grader stay out of reach.
        landlock.restrict(reads, writes, [course_folder()])
    except OSError as error:
        if require_landlock:
            sys.exit(f"course sandbox: Landlock is required but unavailable ({error}); not starting the kernel")
        print(f"course sandbox: no Landlock ({error}); the kernel runs with resource limits only",
              file=sys.stderr)


@dataclass(frozen=True)
class Limits:
    """What `confine` applies: one object from the grader's settings (SandboxedExecute's traits) to the
    sandbox, whether it travels as launcher arguments (a cold kernel) or as a fork request (a warm one)."""

    memory_gb: int = 0
    file_size_mb: int = 0
    threads: int = 0
    process_limit: int = 0
    require_landlock: bool = False

    def arguments(self):
        """The launcher's arguments (``python -m course.grading.sandbox.confine [arguments] -- command``)."""
        return [f"--{f.name.replace('_', '-')}" + ("" if f.type is bool else f"={getattr(self, f.name)}")
                for f in fields(self) if f.type is not bool or getattr(self, f.name)]

    @classmethod
    def parse(cls, argv):
        """(Limits, kernel command) from the launcher's arguments."""
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        for f in fields(cls):
            if f.type is bool:
                parser.add_argument(f"--{f.name.replace('_', '-')}", action="store_true")
            else:
                parser.add_argument(f"--{f.name.replace('_', '-')}", default=f.default, type=int)
        parser.add_argument("command", nargs=argparse.REMAINDER)
        args = parser.parse_args(argv)
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        return cls(**{f.name: getattr(args, f.name) for f in fields(cls)}), command


def launch(argv=None):
    """Parse the launcher's arguments, confine this process, then exec the kernel command."""
    limits, command = Limits.parse(sys.argv[1:] if argv is None else argv)
    confine(**asdict(limits), connection=connection_file(command), home=os.environ.pop("COURSE_KERNEL_HOME", None))
    os.execvp(command[0], command)


if __name__ == "__main__":
    launch()
