"""An exercise's checks as data: its trials, run in the learner's kernel or judged by the grader.

An `Exercise` names the learner's function, how the kernel calls it (an
adapter of `course.kernel.runner`), its visible example trials and a
generator of randomized hidden trials. Each `Trial` holds the inputs, sent
to the kernel as plain data, and a `judge` that receives the kernel's output
(rebuilt from plain data) and raises an AssertionError with the diagnosis.

In JupyterLab a test cell calls `check(grade_id, fn)`: trials, call and
judgement all run in the kernel, as instant advice. During autograding the
grader (course.grading.plugins.trusted_execute) builds the same trials in its own process,
sends only their inputs to the kernel and judges the outputs itself.

Either way, a failed verdict carries the ids of the misconceptions its diagnosis shows
(course.checks.core.misconceptions: none when the diagnosis cannot tell the cause), and its
message ends with each one's name and the notebook section to reread.
"""
from dataclasses import dataclass, field
import random
import zlib

from course.kernel import plain
from . import misconceptions


@dataclass
class Trial:
    """One call of the learner's function and how to judge what it returns."""

    args: tuple = ()
    judge: object = None           # judge(output): raises AssertionError naming what is wrong
    kwargs: dict = field(default_factory=dict)
    case: str = ""                 # prefixed to a diagnosis, e.g. "for x of shape (2, 3)"


@dataclass
class Verdict:
    passed: bool
    message: str
    diagnosis: str = ""            # the message without the trial's case: what the class report counts
    refused: bool = False          # the code was refused by reading (an allow-list), never run
    error: str = "AssertionError"  # the name a failed verdict is shown under in the cell
    misconceptions: tuple = ()     # ids of the misconceptions the diagnosis shows (core/misconceptions.toml)

    def record(self):
        """What judge.json keeps of this verdict."""
        return {"passed": self.passed, "message": self.message, "diagnosis": self.diagnosis or self.message,
                "misconceptions": list(self.misconceptions)}


@dataclass
class Exercise:
    """The checks of one graded test cell (its grade_id) on one learner function."""

    grade_id: str
    function: str                  # the learner's name for it in the notebook
    visible: object                # () -> [Trial]: the example the learner can read
    hidden: object                 # (seed) -> [Trial]: randomized trials, edge cases included
    by_hand: bool = False          # autograd forbidden: the kernel guards the call, the grader reads the code
    rule: str = ""                 # the allow-list its code is read with (course.grading.reading.allowlist):
                                   # "tensors" (by_hand's default), "python" or "written"; "" for none
    adapter: str = "call"          # how the kernel runs one trial (course.kernel.runner.ADAPTERS)

    @property
    def reading(self):
        """The allow-list rule the grader reads this exercise's code with, or "" (no allow-list)."""
        return self.rule or ("tensors" if self.by_hand else "")

    def request(self, trials):
        """What the kernel needs to run `trials`: plain data, no references, no judges.

        Tensors keep their layout: a trial may give a transposed or expanded input (course.kernel.plain).
        """
        return {"function": self.function, "adapter": self.adapter, "by_hand": self.by_hand,
                "trials": [{"args": plain.encode(list(t.args), keep_layout=True),
                            "kwargs": plain.encode(dict(t.kwargs), keep_layout=True)}
                           for t in trials]}

    def judge(self, trials, outcomes, label):
        """The verdict on `outcomes` (one {"value"} or {"error"} per trial), read as plain data."""
        if not isinstance(outcomes, list) or len(outcomes) != len(trials):
            return Verdict(False, f"{self.function}: the checks got no usable answer from the notebook "
                                  "(did the kernel stop, or the function print instead of return?).")
        notes = _notes(outcomes)
        for trial, outcome in zip(trials, outcomes):
            failure = _failure(trial, outcome)
            if failure:
                shown = misconceptions.shown_by(failure, self.grade_id)
                return Verdict(False, (f"{trial.case}: {failure}" if trial.case else failure) + notes
                               + misconceptions.reread_lines(shown), failure, misconceptions=shown)
        return Verdict(True, label(len(trials)) + notes)

    def visible_label(self, count):
        return f"{self.function}: the example{'s are' if count > 1 else ' is'} right."

    def hidden_label(self, count):
        return f"{self.function}: all {count} hidden trials passed."


def _notes(outcomes):
    """The learner function's warnings the kernel noted, once each, as lines to add to a verdict."""
    seen = []
    for outcome in outcomes:
        for note in (outcome.get("notes") if isinstance(outcome, dict) else None) or []:
            if isinstance(note, str) and note[:500] not in seen and len(seen) < 3:
                seen.append(note[:500])
    return "".join(f"\n{note}" for note in seen)


def _failure(trial, outcome):
    """None if the trial passed, else the diagnosis."""
    if not isinstance(outcome, dict) or not ({"value", "error"} & set(outcome)):
        return "the notebook's answer to this trial could not be read."
    if "error" in outcome:
        return str(outcome["error"])[:4000]
    try:
        trial.judge(plain.decode(outcome["value"]))
    except AssertionError as error:
        return str(error)
    except Exception as error:  # a reply no right answer gives (NaN where a count belongs, a wrong type deep inside)
        return (f"the notebook's answer to this trial could not be read ({type(error).__name__}: "
                f"{str(error)[:200]}): return what the exercise asks for.")
    return None


def trial_seed(run_seed, grade_id):
    """Each exercise's own seed, derived from the run's secret seed."""
    return (run_seed * 7919 + zlib.crc32(grade_id.encode())) % 2 ** 40


def fresh_seed():
    return random.SystemRandom().randrange(1, 2 ** 40)
