"""The `course` command: argument parsing only. The work is done by course.api, whose defaults apply.

The grading engine's options are made from GradingEngine's traits (name,
type, help and default), so the command line and nbgrader_config.py cannot
drift apart: an option left out keeps the configured value.
"""
import argparse
from pathlib import Path
import sys

from traitlets import Bool, Enum, Integer, Unicode

from . import api
from .grading.engine import GradingEngine

# GradingEngine's traits the `grade` and `demo` commands offer as options, with their option names.
ENGINE_OPTIONS = {"jobs": "--jobs", "executor": "--executor", "scheduler": "--scheduler",
                  "notebook_timeout": "--timeout", "run_timeout": "--run-timeout"}


def _engine_options(parser):
    """One option per engine trait: its help, type and default (shown) come from the trait."""
    traits = GradingEngine.class_traits(config=True)
    for name, flag in ENGINE_OPTIONS.items():
        trait = traits[name]
        kind = {Integer: int, Unicode: str}.get(type(trait))
        extra = {"choices": trait.values} if isinstance(trait, Enum) else {"type": kind}
        if isinstance(trait, Bool):
            extra = {"action": argparse.BooleanOptionalAction}
        parser.add_argument(flag, dest=name, default=None,
                            help=f"{trait.help} (default: {trait.default_value!r}, or nbgrader_config.py's "
                                 f"GradingEngine.{name})", **extra)


def _engine_settings(args):
    return {name: getattr(args, name) for name in ENGINE_OPTIONS}


def cmd_release(args):
    results = api.release(args.root, args.assignments, check=args.check)
    for assignment_id, result in results.items():
        print(result.message if args.check else f"release/{assignment_id}: {result.message}")
    if args.exchange and not args.check:
        for assignment_id, result in api.release_to_exchange(args.root, [a for a, r in results.items() if r.ok]).items():
            print(f"  {assignment_id} to the exchange: {result.message}")
            results[assignment_id] = result
    return 0 if all(result.ok for result in results.values()) else 1


def cmd_collect(args):
    if args.exchange == bool(args.source):
        sys.exit("collect: give an export or folder to collect from, or --exchange (not both)")
    try:
        report = api.collect(args.assignment, args.source, root=args.root, due=args.due, exchange=args.exchange)
    except api.CollectFailed as error:
        sys.exit(str(error))
    print("\n".join(report.lines()))
    return 0


def cmd_grade(args):
    done = api.grade(args.root, args.assignments, args.student or (), feedback=args.feedback, force=args.force,
                     **_engine_settings(args))
    for (assignment_id, student), result in sorted(done.results.items()):
        said = "graded" if result.message == "ok" else result.message if result.ok else "FAILED: " + result.message
        print(f"{assignment_id} / {student}: {said}")
    for assignment_id, result in done.feedback.items():
        print(f"{assignment_id}: feedback {result.message}")
    if done.skipped:
        print(f"not graded, no submissions: {', '.join(done.skipped)}")
    if done.assignments:
        print()
        print(api.table(args.root, done.assignments))
    return 0 if all(result.ok for result in done.results.values()) else 1


def cmd_regrade(args):
    result = api.regrade(args.root, args.assignments, cell=args.cell, dry_run=args.dry_run, **_engine_settings(args))
    print("\n".join(result.lines()))
    if args.dry_run:
        print("(dry run: nothing was written)")
    return 0 if all(r.ok for r in result.graded_again.values()) else 1


def cmd_feedback(args):
    status = 0
    for assignment_id, (generated, released) in api.feedback(args.root, args.assignments).items():
        print(f"{assignment_id}: feedback generated: {generated.message}; returned: {released.message}")
        status |= not (generated.ok and released.ok)
    return status


def cmd_export(args):
    result = api.export(args.root, args.to)
    print(f"{args.to}: {result.message}")
    return 0 if result.ok else 1


def cmd_report(args):
    if args.checks and not args.student:
        sys.exit("course report: --checks reads one learner's records: give --student NAME too")
    if args.student:
        print(api.student_report(args.student, args.root, args.assignments, args.to, args.checks))
        return 0
    print(api.report(args.root, args.assignments, args.to, args.items_csv))
    if args.items_csv:
        print(args.items_csv)
    return 0


def cmd_table(args):
    print(api.table(args.root, args.assignments))
    return 0


def cmd_demo(args):
    done = api.demo(args.root, args.into, say=lambda text: print(text, flush=True), **_engine_settings(args))
    print()
    print(api.table(done.folder, api.demo_assignments(args.root)))
    print(f"\n{len(done.expected) - len(done.wrong)} of {len(done.expected)} submissions scored as expected "
          f"({args.into}/expected_scores.json)" + "".join(f"\n  {line}" for line in done.wrong))
    print(f"Feedback: {args.into}/feedback/<student>/<assignment>/; grades: {args.into}/grades.csv")
    print(f"Item statistics: {Path(args.into) / done.round.items.name}")
    print(f"Report: {Path(args.into) / done.round.report.name}")
    return 1 if done.wrong or not done.round.exported.ok else 0


