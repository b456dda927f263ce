"""A class on a real JupyterHub on 127.0.0.1: the whole round through nbgrader's exchange, in a browser.

The hub (course/hub.py) runs as root and starts each user's JupyterLab, from
this environment, as a local Unix user made for the run: an instructor and
four students (ada, bob, cy, dee). The instructor releases 01_randn to the
exchange; ada fetches, fills one exercise with a typical mistake, saves and
submits in Chromium (Playwright, Debian's /usr/bin/chromium); bob submits
twice, cy after the due date, dee never, each through their own JupyterLab's
nbgrader service (the requests the Assignments tab sends); ada also tries to
hand in under bob's name. The instructor collects (`course collect
--exchange`), grades (`course grade`) and hands feedback back (`course
feedback`); students fetch it, ada in the browser. The grades equal those of
the same notebooks collected from a folder. The instructor opens the
formgrader through the hub. Students cannot reach each other's homes,
submissions or feedback, nor the formgrader.

The tests run in order and share the round (`ROUND`); each one says when an
earlier step it needs failed. Screenshots go to artifacts/screenshots/hub-*.png.
"""
from datetime import datetime, timedelta, timezone
import json
import pwd
import re
from pathlib import Path
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest

from course import hub as class_hub
from course.grading import collect as folder_collect, engine, steps
from .conftest import new_course
from course.grading.pipeline import set_due_dates
from course.grading.mistakes import apply_mistakes, load_mistakes, read_notebook
from course.grading.course import Course

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LOG = ROOT / "artifacts" / "hub.log"    # the hub's, the proxy's and every user's JupyterLab's log
ASSIGNMENT = "01_randn"
EXERCISE = "normal_sample"
COURSE = class_hub.COURSE_ID
TIMEOUT_MS = 60_000
SEED = 20261206   # the hidden trials' seed, the same for the exchange's and the folder's grading
# A submission seconds after the due date is late (the course's grace is 5 minutes).
CONFIG = ["c.PercentPerDayLate.grace_minutes = 0", f"c.TrustedExecute.seed = {SEED}"]

pytestmark = pytest.mark.hub
REASON = class_hub.unavailable_reason()
if REASON:
    pytest.skip(f"no JupyterHub here: {REASON}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                                            "(it is in requirements.txt: python3 tasks.py test)")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)",
                allow_module_level=True)

sync_api.expect.set_options(timeout=TIMEOUT_MS)
TIMES = {}   # seconds each step took, written to artifacts/hub-timings.json
ROUND = {}   # what the steps so far made: the students' sessions, the due date, the grades


def needs(*keys):
    missing = [k for k in keys if k not in ROUND]
    if missing:
        pytest.fail(f"an earlier step of the round failed (no {', '.join(missing)})")
    return [ROUND[k] for k in keys]


# -- the hub and its users ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hub():
    prefix = f"t{secrets.token_hex(2)}-"
    started = time.monotonic()
    with class_hub.ClassHub(ROOT, students=("ada", "bob", "cy", "dee"), prefix=prefix,
                            config_lines=CONFIG, log=LOG) as running:
        TIMES["hub started"] = time.monotonic() - started
        yield running
    LOG.with_name("hub-timings.json").write_text(json.dumps({k: round(v, 1) for k, v in TIMES.items()}, indent=1))
    for account in running.accounts.values():   # stopped: no user, no home, no permission left
        with pytest.raises(KeyError):
            pwd.getpwnam(account.name)
    assert not running.workdir.exists()
    opened = {ROOT / "source", *Path(sys.base_prefix).resolve().parents, *ROOT.parents}
    acl = subprocess.run(["getfacl", "--absolute-names", *map(str, opened)], capture_output=True, text=True).stdout
    assert prefix not in acl, acl


def user(hub, short):
    return hub.accounts[hub.prefix + short]


