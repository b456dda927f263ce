#!/usr/bin/env python3
"""Set up the course's environment if needed, then run one job in it.

    python3 tasks.py demo     a whole grading round on the bundled example class (release … report)
    python3 tasks.py test     run the test suite (extra arguments go to pytest)
    python3 tasks.py lab      open the course in JupyterLab
    python3 tasks.py course … any `course` command (release, grade, feedback, table, …)

Needs only Python 3.11. The first run makes a virtual environment in .venv
and installs the pinned packages of requirements.txt and the `course`
package; later runs reuse it until requirements.txt or pyproject.toml change.
"""
import hashlib
import os
from pathlib import Path
import subprocess
import sys
import venv

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "course-installed.sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def wanted_stamp():
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment():
    """Create .venv and install the pinned packages, unless that is already done."""
    if sys.version_info[:2] != (3, 11):
        print(f"note: the course is pinned and tested on Python 3.11; this is {sys.version.split()[0]}",
              file=sys.stderr)
    stamp = wanted_stamp()
    if STAMP.exists() and STAMP.read_text() == stamp:
        return
    if not (BIN / "python").exists():
        print(f"Creating the virtual environment {VENV.name}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing the pinned packages (first run only; torch is the largest) ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    subprocess.run(pip + ["-r", str(ROOT / "requirements.txt"), "-e", str(ROOT)], check=True)
    # pip byte-compiles what it installs one file at a time; compileall does the same on every core. (Without
    # the .pyc files, every process would compile torch and Jupyter again: 5 s more to import them.)
    packages = VENV / ("Lib" if os.name == "nt" else "lib")
    subprocess.run([str(BIN / "python"), "-m", "compileall", "-qq", "-j", "0", str(packages)])
    STAMP.write_text(stamp)


def main(argv):
    job, *rest = argv or ["--help"]
    commands = {
        "demo": ["course", "demo"],
        "test": ["python", "-m", "pytest"],
        "lab": ["jupyter", "lab"],
        "course": ["course"],
    }
    if job not in commands:
        print(__doc__)
        return 0 if job in ("-h", "--help") else 2
    ensure_environment()
    program, *arguments = commands[job]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / program), *arguments, *rest], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
