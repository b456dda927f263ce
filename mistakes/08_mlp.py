"""Typical wrong answers for 08_mlp, each graded in the tests."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # linear_forward
    Mistake(name="weight_not_transposed", cell="linear_forward",
            misconception="linear-weight-layout",
            replace=[("x @ W.T + b", "x @ W + b")],
            loses=["linear_forward_tests"], feedback=["transpose of W"]),
    Mistake(name="linear_bias_forgotten", cell="linear_forward",
            misconception=None,
            why_none="a term of the layer left out: a slip the diagnosis names",
            replace=[("x @ W.T + b", "x @ W.T")],
            loses=["linear_forward_tests"], feedback=["without the bias"]),

    # softmax_cross_entropy_grad (mlp_grads calls it, so its check fails too where the values change)
    Mistake(name="ce_grad_not_divided_by_batch", cell="softmax_cross_entropy_grad",
            misconception="mean-factor",
            replace=[("return (probs - one_hot) / logits.shape[0]", "return probs - one_hot")],
            loses=["softmax_cross_entropy_grad_tests", "mlp_grads_tests"], feedback=["the batch size"]),
    Mistake(name="one_hot_not_subtracted", cell="softmax_cross_entropy_grad",
            misconception="softmax-ce-grad",
            replace=[("return (probs - one_hot) / logits.shape[0]", "return probs / logits.shape[0]")],
            loses=["softmax_cross_entropy_grad_tests", "mlp_grads_tests"], feedback=["one-hot"]),
    Mistake(name="softmax_without_max_shift", cell="softmax_cross_entropy_grad",
            misconception="exp-overflow",
            code='''
def softmax_cross_entropy_grad(logits, targets):
    """d F.cross_entropy(logits, targets) / d logits, by hand: (softmax - one_hot) / N."""
    exps = torch.exp(logits)
    probs = exps / exps.sum(dim=1, keepdim=True)
    one_hot = F.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return (probs - one_hot) / logits.shape[0]
''',
            loses=["softmax_cross_entropy_grad_tests"], feedback=["NaN", "exp of a large number"]),
    Mistake(name="ce_grad_sign_flipped", cell="softmax_cross_entropy_grad",
            misconception="gradient-sign",
            replace=[("return (probs - one_hot) / logits.shape[0]", "return (one_hot - probs) / logits.shape[0]")],
            loses=["softmax_cross_entropy_grad_tests", "mlp_grads_tests"], feedback=["sign is flipped"]),

    # mlp_grads
    Mistake(name="relu_mask_missing", cell="mlp_grads",
            misconception=None,
            why_none="the check can tell only that the hidden layer's backward pass is wrong (a transpose, "
                     "the mask or the bias), not which",
            replace=[("grad_Z = grad_H * (Z > 0)", "grad_Z = grad_H")],
            loses=["mlp_grads_tests"], feedback=["grad_W2 and grad_b2 are right", "the ReLU"]),
    # 07's clamp habit: the mask Z >= 0 passes the gradient at an exact 0, where torch.relu passes none
    Mistake(name="relu_mask_passes_at_zero", cell="mlp_grads",
            misconception="relu-at-zero",
            replace=[("grad_Z = grad_H * (Z > 0)", "grad_Z = grad_H * (Z >= 0)")],
            loses=["mlp_grads_tests"], feedback=["exactly 0", "Its mask is Z > 0"]),
    Mistake(name="bias_grads_not_summed", cell="mlp_grads",
            misconception="broadcast-grad-sum",
            replace=[("grad_b2 = grad_O.sum(dim=0)", "grad_b2 = grad_O"),
                     ("grad_b1 = grad_Z.sum(dim=0)", "grad_b1 = grad_Z")],
            loses=["mlp_grads_tests"], feedback=["broadcast"]),
    Mistake(name="first_layer_grad_transposed", cell="mlp_grads",
            misconception="matmul-transpose",
            replace=[("grad_W1 = X.T @ grad_Z", "grad_W1 = grad_Z.T @ X")],
            loses=["mlp_grads_tests"], feedback=["transpose"]),

    # xavier_std (init_mlp's "xavier" scheme uses it)
    Mistake(name="xavier_fan_in_only", cell="xavier_std",
            misconception="init-scale",
            replace=[("math.sqrt(2.0 / (fan_in + fan_out))", "math.sqrt(1.0 / fan_in)")],
            loses=["xavier_std_tests", "init_mlp_tests"], feedback=["only fan_in"]),
    Mistake(name="xavier_uniform_bound", cell="xavier_std",
            misconception="init-scale",
            replace=[("math.sqrt(2.0 / (fan_in + fan_out))", "math.sqrt(6.0 / (fan_in + fan_out))")],
            loses=["xavier_std_tests", "init_mlp_tests"], feedback=["the bound of xavier_uniform_"]),
    Mistake(name="xavier_variance_not_std", cell="xavier_std",
            misconception="normal-shift-stretch",
            replace=[("math.sqrt(2.0 / (fan_in + fan_out))", "2.0 / (fan_in + fan_out)")],
            loses=["xavier_std_tests", "init_mlp_tests"], feedback=["take the square root"]),

    # he_std (init_mlp's "he" scheme uses it; train_mlp still trains with these)
    Mistake(name="he_without_relu_gain", cell="he_std",
            misconception="init-scale",
            replace=[("math.sqrt(2.0 / fan_in)", "math.sqrt(1.0 / fan_in)")],
            loses=["he_std_tests", "init_mlp_tests"], feedback=["the gain sqrt(2) of ReLU is missing"]),
    Mistake(name="he_uniform_bound", cell="he_std",
            misconception="init-scale",
            replace=[("math.sqrt(2.0 / fan_in)", "math.sqrt(6.0 / fan_in)")],
            loses=["he_std_tests", "init_mlp_tests"], feedback=["the bound of kaiming_uniform_"]),

    # init_mlp
    Mistake(name="torch_init_on_d2l_layout", cell="init_mlp",
            misconception="linear-weight-layout",
            code='''
def init_mlp(num_inputs, num_hiddens, num_outputs, scheme, generator=None):
    """[W1, b1, W2, b2] as nn.Parameters in d2l's layout; weights ~ N(0, std^2), std set by scheme."""
    def weight(fan_in, fan_out):
        W = torch.empty(fan_in, fan_out)
        if scheme == "xavier":
            nn.init.xavier_normal_(W, generator=generator)
        elif scheme == "he":
            nn.init.kaiming_normal_(W, nonlinearity="relu", generator=generator)
        else:
            nn.init.normal_(W, std=scheme, generator=generator)
        return nn.Parameter(W)

    return [weight(num_inputs, num_hiddens), nn.Parameter(torch.zeros(num_hiddens)),
            weight(num_hiddens, num_outputs), nn.Parameter(torch.zeros(num_outputs))]
