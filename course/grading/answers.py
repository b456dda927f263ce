"""What the trial processes answered, kept beside each graded notebook so that it can be judged again.

Since the kernel only computes and the grader judges, an answer is plain
data: `answers.json` holds, per judged test cell, the outcomes exactly as
received (already size-capped by the channel), a fingerprint of the request
(the exercise, its adapter, every trial's inputs, and the program that ran)
and a fingerprint of the checks that judged it. Nothing in it can change a
grade unless the grader reads it as data: `course regrade`
(course.grading.regrade) rebuilds the trials from the recorded seed, and only
where the request's fingerprint is the same does it judge the recorded
outcomes with today's checks.
"""
from functools import lru_cache
import hashlib
import json
import os
from pathlib import Path

from course.checks.core.exercise import Verdict

ANSWERS_FILE = "answers.json"


def _digest(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def request_fingerprint(exercise, program, trials):
    """Everything that decides what the trial process answers: the request and the learner's program."""
    return _digest({"request": exercise.request(trials), "program": program.message()})


@lru_cache(maxsize=1)
def checks_fingerprint():
    """The source of every check (course/checks): whether the checks that judged a cell have changed since."""
    import course.checks

    folder = Path(course.checks.__file__).parent
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*.py")))).hexdigest()[:16]


def entry(exercise, program, trials, outcomes):
    """One judged cell's record: its fingerprints and the outcomes (or why there were none)."""
    return {"request": request_fingerprint(exercise, program, trials), "checks": checks_fingerprint(),
            **({"problem": outcomes.message, "error": outcomes.error} if isinstance(outcomes, Verdict)
               else {"outcomes": outcomes})}


def write(folder, answers):
    with open(os.path.join(folder, ANSWERS_FILE), "w") as out:
        json.dump(answers, out)


def read(folder):
    """{grade_id: entry} recorded beside a graded notebook, or {} if there is none or it cannot be read."""
    try:
        data = json.loads((Path(folder) / ANSWERS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
