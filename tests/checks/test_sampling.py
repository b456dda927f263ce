"""Do 01_randn's checks (course.checks.a01_randn) pass right answers and name the typical wrong ones?"""
from pathlib import Path

import nbformat
import pytest
import torch

from course.checks import check
from course.kernel import plain
from course.checks.core.exercise import Trial
from course.checks.a01_randn import INIT_LEAF, NORMAL_SAMPLE, RANDN_CALLS, RANDN_DTYPE_ANSWERS
from course.kernel.adapters import draw

from .failing import fails

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [1, 2]


def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return mean + torch.randn(shape, generator=generator, dtype=dtype) * std


def init_leaf(shape, scale, generator=None):
    return (scale * torch.randn(shape, generator=generator)).requires_grad_()


@pytest.mark.parametrize("seed", SEEDS)
def test_right_answers_pass_visible_and_hidden_trials(seed):
    """Do a correct normal_sample and init_leaf pass every trial?"""
    for grade_id, fn in [("normal_sample_tests", normal_sample), ("init_leaf_tests", init_leaf)]:
        check(grade_id, fn)
        check(grade_id, fn, hidden=True, seed=seed)


def test_a_leaf_scaled_in_place_under_no_grad_passes():
    """Does the other correct init_leaf the notebook mentions (requires_grad first, scaled under no_grad) pass?"""
    def scaled_in_place(shape, scale, generator=None):
        weights = torch.randn(shape, generator=generator, requires_grad=True)
        with torch.no_grad():
            weights.mul_(scale)
        return weights
    check("init_leaf_tests", scaled_in_place, hidden=True, seed=3)