''',
            loses=["init_mlp_tests"], feedback=["reads fan_in from dimension 1"]),
    Mistake(name="plain_tensors_not_parameters", cell="init_mlp",
            misconception="parameter-not-tensor",
            code='''
def init_mlp(num_inputs, num_hiddens, num_outputs, scheme, generator=None):
    """[W1, b1, W2, b2] as nn.Parameters in d2l's layout; weights ~ N(0, std^2), std set by scheme."""
    if scheme == "xavier":
        std1, std2 = xavier_std(num_inputs, num_hiddens), xavier_std(num_hiddens, num_outputs)
    elif scheme == "he":
        std1, std2 = he_std(num_inputs), he_std(num_hiddens)
    else:
        std1 = std2 = scheme
    W1 = (torch.randn(num_inputs, num_hiddens, generator=generator) * std1).requires_grad_()
    b1 = torch.zeros(num_hiddens, requires_grad=True)
    W2 = (torch.randn(num_hiddens, num_outputs, generator=generator) * std2).requires_grad_()
    b2 = torch.zeros(num_outputs, requires_grad=True)
    return [W1, b1, W2, b2]
''',
            loses=["init_mlp_tests"], feedback=["must be an nn.Parameter"]),
    Mistake(name="init_generator_ignored", cell="init_mlp",
            misconception="generator-not-passed",
            replace=[("torch.randn(fan_in, fan_out, generator=generator)", "torch.randn(fan_in, fan_out)")],
            loses=["init_mlp_tests", "train_mlp_tests"], feedback=["generator=generator"]),
    # the right std, drawn uniformly: a moment check passes it, the draws do not look normal
    Mistake(name="init_uniform_with_the_right_std", cell="init_mlp",
            misconception="normal-or-uniform",
            replace=[("return nn.Parameter(torch.randn(fan_in, fan_out, generator=generator) * std)",
                      "bound = math.sqrt(3.0) * std        # U(-bound, bound) has this std\n"
                      "        return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound, generator=generator))")],
            loses=["init_mlp_tests"], feedback=["look uniform on [-a, a], not normal"]),

    # step_decay_lr
    Mistake(name="step_decay_off_by_one", cell="step_decay_lr",
            misconception="schedule-counting",
            replace=[("epoch // every", "(epoch + 1) // every")],
            loses=["step_decay_lr_tests", "train_mlp_tests"], feedback=["one epoch too early"]),
    Mistake(name="step_decay_float_division", cell="step_decay_lr",
            misconception="schedule-counting",
            replace=[("epoch // every", "epoch / every")],
            loses=["step_decay_lr_tests", "train_mlp_tests"], feedback=["integer division"]),

    # train_mlp
    Mistake(name="train_grads_not_cleared", cell="train_mlp",
            misconception="grad-accumulates",
            replace=[("\n                    param.grad = None            # what optimizer.zero_grad() does", "")],
            loses=["train_mlp_tests"], feedback=["clear them after each step"]),
    Mistake(name="train_update_rebinds_name", cell="train_mlp",
            misconception="rebinding-vs-in-place",
            replace=[("param -= epoch_lr * param.grad", "param = param - epoch_lr * param.grad")],
            loses=["train_mlp_tests"], feedback=["updated in place", "Rebinding a name"]),
    # 05's per-iteration schedule in an epoch schedule's place: the rate drops every `every` minibatches. The short
    # run (one minibatch per epoch) cannot tell minibatches from epochs; the digits' run ends under 95%.
    Mistake(name="train_schedule_counts_minibatches", cell="train_mlp",
            misconception=None,
            why_none="caught by the 95% test accuracy on the digits, whose diagnosis cannot name the schedule: the "
                     "grader sees only the final params of that run",
            code='''
