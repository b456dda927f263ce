"""The `course` command: argument parsing only; the work is done in course.grading."""
import argparse
from pathlib import Path
import shutil
import sys

from .grading import (class_report, collect, engine, exchange, example_term, executors, pipeline, release, selfcheck,
                      steps)
from .grading.report import class_table
from . import hub


def _ids(root, given):
    known = steps.assignment_ids(root)
    unknown = sorted(set(given) - set(known))
    if unknown:
        sys.exit(f"unknown assignment(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return given or known


def cmd_release(args):
    ids = _ids(args.root, args.assignments)
    if args.check:
        results = release.check_releases(args.root, ids)
        for result in results.values():
            print(result.message)
    else:
        results = release.release_assignments(args.root, ids)
        for assignment_id, result in results.items():
            print(f"release/{assignment_id}: {result.message}")
            if args.exchange and result.ok:
                results[assignment_id] = exchange.release_assignment(args.root, assignment_id)
                print(f"  to the exchange: {results[assignment_id].message}")
    return 0 if all(result.ok for result in results.values()) else 1


def _engine_settings(args):
    return {"jobs": args.jobs, "executor": args.executor, "scheduler": args.scheduler,
            "notebook_timeout": args.timeout, "run_timeout": args.run_timeout}


def cmd_collect(args):
    if args.due:
        pipeline.set_due_dates(args.root, {args.assignment: args.due})
    if args.exchange == bool(args.source):
        sys.exit("collect: give an export or folder to collect from, or --exchange (not both)")
    try:
        report = (exchange.collect(args.root, args.assignment) if args.exchange
                  else collect.collect(args.root, args.assignment, args.source))
    except exchange.CollectFailed as error:
        sys.exit(str(error))
    print("\n".join(report.lines()))
    return 0


def cmd_grade(args):
    ids = _ids(args.root, args.assignments)
    submissions = [(a, s) for a, s in engine.all_submissions(args.root, ids) if not args.student or s in args.student]
    results = engine.grade(args.root, submissions, **_engine_settings(args))
    for (assignment_id, student), result in sorted(results.items()):
        print(f"{assignment_id} / {student}: {'graded' if result.ok else 'FAILED: ' + result.message}")
    if args.feedback:
        for assignment_id in ids:
            print(f"{assignment_id}: feedback {steps.generate_feedback(args.root, assignment_id).message}")
    print()
    print(class_table(args.root, ids))
    return 0 if all(result.ok for result in results.values()) else 1


def cmd_feedback(args):
    status = 0
    for assignment_id in _ids(args.root, args.assignments):
        generated, released = pipeline.give_feedback(args.root, assignment_id)
        print(f"{assignment_id}: feedback generated: {generated.message}; returned: {released.message}")
        status |= not (generated.ok and released.ok)
    return status


def cmd_export(args):
    result = steps.export_grades(args.root, args.to)
    print(f"{args.to}: {result.message}")
    return 0 if result.ok else 1


def cmd_report(args):
    print(class_report.write_report(args.root, _ids(args.root, args.assignments), args.to))
    return 0


def cmd_table(args):
    print(class_table(args.root, _ids(args.root, args.assignments)))
    return 0


def cmd_demo(args):
    """The example class's whole round (course.grading.example_term), in a fresh folder."""
    root = Path(args.root)
    demo = root / args.into
    shutil.rmtree(demo, ignore_errors=True)
    example_term.new_term(demo, root)
    submissions = example_term.plan(root)
    expected = example_term.expected(root, submissions)
    example_term.write_expected(demo, expected)
    exports = example_term.write_exports(demo, submissions)
    print(f"The example class: {len(example_term.ROSTER.students)} students on the roster, "
          f"{len(submissions)} submissions in {len(exports)} LMS exports ({args.into}/exports/)", flush=True)
    done = pipeline.run(demo, list(example_term.ASSIGNMENTS), exports, due_dates=example_term.due_dates(),
                        **_engine_settings(args))
    print()
    print(class_table(demo, list(example_term.ASSIGNMENTS)))
    wrong = example_term.compare(demo, expected)
    print(f"\n{len(expected) - len(wrong)} of {len(expected)} submissions scored as expected "
          f"({args.into}/expected_scores.json)" + "".join(f"\n  {line}" for line in wrong))
    print(f"Feedback: {args.into}/feedback/<student>/<assignment>/; grades: {args.into}/grades.csv")
    print(f"Report: {Path(args.into) / done.report.name}")
    return 1 if wrong or not done.exported.ok else 0


def cmd_hub(args):
    students = [s for s in args.students.split(",") if s]
    return hub.serve(args.root, port=args.port, students=students, prefix=args.prefix, release=args.release or ())


def cmd_check(args):
    return selfcheck.run(args.notebook, seed=args.seed, reveal=args.reveal, root=args.root)


def _engine_options(parser):
    """Options of the grading engine; left out, GradingEngine's setting applies (nbgrader_config.py)."""
    default = {name: trait.default_value for name, trait in engine.GradingEngine.class_traits(config=True).items()}
    parser.add_argument("--jobs", type=int, help="notebooks graded at once (default: this machine's cores)")
    parser.add_argument("--executor", choices=executors.EXECUTORS,
                        help=f"local worker processes, or Dask's scheduler (default: {default['executor']})")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler "
                                            "(default: a LocalCluster, with --executor dask)")
    parser.add_argument("--timeout", type=int, help="seconds one student's notebook may take in all "
                                                    f"(default: {default['notebook_timeout']})")
    parser.add_argument("--run-timeout", type=int, help="seconds the whole run may take "
                                                        f"(default: {default['run_timeout']}, no limit)")


def main(argv=None):
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
    p.set_defaults(run=cmd_grade)

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

    p = sub.add_parser("report", help="write the HTML class report (scores, pass rates, diagnoses, what is left)")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--to", help=f"the HTML file (default: {class_report.REPORT_FILE} in the course folder)")
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
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("hub", help="a JupyterHub of the course on 127.0.0.1 to try the exchange round: local "
                                   "users (an instructor, students), nbgrader's exchange; Ctrl-C removes it (root)")
    p.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1 (default: %(default)s)")
    p.add_argument("--students", default=",".join(hub.STUDENTS),
                   help="student names, comma-separated (default: %(default)s)")
    p.add_argument("--prefix", default="course-", help="put before every user's name (default: %(default)s)")
    p.add_argument("--release", action="append", help="put this assignment into the exchange at once (repeatable)")
    p.set_defaults(run=cmd_hub)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
