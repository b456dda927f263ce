"""The kernel side of the trust line: the only course code a learner's process imports while grading.

Everything here runs where the learner's code runs, so nothing it computes
is trusted: it calls the learner's functions (`calling`, `adapters`,
`values`, `custom_function`), encodes what they return as plain data
(`plain`), and runs one exercise's program and trials in a process of its
own (`trials`, `runner`). It holds no reference, no trial generator and no
judge: those live in `course.checks`, which the grading sandbox does not
let a learner's process read (course.grading.sandbox.confine reads KERNEL_SIDE).
"""

# The parts of the course package a grading kernel or trial process may read, relative to its folder.
# Notebooks import `course.plots`, `course.data`, `course.gradcheck` and `check` from `course.checks`
# (whose __init__ imports nothing: while grading, the grader judges every test cell itself).
KERNEL_SIDE = ("__init__.py", "__pycache__", "kernel", "plots", "data.py", "gradcheck.py",
               "checks/__init__.py")
