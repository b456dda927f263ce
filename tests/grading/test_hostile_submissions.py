"""Bad, edited and hostile notebooks, graded through nbgrader in one class with honest ones.

Every submission below is graded in the same run, in alphabetical order,
so the hostile ones go first and the honest student "zz_honest" last: it
must still be graded correctly, whatever ran before it.
"""
import json
from pathlib import Path

import nbformat
import pytest

from course.grading import engine, steps
from course.grading.course import Course

from .toy import CORRECT, make_toy_course, submit, toy_notebook

pytestmark = pytest.mark.nbgrader
CELL_TIMEOUT = 8

# student -> the code of its "double" cell (None: see SPECIAL below)
SUBMISSIONS = {
    "a_vandal": """import os, glob
def double(x):
    return 2 * x
for target in ["../../../gradebook.db", "../../../source/toy/toy.ipynb", "../../zz_honest/toy/toy.ipynb",
               "../../../submitted/zz_honest/toy/toy.ipynb"]:
    for action in ("read", "write", "delete"):
        try:
            if action == "read":
                open(target).read()
            elif action == "write":
                open(target, "w").write("destroyed")
            else:
                os.remove(target)
            print("SUCCEEDED", action, target)
        except OSError as error:
            print("blocked", action, target, type(error).__name__)
""",
    "b_endless_cell": "def double(x):\n    return 2 * x\nwhile True:\n    pass",
    "c_endless_call": "def double(x):\n    while True:\n        pass",
    "d_kernel_killer": "import os\ndef double(x):\n    return 2 * x\nos._exit(1)",
    "e_hides_errors": """def double(x):
    return 3 * x
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
import sys
sys.excepthook = lambda *args: None
""",
    "f_warns": """import warnings
def double(x):
    warnings.warn("this warning must not cost points")
    return 2 * x
""",
    "g_memory_hog": "import torch\ndef double(x):\n    big = torch.empty(40 * 1024 ** 3, dtype=torch.uint8)\n    return 2 * x",
    "h_disk_filler": """def double(x):
    return 2 * x
try:
    with open("filler.bin", "wb") as out:
        for _ in range(400):
            out.write(b"0" * 1024 ** 2)
    print("WROTE 400 MiB")
except OSError as error:
    print("blocked", type(error).__name__)
""",
    "i_network": """import socket
def double(x):
    return 2 * x
try:
    socket.create_connection(("127.0.0.1", 9), timeout=2)
    print("CONNECTED")
except OSError as error:
    print("network blocked", type(error).__name__, error.errno)
""",
    "o_debug_prints": """import sys
def double(x):
    print("debugging: x =", x, file=sys.stderr)
    return 2 * x
""",
    "p_floods_output": """def double(x):
    return 2 * x
print("x" * (100 * 1024 ** 2))
""",
    "o_process_bomb": """import subprocess
def double(x):
    return 2 * x
started = []
try:
    for _ in range(300):
        started.append(subprocess.Popen(["sleep", "600"]))
except OSError as error:
    print("processes blocked", type(error).__name__)
print("STARTED", len(started))
""",
    "zz_honest": CORRECT,
}
SPECIAL = ["j_duplicated_cell", "k_deleted_tests_wrong", "l_deleted_tests_right", "m_corrupt_file",
           "n_changed_tests"]


def _special_submissions(root):
    duplicated = toy_notebook()
    duplicated.cells.insert(3, duplicated.cells[2].copy())
    submit(root, "j_duplicated_cell", duplicated)
    for student, code in (("k_deleted_tests_wrong", CORRECT.replace("2 * x", "3 * x")),
                          ("l_deleted_tests_right", CORRECT)):
        nb = toy_notebook(code)
        del nb.cells[3]
        submit(root, student, nb)
    submit(root, "m_corrupt_file", '{"cells": [ this is not json')
    changed = toy_notebook(CORRECT.replace("2 * x", "3 * x"))
    changed.cells[3].source = "pass  # the learner emptied the test cell"
    submit(root, "n_changed_tests", changed)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = make_toy_course(tmp_path_factory.mktemp("hostile"), cell_timeout=CELL_TIMEOUT)
    for student, code in SUBMISSIONS.items():
        submit(root, student, toy_notebook(code))
    _special_submissions(root)
    results = engine.autograde(root, "toy", timeout=300)
    feedback = steps.generate_feedback(root, "toy")
    return root, results, feedback


def _outputs(root, student):
    nb = nbformat.read(str(root / "autograded" / student / "toy" / "toy.ipynb"), as_version=4)
    return "\n".join(json.dumps(cell.get("outputs", [])) for cell in nb.cells)


def _score(root, student):
    return Course.of(root).cell_scores("toy", student)["double_tests"][0]


def test_the_honest_student_after_all_of_them_gets_full_marks(graded_class):
    """Is the last, honest student graded correctly whatever ran before?"""
    root, results, _ = graded_class
    assert results["zz_honest"].ok and _score(root, "zz_honest") == 2


def test_gradebook_source_and_other_students_are_out_of_reach(graded_class):
    """Can a notebook read or destroy the gradebook, the hidden tests, or another student's work?"""
    root, results, _ = graded_class
    outputs = _outputs(root, "a_vandal")
    assert "SUCCEEDED" not in outputs and outputs.count("blocked") == 12
    assert (root / "submitted" / "zz_honest" / "toy" / "toy.ipynb").read_text().startswith("{")
    with Course.of(root).gradebook() as gb:
        assert len(gb.students) == len(SUBMISSIONS) + len(SPECIAL)


