"""A class on JupyterHub on this machine: one Unix user each, the course's environment, nbgrader's exchange.

`course hub` (and tests/test_hub.py) start a real JupyterHub on 127.0.0.1:
local Unix users (one instructor, some students) made for the run, who log
in with a password (PAM, as on a shared server); each gets a single-user
JupyterLab of this environment (this `.venv`: JupyterLab, nbgrader's
Assignments tab and validate button; the formgrader only for the
instructor), started by the hub as that user; nbgrader's exchange in a
folder of the run (`c.Exchange.root`, course id `torch-gradients`); and the
instructor's course folder, a copy of this course in their home, where
`course release --exchange`, `course collect --exchange`, `course grade` and
`course feedback` work from their JupyterLab's terminal.

Students are kept apart by the file system and the hub: homes are private
(0700), the exchange's inbound and feedback folders cannot be listed and
their entries carry secrets, and the hub lets a user reach only their own
server. The students' group may not read this repository's source/ (the
solutions and hidden tests). Everything made for the run, users, groups,
permissions and folders, is removed when it stops.

Needs root (the hub starts servers as other users), useradd and setfacl
(Debian: passwd, acl) and configurable-http-proxy (`find_proxy`: the
Python one in requirements.txt, or $COURSE_HUB_PROXY).
"""
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

COURSE_ID = "torch-gradients"
COURSE_FOLDER = COURSE_ID            # the instructor's course folder, in their home
MARKER = "torch-gradients course hub (temporary)"   # the comment of every user made for a run
STUDENTS = ("ada", "bob", "cy")
INSTRUCTOR = "instructor"
# Private to the instructor: hidden tests and solutions, grades, students' work.
PRIVATE = ("source", "submitted", "autograded", "feedback", "returned", "downloaded", "gradebook.db", "demo")
# JupyterLab's settings for every user: a notebook starts its Python kernel without asking, every cell is in
# the page, no news or update checks (no internet).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                    "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}
# What students do not get: the formgrader and the instructor's create-assignment tools.
INSTRUCTOR_ONLY_SERVER = ("nbgrader.server_extensions.formgrader",)
INSTRUCTOR_ONLY_LAB = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


class HubUnavailable(RuntimeError):
    """The hub cannot start on this machine; the message says why and what would fix it."""


@dataclass
class Account:
    name: str
    password: str
    role: str                 # "instructor" or "student"
    home: Path
    uid: int = -1
    gid: int = -1
    environment: dict = field(default_factory=dict)


def find_proxy():
    """The configurable-http-proxy command, or None: $COURSE_HUB_PROXY, else this environment's, else one on PATH."""
    if os.environ.get("COURSE_HUB_PROXY"):
        return os.environ["COURSE_HUB_PROXY"].split()
    local = Path(sys.executable).parent / "configurable-http-proxy"
    if local.exists():
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    return [found] if found else None


