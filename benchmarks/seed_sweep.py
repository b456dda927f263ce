"""Does every solution in source/ pass its hidden trials for many seeds, not just this run's?

Hidden trials are drawn from a fresh seed per grading run, so a trial that a
right answer fails one time in fifty (rounding, an unlucky shape) fails some
student in every large class. This runs each source notebook's solution cells
in-process, then judges every registered exercise on `--seeds` seeds.

    .venv/bin/python benchmarks/seed_sweep.py --seeds 200 [--alternatives] [assignment ...]

With `--alternatives`, the notebook swept is the solution with the cells of
mistakes/alternatives.py written another way (all of an assignment's at
once, as the example class hands them in): they must pass as the solution does.
Prints, per exercise, the seeds that failed and the first message; exits 1 if any did.
"""
import argparse
import pathlib
import runpy
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from course.checks.sweep import sweep_notebook  # noqa: E402
from course.grading.mistakes import apply_mistakes, read_notebook  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--alternatives", action="store_true",
                        help="sweep the correct answers of mistakes/alternatives.py instead of the solutions")
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    folders = sorted((ROOT / "source").iterdir())
    chosen = [f for f in folders if not args.assignments or f.name in args.assignments]
    failed = False
    alternatives = {}
    if args.alternatives:
        alternatives = runpy.run_path(str(ROOT / "mistakes" / "alternatives.py"))["ALTERNATIVES"]
        chosen = [f for f in chosen if f.name in alternatives]
    for folder in chosen:
        started = time.perf_counter()
        path = next(folder.glob("*.ipynb"))
        nb = read_notebook(path)
        if args.alternatives:
            nb = apply_mistakes(nb, alternatives[folder.name])
        results = sweep_notebook(nb, str(path), range(args.seeds))
        written = f" (written another way: {', '.join(a.name for a in alternatives[folder.name])})" if args.alternatives else ""
        print(f"{folder.name}{written}: {len(results)} exercises x {args.seeds} seeds in "
              f"{time.perf_counter() - started:.1f} s")
        for grade_id, failures in results.items():
            if failures:
                failed = True
                seed, message = failures[0]
                print(f"  {grade_id}: {len(failures)} seeds failed, e.g. seed {seed}: {message[:300]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
