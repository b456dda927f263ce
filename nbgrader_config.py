"""nbgrader settings of the course. Our own grading settings are traitlets and live here too.

`nbgrader generate_config` documents every option; only what differs from
nbgrader's defaults is set here.
"""
import os

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.CourseDirectory.course_id = "torch-gradients"

# The gradebook: SQLite in the course folder unless COURSE_GRADEBOOK_URL names
# another database (any SQLAlchemy URL, e.g. postgresql://user@host/gradebook).
if os.environ.get("COURSE_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["COURSE_GRADEBOOK_URL"]

# What a learner sees in place of a solution: what to do, not a bare traceback.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE: replace the line below with your solution, then run this cell.\n"
              'raise NotImplementedError("Not written yet: replace this line with your solution.")'
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE: double-click this cell and write your answer."

# Execution: a cell (or an exercise's trial process) that runs longer than this is interrupted
# and scores 0; the cells after it still run. Every kernel starts in the course sandbox
# (SandboxedExecute: 8 GiB, files of 256 MiB, one thread, 64 processes by default), and every
# test cell with an exercise in course.checks is judged by the grader, outside the kernel
# (course/grading/plugins/trusted_execute.py). TrustedExecute.seed pins the hidden trials' seed
# (0: a secret one per run, recorded in judge.json).
c.Execute.timeout = 60
c.Autograde.autograde_preprocessors = [
    "course.grading.plugins.trusted_execute.TrustedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.grading.plugins.cap_outputs.CapOutputs",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    # After each written answer, its model answer from source/ for the graders (the formgrader shows it).
    "course.grading.plugins.add_model_answers.AddModelAnswers",
]

# Late work: nbgrader compares timestamp.txt with the due date in the gradebook
# (formgrader, "Manage Assignments") and this plugin sets the penalty: by default 10% of the
# score per started day late, after 5 minutes of grace (PercentPerDayLate.percent_per_day,
# .grace_minutes).
c.AssignLatePenalties.plugin_class = "course.grading.plugins.percent_per_day_late.PercentPerDayLate"

# Collecting: the class list is roster.csv (Collect.roster), and `nbgrader zip_collect` reads
# Canvas, Moodle and plain-folder file names as `course collect` does.
c.ZipCollectApp.collector_plugin = "course.grading.plugins.lms_file_names.LmsFileNames"

# nbgrader scores a test cell with any stderr output as 0. Test cells print
# warnings on stdout (course.checks), and this removes any warning that still
# reaches stderr, so a correct answer never loses points to a torch UserWarning.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\w*Warning: "

# Feedback shows which checks failed and why, never the hidden tests.
c.GenerateFeedback.preprocessors = [
    "course.grading.plugins.remove_model_answers.RemoveModelAnswers",
    "course.grading.plugins.hide_hidden_tests.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The same page as nbconvert's HTMLExporter, rendered in one pass: a third of the time.
c.GenerateFeedback.exporter_class = "course.grading.plugins.feedback_exporter.FeedbackExporter"

# The model answers the graders see stay out of the feedback; to show them to the students too
# (after the deadline):
# c.ModelAnswers.in_feedback = True

# A test cell the learner deleted is put back and run, instead of leaving the
# submission waiting for a manual grade.
c.OverwriteCells.add_missing_cells = True

# `course check --reveal` shows a learner torch's answers to the prediction exercises and the
# model answers of the written questions (course/grading/selfcheck.py). In a graded class,
# turn it off until the deadline:
# c.SelfCheck.reveal = False