def unavailable_reason(proxy=None):
    """Why a hub cannot start here, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the hub starts each user's server as that user: run as root"
    for tool, package in (("useradd", "passwd"), ("chpasswd", "passwd"), ("setfacl", "acl")):
        if not shutil.which(tool):
            return f"no {tool} on PATH (Debian: apt-get install {package})"
    if not (proxy or find_proxy()):
        return ("no configurable-http-proxy: it is in requirements.txt (python3 tasks.py installs it), "
                "or set COURSE_HUB_PROXY to one")
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(*command, input=None):
    done = subprocess.run(command, input=input, capture_output=True, text=True)
    if done.returncode != 0:
        raise HubUnavailable(f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip()}")
    return done


class ClassHub:
    """A JupyterHub with its class on 127.0.0.1; a context manager that starts and removes everything.

    `course_root`: the course repository (its nbgrader_config.py and source/ are copied for the
    instructor). `prefix` is put before every user and group name (tests use a fresh one per run).
    `config_lines` are added to the instructor's nbgrader_config.py.
    """

    def __init__(self, course_root, students=STUDENTS, instructor=INSTRUCTOR, prefix="course-", port=None,
                 proxy=None, config_lines=(), log=None):
        self.course_root = Path(course_root).resolve()
        self.prefix = prefix
        self.port = port or free_port()
        self.proxy = proxy or find_proxy()
        self.config_lines = list(config_lines)
        self.workdir = None
        self.process = None
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        self._names = [(prefix + instructor, "instructor")] + [(prefix + s, "student") for s in students]
        self.accounts = {}
        self._undo = []

    # -- who is in the class
    @property
    def instructor(self):
        return next(a for a in self.accounts.values() if a.role == "instructor")

    @property
    def students(self):
        return [a for a in self.accounts.values() if a.role == "student"]

    @property
    def course(self):
        """The instructor's course folder."""
        return self.instructor.home / COURSE_FOLDER

    @property
    def exchange(self):
        return self.workdir / "exchange"

    # -- start and stop
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=60):
        reason = unavailable_reason(self.proxy)
        if reason:
            raise HubUnavailable(reason)
        try:
            self._set_up()
            self._start_hub(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _set_up(self):
        # One folder for the run, readable by its users (the exchange is in it); the hub's own state is not.
        self.workdir = Path(tempfile.mkdtemp(prefix="course-hub-"))
        self._undo.append(lambda: shutil.rmtree(self.workdir, ignore_errors=True))
        self.workdir.chmod(0o755)
        (self.workdir / "home").mkdir(mode=0o755)
        (self.workdir / "state").mkdir(mode=0o700)
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)  # writable by all, as nbgrader wants, but nobody removes another's folder
        groups = {"all": self.prefix + "hub", "students": self.prefix + "students"}
        for group in groups.values():
            self._add_group(group)
        for name, role in self._names:
            self.accounts[name] = self._add_user(name, role, groups)
        self._open_environment(groups["all"])
        self._close_private_folders(groups["students"])
        self._write_jupyter_config()
        self._make_course()
        self._check_environment(self.students[0])

    def _add_group(self, group):
        import grp

        try:
            members = grp.getgrnam(group).gr_mem
        except KeyError:
            _run("groupadd", group)
        else:  # left by a run that was killed, if only its users are in it
            if not all(_leftover(member) for member in members):
                raise HubUnavailable(f"a group {group} exists already: choose another prefix (--prefix)")
            for member in members:
                self._remove_user(member)
        self._undo.append(lambda: subprocess.run(["groupdel", group], capture_output=True))

    def _add_user(self, name, role, groups):
        try:
            pwd.getpwnam(name)
        except KeyError:
            pass
        else:
            if not _leftover(name):
                raise HubUnavailable(f"a user {name} exists already: choose another prefix (--prefix)")
            self._remove_user(name)
        home = self.workdir / "home" / name
        member_of = groups["all"] + ("," + groups["students"] if role == "student" else "")
        _run("useradd", "--create-home", "--home-dir", str(home), "--comment", MARKER, "--shell", "/bin/bash",
             "--user-group", "--groups", member_of, name)
        self._undo.append(lambda: self._remove_user(name))
        password = secrets.token_urlsafe(9)
        _run("chpasswd", input=f"{name}:{password}\n")
        entry = pwd.getpwnam(name)
        home.chmod(0o700)
        account = Account(name, password, role, home, entry.pw_uid, entry.pw_gid)
        for relative, values in LAB_SETTINGS.items():
            self._write_as(account, home / ".jupyter" / "lab" / "user-settings" / relative, json.dumps(values))
        (home / ".tmp").mkdir()
        os.chown(home / ".tmp", account.uid, account.gid)
        config_path = [self.workdir / "config" / "common"]
        if role == "student":
            config_path.insert(0, self.workdir / "config" / "students")
        account.environment = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
            "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, config_path)),
            "TMPDIR": str(home / ".tmp"),
        }
        return account

    def _write_as(self, account, path, text):
        """Write a file in an account's home, owned by the account, with its folders."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for made in [path, *path.parents]:
            if made == account.home:
                break
            os.chown(made, account.uid, account.gid)

    def _remove_user(self, name):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            return
        if pwd.getpwnam(name).pw_gecos != MARKER:
            return  # not one of ours
        for pid in _processes_of(uid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for _ in range(50):
            if not _processes_of(uid):
                break
            time.sleep(0.1)
        subprocess.run(["userdel", "--remove", name], capture_output=True)

    def _open_environment(self, group):
        """Let the run's users reach this Python environment, the course package and the run's folder
        (traverse only: x for the run's group on each folder above them that others cannot enter)."""
        import course

        needed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
                  Path(course.__file__).resolve().parents[1], self.workdir.resolve()}
        for path in sorted(needed):
            for folder in [*reversed(path.parents), path]:
                if not folder.stat().st_mode & stat.S_IXOTH:
                    self._acl(folder, f"g:{group}:x")

    def _close_private_folders(self, group):
        """The students' group may not open the repository's solutions, hidden tests, grades or work."""
        for name in PRIVATE:
            if (self.course_root / name).exists():
                self._acl(self.course_root / name, f"g:{group}:---")

    def _acl(self, path, entry):
        _run("setfacl", "-m", entry, str(path))
        who = entry.rsplit(":", 1)[0]

        def undo():
            subprocess.run(["setfacl", "-x", who, str(path)], capture_output=True)
            listing = subprocess.run(["getfacl", "--omit-header", "--absolute-names", str(path)],
                                     capture_output=True, text=True).stdout.split()
            if not any(line.split(":")[1] for line in listing if line.startswith(("user:", "group:"))):
                subprocess.run(["setfacl", "-b", str(path)], capture_output=True)  # only the mask was left

        self._undo.append(undo)

    def _write_jupyter_config(self):
        """Config every user's JupyterLab reads (JUPYTER_CONFIG_PATH): the exchange; students lose the formgrader."""
        common = self.workdir / "config" / "common"
        students = self.workdir / "config" / "students"
        (students / "labconfig").mkdir(parents=True)
        common.mkdir(parents=True)
        (common / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(self.exchange)!r}\n")
        (students / "jupyter_server_config.json").write_text(json.dumps(
            {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_ONLY_SERVER}}}))
        (students / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {name: True for name in INSTRUCTOR_ONLY_LAB}}))
        for folder in (self.workdir / "config", common, students, students / "labconfig"):
            folder.chmod(0o755)

    def _make_course(self):
        """The instructor's course folder: this course's config and source/, the exchange, the roster."""
        from .grading.course import Course
        from .grading.roster import Roster, Student

        account = self.instructor
        course = Course.new(self.course, self.course_root).root
        with open(course / "nbgrader_config.py", "a") as config:
            config.write("\n# The class hub's exchange (course hub)\n"
                         f"c.Exchange.root = {str(self.exchange)!r}\n")
            config.writelines(f"{line}\n" for line in self.config_lines)
        Roster([Student(s.name, first_name=s.name[len(self.prefix):].title(), last_name="Student")
                for s in self.students]).write(course / "roster.csv")
        for folder, _, files in os.walk(course):
            os.chown(folder, account.uid, account.gid)
            for name in files:
                os.chown(os.path.join(folder, name), account.uid, account.gid)

    def _check_environment(self, account):
        probe = self.run_as(account, sys.executable, "-c", "import jupyterhub, nbgrader, course")
        if probe.returncode != 0:
            raise HubUnavailable(f"user {account.name} cannot run this environment ({sys.prefix}): "
                                 f"{probe.stderr.strip()[-500:]}")

    def _start_hub(self, timeout):
        state = self.workdir / "state"
        settings = {
            "url": self.url, "hub_port": free_port(), "proxy_api_port": free_port(), "state": str(state),
            "proxy": self.proxy, "singleuser": str(Path(sys.executable).parent / "jupyterhub-singleuser"),
            "accounts": {a.name: {"role": a.role, "home": str(a.home), "environment": a.environment}
                         for a in self.accounts.values()},
            "course": str(self.course),
        }
        (state / "settings.json").write_text(json.dumps(settings, indent=1))
        (state / "jupyterhub_config.py").write_text(
            "import json\nfrom course.hub import configure\n"
            f"configure(get_config(), json.load(open({str(state / 'settings.json')!r})))  # noqa: F821\n")
        self.log = Path(self.log or state / "jupyterhub.log")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        env.pop("JUPYTERHUB_API_TOKEN", None)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f",
                                             str(state / "jupyterhub_config.py")], cwd=state, env=env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HubUnavailable(f"JupyterHub exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise HubUnavailable(f"JupyterHub did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, chars=4000):
        try:
            return Path(self.log).read_text()[-chars:]
        except (OSError, TypeError):
            return ""

    def stop(self):
        """Stop the hub (it stops the servers and the proxy), then remove everything made for the run."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process:
            try:  # the proxy, if the hub could not stop it
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        while self._undo:
            try:
                self._undo.pop()()
            except Exception as error:  # go on removing the rest
                print(f"course hub: clean-up step failed: {error}", file=sys.stderr)

    # -- acting as a user
    def environment_of(self, account):
        return {"HOME": str(account.home), "USER": account.name, "LOGNAME": account.name, "SHELL": "/bin/bash",
                "LANG": "C.UTF-8", **account.environment}

    def run_as(self, account, *command, cwd=None, timeout=None, env=None):
        """Run a command as one of the run's users, with their environment (as in their JupyterLab's terminal)."""
        return subprocess.run(command, cwd=cwd or account.home, env={**self.environment_of(account), **(env or {})},
                              user=account.uid, group=account.gid, extra_groups=os.getgrouplist(account.name,
                                                                                                account.gid),
                              capture_output=True, text=True, timeout=timeout)

    def course_command(self, *arguments, timeout=None):
        """`course --root <course folder> ...` as the instructor."""
        return self.run_as(self.instructor, str(Path(sys.executable).parent / "course"), "--root", str(self.course),
                           *arguments, cwd=self.course, timeout=timeout)


def _leftover(name):
    """Is `name` a user that a killed run made (our comment) and left without processes?"""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return True
    return entry.pw_gecos == MARKER and not _processes_of(entry.pw_uid)


def _processes_of(uid):
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _course_spawner():
    from jupyterhub.spawner import LocalProcessSpawner

    class CourseSpawner(LocalProcessSpawner):
        """Starts each user's JupyterLab as that user, in their notebook folder: the instructor's is the course
        folder, where nbgrader (and the formgrader) read the course's nbgrader_config.py."""

        def make_preexec_fn(self, name):
            become_user = super().make_preexec_fn(name)
            folder = self.notebook_dir if os.path.isabs(self.notebook_dir or "") else None

            def preexec():
                become_user()
                if folder:
                    os.chdir(folder)

            return preexec

    return CourseSpawner


