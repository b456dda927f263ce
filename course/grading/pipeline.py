"""An instructor's round in one call: release, collect, grade, feedback, export, report (and item statistics).

Each step is the one `course <step>` runs (and nbgrader's own commands work
on the same folder between them); `run` chains them for some assignments
and says what each did. A failed step for one assignment or one student
is reported and the others go on.
"""
from dataclasses import dataclass, field

from . import class_report, collect, engine, release, steps
from .course import Course


@dataclass
class Round:
    released: dict = field(default_factory=dict)    # id -> StepResult
    collected: dict = field(default_factory=dict)   # id -> CollectReport
    graded: dict = field(default_factory=dict)      # (id, student) -> StepResult
    feedback: dict = field(default_factory=dict)    # id -> (generated, released) StepResults
    exported: object = None                         # StepResult of nbgrader export
    report: object = None                           # path of the HTML report
    items: object = None                            # path of the item statistics (CSV)


def set_due_dates(root, due_dates):
    """{assignment: "YYYY-MM-DD HH:MM[:SS] UTC"} into the gradebook, where nbgrader's late penalty reads them."""
    with Course.of(root).gradebook() as gb:
        for assignment_id, due in due_dates.items():
            gb.update_or_create_assignment(assignment_id, duedate=due)


def give_feedback(root, assignment_id):
    """Feedback for everyone graded (hidden tests cut out), then handed back: two StepResults."""
    generated = steps.generate_feedback(root, assignment_id)
    return generated, steps.return_feedback(root, assignment_id) if generated.ok else generated


def run(root, assignment_ids, exports, due_dates=None, say=print, **engine_settings):
    """The whole round for `assignment_ids`; `exports` {id: zip or folder} to collect from. A Round."""
    done = Round()
    say(f"release: {len(assignment_ids)} assignment(s)")
    done.released = release.release_assignments(root, assignment_ids)
    ready = [a for a in assignment_ids if done.released[a].ok]
    for assignment_id in assignment_ids:
        if not done.released[assignment_id].ok:
            say(f"  {assignment_id}: {done.released[assignment_id].message}")
    if due_dates:
        set_due_dates(root, {a: due for a, due in due_dates.items() if a in ready})
    for assignment_id in ready:
        done.collected[assignment_id] = collect.collect(root, assignment_id, exports[assignment_id])
        say("collect " + "\n".join(done.collected[assignment_id].lines()))
    submissions = Course.of(root).submissions(ready)
    say(f"grade: {len(submissions)} notebooks")
    done.graded = engine.grade(root, submissions, **engine_settings)
    for (assignment_id, student), result in sorted(done.graded.items()):
        if not result.ok:
            say(f"  {assignment_id} / {student}: not graded: {result.message}")
    for assignment_id in ready:
        done.feedback[assignment_id] = give_feedback(root, assignment_id)
        generated, released = done.feedback[assignment_id]
        say(f"feedback {assignment_id}: generated {generated.message}; returned: {released.message}")
    done.exported = steps.export_grades(root)
    say(f"export: grades.csv {done.exported.message}")
    done.items = class_report.write_items_csv(root, ready)
    done.report = class_report.write_report(root, ready)
    return done
