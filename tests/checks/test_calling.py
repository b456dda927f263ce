"""Does calling learner code from a test cell give clear errors, clean stderr and an autograd guard?"""
import warnings

import pytest
import torch

from course.kernel.calling import AutogradUsed, LearnerError, call, call_by_hand

X = torch.randn(2, 3, dtype=torch.float64)


def test_by_hand_function_runs_on_copies_and_returns():
    """Does a correct by-hand function get called and its result returned?"""
    assert torch.equal(call_by_hand(lambda x: 2 * x, X), 2 * X)


@pytest.mark.parametrize("use_autograd", [
    lambda x: torch.autograd.grad((x.requires_grad_() ** 2).sum(), x)[0],
    lambda x: (x.requires_grad_() ** 2).sum().backward(),
    lambda x: torch.func.grad(lambda t: (t ** 2).sum())(x),
])
def test_autograd_inside_a_by_hand_function_is_refused(use_autograd):
    """Is every autograd entry point refused, with enable_grad not getting around it?"""
    def sneaky(x):
        with torch.enable_grad():
            return use_autograd(x)
    with pytest.raises(AutogradUsed, match="by hand"):
        call_by_hand(sneaky, X, name="grad_fn_under_test")


def test_autograd_works_again_after_the_guard():
    """Are autograd's entry points and grad mode restored after a by-hand call, even a failed one?"""
    with pytest.raises(AutogradUsed):
        call_by_hand(lambda x: torch.autograd.grad(x.sum(), x), X)
    leaf = torch.ones(2, requires_grad=True)
    (leaf * 3).sum().backward()
    assert torch.equal(leaf.grad, torch.full((2,), 3.0))
    assert torch.is_grad_enabled()


def test_result_that_requires_grad_is_refused():
    """Is a by-hand result that is part of a graph refused?"""
    def builds_graph(x):
        with torch.enable_grad():
            return x.clone().requires_grad_() * 2
    with pytest.raises(AutogradUsed, match="requires grad"):
        call_by_hand(builds_graph, X)


def test_in_place_change_of_an_input_is_reported():
    """Is a function that changes its input in place told so?"""
    with pytest.raises(LearnerError, match="in place"):
        call_by_hand(lambda x: x.mul_(2), X)
    assert torch.equal(X, X.clone())  # the caller's tensor is untouched


def test_not_written_yet_gives_the_instruction():
    """Does the unchanged stub give an instruction rather than a bare traceback?"""
    def stub(x):
        raise NotImplementedError("Not written yet")
    with pytest.raises(LearnerError, match="replace the `raise NotImplementedError"):
        call(stub, X)


def test_torch_error_gets_a_hint():
    """Is a torch error from learner code turned into its one-line hint?"""
    with pytest.raises(LearnerError, match="Hint: The inner dimensions"):
        call(lambda a: a @ a, X, name="matmul_backward")


def test_warnings_go_to_stdout_not_stderr(capsys):
    """Does a warning from learner code reach stdout only (stderr would cost the cell its points)?"""
    def warns(x):
        warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed")
        return x
    call(warns, X)
    captured = capsys.readouterr()
    assert "caused a warning" in captured.out and "retain_grad" in captured.out
    assert captured.err == ""


def test_grad_mode_is_restored_after_learner_code_changes_it():
    """Does a function that switches grad mode off globally leave it on for later cells?"""
    call(lambda: torch.set_grad_enabled(False))
    assert torch.is_grad_enabled()