def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, num_epochs=10, batch_size=64,
              lr=0.5, drop=0.5, every=4, generator=None):
    """Train the MLP with He init, minibatch SGD by hand and step decay; returns (params, history)."""
    params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
    history = {"loss": [], "train_acc": [], "test_acc": []}
    step = 0
    for epoch in range(num_epochs):
        order = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(X_train), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(mlp_forward(X_train[batch], params), y_train[batch])
            loss.backward()
            with torch.no_grad():
                for param in params:
                    param -= step_decay_lr(lr, step, drop, every) * param.grad
                    param.grad = None
            step += 1
            history["loss"].append(loss.item())
        with torch.no_grad():
            history["train_acc"].append(accuracy(mlp_forward(X_train, params), y_train))
            history["test_acc"].append(accuracy(mlp_forward(X_test, params), y_test))
    return params, history
''',
            loses=["train_mlp_tests"], feedback=["must be at least 95%"]),
    # the training accuracy of the epoch's last minibatch recorded as the accuracy on the training set
    Mistake(name="train_accuracy_of_the_last_minibatch", cell="train_mlp",
            misconception=None,
            why_none="a metric recorded on other data than the exercise names: a slip the diagnosis names, "
                     "not a misunderstanding of gradients",
            replace=[("history[\"train_acc\"].append(accuracy(mlp_forward(X_train, params), y_train))",
                      "history[\"train_acc\"].append(accuracy(mlp_forward(X_train[batch], params), y_train[batch]))")],
            loses=["train_mlp_tests"], feedback=['history["train_acc"][-1]', "the returned params have accuracy"]),
    Mistake(name="train_update_recorded_by_autograd", cell="train_mlp",
            misconception="update-outside-no-grad",
            code='''
def train_mlp(X_train, y_train, X_test, y_test, num_hiddens=256, num_epochs=10, batch_size=128,
              lr=0.5, drop=0.5, every=4, generator=None):
    """Train the MLP with He init, minibatch SGD by hand and step decay; returns (params, history)."""
    params = init_mlp(X_train.shape[1], num_hiddens, 10, "he", generator=generator)
    history = {"loss": [], "train_acc": [], "test_acc": []}
    for epoch in range(num_epochs):
        epoch_lr = step_decay_lr(lr, epoch, drop, every)
        order = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(X_train), batch_size):
            batch = order[start:start + batch_size]
            loss = F.cross_entropy(mlp_forward(X_train[batch], params), y_train[batch])
            loss.backward()
            for param in params:
                param -= epoch_lr * param.grad
                param.grad = None
            history["loss"].append(loss.item())
        history["train_acc"].append(accuracy(mlp_forward(X_train, params), y_train))
        history["test_acc"].append(accuracy(mlp_forward(X_test, params), y_test))
    return params, history
''',
            loses=["train_mlp_tests"], feedback=["torch.no_grad()"]),
]
