"""04_grad_accumulation's checks on inputs that are not contiguous (#18, class 1)."""
import pytest
import torch

from course.checks import check
from course.checks.a04_grad_accumulation import EXERCISES


def microbatch_grads(loss_fn, params, X, y, micro_batch_size):
    saved = [p.grad for p in params]
    for p in params:
        p.grad = None
    total = X.shape[0]
    for start in range(0, total, micro_batch_size):
        X_b, y_b = X[start:start + micro_batch_size], y[start:start + micro_batch_size]
        (loss_fn(X_b, y_b) * X_b.shape[0] / total).backward()
    grads = [p.grad for p in params]
    for p, s in zip(params, saved):
        p.grad = s
    return grads


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.grade_id)
def test_a_hidden_trial_gives_an_input_that_is_not_contiguous(exercise):
    def tensors(value):
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from tensors(item)

    assert any(not t.is_contiguous() for trial in exercise.hidden(3) for t in tensors(trial.args))


@pytest.mark.parametrize("seed", [1, 2])
def test_right_answers_pass_every_layout(seed):
    check("grad_after_repeats_tests", lambda x, k: k * 2 * x, hidden=True, seed=seed)
    check("shared_weight_grad_tests", lambda x, w: x + 2 * w, hidden=True, seed=seed)
    check("microbatch_grads_tests", microbatch_grads, hidden=True, seed=seed)


def test_a_flattening_view_fails_on_a_transposed_x_and_says_so():
    with pytest.raises(AssertionError) as failure:
        check("grad_after_repeats_tests", lambda x, k: (2 * k * x.view(-1)).view(x.shape), hidden=True, seed=1)
    assert str(failure.value).startswith("for x not contiguous (stored transposed): grad_after_repeats raised")