@pytest.mark.parametrize("student, points", [
    ("b_endless_cell", 2),  # the loop is interrupted; the function it defined first is right
    ("c_endless_call", 0),  # the function itself never returns
])
def test_endless_cells_are_interrupted_and_grading_goes_on(graded_class, student, points):
    """Is a cell that never ends stopped after the timeout, with the later cells still graded?"""
    root, results, _ = graded_class
    assert results[student].ok
    assert _score(root, student) == points
    assert "CellTimeoutError" in _outputs(root, student)


def test_a_notebook_that_kills_its_kernel_fails_alone_with_a_message(graded_class):
    root, results, _ = graded_class
    assert not results["d_kernel_killer"].ok
    assert "kernel" in results["d_kernel_killer"].message.lower()


def test_hiding_exceptions_does_not_earn_points(graded_class):
    """Can a custom exception handler make failing tests look passed?"""
    root, results, _ = graded_class
    assert results["e_hides_errors"].ok and _score(root, "e_hides_errors") == 0


def test_a_warning_costs_no_points(graded_class):
    """Does a correct answer that emits a UserWarning keep its points (nbgrader scores stderr as 0)?"""
    root, results, _ = graded_class
    assert _score(root, "f_warns") == 2
    assert "this warning must not cost points" in _outputs(root, "f_warns")


def test_memory_and_disk_hogs_are_stopped_inside_their_own_notebook(graded_class):
    root, results, _ = graded_class
    assert results["g_memory_hog"].ok and _score(root, "g_memory_hog") == 0
    assert results["h_disk_filler"].ok and "blocked" in _outputs(root, "h_disk_filler")
    assert not (root / "autograded" / "h_disk_filler" / "toy" / "filler.bin").stat().st_size > 300 * 1024 ** 2


def test_a_debugging_print_on_stderr_costs_no_points(graded_class):
    """Does a correct function that prints to stderr keep its points (nbgrader scores stderr as 0)?"""
    root, results, _ = graded_class
    assert results["o_debug_prints"].ok and _score(root, "o_debug_prints") == 2


def test_a_flood_of_output_is_cut_in_what_is_stored_and_said_so(graded_class):
    """Does 100 MB of printing leave a small graded notebook and feedback that say the output was cut?"""
    root, results, _ = graded_class
    assert results["p_floods_output"].ok and _score(root, "p_floods_output") == 2
    notebook = root / "autograded" / "p_floods_output" / "toy" / "toy.ipynb"
    assert notebook.stat().st_size < 2 * 1024 ** 2
    assert "output cut: this cell printed 100.0 MB" in _outputs(root, "p_floods_output")
    feedback = root / "feedback" / "p_floods_output" / "toy" / "toy.html"
    assert feedback.stat().st_size < 3 * 1024 ** 2 and "output cut" in feedback.read_text()


def test_a_notebook_cannot_start_hundreds_of_processes(graded_class):
    """Is a notebook that starts 300 processes stopped near the limit, and are they gone after grading?"""
    root, results, _ = graded_class
    outputs = _outputs(root, "o_process_bomb")
    started = int(outputs.split("STARTED ", 1)[1].split("\\n", 1)[0])
    assert "processes blocked" in outputs and started < 64
    assert results["o_process_bomb"].ok and _score(root, "o_process_bomb") == 2
    left = [p for p in Path("/proc").glob("[0-9]*") if _cmdline(p) == "sleep 600"]
    assert not left, "processes the notebook started outlived its kernel"


def _cmdline(process):
    try:
        return (process / "cmdline").read_text().replace("\0", " ").strip()
    except OSError:
        return ""


def test_no_outgoing_connections(graded_class):
    root, results, _ = graded_class
    assert "network blocked" in _outputs(root, "i_network") and "CONNECTED" not in _outputs(root, "i_network")


def test_a_duplicated_cell_fails_that_submission_alone(graded_class):
    root, results, _ = graded_class
    assert not results["j_duplicated_cell"].ok and results["j_duplicated_cell"].message


@pytest.mark.parametrize("student, points", [("k_deleted_tests_wrong", 0), ("l_deleted_tests_right", 2)])
def test_deleted_test_cells_are_put_back_and_run(graded_class, student, points):
    root, results, _ = graded_class
    assert results[student].ok and _score(root, student) == points


def test_a_corrupt_file_fails_that_submission_alone(graded_class):
    root, results, _ = graded_class
    assert not results["m_corrupt_file"].ok and results["m_corrupt_file"].message


def test_emptied_test_cells_are_restored(graded_class):
    """Does a learner who empties the test cell still get tested?"""
    root, results, _ = graded_class
    assert results["n_changed_tests"].ok and _score(root, "n_changed_tests") == 0


def test_feedback_keeps_hidden_tests_hidden_and_names_the_diagnosis(graded_class):
    root, results, feedback = graded_class
    assert feedback.ok
    text = (root / "feedback" / "e_hides_errors" / "toy" / "toy.html").read_text()
    assert "linspace(-7.25" not in text and "_secret" not in text
    assert "1.5 times the right answer" in text
    assert "hidden tests ran here" in text