class Session:
    """One user's requests to the hub and to their own JupyterLab, with a token they got with their password."""

    def __init__(self, hub, account):
        self.hub, self.account = hub, account
        reply = self.request("POST", f"/hub/api/users/{account.name}/tokens",
                             {"auth": {"username": account.name, "password": account.password}, "note": "test"},
                             token=None)
        self.token = reply["token"]

    def request(self, method, path, body=None, token="mine"):
        """JSON of the reply; urllib.error.HTTPError for a refusal."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"token {self.token if token == 'mine' else token}"
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.hub.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as reply:
            text = reply.read()
        return json.loads(text) if text else None

    def status(self, method, path, body=None):
        """The HTTP status of a request (no redirects followed)."""
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.hub.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        try:
            with opener.open(request, timeout=60) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    def start_server(self):
        """Start this user's JupyterLab through the hub; seconds until it answers."""
        started = time.monotonic()
        name = self.account.name
        self.request("POST", f"/hub/api/users/{name}/server")
        while not self.request("GET", f"/hub/api/users/{name}")["servers"].get("", {}).get("ready"):
            assert time.monotonic() - started < 120, f"{name}'s server did not start:\n{self.hub.log_tail()}"
            time.sleep(0.2)
        return time.monotonic() - started

    # nbgrader's service in the user's own JupyterLab: what the Assignments tab asks
    def assignments(self, action=None):
        base = f"/user/{self.account.name}/assignments"
        if action is None:
            return self.request("GET", f"{base}?course_id={COURSE}")
        return self.request("POST", f"{base}/{action}", {"course_id": COURSE, "assignment_id": ASSIGNMENT})

    def notebook(self):
        path = f"/user/{self.account.name}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        return nbformat.from_dict(self.request("GET", path)["content"])

    def save(self, nb):
        path = f"/user/{self.account.name}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        self.request("PUT", path, {"type": "notebook", "format": "json", "content": nb})


def sessions(hub):
    if "sessions" not in ROUND:
        ROUND["sessions"] = {short: Session(hub, user(hub, short)) for short in ("ada", "bob", "cy", "dee")}
    return ROUND["sessions"]


# -- notebooks --------------------------------------------------------------------------------------

