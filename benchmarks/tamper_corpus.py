"""What each attack of the course-wide tamper corpus earns, graded as an instructor grades a class.

    .venv/bin/python benchmarks/tamper_corpus.py [ids...]

The corpus (tests/grading/tamper_corpus.py) computes torch's own gradients
under every disguise of issue 23; the solution is graded in the same run as
the control. Prints, per attack, the autograded points it earned out of the
notebook's autograded points and the number of integrity findings in its
judge.json, then the totals. tests/grading/test_tamper_course.py asserts the
same figures (0 points, at least one finding each, the control at full marks).
"""
import argparse
import atexit
import json
from pathlib import Path
import shutil
import sys
import tempfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.grading import engine, steps  # noqa: E402
from course.grading.course import Course  # noqa: E402
from course.grading.mistakes import read_notebook  # noqa: E402
from examples import example_class  # noqa: E402
from tests.grading.tamper_corpus import course_attacks, tampered  # noqa: E402


def points(course, assignment, student):
    scores = [pair for pair in course.cell_scores(assignment, student).values() if pair[0] is not None]
    return sum(s for s, _ in scores), sum(m for _, m in scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="assignments (default: every one the corpus attacks)")
    args = parser.parse_args(argv)
    attacks = {key: code for key, code in course_attacks().items() if not args.ids or key[0] in args.ids}
    root = example_class.new_course(Path(tempfile.mkdtemp(prefix="tamper-corpus-")), ROOT)
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # removed however the benchmark ends
    assignments = sorted({a for a, _ in attacks})
    submissions = []
    for assignment in assignments:
        assert steps.release(root, assignment).ok, assignment
        stub = read_notebook(root / "release" / assignment / f"{assignment}.ipynb")
        example_class.submit(root, "solution", assignment, read_notebook(ROOT / "source" / assignment / f"{assignment}.ipynb"))
        submissions.append((assignment, "solution"))
        for (a, technique), code in attacks.items():
            if a == assignment:
                example_class.submit(root, f"attack-{technique}", assignment, tampered(stub, code))
                submissions.append((assignment, f"attack-{technique}"))
    results = engine.grade(root, submissions, progress=False)
    course = Course.of(root)
    earned = scored = 0
    print(f"{'assignment':22} {'student':26} {'points':>8} findings")
    for assignment, student in submissions:
        if not results[assignment, student].ok:
            print(f"{assignment:22} {student:26} not graded: {results[assignment, student].message}")
            continue
        got, total = points(course, assignment, student)
        record = json.loads((root / "autograded" / student / assignment / "judge.json").read_text())
        print(f"{assignment:22} {student:26} {got:>4g}/{total:<3g} {len(record.get('integrity', []))}")
        if student != "solution":
            earned += got
            scored += got > 0
    print(f"attacks that earned points: {scored} of {len(attacks)}; points earned by attacks: {earned:g}")


if __name__ == "__main__":
    main()
