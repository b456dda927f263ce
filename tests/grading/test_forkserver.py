"""Are warm kernels forked from the template, one fresh process per notebook, with no state shared?"""
import json
import tempfile

import nbformat
import pytest

from course.grading import engine
from course.grading.sandbox import confine, forkserver

from .toy import CORRECT, submit, toy_notebook

pytestmark = pytest.mark.nbgrader

# Each student changes the modules the template imported, then reports what it found.
PROBE = CORRECT + """
import os, sys, torch, course.checks
print("FOUND", getattr(torch, "_left_by_a_student", None), getattr(course.checks, "_left_by_a_student", None))
torch._left_by_a_student = course.checks._left_by_a_student = os.environ["NBGRADER_EXECUTION"]
torch.manual_seed(0)
print("PID", os.getpid())
print("PARENT", open(f"/proc/{os.getppid()}/cmdline").read().replace("\\0", " "))
print("WARM", "sympy" in sys.modules)  # what a first backward(gradient) imports: the template did it once
print("FROZEN", __import__("gc").get_freeze_count())  # the template's objects, which no collection walks
"""


def _printed(root, student):
    nb = nbformat.read(str(root / "autograded" / student / "toy" / "toy.ipynb"), as_version=4)
    text = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in text.splitlines() if " " in line}


def test_each_notebook_gets_a_fresh_forked_process(toy_course):
    """Does no student see what another did to torch or course.checks, though all run in one worker?"""
    students = ["ada", "bob", "cy"]
    for student in students:
        submit(toy_course, student, toy_notebook(PROBE))
    results = engine.grade(toy_course, [("toy", s) for s in students], jobs=1)
    assert all(r.ok for r in results.values()), json.dumps({k[1]: r.message for k, r in results.items()})
    printed = {s: _printed(toy_course, s) for s in students}
    assert all(p["FOUND"] == "None None" for p in printed.values())
    assert len({p["PID"] for p in printed.values()}) == len(students)
    assert all("course.grading.sandbox.forkserver" in p["PARENT"] for p in printed.values()), "not a warm kernel"
    assert all(p["WARM"] == "True" for p in printed.values()), "each kernel pays torch's first backward again"
    assert all(int(p["FROZEN"]) > 100_000 for p in printed.values()), "a kernel's collector walks the imports"


def test_kernel_ports_lie_below_the_ephemeral_range_and_the_kernel_answers_on_them(tmp_path):
    """An outgoing connection never takes a port below the ephemeral range, so none can steal a kernel's
    port between its choice and the kernel's bind; the kernel serves the ports it was given."""
    import asyncio

    from course.grading.plugins.sandboxed_execute import PORT_NAMES, SandboxKernelManager
    from course.grading.sandbox.confine import Limits

    ephemeral = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])

    async def start_and_ask():
        km = SandboxKernelManager(kernel_name="python3")
        km.limits = Limits(threads=1)  # as SandboxedExecute sets them
        await km.start_kernel(cwd=str(tmp_path))
        try:
            client = km.client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            client.stop_channels()
            return [getattr(km, name) for name in PORT_NAMES]
        finally:
            await km.shutdown_kernel(now=True)

    ports = asyncio.run(start_and_ask())
    assert len(set(ports)) == len(PORT_NAMES) and all(1024 <= port < ephemeral for port in ports)


PARENT_PROBE = CORRECT + "\nimport os\nprint('PARENT', os.getppid())"


def test_a_second_run_of_the_same_process_forks_from_the_same_warm_template(toy_course, monkeypatch, tmp_path):
    """Does a program that grades twice pay the workers' and templates' start once, even with a run of
    another number of jobs and new values of variables no template reads between (the gradebook's address,
    TMPDIR, torch's cache folders), and does a changed environment that templates take with them get new
    ones?"""
    def parents(student, jobs=1):
        submit(toy_course, student, toy_notebook(PARENT_PROBE))
        results = engine.grade(toy_course, [("toy", student)], jobs=jobs)
        assert results["toy", student].ok, results["toy", student].message
        return _printed(toy_course, student)["PARENT"]

    first = parents("ada")
    parents("dee", jobs=2)
    monkeypatch.setenv("COURSE_GRADEBOOK_URL", f"sqlite:///{toy_course / 'gradebook.db'}")  # the same one
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the matplotlib cache already made elsewhere still serves
    monkeypatch.setattr(tempfile, "tempdir", None)
    for name in confine.TORCH_CACHE_VARIABLES:
        monkeypatch.setenv(name, str(tmp_path / name))
    assert set(forkserver.UNREAD_VARIABLES) == {"COURSE_GRADEBOOK_URL", "TMPDIR", "PYTEST_CURRENT_TEST",
                                                *confine.TORCH_CACHE_VARIABLES}
    second = parents("bob")
    assert first == second, "the second run started a template of its own"
    monkeypatch.setenv("COURSE_SOMETHING_NEW", "1")
    assert parents("cy") != second, "a template started in another environment was used"
