"""Do 05_manual_updates' checks of update_learning_rate (course.checks.a05_manual_updates) follow torch's scheduler?"""
import pytest
import torch

from course.checks import check
from course.checks.a05_manual_updates import UPDATE_LEARNING_RATE, exponential_lr_schedule


def update_learning_rate(iteration, lr0, gamma):
    return lr0 * gamma ** iteration


def fails(fn, hidden=False, seed=1):
    with pytest.raises(AssertionError) as failure:
        check("update_learning_rate_tests", fn, hidden=hidden, seed=seed)
    return str(failure.value)


def test_the_reference_is_torchs_scheduler():
    """Is the reference what get_last_lr() says, starting at lr0 before any scheduler step?"""
    lrs = exponential_lr_schedule(0.1, 0.9, 3)
    assert lrs == pytest.approx([0.1, 0.09, 0.081, 0.0729], rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_closed_form_passes(seed):
    check("update_learning_rate_tests", update_learning_rate)
    check("update_learning_rate_tests", update_learning_rate, hidden=True, seed=seed)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda i, lr0, g: lr0 * g ** (i + 1), "the learning rate one iteration later"),
    (lambda i, lr0, g: lr0 * g ** max(i - 1, 0), "the learning rate one iteration earlier"),
    (lambda i, lr0, g: lr0 * (1 - (1 - g) * i), "the decays compound, they do not add up"),
    (lambda i, lr0, g: torch.tensor(lr0 * g ** i), "returned a tensor"),
    (lambda i, lr0, g: str(lr0), "must return a float, not str"),
    (lambda i, lr0, g: lr0 * g ** (i / 2), "but ExponentialLR(gamma=0.9) gives"),
])
def test_typical_mistakes_are_named(wrong, phrase):
    assert phrase in fails(wrong)


def test_hidden_trials_cover_iteration_zero_many_iterations_and_a_constant_rate():
    """Are iteration 0, hundreds of iterations and gamma = 1 among the hidden trials?"""
    args = [trial.args for trial in UPDATE_LEARNING_RATE.hidden(7)]
    assert {0, 1, 500} <= {iteration for iteration, _, _ in args}
    assert any(gamma == 1.0 for _, _, gamma in args)
    visible = [trial.args for trial in UPDATE_LEARNING_RATE.visible()]
    assert max(iteration for iteration, _, _ in visible) >= 100  # the visible example shows a long run too


def test_the_seeds_data_change_and_a_partial_no_grad_behave_as_05_says():
    """05 says: x.data *= 100 after the forward pass leaves the seeds' 4.5 but breaks (x * x).mean();
    y1 + y2 with y2 = x ** 3 under no_grad gives x.grad = 2x."""
    def grad_after_data_change(forward):
        x = torch.ones(2, 2, requires_grad=True)
        out = forward(x)
        x.data *= 100
        out.backward()
        return x.grad

    def seeds_graph(x):
        y = x + 2
        return (y * y * 3).mean()

    assert torch.equal(grad_after_data_change(seeds_graph), torch.full((2, 2), 4.5))
    assert torch.equal(grad_after_data_change(lambda x: (x * x).mean()), torch.full((2, 2), 50.0))

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y1 = x ** 2
    with torch.no_grad():
        y2 = x ** 3
    (y1 + y2).sum().backward()
    assert torch.equal(x.grad, 2 * x.detach())
