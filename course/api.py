"""The course's Python API: every instructor step and `course check`, what the `course` command and the tests call.

Each function takes the course folder (`root`, default the current one)
and returns what it did; none prints, except `demo`, which reports its
progress through `say`. The defaults of the grading engine's settings are
GradingEngine's traits (nbgrader_config.py may set them); an argument left
as None keeps the configured value.

The round, in the order data flows: `release` → `collect` → `grade` →
`feedback` → `export` and `report`; `table` reads the gradebook at any time.
"""
from dataclasses import dataclass
import importlib.util
from pathlib import Path
import shutil
import sys

# The report, `course check` and the regrade (torch, matplotlib, the checks) are imported by the functions
# that use them: the `course` command starts in half the time for the steps that need none of them.
from .grading import collect as collecting, engine, pipeline, release as releasing, steps
from .grading import exchange as exchanging
from .grading.table import class_table
from course.grading.course import Course


class UnknownAssignment(ValueError):
    """Assignment ids that `source/` does not hold."""


def assignment_ids(root=".", given=()):
    """The given assignment ids (all of `source/` when none are given), each checked against `source/`."""
    known = Course.of(root).assignment_ids()
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UnknownAssignment(f"unknown assignment(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return list(given) or known


def release(root=".", assignments=(), check=False):
    """Lint source/ and generate release/<id>/ (or, with `check`, compare it with a fresh generation).
    {id: StepResult}."""
    ids = assignment_ids(root, assignments)
    return releasing.check_releases(root, ids) if check else releasing.release_assignments(root, ids)


def collect(assignment, source=None, root=".", due=None, exchange=False):
    """Collect one assignment into submitted/, from an LMS zip export or a folder, or with `exchange` from
    nbgrader's exchange (JupyterHub); a CollectReport listing what was odd."""
    if due:
        pipeline.set_due_dates(root, {assignment: due})
    return exchanging.collect(root, assignment) if exchange else collecting.collect(root, assignment, source)


CollectFailed = exchanging.CollectFailed


def release_to_exchange(root=".", assignments=()):
    """Put released assignments into nbgrader's exchange for students to fetch: {id: StepResult}."""
    return {a: exchanging.release_assignment(root, a) for a in assignment_ids(root, assignments)}


def hub(root=".", port=8000, students=(), prefix="course-", release=()):
    """`course hub`: a JupyterHub of the course on 127.0.0.1 until Ctrl-C (course.hub); the exit status."""
    from . import hub as hubs

    return hubs.serve(root, port=port, students=list(students), prefix=prefix, release=release)


@dataclass
class Grading:
    results: dict        # (id, student) -> StepResult
    feedback: dict       # id -> StepResult of generate_feedback
    assignments: list    # the assignments graded (those with submissions)
    skipped: list        # the assignments asked for (or, with none asked, of source/) without submissions


def grade(root=".", assignments=(), students=(), feedback=True, force=False, **engine_settings):
    """Autograde what submitted/ holds for these assignments (and students): unless `force`, only what is
    not graded yet (course.grading.graded). Then, with `feedback`, generate each graded assignment's
    feedback. Assignments without submissions are skipped and listed. A Grading."""
    ids = assignment_ids(root, assignments)
    submissions = [(a, s) for a, s in Course.of(root).submissions(ids) if not students or s in students]
    with_work = [a for a in ids if any(key[0] == a for key in submissions)]
    results = engine.grade(root, submissions, force=force, **engine_settings) if submissions else {}
    generated = {a: steps.generate_feedback(root, a) for a in with_work} if feedback else {}
    return Grading(results, generated, with_work, [a for a in ids if a not in with_work])


def regrade(root=".", assignments=(), cell=None, dry_run=False, **engine_settings):
    """Judge the recorded answers again with today's checks, no kernel (course.grading.regrade); a Regrade."""
    from .grading import regrade as regrading

    return regrading.regrade(root, assignment_ids(root, assignments), cell=cell, dry_run=dry_run, **engine_settings)


def feedback(root=".", assignments=()):
    """Generate the feedback (hidden tests cut out) and hand it back: {id: (generated, returned)}."""
    return {a: pipeline.give_feedback(root, a) for a in assignment_ids(root, assignments)}


def export(root=".", to="grades.csv"):
    """nbgrader's CSV export of the gradebook; a StepResult."""
    return steps.export_grades(root, to)


def report(root=".", assignments=(), to=None, items_csv=None):
    """Write the HTML class report (and, with `items_csv`, the item statistics as CSV there); its path."""
    from .grading import class_report

    ids = assignment_ids(root, assignments)
    if items_csv:
        class_report.write_items_csv(root, ids, items_csv)
    return class_report.write_report(root, ids, to)


def items_csv(root=".", assignments=(), to=None):
    """Write the item statistics of every test cell (difficulty, discrimination, alpha) as CSV; its path."""
    from .grading import class_report

    return class_report.write_items_csv(root, assignment_ids(root, assignments), to)


def student_report(student, root=".", assignments=(), to=None, checks=None):
    """Write one student's study plan (the misconceptions shown, where, what to reread); its path.

    From the graded class's records, or, with `checks` (a folder), from the `course check --record`
    records under it (a self-learner's, no gradebook needed)."""
    from .grading import class_report

    ids = [] if checks is not None else assignment_ids(root, assignments)
    return class_report.write_student_page(root, student, ids, to, checks)


def table(root=".", assignments=()):
    """The grade table from the gradebook, as text."""
    return class_table(root, assignment_ids(root, assignments))


def check(notebook, seed=0, reveal=False, root=".", record=False):
    """`course check`: judge a learner's notebook as grading does and print what it finds; the exit status.
    With `record`, the run is kept in course_check.json beside the notebook."""
    from .grading import selfcheck

    return selfcheck.run(notebook, seed=seed, reveal=reveal, root=root, record=record)


def examples(root="."):
    """The bundled example class and term (`examples/` beside `mistakes/` in the course folder), loaded from
    there: the package, with its modules `example_class` and `example_term`."""
    folder = Path(root).resolve() / "examples"
    if "examples" not in sys.modules:
        spec = importlib.util.spec_from_file_location("examples", folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["examples"] = module
        spec.loader.exec_module(module)
    for name in ("example_class", "example_term"):
        importlib.import_module(f"examples.{name}")
    return sys.modules["examples"]


@dataclass
class Demo:
    folder: Path
    round: object         # pipeline.Round
    expected: dict        # (id, student) -> expected score
    wrong: list           # lines saying which scores differ from the expected ones


def demo(root=".", into="demo", say=print, **engine_settings):
    """The example class's whole round in a fresh folder `root/into`: release, collect from LMS zips, grade,
    feedback, export, report, and each score compared with what the catalogues expect."""
    term = examples(root).example_term
    root = Path(root)
    folder = root / into
    shutil.rmtree(folder, ignore_errors=True)
    term.new_term(folder, root)
    submissions = term.plan(root)
    expected = term.expected(root, submissions)
    term.write_expected(folder, expected)
    exports = term.write_exports(folder, submissions)
    say(f"The example class: {len(term.ROSTER.students)} students on the roster, "
        f"{len(submissions)} submissions in {len(exports)} LMS exports ({into}/exports/)")
    done = pipeline.run(folder, list(term.ASSIGNMENTS), exports, due_dates=term.due_dates(), say=say,
                        **engine_settings)
    return Demo(folder, done, expected, term.compare(folder, expected))


def demo_assignments(root="."):
    return list(examples(root).example_term.ASSIGNMENTS)
