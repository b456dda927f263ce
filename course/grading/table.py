"""The class table: every student's score per assignment, from the gradebook, as text (`course table`)."""
from nbgrader.api import MissingEntry

from .course import Course, final_score


def class_table(course, assignment_ids):
    """Rows [student, score of each assignment..., total] as text; failed gradings say "error".

    A "!" marks a submission with integrity findings; they are listed under the
    table, and so are the grading failures with their reasons.
    """
    course = Course.of(course)
    failures = {key: why for key, why in course.grading_failures().items() if key[0] in assignment_ids}
    findings = []
    with course.gradebook() as gb:
        students = sorted(s.id for s in gb.students)
        known = {a.name for a in gb.assignments}
        assignment_ids = [a for a in assignment_ids if a in known]  # one never graded has no column yet
        maxima = [gb.find_assignment(a).max_score for a in assignment_ids]
        rows = []
        for student in students:
            row, total = [student], 0.0
            for assignment_id in assignment_ids:
                if (assignment_id, student) in failures:
                    row.append("error")
                    continue
                try:
                    submission = gb.find_submission(assignment_id, student)
                except MissingEntry:
                    row.append("-")
                    continue
                score = final_score(submission)
                total += score
                manual = " *" if submission.needs_manual_grade else ""
                late = " L" if submission.late_submission_penalty else ""
                found = course.integrity_findings(assignment_id, student)
                findings += [f"  {student} / {assignment_id}, {f['cell']} line {f['line']}: {f['what']}" for f in found]
                row.append(f"{score:g}{late}{manual}{' !' if found else ''}")
            rows.append(row + [f"{total:g}"])
    header = ["student", *(f"{a} (/{m:g})" for a, m in zip(assignment_ids, maxima)), f"total (/{sum(maxima):g})"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = "\n(* : written answers still to be graded by hand in the formgrader; L : late, penalty taken off)"
    if findings:
        legend += "\n(! : signs of tampering the grader found in the code; the cells' scores stand as judged)\n"
        legend += "\n".join(findings)
    if failures:
        legend += "\n(error : not graded; the reasons, from the last grading run)\n"
        legend += "\n".join(f"  {s} / {a}: {why}" for (a, s), why in sorted(failures.items()))
    return "\n".join(lines) + legend
