"""The checks of 06_linear_regression, run directly on functions written here (no notebook, no nbgrader)."""
import json

import pytest
import torch

from course.checks import a06_linear_regression as linear_regression, check
from course.kernel import adapters, plain, runner
from course.checks.core.exercise import trial_seed
from course.checks.registry import EXERCISES


# ---- right answers, written as a learner might ---------------------------------------

def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0, 1, (num_examples, len(w)), generator=generator, dtype=w.dtype)
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape, generator=generator, dtype=w.dtype)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels, generator=None):
    indices = torch.randperm(len(features), generator=generator).tolist()
    for i in range(0, len(features), batch_size):
        batch = torch.tensor(indices[i:min(i + batch_size, len(features))])
        yield features[batch], labels[batch]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def linreg_grads(X, y, w, b):
    r = linreg(X, w, b) - y.reshape(-1, 1)
    return X.T @ r, r.sum(0)


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = torch.normal(0, 0.01, size=(features.shape[1], 1), generator=generator, dtype=features.dtype)
    w.requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.mean().item())
    return w.detach(), b.detach(), losses


RIGHT = {"synthetic_data_tests": synthetic_data, "data_iter_tests": data_iter, "linreg_tests": linreg,
         "squared_loss_tests": squared_loss, "linreg_grads_tests": linreg_grads, "sgd_tests": sgd,
         "train_linreg_tests": train_linreg}


def diagnosis(grade_id, fn, hidden=False):
    """The message a wrong `fn` gets from the checks of `grade_id`."""
    with pytest.raises(AssertionError) as failure:
        check(grade_id, fn, hidden=hidden, seed=7)
    return str(failure.value)


@pytest.mark.parametrize("grade_id", RIGHT)
@pytest.mark.parametrize("seed", [1, 2])
def test_right_answers_pass_visible_and_hidden_trials(grade_id, seed, capsys):
    """Does an answer written another reasonable way pass the example and every hidden trial?"""
    check(grade_id, RIGHT[grade_id])
    check(grade_id, RIGHT[grade_id], hidden=True, seed=seed)
    assert "all" in capsys.readouterr().out


def test_every_exercise_of_the_notebook_is_registered():
    """Does the registry know each graded function of 06 under its test cell's grade_id?"""
    assert {e.grade_id for e in linear_regression.EXERCISES} == set(RIGHT)
    assert all(EXERCISES[grade_id] in linear_regression.EXERCISES for grade_id in RIGHT)
    assert [e.function for e in linear_regression.EXERCISES if e.by_hand] == ["linreg_grads"]


# ---- adapters: the kernel's side sends plain data ------------------------------------

@pytest.mark.parametrize("grade_id", RIGHT)
def test_adapters_answer_in_plain_data(grade_id):
    """Does the kernel's answer to every hidden trial travel as plain data, with nothing unsupported?"""
    exercise = EXERCISES[grade_id]
    request = json.loads(json.dumps(exercise.request(exercise.hidden(trial_seed(3, grade_id)))))
    outcomes = runner.run(RIGHT[grade_id], request)
    text = json.dumps(outcomes)
    assert all(set(o) == {"value"} for o in outcomes)
    assert "unsupported" not in text


def test_the_generator_travels_as_a_seed():
    """Does the grader send an int for `generator`, which the kernel makes a seeded torch.Generator?"""
    trial = linear_regression.SYNTHETIC_DATA.visible()[0]
    assert type(trial.kwargs["generator"]) is int
    made = adapters.with_generator(trial.kwargs)["generator"]
    assert isinstance(made, torch.Generator) and made.initial_seed() == trial.kwargs["generator"]


def test_sgd_adapter_reports_the_state_of_each_param():
    """Does the sgd adapter report values after the step and the flags the grader judges?"""
    values, grads = [torch.tensor([1.0, 2.0])], [torch.tensor([10.0, 20.0])]
    report = runner.ADAPTERS["sgd_in_place"](sgd, [values, grads, 0.1, 10], {}, False, "sgd")
    assert report["grad_mode_kept"] is True and report["same_objects"] is True
    (param,) = report["params"]
    assert torch.allclose(param["value"], torch.tensor([0.9, 1.8]))
    assert param["is_leaf"] and param["requires_grad"] and not param["grad"].any()
    assert type(param["value"]) is torch.Tensor and not param["value"].requires_grad


