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
