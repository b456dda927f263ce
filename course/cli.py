"""The `course` command: argument parsing only; the work is done in course.grading."""
import argparse
from pathlib import Path
import shutil
import sys

from .grading import engine, example_class, executors, release, selfcheck, steps
from .grading.report import class_table


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
    return 0 if all(result.ok for result in results.values()) else 1


def _engine_settings(args):
    return {"jobs": args.jobs, "executor": args.executor, "scheduler": args.scheduler,
            "notebook_timeout": args.timeout, "run_timeout": args.run_timeout}


def cmd_grade(args):
    ids = _ids(args.root, args.assignments)
    submissions = [(a, s) for a, s in engine.all_submissions(args.root, ids) if not args.student or s in args.student]
    results = engine.grade(args.root, submissions, **_engine_settings(args))
    failures = {key: result.message for key, result in sorted(results.items()) if not result.ok}
    for (assignment_id, student), result in sorted(results.items()):
        print(f"{assignment_id} / {student}: {'graded' if result.ok else 'FAILED: ' + result.message}")
    if args.feedback:
        for assignment_id in ids:
            print(f"{assignment_id}: feedback {steps.generate_feedback(args.root, assignment_id).message}")
    print()
    print(class_table(args.root, ids, failures))
    return 1 if failures else 0


def cmd_table(args):
    print(class_table(args.root, _ids(args.root, args.assignments)))
    return 0


def cmd_demo(args):
    root = Path(args.root)
    status = cmd_release(argparse.Namespace(root=root, assignments=[], check=False))
    demo = root / args.into
    shutil.rmtree(demo, ignore_errors=True)
    example_class.new_course(demo, root)
    ids = steps.assignment_ids(root)
    print(f"grading the example class on {len(ids)} assignments ...", flush=True)
    graded = example_class.grade(demo, root, ids, **_engine_settings(args))
    failures = {(a, s): r.message for a, (_, results) in graded.items() for s, r in results.items() if not r.ok}
    print()
    print(class_table(demo, ids, failures))
    print(f"\nFeedback for each student: {args.into}/feedback/<student>/<assignment>/<assignment>.html")
    return status or (1 if failures else 0)


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
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("grade", help="autograde submitted/ (each student in a sandboxed kernel) and print grades")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    _engine_options(p)
    p.add_argument("--no-feedback", dest="feedback", action="store_false", help="skip generate_feedback")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("table", help="print the grade table from the gradebook")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=cmd_table)

    p = sub.add_parser("demo", help="release everything, then grade the bundled example class")
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

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
