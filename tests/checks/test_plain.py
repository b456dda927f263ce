"""The plain-data channel: what a kernel sends is read as data, and bad data is a clear wrong answer."""
import base64
import io
import json

import numpy as np
import pytest
import torch

from course.kernel import plain
from course.checks.core.compare import compare
from course.checks.core.exercise import Exercise, Trial


def _roundtrip(value):
    return plain.decode(json.loads(json.dumps(plain.encode(value))))


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64, torch.bfloat16,
                                   torch.int64, torch.bool, torch.uint8])
def test_tensors_come_back_equal_with_their_dtype_and_shape(dtype):
    """Does a plain tensor survive the trip with its values, dtype and shape?"""
    tensor = (torch.arange(12.0).reshape(3, 4) - 5).to(dtype)
    back = _roundtrip(tensor)
    assert type(back) is torch.Tensor and back.dtype == dtype and back.shape == (3, 4)
    assert torch.equal(back, tensor)


def test_containers_numbers_and_flags_survive():
    """Do tuples, lists, dicts, numbers, None and a parameter's flags come back as they were?"""
    param = torch.nn.Parameter(torch.ones(2))
    value = {"a": (1, 2.5, None, "x"), "b": [True, param], "nan": float("nan")}
    back = _roundtrip(value)
    assert back["a"] == (1, 2.5, None, "x") and back["b"][0] is True
    assert isinstance(back["b"][1], torch.nn.Parameter) and back["b"][1].requires_grad
    assert back["nan"] != back["nan"]


def test_a_tensor_subclass_is_refused_by_name():
    """Is a torch.Tensor subclass (which could lie through __torch_function__) sent as unsupported?"""
    class Liar(torch.Tensor):
        pass
    back = _roundtrip(torch.zeros(3).as_subclass(Liar))
    assert isinstance(back, plain.Unsupported) and "subclass of torch.Tensor" in back.description
    assert "subclass of torch.Tensor" in compare(back, torch.zeros(3)).message


@pytest.mark.parametrize("value, words", [
    (np.zeros(3), "numpy"), (object(), "object"), ({(1, 2): 3}, "keys"), (np.float64(1.0), "numpy number"),
])
def test_values_that_are_not_plain_data_are_described(value, words):
    """Is an array, an object or a tuple-keyed dict turned into a description, not an error?"""
    back = _roundtrip(value)
    assert isinstance(back, plain.Unsupported) and words in back.description


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("data", [
    {"tensor": {"dtype": "float32", "shape": [2], "npy": _npy(np.array([1, "x"], dtype=object))}},  # object dtype
    {"tensor": {"dtype": "float32", "shape": [3], "npy": _npy(np.zeros(2, dtype=np.float32))}},     # shape lies
    {"tensor": {"dtype": "float32", "shape": [2], "npy": _npy(np.zeros(2, dtype=np.float64))}},     # dtype lies
    {"tensor": {"dtype": "float32", "shape": [2], "npy": "not base64!"}},
    {"tensor": {"dtype": "object", "shape": [2], "npy": ""}},
    {"tensor": {"dtype": "float32", "shape": [10 ** 5, 10 ** 5], "npy": ""}},                      # too large
    {"tensor": {"dtype": "float32", "shape": [-1], "npy": ""}},
    {"list": "not a list"}, {"dict": [[1]]}, {"what": 1}, {"a": 1, "b": 2}, [1, 2],
    {"repr": "__import__('os')"},
])
def test_malformed_data_never_raises(data):
    """Does every malformed, lying or oversized value decode to Unsupported instead of an exception?"""
    assert isinstance(plain.decode(data), plain.Unsupported)


def test_nesting_too_deep_is_refused():
    data = 1
    for _ in range(plain.MAX_DEPTH + 3):
        data = {"list": [data]}
    back = plain.decode(data)
    while isinstance(back, list):
        back = back[0]
    assert isinstance(back, plain.Unsupported)


def test_a_nan_answer_is_a_wrong_answer_with_a_diagnosis():
    """Is a NaN result judged wrong, with the NaN named, rather than crashing the judge?"""
    exercise = Exercise("x_tests", "f", visible=list, hidden=list)
    trial = Trial((), judge=lambda out: None if compare(out, torch.ones(2)).passed
                  else (_ for _ in ()).throw(AssertionError(compare(out, torch.ones(2)).message)))
    verdict = exercise.judge([trial], [{"value": plain.encode(torch.tensor([1.0, float("nan")]))}], str)
    assert not verdict.passed and "NaN" in verdict.message


@pytest.mark.parametrize("outcomes", [None, [], [{"value": 1}, {"value": 2}], ["x"], [{"neither": 1}]])
def test_missing_or_malformed_outcomes_fail_the_exercise(outcomes):
    """Is an answer of the wrong length or form a failed verdict, never an exception?"""
    exercise = Exercise("x_tests", "f", visible=list, hidden=list)
    verdict = exercise.judge([Trial((), judge=lambda out: None)], outcomes, str)
    assert not verdict.passed


# ---- a trial's inputs keep their memory layout ----------------------------------------------

def _trip(value):
    """A trial's inputs, as the kernel gets them: encoded with their layout, through JSON, decoded."""
    return plain.decode(json.loads(json.dumps(plain.encode(value, keep_layout=True))))