def test_an_endless_data_iter_stops():
    """Does an iterator that never ends get cut after n + 1 batches instead of hanging the kernel?"""
    def forever(batch_size, features, labels, generator=None):
        while True:
            yield features[:batch_size], labels[:batch_size]

    assert "batch sizes must be" in diagnosis("data_iter_tests", forever)


# ---- the grader's side: anything the kernel sends is judged, never crashes -------------

JUNK = [None, 5, "text", [1, 2], (torch.ones(2),), {"params": 3}, {"params": [{"value": "x"}]},
        [[(torch.ones(1, 2), torch.ones(1, 1))], "x"], plain.Unsupported("a numpy.ndarray")]


@pytest.mark.parametrize("grade_id", RIGHT)
def test_junk_answers_fail_cleanly(grade_id):
    """Is a malformed answer from the kernel a failed trial with a message, never an exception in the grader?"""
    exercise = EXERCISES[grade_id]
    trials = exercise.visible()
    for junk in JUNK:
        value = {"unsupported": junk.description} if isinstance(junk, plain.Unsupported) else plain.encode(junk)
        verdict = exercise.judge(trials, [{"value": value}], exercise.visible_label)
        assert not verdict.passed and verdict.message


def test_a_bool_tensor_for_a_param_fails_cleanly():
    """Does a parameter sent back with another dtype fail with a message instead of breaking the subtraction?"""
    exercise = linear_regression.SGD
    trials = exercise.visible()[:1]
    report = {"grad_mode_kept": True, "same_objects": True,
              "params": [{"value": torch.ones(2, 1, dtype=torch.bool), "is_leaf": True, "requires_grad": True,
                          "grad": torch.zeros(2, 1, dtype=torch.bool)},
                         {"value": torch.ones(1), "is_leaf": True, "requires_grad": True, "grad": None}]}
    verdict = exercise.judge(trials, [{"value": plain.encode(report)}], exercise.visible_label)
    assert not verdict.passed and "changed from shape (2, 1)" in verdict.message


# ---- wrong answers get named -----------------------------------------------------------

def test_a_generator_that_is_ignored_gets_named():
    """Does synthetic_data drawing from the global generator fail as not reproducible?"""
    def unseeded(w, b, num_examples, generator=None):
        return synthetic_data(w, b, num_examples)

    assert "generator=generator" in diagnosis("synthetic_data_tests", unseeded)


def test_noise_of_the_wrong_size_gets_named():
    """Is noise of std 0.1 instead of 0.01 told to have the wrong std?"""
    def loud(w, b, num_examples, generator=None):
        X, y = synthetic_data(w, b, num_examples, generator)
        return X, y + 0.1 * torch.randn(y.shape, generator=generator, dtype=w.dtype)

    assert "must have std 0.01" in diagnosis("synthetic_data_tests", loud)


def test_sampling_with_replacement_gets_named():
    """Does a data_iter built on torch.randint get told to use a permutation?"""
    def with_replacement(batch_size, features, labels, generator=None):
        n = len(features)
        indices = torch.randint(0, n, (n,), generator=generator)
        for i in range(0, n, batch_size):
            yield features[indices[i:i + batch_size]], labels[indices[i:i + batch_size]]

    assert "not torch.randint" in diagnosis("data_iter_tests", with_replacement)


def test_a_data_iter_in_stored_order_gets_named():
    """Does a data_iter that never shuffles fail on the stored order?"""
    def in_order(batch_size, features, labels, generator=None):
        for i in range(0, len(features), batch_size):
            yield features[i:i + batch_size], labels[i:i + batch_size]

    assert "stored order" in diagnosis("data_iter_tests", in_order)


def test_a_batch_larger_than_the_data_set_is_among_the_hidden_trials():
    """Do the hidden trials hold one example, a batch larger than the data, and one batch for all?"""
    cases = {(len(t.args[1]), t.args[0]) for t in linear_regression.DATA_ITER.hidden(5)}
    assert (1, 1) in cases and (50, 64) in cases and (16, 16) in cases
    assert all(t.args[1].dtype == torch.float64 for t in linear_regression.DATA_ITER.hidden(5))