def source_notebook():
    return read_notebook(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def answered(fetched, mistakes=()):
    """The fetched student notebook with every answer cell of the solution, but for `mistakes`."""
    source = apply_mistakes(source_notebook(), list(mistakes))
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.from_dict(json.loads(json.dumps(fetched)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id].splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    return nb


def mistake(name):
    return next(m for m in load_mistakes(ROOT, ASSIGNMENT) if m.name == name)


def visible_diagnosis(name):
    """The first line of what the check cell says of a mistake's function (computed here by the same checks)."""
    from course.checks.local import verdict
    from course.checks.registry import EXERCISES
    from course.checks.sweep import solution_namespace

    exercise = EXERCISES[f"{EXERCISE}_tests"]
    function = solution_namespace(apply_mistakes(source_notebook(), [mistake(name)]), "notebook")[EXERCISE]
    result = verdict(exercise, function, exercise.visible(), exercise.visible_label)
    assert not result.passed
    return result.message.splitlines()[0]


ADA_MISTAKE = "rand_instead_of_randn"       # typed in the browser
CY_MISTAKE = "scales_by_the_variance"


# -- the browser ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--disable-background-networking", "--disable-component-update",
                                                    "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"hub-{name}.png"), full_page=False)


def log_in(page, hub, account):
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(account.name)
    page.locator("#password_input").fill(account.password)
    page.locator("#login_submit").click()


def open_lab(page, hub, account):
    """Log in and wait for the user's JupyterLab (the hub starts it if needed)."""
    log_in(page, hub, account)
    page.wait_for_url(f"**/user/{account.name}/lab**", timeout=120_000)
    page.locator(".jp-LabShell").wait_for()


def open_assignment_list(page):
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Assignment List", exact=True).click()
    page.locator("#released_assignments_list").wait_for()


def run_cell(page, cell):
    """Run one cell and wait for its execution count; once more if the kernel was not ready to take it."""
    prompt = cell.locator(".jp-InputPrompt")
    for attempt in range(3):
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        try:
            sync_api.expect(prompt).not_to_have_text("[ ]:", timeout=10_000)
            break
        except AssertionError:
            continue
    sync_api.expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=TIMEOUT_MS)


# -- the round ----------------------------------------------------------------------------------------

def test_the_instructor_releases_to_the_exchange(hub):
    """`course release 01_randn --exchange` as the instructor: generated, then in the exchange's outbound."""
    started = time.monotonic()
    done = hub.course_command("release", ASSIGNMENT, "--exchange", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "to the exchange: ok" in done.stdout
    outbound = hub.exchange / COURSE / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    released = read_notebook(outbound)
    assert not any("BEGIN SOLUTION" in c.source or "BEGIN HIDDEN TESTS" in c.source for c in released.cells)
    TIMES["release to the exchange (course release --exchange)"] = time.monotonic() - started
    ROUND["released"] = True


def test_a_student_fetches_fills_one_exercise_saves_and_submits_in_the_browser(hub, browser):
    """ada logs in, fetches 01_randn from the Assignments tab, types a typical mistake into one exercise,
    saves and submits: her submission is in the exchange."""
    needs("released")
    ada = user(hub, "ada")
    context, page = new_page(browser)
    try:
        started = time.monotonic()
        open_lab(page, hub, ada)
        TIMES["log in to JupyterLab in the browser, server started"] = time.monotonic() - started
        open_assignment_list(page)
        released = page.locator("#released_assignments_list")
        sync_api.expect(released).to_contain_text(ASSIGNMENT)
        screenshot(page, "01-student-assignments-tab")
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list")
        sync_api.expect(fetched).to_contain_text(ASSIGNMENT)
        fetched.get_by_text(ASSIGNMENT, exact=True).first.click()   # unfolds the notebooks
        fetched.get_by_role("link", name=ASSIGNMENT, exact=True).first.click()
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        nb = read_notebook(ada.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        cells.nth(len(nb.cells) - 1).wait_for(state="attached")
        page.locator(".jp-StatusBar-Widget").get_by_text("| Idle").wait_for()   # her kernel is up
        index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == EXERCISE)
        imports = next(i for i, c in enumerate(nb.cells) if "from course.checks import check" in c.source)
        run_cell(page, cells.nth(imports))   # the notebook's imports, in her kernel: a websocket through the proxy
        cells.nth(index).locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(mistake(ADA_MISTAKE).applied_to(""))
        run_cell(page, cells.nth(index))        # her function
        run_cell(page, cells.nth(index + 1))    # its check: the visible example's diagnosis
        sync_api.expect(cells.nth(index + 1).locator(".jp-OutputArea")).to_contain_text(visible_diagnosis(ADA_MISTAKE))
        page.keyboard.press("Control+s")
        page.locator(".lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").filter(has_text=ASSIGNMENT).wait_for()
        cells.nth(index).scroll_into_view_if_needed()
        screenshot(page, "02-student-fills-an-exercise")
        saved = read_notebook(ada.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        assert "torch.rand(shape" in saved.cells[index].source
        page.locator(".lm-TabBar-tab").filter(has_text="Assignments").click()
        fetched.get_by_role("button", name="Submit").first.click()
        submitted = page.locator("#submitted_assignments_list")
        sync_api.expect(submitted).to_contain_text(ASSIGNMENT)
        screenshot(page, "03-student-submitted")
    finally:
        context.close()
    inbound = hub.exchange / COURSE / "inbound"
    assert [p.name for p in inbound.iterdir() if p.name.startswith(f"{ada.name}+{ASSIGNMENT}+")]
    ROUND["ada submitted"] = True


def test_students_fetch_and_submit_in_their_own_jupyterlab(hub):
    """bob submits the stub, then the solution; cy submits after the due date; dee never; ada also hands in
    under bob's name from her terminal (`nbgrader submit --student`)."""
    needs("released")
    students = sessions(hub)
    spawn = {}
    for short in ("bob", "cy"):
        spawn[short] = students[short].start_server()
        listed = students[short].assignments("fetch")
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched" for a in listed["value"]), listed
    for short, seconds in spawn.items():
        TIMES[f"spawn {short}'s server (hub API)"] = seconds
    bob, cy = students["bob"], students["cy"]
    stub = bob.notebook()
    assert bob.assignments("submit")["success"]
    time.sleep(1.1)  # nbgrader's submission times differ in the second or later
    bob.save(answered(stub))
    assert bob.assignments("submit")["success"]

    ada = user(hub, "ada")
    forged = hub.run_as(ada, str(Path(sys.executable).parent / "nbgrader"), "submit", ASSIGNMENT,
                        f"--course={COURSE}", f"--student={user(hub, 'bob').name}", timeout=120)
    assert forged.returncode == 0, forged.stdout + forged.stderr   # nbgrader lets it through; collect does not

    due = (datetime.now(timezone.utc) + timedelta(seconds=1)).replace(microsecond=0)
    ROUND["due"] = due.strftime("%Y-%m-%d %H:%M:%S UTC")
    time.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    cy.save(answered(cy.notebook(), [mistake(CY_MISTAKE)]))
    assert cy.assignments("submit")["success"]
    ROUND["submitted"] = True


def test_the_instructor_collects_from_the_exchange_with_the_oddities_listed(hub):
    """`course collect 01_randn --exchange --due ...`: ada, bob (his later submission) and cy collected; bob's
    earlier one listed as a duplicate, ada's in bob's name refused, dee missing."""
    due, _ = needs("due", "submitted")
    started = time.monotonic()
    done = hub.course_command("collect", ASSIGNMENT, "--exchange", "--due", due, timeout=300)
    TIMES["collect 3 of 4 students (course collect --exchange)"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    name = {short: user(hub, short).name for short in ("ada", "bob", "cy", "dee")}
    out = done.stdout
    assert f"{ASSIGNMENT}: 3 notebooks collected" in out, out
    assert f"duplicate  {name['bob']}: kept {name['bob']}+{ASSIGNMENT}+" in out, out
    assert f"refused    {name['bob']}+{ASSIGNMENT}+" in out and f"by the user {name['ada']}" in out, out
    assert f"missing    {name['dee']}: nothing submitted" in out, out
    submitted = hub.course / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted([name["ada"], name["bob"], name["cy"]])
    bob_nb = read_notebook(submitted / name["bob"] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert not any("NotImplementedError" in c.source for c in bob_nb.cells
                   if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"), \
        "bob's later submission (the solution) was not the one collected"
    for student in (name["ada"], name["bob"], name["cy"]):
        assert (submitted / student / ASSIGNMENT / "submission_secret.txt").exists()
    ROUND["collected"] = out


def test_grades_through_the_exchange_equal_those_from_a_folder(hub, tmp_path):
    """`course grade` as the instructor; the same notebooks collected from a folder into another course
    and graded there score the same, cell by cell, late penalty included."""
    needs("collected")
    started = time.monotonic()
    done = hub.course_command("grade", ASSIGNMENT, "--no-feedback", timeout=600)
    TIMES["grade 3 notebooks (course grade)"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    students = [user(hub, s).name for s in ("ada", "bob", "cy")]
    through_exchange = {s: Course.of(hub.course).cell_scores(ASSIGNMENT, s) for s in students}
    with Course.of(hub.course).gradebook() as gb:
        penalties = {s: gb.find_submission(ASSIGNMENT, s).late_submission_penalty for s in students}

    folder = tmp_path / "handed-in"
    for student in students:
        shutil.copytree(hub.course / "submitted" / student / ASSIGNMENT, folder / student,
                        ignore=shutil.ignore_patterns("submission_secret.txt"))
    other = new_course(tmp_path / "course")
    with open(other / "nbgrader_config.py", "a") as config:
        config.write("\n" + "\n".join(CONFIG) + "\n")
    shutil.copy(hub.course / "roster.csv", other / "roster.csv")
    assert steps.release(other, ASSIGNMENT).ok
    set_due_dates(other, {ASSIGNMENT: ROUND["due"]})
    started = time.monotonic()
    report = folder_collect.collect(other, ASSIGNMENT, folder)
    assert len(report.collected) == 3
    results = engine.grade(other, Course.of(other).submissions([ASSIGNMENT]), jobs=2)
    TIMES["the same from a folder: collect and grade (in this process)"] = time.monotonic() - started
    assert all(r.ok for r in results.values()), {k: r.message for k, r in results.items()}
    from_folder = {s: Course.of(other).cell_scores(ASSIGNMENT, s) for s in students}
    with Course.of(other).gradebook() as gb:
        folder_penalties = {s: gb.find_submission(ASSIGNMENT, s).late_submission_penalty for s in students}

    assert through_exchange == from_folder
    assert penalties == folder_penalties
    ada, bob, cy = students
    assert through_exchange[ada][f"{EXERCISE}_tests"][0] == 0       # rand instead of randn
    assert through_exchange[bob][f"{EXERCISE}_tests"][0] == through_exchange[bob][f"{EXERCISE}_tests"][1]
    assert through_exchange[cy][f"{EXERCISE}_tests"][0] == 0
    assert penalties[cy] > 0 and not penalties[ada] and not penalties[bob]
    ROUND["graded"] = through_exchange


def test_feedback_goes_back_through_the_exchange_and_students_fetch_it(hub, browser):
    """`course feedback` releases it to the exchange; ada fetches hers in the Assignments tab and sees the
    diagnosis of her failed check and no hidden test; bob and cy fetch theirs."""
    needs("graded")
    started = time.monotonic()
    done = hub.course_command("feedback", ASSIGNMENT, timeout=300)
    TIMES["feedback to the exchange (course feedback)"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "returned: ok" in done.stdout, done.stdout
    assert not (hub.course / "returned").exists()   # through the exchange, not for an LMS
    assert len(list((hub.exchange / COURSE / "feedback").iterdir())) == 3

    for short in ("bob", "cy"):
        sessions(hub)[short].assignments("fetch_feedback")
        pages = list((user(hub, short).home / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
        assert len(pages) == 1, pages   # their own, the instructor's page for them, nobody else's
        own = hub.course / "feedback" / user(hub, short).name / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert pages[0].read_bytes() == own.read_bytes()

    ada = user(hub, "ada")
    context, page = new_page(browser)
    try:
        open_lab(page, hub, ada)
        open_assignment_list(page)
        submitted = page.locator("#submitted_assignments_list")
        sync_api.expect(submitted.get_by_text("(feedback available to fetch)").first).to_be_visible()
        submitted.get_by_role("button", name="Fetch Feedback").first.click()
        sync_api.expect(submitted.get_by_text("(view feedback)").first).to_be_visible()
        screenshot(page, "04-student-fetched-feedback")
        feedback = list((ada.home / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
        assert len(feedback) == 1
        assert feedback[0].read_bytes() == (hub.course / "feedback" / ada.name / ASSIGNMENT /
                                            f"{ASSIGNMENT}.html").read_bytes()
        relative = feedback[0].relative_to(ada.home).as_posix()
        page.goto(f"{hub.url}/user/{ada.name}/files/{urllib.parse.quote(relative)}")
        for phrase in mistake(ADA_MISTAKE).feedback:
            sync_api.expect(page.locator("body")).to_contain_text(phrase)
        text = page.locator("body").inner_text()
        assert "hidden=True" not in text and "BEGIN HIDDEN TESTS" not in text
        page.get_by_text(mistake(ADA_MISTAKE).feedback[0]).first.scroll_into_view_if_needed()
        screenshot(page, "05-student-feedback-diagnosis")
        # Logged in, she still cannot open bob's JupyterLab or the instructor's formgrader.
        for owner, path in ((user(hub, "bob"), "lab"), (hub.instructor, "formgrader")):
            reply = page.goto(f"{hub.url}/user/{owner.name}/{path}")
            assert reply.status in (403, 404), (path, reply.status, page.url)
            assert "/hub/" in page.url and "Manage Assignments" not in page.content(), page.url
        screenshot(page, "08-student-refused-the-formgrader")
    finally:
        context.close()
    ROUND["feedback"] = True


def test_the_instructor_opens_the_formgrader_through_the_hub(hub, browser):
    """The instructor logs in; the formgrader lists 01_randn and the three graded submissions."""
    needs("graded")
    instructor = hub.instructor
    context, page = new_page(browser)
    try:
        open_lab(page, hub, instructor)
        page.goto(f"{hub.url}/user/{instructor.name}/formgrader")
        sync_api.expect(page.get_by_text(ASSIGNMENT, exact=True).first).to_be_visible()
        screenshot(page, "06-instructor-formgrader")
        page.goto(f"{hub.url}/user/{instructor.name}/formgrader/manage_submissions/{ASSIGNMENT}")
        for short in ("ada", "bob", "cy"):
            sync_api.expect(page.get_by_text(user(hub, short).name, exact=True).first).to_be_visible()
        screenshot(page, "07-instructor-formgrader-submissions")
    finally:
        context.close()


# -- isolation ------------------------------------------------------------------------------------------

def test_a_student_cannot_reach_another_students_server_or_the_formgrader_through_the_hub(hub):
    needs("submitted")
    ada = sessions(hub)["ada"]
    bob, instructor = user(hub, "bob"), hub.instructor
    assert ada.status("GET", f"/user/{ada.account.name}/api/contents") == 200   # her own: yes
    assert ada.status("GET", f"/user/{bob.name}/api/contents") in (403, 404)
    assert ada.status("GET", f"/user/{bob.name}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb") in (403, 404)
    assert ada.status("GET", f"/hub/api/users/{bob.name}") in (403, 404)
    assert ada.status("POST", f"/hub/api/users/{bob.name}/tokens", {}) in (403, 404)
    assert ada.status("GET", f"/user/{instructor.name}/formgrader/api/assignments") in (403, 404)
    assert ada.status("GET", f"/user/{instructor.name}/api/contents") in (403, 404)
    assert ada.status("GET", f"/user/{ada.account.name}/formgrader") == 404   # no formgrader of her own
    assert ada.status("GET", f"/user/{ada.account.name}/formgrader/api/submissions/{ASSIGNMENT}") == 404


def test_a_student_cannot_read_another_students_home_submission_or_feedback_on_disk(hub):
    """As ada's Unix user (her JupyterLab's terminal): bob's home, the exchange's submissions and feedback
    cannot be listed, the instructor's course folder and the repository's source/ cannot be opened."""
    needs("submitted")
    ada = user(hub, "ada")
    probe = r"""
import os, sys, json
result = {}
for label, path in json.loads(sys.argv[1]).items():
    try:
        os.listdir(path)
        result[label] = "listed"
    except PermissionError:
        result[label] = "refused"
    except FileNotFoundError:
        result[label] = "missing"
try:
    os.rename(sys.argv[2], sys.argv[2] + "-gone")
    result["rename course in exchange"] = "renamed"
except OSError:
    result["rename course in exchange"] = "refused"
print(json.dumps(result))
"""
    paths = {
        "bob's home": str(user(hub, "bob").home),
        "instructor's course": str(hub.course),
        "exchange inbound": str(hub.exchange / COURSE / "inbound"),
        "exchange feedback": str(hub.exchange / COURSE / "feedback"),
        "repository source": str(ROOT / "source"),
        "her own home": str(ada.home),
    }
    done = hub.run_as(ada, sys.executable, "-c", probe, json.dumps(paths), str(hub.exchange / COURSE))
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen.pop("her own home") == "listed"
    assert seen == {label: "refused" for label in seen}, seen
    # nbgrader's own listing of the inbound, as ada: nothing of bob's
    listing = hub.run_as(ada, str(Path(sys.executable).parent / "nbgrader"), "list", "--inbound",
                         f"--course={COURSE}", timeout=120)
    assert user(hub, "bob").name + "+" not in listing.stdout + listing.stderr
