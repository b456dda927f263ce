"""Does every solution in source/ pass its hidden trials for many seeds, not just this run's?

Hidden trials are drawn from a fresh seed per grading run, so a trial that a
right answer fails one time in fifty (rounding, an unlucky shape) fails some
student in every large class. This runs each source notebook's solution cells
in-process, then judges every registered exercise on `--seeds` seeds.

    .venv/bin/python benchmarks/seed_sweep.py --seeds 200 [assignment ...]

Prints, per exercise, the seeds that failed and the first message; exits 1 if any did.
"""
import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from course.checks.sweep import sweep_assignment  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    folders = sorted((ROOT / "source").iterdir())
    chosen = [f for f in folders if not args.assignments or f.name in args.assignments]
    failed = False
    for folder in chosen:
        started = time.perf_counter()
        results = sweep_assignment(next(folder.glob("*.ipynb")), range(args.seeds))
        print(f"{folder.name}: {len(results)} exercises x {args.seeds} seeds in {time.perf_counter() - started:.1f} s")
        for grade_id, failures in results.items():
            if failures:
                failed = True
                seed, message = failures[0]
                print(f"  {grade_id}: {len(failures)} seeds failed, e.g. seed {seed}: {message[:300]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
