"""Does each diagnosis of course.checks.core.compare fire on the mistake it names, and only there?"""
import pytest
import torch

from course.checks.core.compare import assert_close, compare, compare_all
from course.checks.core.compare import ADDED_TWICE, SIGN_FLIPPED, SQUARE_TWO_MISSING

G = torch.Generator().manual_seed(0)
X = torch.randn(3, 4, generator=G, dtype=torch.float64) + 0.5


def test_equal_tensors_pass():
    """Is a correct result reported as correct?"""
    report = compare(X.clone(), X, "grad")
    assert report.passed and "correct" in report.message


def test_within_float64_tolerance_passes_but_not_beyond():
    """Are float64 results held to about 1e-7 relative error?"""
    assert compare(X * (1 + 1e-9), X).passed
    assert not compare(X * (1 + 1e-5), X).passed


@pytest.mark.parametrize("value, phrase", [(None, "None"), ([1.0, 2.0], "list"), (3.0, "float")])
def test_not_a_tensor(value, phrase):
    """Is a result that is not a tensor named as such, with what it is?"""
    report = compare(value, X, "grad")
    assert not report.passed and "must be a torch.Tensor" in report.message and phrase in report.message


def test_transposed_shape():
    """Is a (4, 3) result for a (3, 4) gradient called a transpose?"""
    assert "transpose of the right shape" in compare(X.T.contiguous(), X, "grad_W").message


def test_broadcast_dimension_not_summed():
    """Is a gradient left in the broadcast shape told to sum over the broadcast dimensions?"""
    bias = torch.randn(4, dtype=torch.float64)
    message = compare(X, bias, "grad_b").message
    assert "broadcasts to (3, 4)" in message and "summed over the broadcast dimensions" in message


def test_keepdim_shape():
    """Is a result with the right elements in another arrangement called a keepdim/view problem?"""
    column = torch.randn(3, 1, dtype=torch.float64)
    assert "keepdim" in compare(column.reshape(3), column, "grad").message


def test_wrong_dtype():
    """Is a float32 result for a float64 input reported with the fix?"""
    message = compare(X.float(), X, "grad").message
    assert "torch.float32" in message and "dtype=x.dtype" in message


def test_nan_in_result():
    """Is a NaN reported with where it is?"""
    bad = X.clone()
    bad[1, 2] = float("nan")
    message = compare(bad, X, "grad").message
    assert "NaN" in message and "(1, 2)" in message


def test_all_zeros():
    """Is an all-zero result named?"""
    assert "all zeros" in compare(torch.zeros_like(X), X, "grad").message


@pytest.mark.parametrize("factor, phrase", [
    (-1.0, "sign is flipped"),
    (2.0, "added up twice"),
    (0.5, "2 from differentiating a square"),
    (3.7, "constant 3.7"),
])
def test_constant_factors(factor, phrase):
    """Is a result off by a constant factor diagnosed with the cause the exercise names for it?"""
    assert phrase in compare(factor * X, X, "grad", causes=[SIGN_FLIPPED, ADDED_TWICE, SQUARE_TWO_MISSING]).message


def test_no_cause_is_guessed_unless_the_exercise_names_it():
    """Without causes, a factor is stated and no cause guessed: a wrong guess misleads more than none."""
    message = compare(-X, X, "grad").message
    assert "constant -1 times the right answer" in message and "sign is flipped" not in message


def test_named_factor_of_the_exercise():
    """Is a result off by the batch size named as a missing division by the batch size?"""
    message = compare(10 * X, X, "grad", factors={"the batch size": 10}).message
    assert "the batch size: a division by it is missing" in message
    message = compare(X / 10, X, "grad", factors={"the batch size": 10}).message
    assert "1 / the batch size" in message


def test_a_factor_with_two_likely_causes_names_both():
    """With a batch of N = 2, is a result of half the answer told both causes, not only the lost 2 of a square?"""
    message = compare(X / 2, X, "grad", causes=[SQUARE_TWO_MISSING], factors={"the batch size N": 2}).message
    assert "2 likely causes" in message
    assert "the 2 from differentiating a square" in message and "1 / the batch size N" in message
    message = compare(X / 3, X, "grad", causes=[SQUARE_TWO_MISSING], factors={"the batch size N": 3}).message
    assert "1 / the batch size N" in message and "square" not in message


def test_transposed_values_of_a_square_matrix():
    """Is a square result equal to the transpose of the answer called transposed?"""
    square = torch.randn(3, 3, generator=G, dtype=torch.float64)
    assert "transpose of the right answer" in compare(square.T.contiguous(), square, "grad").message


def test_single_wrong_element_is_located():
    """Does the message give the worst index, the values and the errors?"""
    bad = X.clone()
    bad[2, 1] += 1.0
    report = compare(bad, X, "grad")
    assert report.worst_index == (2, 1)
    assert "1 of 12 elements differ" in report.message
    assert report.max_abs_err == pytest.approx(1.0)


def test_swapped_pair():
    """Are two results returned in the wrong order called swapped?"""
    Y = X * 3
    report = compare_all((Y, X), (X, Y), ["grad_a", "grad_b"])
    assert not report.passed and "swapped" in report.message


def test_tuple_of_wrong_length():
    """Is a one-element result for a two-gradient function reported?"""
    assert "tuple of 2 tensors" in compare_all(X, (X, X), ["grad_a", "grad_b"]).message


def test_assert_close_raises_with_the_diagnosis_and_returns_nothing():
    """Does assert_close raise the diagnosis, and return None (no partial-credit value in a test cell)?"""
    with pytest.raises(AssertionError, match="sign is flipped"):
        assert_close(-X, X, "grad", causes=[SIGN_FLIPPED])
    assert assert_close(X.clone(), X, "grad") is None
    assert assert_close((X, X), (X, X), ("a", "b")) is None
