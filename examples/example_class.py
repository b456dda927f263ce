"""A small example class, graded through nbgrader: what the demo shows and the tests check.

For an assignment, the class has a student who submits the full solution
("solution"), one who submits the untouched student version ("stub"), and
students whose notebooks carry typical mistakes from mistakes/<id>.py: in
the demo one student who gets every other exercise wrong (so the grade table
shows partial credit), in the tests one student per group of mistakes that
touch different cells.
"""
from pathlib import Path

import nbformat

from course.grading import engine, steps
from course.grading.course import Course
from course.grading.mistakes import apply_mistakes, group_disjoint, load_mistakes, read_notebook


def new_course(root, course_root):
    """Make `root` an empty course folder with the course's config and source notebooks."""
    return Course.new(root, course_root).root


def demo_mistakes(mistakes):
    """The demo student's mistakes: the first typical one of every other exercise."""
    seen, first = set(), []
    for mistake in mistakes:
        if mistake.cell not in seen:
            seen.add(mistake.cell)
            first.append(mistake)
    return first[::2]


def submit(root, student, assignment_id, nb):
    folder = Path(root) / "submitted" / student / assignment_id
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{assignment_id}.ipynb"))


def add_submissions(root, course_root, assignment_id, all_mistakes=False):
    """Write the example students' submissions; returns {student: [mistakes it carries]}."""
    source = read_notebook(Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb")
    stub = read_notebook(Path(root) / "release" / assignment_id / f"{assignment_id}.ipynb")
    mistakes = load_mistakes(course_root, assignment_id)
    students = {"solution": [], "stub": []}
    submit(root, "solution", assignment_id, source)
    submit(root, "stub", assignment_id, stub)
    groups = group_disjoint(mistakes) if all_mistakes else [demo_mistakes(mistakes)]
    for number, group in enumerate(g for g in groups if g):
        student = f"mistakes-{number + 1}" if all_mistakes else "mistakes"
        submit(root, student, assignment_id, apply_mistakes(source, group))
        students[student] = group
    return students


def grade(root, course_root, assignment_ids, all_mistakes=False, extra=None, **settings):
    """Release, submit, autograde and give feedback for assignments of the example class.

    `extra` {(assignment_id, student): notebook} adds submissions of other students (each carrying
    no mistake of the catalogue). All submissions are graded in one parallel run
    (course.grading.engine; `settings` are GradingEngine's). Returns {assignment_id: ({student:
    mistakes}, {student: StepResult of autograding})}.
    """
    if isinstance(assignment_ids, str):
        assignment_ids = [assignment_ids]
    # Every assignment of source/ is released by one nbgrader process (nbgrader reads an id as a glob).
    everything = sorted(folder.name for folder in (Path(root) / "source").iterdir() if folder.is_dir())
    for pattern in ["*"] if sorted(assignment_ids) == everything else assignment_ids:
        released = steps.release(root, pattern)
        if not released.ok:
            raise RuntimeError(f"generate_assignment {pattern} failed: {released.message}\n{released.log}")
    classes = {a: add_submissions(root, course_root, a, all_mistakes) for a in assignment_ids}
    for (assignment_id, student), nb in (extra or {}).items():
        if assignment_id in classes:
            submit(root, student, assignment_id, nb)
            classes[assignment_id][student] = []
    results = engine.grade(root, [(a, s) for a, students in classes.items() for s in students], **settings)
    # One nbgrader process gives the feedback of every assignment graded in `root` (nbgrader reads an
    # assignment id as a glob), instead of one process each.
    feedback = steps.generate_feedback(root, next(iter(classes)) if len(classes) == 1 else "*")
    if not feedback.ok:
        raise RuntimeError(f"generate_feedback failed: {feedback.message}\n{feedback.log}")
    return {assignment_id: (students, {s: results[assignment_id, s] for s in students})
            for assignment_id, students in classes.items()}
