"""Check a learner's predictions of torch's behaviour against what torch does.

Used for "predict, then run" exercises: the learner fills a dict such as
``{"is_leaf of y": False}`` and the check runs torch to get the truth.
"""


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
        elif predictions[key] is ...:
            problems.append(f"- {key!r} is still `...`: fill in your {what}.")
        elif not _same(predictions[key], actual):
            right = f"; torch says {actual!r}" if reveal else ""
            problems.append(f"- {key!r}: you predicted {predictions[key]!r}{right}.")
    if problems:
        raise AssertionError(f"{len(problems)} of {len(truth)} {what}s are not right:\n"
                             + "\n".join(problems)
                             + ("" if reveal else "\nRun the code and inspect the tensors to see why."))