def test_a_forgotten_bias_gets_named():
    """Is linreg returning X @ w told that the bias is missing?"""
    assert "without the bias" in diagnosis("linreg_tests", lambda X, w, b: X @ w)


def test_a_missing_half_gets_named():
    """Is a squared_loss without the / 2 told exactly that?"""
    message = diagnosis("squared_loss_tests", lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)) ** 2)
    assert "2 times the right answer: the / 2 is missing" in message


def test_a_nan_at_an_exact_fit_gets_caught():
    """Does a rule that breaks only where a residual is exactly 0 fail in the hidden trials?"""
    def via_the_loss(X, y, w, b):
        r = linreg(X, w, b) - y
        per_example = 2 * (r ** 2 / 2) / r        # r again, except nan where r == 0
        return X.T @ per_example, per_example.sum(0)

    check("linreg_grads_tests", via_the_loss)
    assert "NaN" in diagnosis("linreg_grads_tests", via_the_loss, hidden=True)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda X, y, w, b: tuple(-g for g in linreg_grads(X, y, w, b)), "the sign is flipped"),
    (lambda X, y, w, b: tuple(2 * g for g in linreg_grads(X, y, w, b)), "squared_loss's 1/2 cancels it"),
    (lambda X, y, w, b: tuple(g / len(X) for g in linreg_grads(X, y, w, b)), "1 / the batch size"),
    (lambda X, y, w, b: (linreg_grads(X, y, w, b)[0].T, linreg_grads(X, y, w, b)[1]), "transpose"),
])
def test_typical_gradient_mistakes_get_named(wrong, phrase):
    """Does each typical mistake of linreg_grads get its own diagnosis?"""
    assert phrase in diagnosis("linreg_grads_tests", wrong)


def test_linreg_grads_may_not_use_autograd():
    """Is a linreg_grads that calls backward() refused?"""
    def with_autograd(X, y, w, b):
        w, b = w.clone().requires_grad_(), b.clone().requires_grad_()
        squared_loss(linreg(X, w, b), y).sum().backward()
        return w.grad, b.grad

    assert "must compute the gradient by hand" in diagnosis("linreg_grads_tests", with_autograd)


