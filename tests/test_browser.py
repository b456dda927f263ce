"""The course in a real browser: JupyterLab and nbgrader's formgrader, driven in headless Chromium.

A JupyterLab server from this environment serves a throwaway copy of the
course on 127.0.0.1 (a free port, a token), with notebook windowing off so
that every cell is in the page. Debian's Chromium is driven by Playwright
(Playwright's own browser download cannot work everywhere). Screenshots go
to artifacts/screenshots/.
"""
from pathlib import Path
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from course.checks.local import verdict
from course.checks.registry import EXERCISES
from course.checks.sweep import solution_namespace
from course.grading import steps
from examples import example_class
from course.grading.mistakes import apply_mistakes, load_mistakes, read_notebook
from course.grading.course import Course
from course.grading import engine
from .conftest import new_course

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (.ci/run installs it)
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
ASSIGNMENT = "01_randn"
EXERCISE = "normal_sample"          # a solution cell of 01 (curriculum name) and its test cell below
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                                            "(it is in requirements.txt: python3 tasks.py test)")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)",
                allow_module_level=True)

# All cells in the page (JupyterLab renders only those in view otherwise); no news or update pop-ups.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graded_course(folder):
    """A course folder with 01 released and one graded submission (the solution), then the committed release/."""
    root = new_course(folder)
    assert steps.release(root, ASSIGNMENT).ok
    example_class.submit(root, "solution", ASSIGNMENT, read_notebook(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    assert engine.autograde(root, ASSIGNMENT, ["solution"])["solution"].ok
    shutil.copy(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "release" / ASSIGNMENT)
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token, course folder) of a JupyterLab server on a throwaway graded course."""
    base = tmp_path_factory.mktemp("browser")
    root = _graded_course(base / "course")
    settings = base / "lab-settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    log = base / "lab.log"
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                               f"--port={port}", f"--IdentityProvider.token={token}",
                               f"--ServerApp.root_dir={root}", "--allow-root"],  # CI runs as root
                              cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(url, token, server, log)
        yield url, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for_server(url, token, server, log, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.returncode} before serving:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _cell_index(nb, grade_id):
    return next(i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _wait_for_kernel(url, token, path, seconds=120):
    """Until the server has a kernel for notebook `path` and that kernel is idle.

    The page's execution indicator says "idle" before a kernel is connected, too: clicking Run All Cells
    then ran nothing on a quiet machine, where the page is ready before its kernel (the test failed there
    and passed on a busy one). The server's sessions say when the kernel is really there.
    """
    import json

    deadline = time.time() + seconds
    while time.time() < deadline:
        with urllib.request.urlopen(f"{url}/api/sessions?token={token}", timeout=5) as reply:
            sessions = json.loads(reply.read())
        if any(s.get("path") == path and (s.get("kernel") or {}).get("execution_state") == "idle" for s in sessions):
            return
        time.sleep(0.2)
    pytest.fail(f"no idle kernel for {path} within {seconds} s")


def _wait_until_idle(page):
    """No cell waiting or running ([*]) and the kernel idle."""
    page.wait_for_function("() => ![...document.querySelectorAll('.jp-InputPrompt')]"
                           ".some(p => p.textContent.includes('*'))", timeout=TIMEOUT_MS)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(timeout=TIMEOUT_MS)


def _replace_and_run(page, cells, index, code):
    """Type `code` into cell `index`, run it, then run the test cell below it."""
    editor = cells.nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")   # runs the cell, selects the test cell below
    page.keyboard.press("Shift+Enter")   # runs the check
    _wait_until_idle(page)


def _visible_message(nb, function):
    """What the check cell says of `function` as defined by notebook `nb` (computed here, by the same checks)."""
    exercise = EXERCISES[f"{EXERCISE}_tests"]
    return verdict(exercise, solution_namespace(nb, "notebook")[function], exercise.visible(),
                   exercise.visible_label)


def test_a_learner_runs_01_fixes_an_exercise_and_sees_a_diagnosis(lab, page):
    """Open release/01_randn, run all: a short message (no traceback wall) and a plot; then a right solution
    passes its check and a typical mistake gets its diagnosis."""
    url, token, root = lab
    source = read_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    released = read_notebook(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    page.goto(f"{url}/lab/tree/release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb?token={token}")
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.nth(len(released.cells) - 1).wait_for(state="attached")
    assert cells.count() == len(released.cells)
    _wait_for_kernel(url, token, f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for()

    # Run all: it stops at the first unanswered exercise, with a message that says what to do.
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").first
    error.wait_for()
    _wait_until_idle(page)
    message = error.inner_text()
    assert len(message.strip().splitlines()) <= 12, message  # the stub and its message, no wall
    assert any(hint in message for hint in ("Not written yet", "fill in")), message
    page.locator(".jp-OutputArea-output img").first.wait_for()  # a plot rendered above it
    error.scroll_into_view_if_needed()
    _screenshot(page, "01-run-all-stops-at-the-first-exercise")

    # A right solution, typed into the exercise cell, passes its check.
    index = _cell_index(released, EXERCISE)
    right = source.cells[_cell_index(source, EXERCISE)].source
    _replace_and_run(page, cells, index, right)
    passed = _visible_message(source, EXERCISE)
    assert passed.passed
    check_output = cells.nth(index + 1).locator(".jp-OutputArea")
    sync_api.expect(check_output).to_contain_text(passed.message, timeout=TIMEOUT_MS)
    _screenshot(page, "02-right-solution-passes")

    # A typical mistake (mistakes/01_randn.py) gets the diagnosis the checks give it.
    for mistake in (m for m in load_mistakes(ROOT, ASSIGNMENT) if m.cell == EXERCISE):
        wrong_nb = apply_mistakes(source, [mistake])
        failed = _visible_message(wrong_nb, EXERCISE)
        if not failed.passed:
            break
    else:
        pytest.fail(f"no mistake of {EXERCISE} fails its visible check")
    _replace_and_run(page, cells, index, wrong_nb.cells[_cell_index(wrong_nb, EXERCISE)].source)
    sync_api.expect(check_output).to_contain_text(failed.message.splitlines()[0], timeout=TIMEOUT_MS)
    # and ends with the misconception it shows and where to reread it
    assert failed.misconceptions and failed.message.splitlines()[-1].startswith("Misconception: ")
    sync_api.expect(check_output).to_contain_text(failed.message.splitlines()[-1], timeout=TIMEOUT_MS)
    _screenshot(page, "03-typical-mistake-diagnosed")


def test_an_instructor_sees_the_assignments_and_a_submission_in_the_formgrader(lab, page):
    """Does nbgrader's formgrader list the course's assignments and the graded submission of 01?"""
    url, token, root = lab
    page.goto(f"{url}/formgrader?token={token}")
    for assignment_id in Course.of(root).assignment_ids():
        sync_api.expect(page.get_by_text(assignment_id, exact=True).first).to_be_visible()
    _screenshot(page, "04-formgrader-assignments")
    page.goto(f"{url}/formgrader/manage_submissions/{ASSIGNMENT}")
    sync_api.expect(page.get_by_text("solution", exact=True).first).to_be_visible()
    _screenshot(page, "05-formgrader-submission")


def test_a_grader_sees_the_model_answer_beside_the_written_answer(lab, page):
    """Does the formgrader's grading page of a submission show each written question's model answer?"""
    from course.grading.model_answers import model_answers

    url, token, root = lab
    with Course.of(root).gradebook() as gb:
        notebook_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "solution").id
    page.goto(f"{url}/formgrader/submissions/{notebook_id}/?index=0&token={token}")
    answers = model_answers(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    frame = page.get_by_text("Model answer (for graders)").first
    sync_api.expect(frame).to_be_visible()
    for answer in answers.values():
        sync_api.expect(page.get_by_text(answer.split("\n")[0][:40]).first).to_be_attached()
    frame.scroll_into_view_if_needed()
    _screenshot(page, "06-formgrader-model-answer")
