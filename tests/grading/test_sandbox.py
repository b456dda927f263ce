"""Does the sandbox launcher confine the process it becomes (without nbgrader in the way)?"""
import os
import shutil
import subprocess
import sys

import pytest

from course.grading.sandbox import landlock

pytestmark = pytest.mark.skipif(landlock.abi_version() < 1, reason="this kernel has no Landlock")

PROBE = """
import os, socket, sys
def attempt(label, action):
    try:
        action()
        print(label, "allowed")
    except OSError:
        print(label, "blocked")
attempt("write own folder", lambda: open("own.txt", "w").write("ok"))
attempt("write private tmp", lambda: open(os.path.join(os.environ["TMPDIR"], "t"), "w").write("ok"))
attempt("read outside", lambda: open(sys.argv[1]).read())
attempt("write outside", lambda: open(sys.argv[1], "a").write("x"))
attempt("list outside", lambda: os.listdir(os.path.dirname(sys.argv[1])))
attempt("connect", lambda: socket.create_connection(("127.0.0.1", 9), timeout=1))
attempt("signal parent", lambda: os.kill(os.getppid(), 0))
import torch, matplotlib.pyplot  # the kernel's libraries still load
print("threads", torch.get_num_threads())
print("home", os.environ["HOME"] != os.path.expanduser("~" + os.environ.get("USER", "root")))
"""


@pytest.fixture
def outcome(tmp_path):
    secret = tmp_path / "course" / "gradebook.db"
    secret.parent.mkdir()
    secret.write_text("grades")
    cwd = tmp_path / "course" / "autograded" / "student"
    cwd.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "course.grading.sandbox.confine", "--file-size-mb=1", "--threads=1", "--",
                           sys.executable, "-c", PROBE, str(secret)],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())
    return lines, secret


def test_the_kernel_writes_only_its_own_folder_and_private_tmp(outcome):
    lines, secret = outcome
    assert lines["write own folder"] == "allowed" and lines["write private tmp"] == "allowed"
    assert lines["write outside"] == "blocked" and secret.read_text() == "grades"


def test_the_kernel_cannot_read_the_course(outcome):
    lines, _ = outcome
    assert lines["read outside"] == "blocked" and lines["list outside"] == "blocked"


def test_no_network_no_signals_but_libraries_load(outcome):
    lines, _ = outcome
    assert lines["connect"] == "blocked" and lines["signal parent"] == "blocked"
    assert lines["home"] == "True"


def test_torch_in_the_kernel_uses_the_threads_it_is_given(outcome):
    """One thread per kernel: parallel grading kernels must not wait on each other's threads."""
    lines, _ = outcome
    assert lines["threads"] == "1"


def test_require_landlock_refuses_to_start_where_it_is_missing(tmp_path, monkeypatch):
    """Does --require-landlock stop the kernel rather than run it unconfined?"""
    from course.grading.sandbox import confine as sandbox

    monkeypatch.setattr(sandbox.landlock, "restrict", lambda *a: (_ for _ in ()).throw(OSError("none here")))
    monkeypatch.chdir(tmp_path)
    saved = dict(os.environ)  # launch confines this very process: its home, TMPDIR and the rest
    try:
        with pytest.raises(SystemExit, match="Landlock is required"):
            sandbox.launch(["--require-landlock", "--", "true"])
    finally:
        shutil.rmtree(os.environ["HOME"], ignore_errors=True)  # the private home it made
        os.environ.clear()
        os.environ.update(saved)  # else the worker's later tests would make their temp folders in it
