"""What the trial processes answered, kept beside each graded notebook so that it can be judged again.

Since the kernel only computes and the grader judges, an answer is plain
data: `answers/<grade_id>.json` holds, per judged test cell, the outcomes exactly as
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
from pathlib import Path
import shutil

from course.checks.core.exercise import Verdict

ANSWERS_FOLDER = "answers"  # beside judge.json: one file per judged test cell, <grade_id>.json


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
    """{grade_id: entry} beside a graded notebook, one file per cell (a regrade of one cell reads one file)."""
    target = Path(folder) / ANSWERS_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for grade_id, entry in answers.items():
        (target / f"{grade_id}.json").write_text(json.dumps(entry))


def read(folder, grade_id):
    """The entry recorded for test cell `grade_id` beside a graded notebook, or None."""
    try:
        data = json.loads((Path(folder) / ANSWERS_FOLDER / f"{grade_id}.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