def cmd_hub(args):
    students = [s for s in args.students.split(",") if s]
    return api.hub(args.root, port=args.port, students=students, prefix=args.prefix, release=args.release or ())


def cmd_check(args):
    return api.check(args.notebook, seed=args.seed, reveal=args.reveal, root=args.root, record=args.record)


def parser():
    parser = argparse.ArgumentParser(prog="course", description="Release, grade and report the course.")
    parser.add_argument("--root", default=".", help="the course folder (default: the current one)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="lint source/<id>/, then generate release/<id>/ from it with nbgrader")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--check", action="store_true",
                   help="generate into a temporary folder and report whether the committed release/ is current")
    p.add_argument("--exchange", action="store_true",
                   help="then put it into nbgrader's exchange for students to fetch (nbgrader release_assignment)")
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="autograde submitted/ (each student in a sandboxed kernel) and print grades")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    _engine_options(p)
    p.add_argument("--no-feedback", dest="feedback", action="store_false", help="skip generate_feedback")
    p.add_argument("--force", action="store_true", help="grade again what was graded before and has not changed "
                                                        "(by default a run grades only what is not graded yet)")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("regrade", help="judge the recorded answers again with today's checks, without a kernel; "
                                       "write the changed scores, verdicts and feedback")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--cell", help="only this test cell (its grade_id)")
    p.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
    _engine_options(p)
    p.set_defaults(run=cmd_regrade)

    p = sub.add_parser("collect", help="collect one assignment from an LMS zip export or a folder into submitted/, "
                                       "checked against the roster")
    p.add_argument("assignment", help="assignment id")
    p.add_argument("source", nargs="?", help="a .zip export (Canvas, Moodle) or a folder (<student>/<file>)")
    p.add_argument("--exchange", action="store_true",
                   help="collect from nbgrader's exchange instead (what students submitted on JupyterHub)")
    p.add_argument("--due", help='set the due date first, e.g. "2026-12-10 17:00 UTC" (late work is penalised)')
    p.set_defaults(run=cmd_collect)

    p = sub.add_parser("feedback", help="generate the feedback (without hidden tests) and hand it back")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("export", help="export the grades as CSV (nbgrader's exporter)")
    p.add_argument("--to", default="grades.csv", help="the CSV file (default: %(default)s)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("report", help="write the HTML class report (scores, pass rates, diagnoses, "
                                      "misconceptions, item analysis, what is left)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--to", help="the HTML file (default: class_report.html, or study_plan_<ID>.html with "
                                "--student, in the course folder)")
    p.add_argument("--items-csv", metavar="PATH", help="also write the item statistics of every test cell "
                                                       "(difficulty, discrimination, alpha) as CSV to PATH")
    p.add_argument("--student", metavar="ID", help="write this student's page instead: the misconceptions they "
                                                   "showed, where, and the sections to reread (a study plan)")
    p.add_argument("--checks", metavar="FOLDER", help="with --student: read a self-learner's `course check "
                                                      "--record` records under FOLDER instead of the gradebook")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("table", help="print the grade table from the gradebook")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("demo", help="the bundled example class's whole round: release, collect from zips, "
                                    "grade, feedback, export, report")
    p.add_argument("--into", default="demo", help="folder for the example class (default: %(default)s)")
    _engine_options(p)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("check", help="check your own notebook as grading will: a fresh sandboxed kernel, "
                                      "the example and randomized hidden trials of every exercise, points")
    p.add_argument("notebook", help="the notebook to check, e.g. release/01_randn/01_randn.ipynb")
    p.add_argument("--seed", type=int, default=0, help="seed of the hidden trials (default: a fresh one each run)")
    p.add_argument("--reveal", action="store_true", help="also show torch's answers to the predictions and the "
                                                         "model answers of the written questions (self-study)")
    p.add_argument("--record", action="store_true", help="keep this run in course_check.json beside the notebook, "
                                                         "for `course report --student NAME --checks FOLDER`")
    p.set_defaults(run=cmd_check)

    from .hub import STUDENTS
    p = sub.add_parser("hub", help="a JupyterHub of the course on 127.0.0.1 to try the exchange round: local "
                                   "users (an instructor, students), nbgrader's exchange; Ctrl-C removes it (root)")
    p.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1 (default: %(default)s)")
    p.add_argument("--students", default=",".join(STUDENTS),
                   help="student names, comma-separated (default: %(default)s)")
    p.add_argument("--prefix", default="course-", help="put before every user's name (default: %(default)s)")
    p.add_argument("--release", action="append", help="put this assignment into the exchange at once (repeatable)")
    p.set_defaults(run=cmd_hub)
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except api.UnknownAssignment as error:
        sys.exit(str(error))
    except KeyboardInterrupt:
        print("\ninterrupted: nothing graded is lost; run the same command again to go on", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
