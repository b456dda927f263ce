"""Do 05_manual_updates' checks of update_learning_rate (course.checks.a05_manual_updates) follow torch's scheduler?"""
import pytest
import torch

from course.checks import check
from course.checks.a05_manual_updates import UPDATE_LEARNING_RATE, exponential_lr_schedule
from course.kernel import plain

from . import failing


def update_learning_rate(iteration, lr0, gamma):
    return lr0 * gamma ** iteration


def fails(fn, hidden=False, seed=1):
    return failing.fails("update_learning_rate_tests", fn, hidden=hidden, seed=seed)


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


# ---- sgd_step_ and momentum_step_: an update through .data is refused (#17 item 7) -----------

def sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-lr)
                p.grad = None


def sgd_step_through_detach(params, lr):
    for p in params:
        if p.grad is not None:
            p.detach().sub_(lr * p.grad)      # shares p's version counter: autograd sees it
            p.grad.zero_()


def sgd_step_through_data(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad.data
            p.grad.data.zero_()


def sgd_step_assigning_data(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p.data = p.data - lr * p.grad
                p.grad.zero_()


def momentum_step_through_data(params, velocities, lr, momentum):
    for p, v in zip(params, velocities):
        v.mul_(momentum).add_(p.grad)
        p.data.sub_(lr * v)
        p.grad.zero_()


def test_the_version_counter_tells_an_update_under_no_grad_from_one_through_data():
    """05 says (2.4, and the diagnosis of sgd_step_): an in-place update under no_grad, or through
    detach(), moves w._version; one through .data, in place or by assignment, does not; w.data does
    not require grad, so .data updates raise nothing outside no_grad."""
    def updated(update):
        w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
        before = w._version
        update(w)
        return w._version - before, w.detach()

    def under_no_grad(w):
        with torch.no_grad():
            w -= 0.1

    moved = {name: updated(update) for name, update in [
        ("no_grad", under_no_grad), ("detach", lambda w: w.detach().sub_(0.1)),
        ("data in place", lambda w: w.data.sub_(0.1)), ("data assigned", lambda w: setattr(w, "data", w.data - 0.1))]}
    expected = torch.tensor([0.9, -2.1, 0.4])
    assert all(torch.allclose(values, expected) for _, values in moved.values())
    assert moved["no_grad"][0] == 1 and moved["detach"][0] == 1
    assert moved["data in place"][0] == 0 and moved["data assigned"][0] == 0

    w = torch.tensor([1.0], requires_grad=True)
    assert w.data.requires_grad is False and w.data.is_leaf and w.data.data_ptr() == w.data_ptr()


@pytest.mark.parametrize("right", [sgd_step_, sgd_step_through_detach])
@pytest.mark.parametrize("seed", [1, 2])
def test_an_update_autograd_sees_passes(right, seed):
    check("sgd_step__tests", right)
    check("sgd_step__tests", right, hidden=True, seed=seed)


@pytest.mark.parametrize("wrong", [sgd_step_through_data, sgd_step_assigning_data])
@pytest.mark.parametrize("hidden", [False, True])
def test_an_sgd_step_through_data_is_refused_with_its_cause(wrong, hidden):
    message = str(pytest.raises(AssertionError, check, "sgd_step__tests", wrong, hidden=hidden, seed=4).value)
    assert "its version counter (params[0]._version) did not move" in message
    assert "through .data" in message and "(p -= lr * p.grad)" in message


@pytest.mark.parametrize("hidden", [False, True])
def test_a_momentum_step_through_data_is_refused_with_its_cause(hidden):
    message = str(pytest.raises(AssertionError, check, "momentum_step__tests", momentum_step_through_data,
                                hidden=hidden, seed=4).value)
    assert "did not move" in message and "through .data" in message and "(p -= lr * v)" in message


def test_a_step_that_changes_nothing_is_not_blamed_on_data():
    """A rebinding step leaves the values unchanged: it is told so, not that it went through .data."""
    def rebinds(params, lr):
        with torch.no_grad():
            for p in params:
                p = p - lr * p.grad          # noqa: F841
        for p in params:
            p.grad = None

    message = fails_sgd(rebinds)
    assert "did not change" in message and "version counter" not in message


def test_unreadable_version_counters_fail_cleanly():
    """Does a record without version counters fail the trial with a message, not crash the grader?"""
    from course.checks.a05_manual_updates import SGD_STEP
    trials = SGD_STEP.visible()[:1]
    records = runner_records(sgd_step_, trials[0])
    del records[0]["version_changes"]
    verdict = SGD_STEP.judge(trials, [{"value": plain.encode(records)}], SGD_STEP.visible_label)
    assert not verdict.passed and "version_changes" in verdict.message


def fails_sgd(fn):
    return failing.fails("sgd_step__tests", fn)


def runner_records(fn, trial):
    from course.kernel.runner import ADAPTERS
    return ADAPTERS["in_place_steps"](fn, list(trial.args), {}, False, "sgd_step_")


# ---- what 05's lessons show, against this torch ----------------------------------------

def test_the_seeds_own_data_change_keeps_the_gradient_2():
    """05 (2.5): the seeds' x = torch.ones(1); y = 2 * x saves nothing of x; after x.data *= 100,
    y.backward() gives x.grad 2, and y keeps the value computed before the change."""
    x = torch.ones(1, requires_grad=True)
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = 2 * x
    assert not any(t.data_ptr() == x.data_ptr() for t in saved)   # "multiply by 2" saved nothing of x
    x.data *= 100
    y.backward()
    assert torch.equal(x.grad, torch.tensor([2.0])) and torch.equal(y.detach(), torch.tensor([2.0]))
    assert torch.equal(x.detach(), torch.tensor([100.0]))


def test_a_lambda_sees_the_loop_variable_late_unless_it_is_a_default():
    """05 (section 5): lambdas made in a loop read the loop variable when called (its last value);
    a default argument binds the value it has when the lambda is made."""
    late = [lambda k: k * factor for factor in (1, 2, 3)]
    bound = [lambda k, factor=factor: k * factor for factor in (1, 2, 3)]
    assert [f(10) for f in late] == [30, 30, 30]
    assert [f(10) for f in bound] == [10, 20, 30]


def test_torch_refuses_an_in_place_change_of_a_leaf_but_records_one_of_a_non_leaf():
    """05 (2.1 and Question 1): w -= ... on a leaf that requires grad raises while recording; after
    h = w * 2, h -= 1 is recorded (h.grad_fn is SubBackward0) and backward() gives w.grad = 2."""
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad .* in-place operation"):
        w -= 0.1
    h = w * 2
    h -= 1
    assert type(h.grad_fn).__name__ == "SubBackward0" and not h.is_leaf
    h.sum().backward()
    assert torch.equal(w.grad, torch.full((3,), 2.0))


def test_the_model_answer_to_question_1_holds():
    """05's model answer to Question 1: the version counter raises if a node saved the h changed in
    place; backward() fills .grad only on leaves (a non-leaf's stays None, with a warning)."""
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    h = w * 2
    z = (h * h).sum()                          # the multiplication saves h
    h -= 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    h = w * 2
    h.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf"):
        assert h.grad is None
    assert torch.equal(w.grad, torch.full((3,), 2.0))


# ---- params that are not contiguous (#18, class 1): sgd_step_, momentum_step_, weights_after_steps -----------

def _sgd_step_(params, lr):
    with torch.no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad.zero_()


def _momentum_step_(params, velocities, lr, momentum):
    with torch.no_grad():
        for p, v in zip(params, velocities):
            if p.grad is not None:
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
                p.grad.zero_()


@pytest.mark.parametrize("seed", [1, 2])
def test_right_steps_pass_on_params_and_grads_that_are_not_contiguous(seed):
    seen = []

    def recording(params, lr):
        seen.extend((p.is_contiguous(), p.grad is None or p.grad.is_contiguous()) for p in params)
        _sgd_step_(params, lr)

    check("sgd_step__tests", recording, hidden=True, seed=seed)
    assert (False, False) in seen                # a param and its .grad that are not contiguous
    check("momentum_step__tests", _momentum_step_, hidden=True, seed=seed)
    check("weights_after_steps_tests", lambda w0, lr, k: w0 * (1 - lr) ** k, hidden=True, seed=seed)


def test_an_update_through_a_flat_view_fails_on_a_transposed_weight_and_says_why():
    def flat(params, lr):
        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p.view(-1).sub_(lr * p.grad.view(-1))
                    p.grad.zero_()

    check("sgd_step__tests", flat)               # contiguous examples: fine
    with pytest.raises(AssertionError) as failure:
        check("sgd_step__tests", flat, hidden=True, seed=1)
    message = str(failure.value)
    assert "params[0] not contiguous (stored transposed)" in message and "Use .reshape" in message
    assert "a reshaped copy changed in place leaves the original as it was" in message