def configure(c, settings):
    """JupyterHub's configuration of a ClassHub (its jupyterhub_config.py calls this with the run's settings)."""
    state = Path(settings["state"])
    accounts = settings["accounts"]
    CourseSpawner = _course_spawner()
    c.JupyterHub.bind_url = settings["url"]
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = settings["proxy"]
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    # Local users log in with their password (PAM); only the class may.
    c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allowed_users = set(accounts)
    c.PAMAuthenticator.open_sessions = False
    # Each user's JupyterLab, from this environment, started as that user.
    c.JupyterHub.spawner_class = CourseSpawner
    c.Spawner.cmd = [settings["singleuser"]]
    c.Spawner.default_url = "/lab"
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120

    def before_spawn(spawner):
        account = accounts[spawner.user.name]
        spawner.environment.update(account["environment"])
        if account["role"] == "instructor":
            spawner.notebook_dir = settings["course"]

    c.Spawner.pre_spawn_hook = before_spawn


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def serve(course_root, port=8000, students=STUDENTS, prefix="course-", release=(), say=print):
    """`course hub`: start a ClassHub, say where and who, and keep it until Ctrl-C; then remove it."""
    reason = unavailable_reason()
    if reason:
        say(f"The hub cannot start here: {reason}")
        return 1
    hub = ClassHub(course_root, students=students, prefix=prefix, port=port)
    previous = signal.signal(signal.SIGTERM, _interrupt)   # stopped like Ctrl-C: everything is removed
    try:
        started = time.monotonic()
        hub.start()
        say(f"JupyterHub of the course at {hub.url}/ (started in {time.monotonic() - started:.0f} s)")
        say(f"Exchange: {hub.exchange}")
        for account in hub.accounts.values():
            say(f"  {account.role:10} {account.name:24} password {account.password}")
        say(f"The instructor's course folder: {hub.course} (their JupyterLab opens there; the formgrader: "
            f"{hub.url}/user/{hub.instructor.name}/formgrader)")
        for assignment_id in release:
            done = hub.course_command("release", assignment_id, "--exchange")
            say(f"released {assignment_id} to the exchange" if done.returncode == 0
                else f"release of {assignment_id} failed:\n{done.stdout}{done.stderr}")
        say("Students fetch and submit in their Assignments tab; the instructor, in a terminal of their "
            "JupyterLab: course collect <id> --exchange, course grade <id>, course feedback <id>.")
        say("Ctrl-C stops the hub and removes its users and folders.")
        while hub.process.poll() is None:
            time.sleep(0.5)
        say(f"JupyterHub exited with code {hub.process.returncode}:\n{hub.log_tail()}")
        return 1
    except KeyboardInterrupt:
        say("\nStopping: the hub, its servers, users and folders ...")
        return 0
    except HubUnavailable as error:
        say(f"The hub cannot start: {error}")
        return 1
    finally:
        hub.stop()
        signal.signal(signal.SIGTERM, previous)
