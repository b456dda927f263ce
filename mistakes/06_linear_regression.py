"""Typical wrong answers for 06_linear_regression, each graded in the tests."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # synthetic_data
    Mistake(
        name="noise_with_std_one",
        misconception=None,
        why_none="the noise level of the exercise's data set: a slip the diagnosis names",
        cell="synthetic_data",
        replace=[
            ('    y = y + 0.01 * torch.randn(y.shape, generator=generator, dtype=w.dtype)\n',
             '    y = y + torch.randn(y.shape, generator=generator, dtype=w.dtype)\n'),
        ],
        loses=["synthetic_data_tests"],
        feedback=["must have std 0.01"],
    ),
    Mistake(
        name="labels_not_a_column",
        misconception=None,
        why_none="the layout the exercise asks for (a column): the check cannot tell why it is flat",
        cell="synthetic_data",
        replace=[
            ('    return X, y.reshape(-1, 1)\n',
             '    return X, y\n'),
        ],
        loses=["synthetic_data_tests"],
        feedback=["must be a column", "reshape(-1, 1)"],
    ),
    Mistake(
        name="generator_ignored",
        misconception="generator-not-passed",
        cell="synthetic_data",
        code='''
def synthetic_data(w, b, num_examples, generator=None):
    X = torch.normal(0, 1, (num_examples, len(w)), dtype=w.dtype)
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape, dtype=w.dtype)
    return X, y.reshape((-1, 1))
''',
        loses=["synthetic_data_tests"],
        feedback=["generator=generator"],
    ),
    # data_iter
    Mistake(
        name="not_shuffled",
        misconception="epoch-order",
        cell="data_iter",
        replace=[
            ('    indices = torch.randperm(num_examples, generator=generator)\n',
             ''),
            ('        batch_indices = indices[start:start + batch_size]\n        yield features[batch_indices], labels[batch_indices]\n',
             '        yield features[start:start + batch_size], labels[start:start + batch_size]\n'),
        ],
        loses=["data_iter_tests"],
        feedback=["stored order", "torch.randperm"],
    ),
    Mistake(
        name="last_batch_dropped",
        misconception="epoch-order",
        cell="data_iter",
        replace=[
            ('    for start in range(0, num_examples, batch_size):\n',
             '    for start in range(0, num_examples - batch_size + 1, batch_size):\n'),
        ],
        loses=["data_iter_tests", "train_linreg_tests"],
        feedback=["The last batch may be smaller"],
    ),
    Mistake(
        name="sampled_with_replacement",
        misconception="epoch-order",
        cell="data_iter",
        replace=[
            ('    indices = torch.randperm(num_examples, generator=generator)\n',
             '    indices = torch.randint(0, num_examples, (num_examples,), generator=generator)\n'),
        ],
        loses=["data_iter_tests"],
        feedback=["exactly once", "not torch.randint"],
    ),
    Mistake(
        name="features_and_labels_shuffled_apart",
        misconception="epoch-order",
        cell="data_iter",
        replace=[
            ('    indices = torch.randperm(num_examples, generator=generator)\n',
             '    feature_order = torch.randperm(num_examples, generator=generator)\n    label_order = torch.randperm(num_examples, generator=generator)\n'),
            ('        batch_indices = indices[start:start + batch_size]\n        yield features[batch_indices], labels[batch_indices]\n',
             '        yield (features[feature_order[start:start + batch_size]],\n               labels[label_order[start:start + batch_size]])\n'),
        ],
        loses=["data_iter_tests", "train_linreg_tests"],
        feedback=["paired with its label"],
    ),
    # linreg
    Mistake(
        name="bias_forgotten",
        misconception=None,
        why_none="a term of the model left out: a slip the diagnosis names",
        cell="linreg",
        code='''
def linreg(X, w, b):
    return X @ w
''',
        loses=["linreg_tests", "train_linreg_tests"],
        feedback=["without the bias"],
    ),
    Mistake(
        name="prediction_flattened",
        misconception=None,
        why_none="a wrong shape alone: the check cannot tell where the column was flattened",
        cell="linreg",
        code='''
def linreg(X, w, b):
    return X @ w.reshape(-1) + b
''',
        loses=["linreg_tests"],
        feedback=["must have shape (2, 1)"],
    ),
    # squared_loss
    Mistake(
        name="half_dropped",
        misconception=None,
        why_none="the 1/2 of d2l's squared_loss is a convention of the exercise, not a misunderstanding of "
                 "gradients",
        cell="squared_loss",
        code='''
def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2
''',
        loses=["squared_loss_tests"],
        feedback=["the / 2 is missing"],
    ),
    Mistake(
        name="labels_not_reshaped",
        misconception="broadcast-shapes",
        cell="squared_loss",
        code='''
def squared_loss(y_hat, y):
    return (y_hat - y) ** 2 / 2
''',
        loses=["squared_loss_tests"],
        feedback=["reshape y to y_hat.shape"],
    ),
    Mistake(
        name="loss_averaged_inside",
        misconception=None,
        why_none="the interface asks for one loss per example: the diagnosis names the contract",
        cell="squared_loss",
        code='''
def squared_loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).mean()
''',
        loses=["squared_loss_tests", "train_linreg_tests"],
        feedback=["it must be elementwise"],
    ),
    # linreg_grads
    Mistake(
        name="bias_grad_not_summed",
        misconception="broadcast-grad-sum",
        cell="linreg_grads",
        code='''
def linreg_grads(X, y, w, b):
    residual = X @ w + b - y
    return X.T @ residual, residual
''',
        loses=["linreg_grads_tests"],
        feedback=["broadcast"],
    ),
    Mistake(
        name="grads_averaged_over_batch",
        misconception="mean-factor",
        cell="linreg_grads",
        code='''
def linreg_grads(X, y, w, b):
    residual = X @ w + b - y
    n = X.shape[0]
    return X.T @ residual / n, residual.sum(0) / n
''',
        loses=["linreg_grads_tests"],
        feedback=["the batch size"],
    ),
    Mistake(
        name="residual_sign_flipped",
        misconception="gradient-sign",
        cell="linreg_grads",
        code='''
def linreg_grads(X, y, w, b):
    residual = y - (X @ w + b)
    return X.T @ residual, residual.sum(0)
''',
        loses=["linreg_grads_tests"],
        feedback=["sign"],
    ),
    Mistake(
        name="weight_grad_transposed",
        misconception="matmul-transpose",
        cell="linreg_grads",
        code='''
def linreg_grads(X, y, w, b):
    residual = X @ w + b - y
    return residual.T @ X, residual.sum(0)
''',
        loses=["linreg_grads_tests"],
        feedback=["transpose"],
    ),
    # sgd
    Mistake(
        name="no_division_by_batch_size",
        misconception="mean-factor",
        cell="sgd",
        replace=[
            ('            param -= lr * param.grad / batch_size\n',
             '            param -= lr * param.grad\n'),
        ],
        loses=["sgd_tests"],
        feedback=["the batch size"],
    ),
    Mistake(
        name="grads_not_zeroed",
        misconception="grad-accumulates",
        cell="sgd",
        replace=[
            ('            param.grad.zero_()\n',
             ''),
        ],
        loses=["sgd_tests", "train_linreg_tests"],
        feedback=["zero it"],
    ),
    Mistake(
        name="update_recorded_by_autograd",
        misconception="update-outside-no-grad",
        cell="sgd",
        code='''
def sgd(params, lr, batch_size):
    for param in params:
        param -= lr * param.grad / batch_size
        param.grad.zero_()
''',
        loses=["sgd_tests", "train_linreg_tests"],
        feedback=["torch.no_grad()"],
    ),
    Mistake(
        name="update_through_data",
        misconception="version-counter",
        cell="sgd",
        code='''
def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad / batch_size
        param.grad.zero_()
''',
        loses=["sgd_tests"],
        feedback=["its version counter (params[0]._version) did not move", "through .data"],
    ),
    # train_linreg
    Mistake(
        name="batch_size_divided_twice",
        misconception=None,
        why_none="training ends off target, and the diagnosis can only name two possible causes",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y).mean()
            l.backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.item())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["dividing by the batch size twice"],
    ),
    Mistake(
        name="weights_do_not_require_grad",
        misconception=None,
        why_none="torch's 'does not require grad' has three causes the diagnosis names and cannot tell apart",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = 0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)
    b = torch.zeros(1, dtype=features.dtype)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.mean().item())
    return w, b, losses
''',
        loses=["train_linreg_tests"],
        feedback=["not part of a graph"],
    ),
    Mistake(
        name="losses_kept_as_tensors",
        misconception="loss-item",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.mean())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["Python floats"],
    ),
    Mistake(
        # what a training run returns (#18): w drawn without the generator it was given
        name="w_drawn_from_the_global_generator",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.mean().item())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["called twice with generators seeded alike",
                  "Two calls with generators seeded alike gave different results"],
        misconception="generator-not-passed"
    ),
    Mistake(
        # b made without the dtype of the features: training works (float64 + float32 is float64), b stays float32
        name="bias_in_float32",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.mean().item())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["w and b have dtypes torch.float64 and torch.float32", "dtype=features.dtype"],
        misconception="dtype-at-creation"
    ),
    Mistake(
        # the minibatch's summed loss recorded instead of its mean
        name="losses_recorded_as_sums",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(l.sum().item())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["the losses are sums over each minibatch", "append l.mean().item()"],
        misconception=None, why_none="the sum and the mean of a minibatch loss are both losses: what is recorded is the exercise's convention"
    ),
    Mistake(
        # the loss computed again after the update and recorded
        name="losses_recorded_after_the_step",
        cell="train_linreg",
        code='''
def train_linreg(features, labels, lr=0.03, batch_size=10, num_epochs=3, generator=None):
    w = (0.01 * torch.randn(features.shape[1], 1, generator=generator, dtype=features.dtype)).requires_grad_()
    b = torch.zeros(1, dtype=features.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels, generator):
            l = squared_loss(linreg(X, w, b), y)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
            losses.append(squared_loss(linreg(X, w, b), y).mean().item())
    return w.detach(), b.detach(), losses
''',
        loses=["train_linreg_tests"],
        feedback=["the minibatch's mean loss after its update", "before its update"],
        misconception=None, why_none="a step of the loop done in another order: the record's convention, not a misunderstanding of training"
    ),
]
