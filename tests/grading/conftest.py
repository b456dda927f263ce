"""Fixtures of the grading tests: a toy course, and a throwaway PostgreSQL server on loopback."""
import glob
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile

import pytest

from .toy import make_toy_course


@pytest.fixture
def toy_course(tmp_path):
    return make_toy_course(tmp_path)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url(tmp_path):
    """A throwaway PostgreSQL server on 127.0.0.1, run as the `postgres` user (it refuses root)."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries or not shutil.which("runuser"):
        pytest.skip("no PostgreSQL server here (Debian: apt-get install postgresql)")
    bin_dir = Path(binaries[-1]).parent
    # pytest's tmp_path is private to root; the server's folder must be the postgres user's own.
    data = Path(tempfile.mkdtemp(prefix="course-pg-"))
    shutil.chown(data, "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(as_postgres + [str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run(as_postgres + [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"),
                                  "-o", f"-h 127.0.0.1 -p {port} -k {data}", "start"], check=True, capture_output=True)
    try:
        subprocess.run(as_postgres + [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "gradebook"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(as_postgres + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)