_T = torch.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize("make", [
    lambda: torch.arange(6.0).reshape(2, 3).t(),                          # a transpose
    lambda: _T.permute(2, 0, 1),                                          # a permutation
    lambda: _T.permute(2, 1, 0).contiguous().permute(2, 1, 0),            # same shape, memory reversed
    lambda: torch.arange(4.0).expand(3, 4),                               # an expand of a 1-D tensor
    lambda: torch.arange(3.0).reshape(3, 1).expand(3, 5),                 # an expand of a size-1 dim
    lambda: torch.arange(8.0).reshape(2, 1, 4).expand(2, 6, 4).permute(1, 2, 0),  # expanded, then permuted
    lambda: torch.arange(6.0, dtype=torch.float64).reshape(2, 3).t(),
    lambda: torch.arange(6, dtype=torch.int64).reshape(3, 2).t(),
    lambda: torch.arange(6.0).reshape(2, 3).t().to(torch.bfloat16),
])
def test_a_trial_input_arrives_with_its_values_dtype_and_layout(make):
    """Does a transposed, permuted or expanded input reach the kernel equal to the contiguous tensor, with
    the same strides, so not contiguous (and with its flags)?"""
    tensor = make()
    assert not tensor.is_contiguous()
    back = _trip(tensor)
    assert type(back) is torch.Tensor and back.dtype == tensor.dtype and back.shape == tensor.shape
    assert torch.equal(back, tensor) and torch.equal(back, tensor.contiguous())
    assert back.stride() == tensor.stride() and not back.is_contiguous()


def test_an_expanded_input_travels_as_the_smaller_tensor():
    """Is an expand sent as the data it expands (its repeated rows are not copied onto the wire)?"""
    big = torch.arange(1000.0).expand(1000, 1000)
    spec = plain.encode(big, keep_layout=True)["tensor"]
    assert spec["layout"] == {"permute": [0, 1]} and len(spec["npy"]) < 20_000
    assert torch.equal(_trip(big), big)


def test_requires_grad_and_parameters_keep_their_flags_with_a_layout():
    leaf = torch.arange(6.0).reshape(2, 3).t().requires_grad_(True)
    back = _trip([leaf, torch.nn.Parameter(torch.ones(2, 3).t())])
    assert back[0].requires_grad and back[0].is_leaf and not back[0].is_contiguous()
    assert isinstance(back[1], torch.nn.Parameter) and not back[1].is_contiguous()


def test_without_keep_layout_and_in_replies_tensors_arrive_contiguous():
    """A reply of the kernel (encoded without keep_layout) is sent as contiguous data, as before."""
    back = _roundtrip(torch.arange(6.0).reshape(2, 3).t())
    assert back.is_contiguous() and torch.equal(back, torch.arange(6.0).reshape(2, 3).t())


def test_a_slice_with_a_step_is_sent_contiguous():
    """A layout that is neither a permutation nor an expand is not carried: the values still arrive."""
    sliced = torch.arange(12.0).reshape(3, 4)[:, ::2]
    back = _trip(sliced)
    assert torch.equal(back, sliced) and back.is_contiguous()


@pytest.mark.parametrize("layout, npy_shape, shape", [
    ({"permute": [0, 0]}, (2, 3), [2, 3]),              # not a permutation
    ({"permute": [1, 0, 2]}, (2, 3), [3, 2]),           # of too many dims
    ({"permute": ["1", 0]}, (2, 3), [3, 2]),
    ({"permute": [1, 0], "stride": [0]}, (2, 3), [3, 2]),
    ({"permute": [1, 0]}, (2, 3), [2, 3]),              # the stored data does not permute to the shape
    ({"permute": [0, 1]}, (2, 3), [2, 6]),              # 3 cannot expand to 6
    ("transposed", (2, 3), [3, 2]),
])
def test_malformed_layouts_are_refused(layout, npy_shape, shape):
    data = {"tensor": {"dtype": "float32", "shape": shape, "npy": _npy(np.zeros(npy_shape, dtype=np.float32)),
                       "layout": layout}}
    assert isinstance(plain.decode(data), plain.Unsupported)


def test_a_by_hand_call_gives_the_learner_copies_with_the_trials_layout():
    """Does call_by_hand's copy keep a transposed and an expanded input as they came, and does .view on them
    fail as it would on the real thing, with a hint that names reshape?"""
    from course.kernel.calling import LearnerError, call_by_hand

    seen = []
    transposed, expanded = torch.arange(6.0).reshape(2, 3).t(), torch.arange(3.0).expand(2, 3)
    call_by_hand(lambda a, b: seen.extend([a, b]), transposed, expanded, name="f")
    assert [t.stride() for t in seen] == [transposed.stride(), expanded.stride()]
    assert torch.equal(seen[0], transposed) and torch.equal(seen[1], expanded)
    assert seen[0].data_ptr() != transposed.data_ptr()            # a copy, not the trial's own tensor
    with pytest.raises(LearnerError) as error:
        call_by_hand(lambda v: 2 * v.view(6), transposed, name="f")
    assert "not contiguous" in str(error.value) and ".reshape" in str(error.value)


def test_the_hints_claims_about_contiguity_hold():
    """A transposed, a permuted and an expanded tensor are not contiguous; 2 * x of a transposed x keeps its
    layout; .view of it fails and .reshape and .flatten give the values in row order, as a copy that an in-place
    change does not carry back to the original."""
    x = torch.arange(6.0).reshape(2, 3).t()
    assert not any(t.is_contiguous() for t in (x, _T.permute(1, 0, 2), torch.arange(3.0).expand(2, 3), 2 * x))
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        (2 * x).view(6)
    assert torch.equal(x.reshape(6), torch.tensor([0.0, 3.0, 1.0, 4.0, 2.0, 5.0])) and torch.equal(x.flatten(), x.reshape(6))
    before = x.clone()
    x.reshape(6).sub_(1.0)                    # a copy: the original is left as it was
    assert torch.equal(x, before)
