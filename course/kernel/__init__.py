"""The kernel side of the trust line: the only course code a learner's process imports while grading.

Everything here runs where the learner's code runs, so nothing it computes
is trusted: it calls the learner's functions (`calling`, `adapters`,
`values`, `custom_function`), encodes what they return as plain data
(`plain`), and runs one exercise's program and trials in a process of its
own (`trials`, `runner`). It holds no reference, no trial generator and no
judge: those live in `course.checks`, which the grading sandbox does not
let a learner's process read (GRADER_SIDE, read by course.grading.sandbox.confine).
"""

# The parts of the course package a grading kernel or trial process may not read, relative to its folder:
# the checks (references, trial generators, judges) and the grader. Notebooks import `check` from
# `course.checks`, whose __init__ stays readable (it imports nothing: while grading, the grader judges
# every test cell itself); everything else (plots, data, these modules) is the kernel's to read.
GRADER_SIDE = ("checks", "grading")
READABLE_IN_GRADER_SIDE = ("checks/__init__.py",)
