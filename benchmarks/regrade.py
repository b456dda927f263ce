"""Regrading from the recorded answers against grading again, on the example class and on 300 students.

    .venv/bin/python benchmarks/regrade.py [--assignment 03_backward] [--students 300] [--cell relu_backward_tests]
                                          [--changed-cell tanh_backward_tests]

1. The example class of one assignment (its solution, stub and every group of
   typical mistakes, mistakes/<id>.py) is graded with the engine (`course
   grade`), then regraded (`course regrade`) with no check changed: the
   grades must be equal, and the times are compared.
2. A real change to a check: the exercise `--changed-cell` gets a tolerance
   1000 times tighter (its comparison's relative and absolute tolerances), and
   the class is regraded (dry run): the changed verdicts are printed.
3. A synthetic class of `--students` students: the graded submissions are
   copied, records and gradebook rows included (nbgrader's API), and one
   exercise (`--cell`) of all of them is regraded.
4. The same class, every exercise of the assignment regraded.
Grading the synthetic class again is not run: its time is extrapolated from
part 1's seconds per notebook (grading time grows linearly with the class).
Prints the figures; asserts nothing but the equality of part 1.
"""
import argparse
import atexit
from pathlib import Path
import shutil
import tempfile
import time

ROOT = Path(__file__).resolve().parents[1]


def _example_class(assignment):
    from course import api
    from course.grading import steps

    example_class = api.examples(ROOT).example_class  # the example class lives beside mistakes/
    root = example_class.new_course(Path(tempfile.mkdtemp(prefix="course-regrade-")), ROOT)
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # removed however the benchmark ends
    assert steps.release(root, assignment).ok
    students = example_class.add_submissions(root, ROOT, assignment, all_mistakes=True)
    return root, sorted(students)


def _scores(course, assignment, students):
    return {s: course.cell_scores(assignment, s) for s in students}


def _synthetic_class(course, assignment, templates, count):
    """`count` students copied round-robin from the graded `templates`: folders, records and gradebook rows."""
    names = [f"synthetic-{n:03}" for n in range(count)]
    with course.gradebook() as gb:
        for n, name in enumerate(names):
            template = templates[n % len(templates)]
            for kind in ("submitted", "autograded"):
                shutil.copytree(course.folder(kind, assignment, template), course.folder(kind, assignment, name))
            gb.update_or_create_student(name)
            submission = gb.add_submission(assignment, name)
            source = gb.find_submission(assignment, template)
            wanted = {g.name: g.auto_score for nb in source.notebooks for g in nb.grades}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = wanted.get(grade.name)
        gb.db.commit()
    return names


def _tightened(exercise, factor=1e-3):
    """`exercise` with its trials' comparisons 1000 times stricter (the same inputs, so the same request)."""
    import dataclasses

    from course.checks.core import compare

    def judge_with(trial):
        def judge(got):
            original = dict(compare.TOLERANCES)
            compare.TOLERANCES.update({dtype: (rtol * factor, atol * factor) for dtype, (rtol, atol) in original.items()})
            try:
                return trial.judge(got)
            finally:
                compare.TOLERANCES.update(original)
        return dataclasses.replace(trial, judge=judge)
    return dataclasses.replace(exercise, visible=lambda: [judge_with(t) for t in exercise.visible()],
                               hidden=lambda seed: [judge_with(t) for t in exercise.hidden(seed)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="03_backward")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--cell", default="relu_backward_tests")
    parser.add_argument("--changed-cell", default="tanh_backward_tests")
    parser.add_argument("--keep", action="store_true", help="keep the class's folder and print where it is")
    args = parser.parse_args()

    from course import api
    from course.checks import registry
    from course.grading import engine
    from course.grading.course import Course

    root, students = _example_class(args.assignment)
    course = Course(root)
    start = time.perf_counter()
    graded = engine.grade(course, course.submissions([args.assignment]), progress=False)
    grade_seconds = time.perf_counter() - start
    assert all(r.ok for r in graded.values()), {k: r.message for k, r in graded.items() if not r.ok}
    before = _scores(course, args.assignment, students)
    start = time.perf_counter()
    result = api.regrade(root, [args.assignment])
    regrade_seconds = time.perf_counter() - start
    assert result.changes == [] and result.again == {} and _scores(course, args.assignment, students) == before
    print(f"1. example class of {args.assignment}: {len(students)} submissions, {result.judged} judged cells")
    print(f"   grade  : {grade_seconds:7.2f} s   (course grade, {engine.defaults(course).jobs} workers)")
    print(f"   regrade: {regrade_seconds:7.2f} s   (course regrade, no kernel), grades equal: yes")
    print(f"   {grade_seconds / regrade_seconds:.0f} times faster")

    exercise = registry.EXERCISES[args.changed_cell]
    registry.EXERCISES[args.changed_cell] = _tightened(exercise)
    start = time.perf_counter()
    changed = api.regrade(root, [args.assignment], cell=args.changed_cell, dry_run=True)
    seconds = time.perf_counter() - start
    print(f"2. {args.changed_cell} with tolerances 1000 times tighter: {len(changed.changes)} verdict(s) change "
          f"({seconds:.2f} s, dry run)")
    for line in changed.lines()[:-1][:5]:
        print(f"   {line.splitlines()[0][:200]}")
    registry.EXERCISES[args.changed_cell] = exercise

    names = _synthetic_class(course, args.assignment, students, args.students)
    start = time.perf_counter()
    synthetic = api.regrade(root, [args.assignment], cell=args.cell)
    seconds = time.perf_counter() - start
    print(f"3. {len(names) + len(students)} students, one exercise ({args.cell}): regraded in {seconds:.2f} s "
          f"({synthetic.judged} cells judged, {len(synthetic.changes)} changed, {len(synthetic.again)} graded again)")
    again = grade_seconds / len(students) * (len(names) + len(students))
    print(f"   grading them again would take about {again:.0f} s at the rate of part 1: {again / seconds:.0f} times longer")
    start = time.perf_counter()
    everything = api.regrade(root, [args.assignment])
    seconds = time.perf_counter() - start
    print(f"4. the same class, every exercise: regraded in {seconds:.2f} s ({everything.judged} cells judged, "
          f"{len(everything.changes)} changed): {again / seconds:.0f} times faster than grading again")
    if args.keep:
        print(f"the class: {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