def test_a_sign_error_in_sgd_gets_named():
    """Does a step up the gradient (param += ...) get named as a flipped sign?"""
    def ascent(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param += lr * param.grad / batch_size
                param.grad.zero_()

    assert "the sign is flipped" in diagnosis("sgd_tests", ascent)


@pytest.mark.parametrize("wrong, phrase", [
    ("param -= lr * param.grad", "the batch size"),
    ("param -= lr * param.grad / batch_size; param.grad = param.grad * 1", "zero it"),
    ("param = param - lr * param.grad / batch_size", "did not change"),
])
def test_typical_sgd_mistakes_get_named(wrong, phrase):
    """Does each typical mistake of sgd get its own diagnosis?"""
    scope = {}
    exec(f"def wrong(params, lr, batch_size):\n    with torch.no_grad():\n"
         f"        for param in params:\n            {wrong}\n", {"torch": torch}, scope)
    assert phrase in diagnosis("sgd_tests", scope["wrong"])


def test_sgd_outside_no_grad_gets_the_hint():
    """Is an update recorded by autograd told to use torch.no_grad()?"""
    def recorded(params, lr, batch_size):
        for param in params:
            param -= lr * param.grad / batch_size

    assert "torch.no_grad()" in diagnosis("sgd_tests", recorded)


def test_training_is_judged_on_the_distance_to_the_truth():
    """Does a run that returns its starting point fail on recovery, measured by the grader?"""
    def untrained(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
        steps = num_epochs * -(-len(features) // batch_size)
        return torch.zeros(features.shape[1], 1), torch.zeros(1), [1.0] * steps

    assert "After training, w is off by up to" in diagnosis("train_linreg_tests", untrained)


def test_losses_as_tensors_get_named():
    """Are losses kept as tensors told to be Python floats?"""
    def tensor_losses(features, labels, **kwargs):
        w, b, losses = train_linreg(features, labels, **kwargs)
        return w, b, [torch.tensor(v) for v in losses]

    assert "Python floats" in diagnosis("train_linreg_tests", tensor_losses)


def test_an_sgd_through_data_is_refused_with_its_cause():
    """Is an update through .data, which autograd does not see, refused with that cause (#17 item 7)?"""
    def through_data(params, lr, batch_size):
        for param in params:
            param.data -= lr * param.grad / batch_size
            param.grad.zero_()

    for hidden in (False, True):
        message = diagnosis("sgd_tests", through_data, hidden=hidden)
        assert "version counter (params[0]._version) did not move" in message and "through .data" in message


# ---- what 06's lessons say about torch, against this torch --------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_x_times_w_against_x_matmul_w(seed):
    """06 (section 3): with X (4, 2), X @ w_col is (4, 1), X @ w_flat (4,), X * w_flat (4, 2) whose rows
    sum to X @ w_flat; X * w_col raises; with n = d = 2, X * w_col runs and scales row i by w_i; with one
    feature, x * w equals x @ w.reshape(1, 1)."""
    gen = torch.Generator().manual_seed(seed)
    X, w_flat = torch.randn(4, 2, generator=gen), torch.tensor([2.0, -3.4])
    w_col = w_flat.reshape(2, 1)
    assert (X @ w_col).shape == (4, 1) and (X @ w_flat).shape == (4,) and (X * w_flat).shape == (4, 2)
    assert torch.allclose((X * w_flat).sum(1), X @ w_flat)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(4\) must match the size of tensor b \(2\)"):
        X * w_col
    X2 = X[:2]
    assert torch.equal(X2 * w_col, torch.stack([X2[0] * w_col[0], X2[1] * w_col[1]]))
    assert not torch.allclose((X2 * w_col).sum(1, keepdim=True), X2 @ w_col)
    x1, w1 = X[:, :1], torch.tensor([2.0])
    assert torch.equal(x1 * w1, x1 @ w1.reshape(1, 1))


def test_the_mxnet_table_names_and_dtypes():
    """06's table: torch.normal(0, 1, (n, d)) takes NumPy's positional form; torch's normal and zeros give
    float32, NumPy's own np.random.normal and np.zeros float64; a sum over rows is a product with ones."""
    np = pytest.importorskip("numpy")
    assert torch.normal(0, 1, (3, 2)).shape == (3, 2) and torch.normal(0, 1, (3, 2)).dtype == torch.float32
    assert torch.zeros(1).dtype == torch.float32
    assert np.random.normal(0, 1, (3, 2)).dtype == np.float64 and np.zeros(1).dtype == np.float64
    r = torch.tensor([[0.5], [-1.0], [2.0]])
    assert torch.equal(torch.ones(1, 3) @ r, r.sum(0, keepdim=True))


# ---- what a training run returns (#18, class 5) ----------------------------------------

def _recording(record):
    """train_linreg that records `record(l, X, y, w, b)` per minibatch instead of l.mean().item()."""
    def train(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
        w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
        b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
        losses = []
        for _ in range(num_epochs):
            for X, y in data_iter(batch_size, features, labels, generator):
                l = squared_loss(linreg(X, w, b), y)
                l.sum().backward()
                sgd([w, b], lr, batch_size)
                losses.append(record(l, X, y, w, b))
        return w.detach(), b.detach(), losses
    return train


def test_the_replay_is_the_run_the_notebook_describes():
    """Does the grader's replay give, bit for bit, the losses and parameters of the run Exercise 7 describes?"""
    trial = linear_regression.TRAIN_LINREG.visible()[1]
    kwargs = {k: v for k, v in trial.kwargs.items() if k != "runs"}
    run = linear_regression.linreg_run(*trial.args, kwargs["lr"], kwargs["batch_size"], kwargs["num_epochs"],
                                       kwargs["generator"])
    w, b, losses = train_linreg(*trial.args, **adapters.with_generator(kwargs))
    assert losses == run["before"] and torch.equal(w, run["w"]) and torch.equal(b, run["b"])
    assert run["sizes"][-1] == 1003 % 7 and len(run["after"]) == len(losses)


def test_losses_recorded_as_sums_get_named():
    message = diagnosis("train_linreg_tests", _recording(lambda l, *_: l.sum().item()))
    assert "the losses are sums over each minibatch" in message and "append l.mean().item()" in message


def test_losses_recorded_after_the_update_get_named():
    after = _recording(lambda l, X, y, w, b: squared_loss(linreg(X, w, b), y).mean().item())
    message = diagnosis("train_linreg_tests", after, hidden=True)
    assert "the minibatch's mean loss after its update" in message


def test_another_wrong_loss_of_the_replayed_run_is_named_at_its_index():
    message = diagnosis("train_linreg_tests", _recording(lambda l, *_: l.max().item()))
    assert message.count("losses[") == 1 and "but the mean loss of minibatch" in message


def test_a_run_in_another_order_of_draws_is_not_judged_batch_by_batch():
    """A reproducible run whose minibatch order the replay cannot know (another shuffle) keeps full marks."""
    def shuffled(batch_size, features, labels, generator=None):
        order = torch.argsort(torch.rand(len(features), generator=generator))
        for start in range(0, len(features), batch_size):
            rows = order[start:start + batch_size]
            yield features[rows], labels[rows]

    def train(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
        w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
        b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
        losses = []
        for _ in range(num_epochs):
            for X, y in shuffled(batch_size, features, labels, generator):
                l = squared_loss(linreg(X, w, b), y)
                l.sum().backward()
                sgd([w, b], lr, batch_size)
                losses.append(l.mean().item())
        return w.detach(), b.detach(), losses

    check("train_linreg_tests", train)
    check("train_linreg_tests", train, hidden=True, seed=3)


def test_a_run_that_ignores_its_generator_is_not_reproducible():
    def global_w(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
        torch.randn(1)                                 # the global generator moves between the two calls
        return train_linreg(features, labels, lr, batch_size, num_epochs,
                            torch.Generator().manual_seed(int(torch.randint(0, 2 ** 31, (1,)))))

    message = diagnosis("train_linreg_tests", global_w)
    assert message.startswith("for 1000 examples of 2 features in batches of 10, called twice with generators "
                              "seeded alike: Two calls with generators seeded alike gave different results")


def test_parameters_in_another_dtype_than_the_features_get_named():
    def float32_b(features, labels, **kwargs):
        w, b, losses = train_linreg(features, labels, **kwargs)
        return w, b.float(), losses

    message = diagnosis("train_linreg_tests", float32_b)
    assert "w and b have dtypes torch.float64 and torch.float32, but features have dtype torch.float64" in message


def test_batches_in_another_dtype_get_named():
    def as_float32(batch_size, features, labels, generator=None):
        for X, y in data_iter(batch_size, features, labels, generator):
            yield X.float(), y.float()

    message = diagnosis("data_iter_tests", as_float32)
    assert "A batch has dtypes torch.float32 and torch.float32, but features and labels have torch.float64" in message


def test_the_runs_adapter_calls_as_often_as_the_trial_says():
    calls = []
    runs = runner.ADAPTERS["seeded_generator_runs"](lambda generator: calls.append(generator) or len(calls), [],
                                                    {"generator": 5, "runs": 2}, False, "f")
    assert runs == [1, 2] and calls[0] is not calls[1] and calls[0].initial_seed() == calls[1].initial_seed() == 5
    assert runner.ADAPTERS["seeded_generator_runs"](lambda generator: 0, [], {"generator": 5}, False, "f") == [0]


# ---- inputs that are not contiguous (#18, class 1) ------------------------------------

@pytest.mark.parametrize("grade_id", ["data_iter_tests", "linreg_tests", "squared_loss_tests",
                                      "linreg_grads_tests", "sgd_tests", "train_linreg_tests"])
def test_a_hidden_trial_gives_an_input_that_is_not_contiguous(grade_id):
    def tensors(value):
        if isinstance(value, torch.Tensor):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from tensors(item)

    trials = EXERCISES[grade_id].hidden(trial_seed(5, grade_id))
    assert any(not t.is_contiguous() for trial in trials for t in tensors(trial.args))
    assert any("not contiguous" in trial.case for trial in trials)
