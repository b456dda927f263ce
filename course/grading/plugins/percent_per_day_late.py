"""The course's late-submission penalty, as a plugin of nbgrader's AssignLatePenalties.

nbgrader compares each submission's timestamp.txt with the assignment's due
date in the gradebook (set it in the formgrader's "Manage Assignments", or
with `nbgrader db assignment add <id> --duedate="2026-12-10 17:00 UTC"`) and
asks this plugin for each notebook's penalty.
"""
import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PercentPerDayLate(LateSubmissionPlugin):
    """A share of the notebook's score per day late, every started day counting, up to all of it."""

    percent_per_day = Float(10.0, help="Percent of the score lost per day (or part of a day) late").tag(config=True)
    grace_minutes = Float(5.0, help="Minutes after the due date that do not count as late").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        late = total_seconds_late - 60 * self.grace_minutes
        if late <= 0:
            return None
        days = math.ceil(late / 86400)
        penalty = min(score, score * self.percent_per_day * days / 100)
        self.log.info("%s: %d day(s) late, penalty %g of %g", student_id, days, penalty, score)
        return penalty