@pytest.mark.parametrize("wrong, phrases", [
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        mean + std * torch.rand(shape, generator=generator, dtype=dtype), ["not bell-shaped", "torch.rand"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        mean + std ** 2 * torch.randn(shape, generator=generator, dtype=dtype), ["std**2 = 0.25, the variance"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        std * torch.randn(shape, generator=generator, dtype=dtype), ["has mean 2: add the mean"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        mean + std * torch.randn(shape, dtype=dtype), ["the generator was not used"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        mean + std * torch.randn(shape, generator=generator), ["but dtype=torch.float64 was asked for"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        (mean + std * torch.randn(shape, generator=generator)).to(dtype), ["float32 sample converted to torch.float64"]),
    (lambda shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32:
        (mean + std * torch.randn(shape, generator=generator, dtype=dtype)).tolist(), ["must return a torch.Tensor"]),
])
def test_wrong_samplers_are_named_by_the_visible_trials(wrong, phrases):
    """Does each typical normal_sample mistake fail the visible example, with its diagnosis?"""
    message = fails("normal_sample_tests", wrong)
    assert all(phrase in message for phrase in phrases), message


def test_edges_the_hidden_trials_reach_are_shown_by_the_visible_examples():
    """Are a sampler that breaks on the 0-dimensional shape and one that ignores the global generator caught,
    by the visible examples already, so that passing them means passing grading?"""
    def unpacks_the_shape(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
        return mean + std * torch.randn(*shape, generator=generator, dtype=dtype)

    def own_generator_when_none(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
        return normal_sample(shape, mean, std, generator or torch.Generator(), dtype)

    for edge, phrase in [(unpacks_the_shape, "raised TypeError"), (own_generator_when_none, "generator=None")]:
        assert phrase in fails("normal_sample_tests", edge)
        assert phrase in fails("normal_sample_tests", edge, hidden=True)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda shape, scale, generator=None: torch.randn(shape, generator=generator, requires_grad=True) * scale,
     "is not a leaf: its grad_fn is MulBackward0"),
    (lambda shape, scale, generator=None: scale * torch.randn(shape, generator=generator), "does not require grad"),
    (lambda shape, scale, generator=None: (scale * torch.randn(shape)).requires_grad_(), "the generator was not used"),
    (lambda shape, scale, generator=None: (scale * torch.randn(shape, generator=generator, dtype=float)).requires_grad_(),
     "dtype=torch.float32 was asked for"),
    (lambda shape, scale, generator=None: (scale ** 2 * torch.randn(shape, generator=generator)).requires_grad_(),
     "compared with torch's own sample"),
])
def test_wrong_leaves_are_named(wrong, phrase):
    """Does each typical init_leaf mistake fail with its diagnosis?"""
    assert phrase in fails("init_leaf_tests", wrong)


def test_draws_reports_plain_data_of_each_call():
    """Does the kernel side call twice with generators seeded alike and report values and graph flags as plain data?"""
    calls = draw(init_leaf, ((2, 3), 0.5), {"generator": {"seed": 4}}, False, "init_leaf")
    decoded = plain.decode(plain.encode(calls))
    assert len(decoded) == 2 and torch.equal(decoded[0]["value"], decoded[1]["value"])
    assert decoded[0]["is_leaf"] is True and decoded[0]["requires_grad"] is True and decoded[0]["grad_fn"] is None
    assert torch.equal(decoded[0]["grad"], torch.full((2, 3), 2.0))
    assert type(decoded[0]["value"]) is torch.Tensor and not decoded[0]["value"].requires_grad


def test_global_seed_means_torch_manual_seed():
    """With a global seed, is the function called once, without a generator, after torch.manual_seed?"""
    (call,) = draw(normal_sample, ((3,),), {"generator": {"global_seed": 5}}, False, "normal_sample")
    torch.manual_seed(5)
    assert torch.equal(call["value"], torch.randn(3))


@pytest.mark.parametrize("exercise", [NORMAL_SAMPLE, INIT_LEAF, RANDN_DTYPE_ANSWERS])
@pytest.mark.parametrize("reply", [None, 3, "text", [], [None, 1], {"value": 2}, [{"value": "x"}] * 2])
def test_malformed_answers_fail_the_trial_without_an_exception(exercise, reply):
    """Is a reply the adapter never makes (a tampered kernel) a failed trial, never an error in the grader?"""
    trials = exercise.visible() + exercise.hidden(7)
    verdict = exercise.judge(trials, [{"value": plain.encode(reply)}] * len(trials), exercise.visible_label)
    assert not verdict.passed


ANSWERS = {key: how() for key, how in RANDN_CALLS.items()}


def test_right_predictions_pass():
    """Does the dict of torch's own answers pass both the visible and the hidden check?"""
    check("RANDN_DTYPE_ANSWERS_tests", dict(ANSWERS))
    check("RANDN_DTYPE_ANSWERS_tests", dict(ANSWERS), hidden=True)


@pytest.mark.parametrize("key, value, phrase", [
    ("dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)", float, "must be a torch dtype"),
    ("shape of torch.randn(()) * torch.randn(3)", [3], "must be a tuple of ints"),
    ("dtype of torch.randn(()) * torch.randn((), dtype=float)", ..., "is still `...`"),
])
def test_predictions_of_the_wrong_kind_fail_the_visible_check(key, value, phrase):
    """Is a Python type for a dtype, a list for a tuple or a leftover `...` told in the visible check?"""
    assert phrase in fails("RANDN_DTYPE_ANSWERS_tests", {**ANSWERS, key: value})


def test_a_wrong_prediction_passes_visibly_and_is_revealed_when_graded():
    """Does a wrong dtype pass the visible check but fail the hidden one, with torch's answer?"""
    predictions = {**ANSWERS, "dtype of torch.randn(3) * torch.randn((), dtype=float)": torch.float64}
    check("RANDN_DTYPE_ANSWERS_tests", predictions)
    assert ("'dtype of torch.randn(3) * torch.randn((), dtype=float)': you predicted torch.float64; "
            "torch says torch.float32" in fails("RANDN_DTYPE_ANSWERS_tests", predictions, hidden=True))


def test_no_prediction_is_printed_above_the_exercise():
    """Is no call whose result the learner predicts run, as written, in a code cell above RANDN_DTYPE_ANSWERS?"""
    cells = nbformat.read(str(ROOT / "source" / "01_randn" / "01_randn.ipynb"), as_version=4).cells
    above = [cell.source for cell in cells[:next(i for i, cell in enumerate(cells)
                                                  if "RANDN_DTYPE_ANSWERS = {" in cell.source)]]
    for key in RANDN_CALLS:
        expression = key.split(" of ", 1)[1]
        assert not any(expression in source for source in above), key


def test_every_trial_names_its_inputs():
    """Does every trial send only plain inputs (no generator objects) and have a judge?"""
    for exercise in (NORMAL_SAMPLE, INIT_LEAF):
        for trial in exercise.visible() + exercise.hidden(11):
            assert isinstance(trial, Trial) and callable(trial.judge)
            assert plain.decode(plain.encode(dict(trial.kwargs))) == dict(trial.kwargs)


def test_the_notebooks_claim_on_float32_and_float64_samples_holds_on_this_torch():
    """01 says: on the CPU, float32 and float64 samples of a seed agree below 16 elements and differ from 16 on."""
    for size, same in [(1, True), (15, True), (16, False), (100, False)]:
        s32 = torch.randn(size, generator=torch.Generator().manual_seed(0))
        s64 = torch.randn(size, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
        assert torch.allclose(s32.double(), s64) is same, size
