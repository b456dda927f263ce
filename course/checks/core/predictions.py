"""Check a learner's predictions of torch's behaviour against what torch does.

Used for "predict, then run" exercises: the learner fills a dict such as
``{"is_leaf of y": False}`` and the check runs torch to get the truth.

As an `Exercise` (`prediction_exercise`), the kernel only reads the dict
(the `predictions` adapter sends back each value with its repr) and the
checks decide: the visible trial says whether every prediction is filled in
with the right kind of value, the hidden one compares them with the truth,
which the checks compute by running torch in their own process. The truth is
no secret: running the notebook's code shows it, which is the point of the
exercise. `reveal` turns the learner's dict into what a self-learner reads
after predicting (`course check --reveal`): right or not, torch's answer, and
a one-line why from the checks module.
"""
from dataclasses import dataclass, field

from course.kernel import plain
from .exercise import Exercise, Trial

# What the unfilled placeholder `...` looks like once it has crossed the channel.
UNFILLED = plain.decode(plain.encode(...))


def _unfilled(value):
    return value is ... or (isinstance(value, plain.Unsupported) and value == UNFILLED)


def _same(predicted, actual):
    if isinstance(actual, bool) or isinstance(predicted, bool):
        return type(predicted) is type(actual) and predicted == actual
    return predicted == actual


def check_predictions(predictions, truth, what="prediction", reveal=False):
    """Assert that `predictions` (a dict) matches `truth` key by key.

    The message lists every wrong or missing key with what was predicted;
    with `reveal=True` it also gives the right answer (for feedback after
    grading, not for the visible checks a learner can rerun).
    """
    if not isinstance(predictions, dict):
        raise AssertionError(f"the {what}s must be a dict, but they are a {type(predictions).__name__}.")
    problems = []
    for key, actual in truth.items():
        if key not in predictions:
            problems.append(f"- {key!r} is missing.")
        elif _unfilled(predictions[key]):
            problems.append(f"- {key!r} is still `...`: fill in your {what}.")
        elif not _same(predictions[key], actual):
            right = f"; torch says {actual!r}" if reveal else ""
            problems.append(f"- {key!r}: you predicted {predictions[key]!r}{right}.")
    if problems:
        raise AssertionError(f"{len(problems)} of {len(truth)} {what}s are not right:\n"
                             + "\n".join(problems)
                             + ("" if reveal else "\nRun the code and inspect the tensors to see why."))



def _read(got):
    """{key: (value, repr)} as the adapter sent it, or an AssertionError if it is not that."""
    if not isinstance(got, dict) or not all(isinstance(entry, tuple) and len(entry) == 2
                                            and isinstance(entry[1], str) for entry in got.values()):
        raise AssertionError("the notebook's predictions could not be read.")
    return got


def _filled_in(kind_of, truth):
    """The visible judge: every key present, no `...` left, each value of the kind its key asks for."""
    def judge(got):
        for key in truth():
            if key not in _read(got):
                raise AssertionError(f"the key {key!r} is missing: keep every key of the dict.")
            value, shown = got[key]
            if _unfilled(value):
                raise AssertionError(f"{key!r} is still `...`: fill in your prediction.")
            is_kind, kind = kind_of(key)
            if not is_kind(value):
                raise AssertionError(f"{key!r} must be {kind}, not {shown}.")
    return judge


def _match_torch(kind_of, truth):
    """The hidden judge: filled in as above, then each prediction equal to what torch does (revealed)."""
    filled_in = _filled_in(kind_of, truth)

    def judge(got):
        filled_in(got)  # also keeps the comparison below to values of the right kind
        check_predictions({key: value for key, (value, _) in got.items()}, truth(), "prediction", reveal=True)
    return judge


@dataclass
class PredictionExercise(Exercise):
    truth: object = None                         # () -> {key: what torch says}, computed by running torch
    why: dict = field(default_factory=dict)      # key -> one line saying why torch answers so

    def visible_label(self, count):
        return "All predictions are filled in. Whether they match torch is checked when graded."

    def hidden_label(self, count):
        return f"{self.function}: every prediction matches torch."


def prediction_exercise(grade_id, name, kind_of, truth, why=None):
    """The checks of a prediction dict `name`.

    `kind_of(key)` gives (test of a value, what the key asks for, e.g. "True or
    False"); `truth()` runs torch and returns the right value of every key
    (the keys the learner's dict must have); `why` maps each key to one line
    saying why torch answers so (shown by `reveal`).
    """
    return PredictionExercise(grade_id, name, adapter="predictions", rule="written",
                              visible=lambda: [Trial(judge=_filled_in(kind_of, truth))],
                              hidden=lambda seed: [Trial(judge=_match_torch(kind_of, truth))],
                              truth=truth, why=dict(why or {}))


@dataclass
class Revealed:
    """One prediction after the fact: what the learner said, what torch says, and why."""

    key: str
    predicted: str       # the learner's value as they wrote it, or why there is none
    answer: str          # torch's answer
    right: bool
    why: str


def reveal(exercise, got):
    """[Revealed] for each key of `exercise`, from `got`: the learner's dict as the adapter sent it.

    `got` may be anything the kernel answered (an error, a malformed record):
    then every prediction counts as not made.
    """
    try:
        predictions = {key: value for key, (value, _) in _read(got).items()}
        shown = {key: text for key, (_, text) in got.items()}
    except (AssertionError, AttributeError):
        predictions, shown = {}, {}
    rows = []
    for key, actual in exercise.truth().items():
        if key not in predictions:
            predicted, right = "(missing)", False
        elif _unfilled(predictions[key]):
            predicted, right = "... (not filled in)", False
        else:
            predicted, right = shown[key], _same(predictions[key], actual)
        rows.append(Revealed(key, predicted, repr(actual), right, exercise.why.get(key, "")))
    return rows


def revealed_text(grade_id, rows):
    """What a self-learner reads of [Revealed] `rows`: how many were right, then each with torch's answer and why."""
    out = [f"{grade_id}: {sum(row.right for row in rows)} of {len(rows)} predictions right"]
    for row in rows:
        verdict = "you were right" if row.right else f"you said {row.predicted}"
        out.append(f"  [{'x' if row.right else ' '}] {row.key}: torch says {row.answer} ({verdict})")
        out.append(f"      why: {row.why}")
    return "\n".join(out)
