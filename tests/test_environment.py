"""Do requirements.txt and environment.yml describe the same environment, pinned?"""
from pathlib import Path
import re

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name, _, version = line.partition("==")
        assert version, f"not pinned with ==: {line!r}"
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def requirements():
    return _pins((ROOT / "requirements.txt").read_text().splitlines())


def conda_environment():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    python = next(d for d in spec["dependencies"] if isinstance(d, str) and d.startswith("python="))
    return _pins(pip_section), python, pip_section


def test_both_files_pin_the_same_packages():
    """Would a conda/Binder user get the same packages as a pip user?"""
    pins, _, _ = conda_environment()
    assert pins == requirements()


def test_torch_is_the_cpu_build_pin():
    """Is torch pinned to 2.13.0 (a looser pin pulls a multi-GB CUDA build)?"""
    assert requirements()["torch"] == "2.13.0"


def test_conda_environment_uses_python_311_and_installs_the_course_package():
    _, python, pip_section = conda_environment()
    assert python == "python=3.11"
    assert "-e ." in pip_section


def test_installed_packages_match_the_pins():
    """Is the environment the tests run in the pinned one?"""
    from importlib.metadata import version

    for name, pinned in requirements().items():
        assert version(name).split("+")[0] == pinned, name
