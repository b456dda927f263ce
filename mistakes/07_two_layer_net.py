"""Typical wrong answers for 07_two_layer_net, each graded in the tests."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # two_layer_forward (train_two_layer calls it, so its check fails too)
    Mistake(
        name="relu_forgotten",
        misconception=None,
        why_none="the forward pass the exercise specifies, without its ReLU: a slip the diagnosis names, not "
                 "a misunderstanding of gradients",
        cell="two_layer_forward",
        replace=[("X.mm(W1).clamp(min=0).mm(W2)", "X.mm(W1).mm(W2)")],
        loses=["two_layer_forward_tests", "train_two_layer_tests"],
        feedback=["the ReLU is missing"],
    ),
    Mistake(
        name="relu_on_the_output",
        misconception=None,
        why_none="the forward pass the exercise specifies, with the ReLU in the wrong place: a slip the "
                 "diagnosis names, not a misunderstanding of gradients",
        cell="two_layer_forward",
        replace=[("X.mm(W1).clamp(min=0).mm(W2)", "X.mm(W1).mm(W2).clamp(min=0)")],
        loses=["two_layer_forward_tests", "train_two_layer_tests"],
        feedback=["applied the ReLU to the output"],
    ),
    Mistake(
        name="column_vector_convention",
        misconception=None,
        why_none="the forward's result is the transpose: a layout convention (column vectors) the diagnosis "
                 "names by its shape, not a misunderstanding of gradients",
        cell="two_layer_forward",
        replace=[("X.mm(W1).clamp(min=0).mm(W2)", "W2.t().mm(W1.t().mm(X.t()).clamp(min=0))")],
        loses=["two_layer_forward_tests", "train_two_layer_tests"],
        feedback=["transpose"],
    ),
    # torch.relu: the same values as clamp(min=0), but its gradient at an exact 0 is 0, not clamp's 1
    Mistake(
        name="relu_forward_with_torch_relu",
        misconception="relu-at-zero",
        cell="two_layer_forward",
        replace=[("X.mm(W1).clamp(min=0).mm(W2)", "torch.relu(X.mm(W1)).mm(W2)")],
        loses=["two_layer_forward_tests"],
        feedback=["its ReLU is not clamp(min=0)", "slope at 0 is 0"],
    ),
    # torch.maximum splits the gradient at an exact 0: 1/2
    Mistake(
        name="relu_forward_with_maximum",
        misconception="relu-at-zero",
        cell="two_layer_forward",
        replace=[("X.mm(W1).clamp(min=0).mm(W2)", "torch.maximum(X.mm(W1), torch.zeros(1)).mm(W2)")],
        loses=["two_layer_forward_tests"],
        feedback=["its ReLU is not clamp(min=0)", "slope at 0 is 1/2"],
    ),
    # two_layer_grads
    Mistake(
        name="divided_by_the_batch_size",
        misconception="mean-factor",
        cell="two_layer_grads",
        replace=[("grad_y_pred = 2 * (y_pred - y)", "grad_y_pred = 2 * (y_pred - y) / X.shape[0]")],
        loses=["two_layer_grads_tests"],
        feedback=["1 / the batch size N: a division by it too many"],
    ),
    Mistake(
        name="factor_two_dropped",
        misconception="power-rule",
        cell="two_layer_grads",
        replace=[("grad_y_pred = 2 * (y_pred - y)", "grad_y_pred = y_pred - y")],
        loses=["two_layer_grads_tests"],
        feedback=["the 2 from differentiating a square"],
    ),
    Mistake(
        name="residual_sign_flipped",
        misconception="gradient-sign",
        cell="two_layer_grads",
        replace=[("grad_y_pred = 2 * (y_pred - y)", "grad_y_pred = 2 * (y - y_pred)")],
        loses=["two_layer_grads_tests"],
        feedback=["the sign is flipped"],
    ),
    Mistake(
        name="relu_mask_missing",
        misconception="relu-mask",
        cell="two_layer_grads",
        replace=[("grad_h = grad_h_relu * (h >= 0)", "grad_h = grad_h_relu")],
        loses=["two_layer_grads_tests"],
        feedback=["without the ReLU's mask"],
    ),
    Mistake(
        name="relu_applied_to_the_gradient",
        misconception="relu-mask",
        cell="two_layer_grads",
        replace=[("grad_h = grad_h_relu * (h >= 0)", "grad_h = grad_h_relu.clamp(min=0)")],
        loses=["two_layer_grads_tests"],
        feedback=["applied to the gradient", "must come from the forward pass"],
    ),
    Mistake(
        name="relu_mask_blocks_at_zero",
        misconception="relu-at-zero",
        cell="two_layer_grads",
        replace=[("grad_h = grad_h_relu * (h >= 0)", "grad_h = grad_h_relu * (h > 0)")],
        loses=["two_layer_grads_tests"],
        feedback=["exactly 0", "clamp(min=0) passes the gradient"],
    ),
    Mistake(
        name="grad_W2_transposed",
        misconception="matmul-transpose",
        cell="two_layer_grads",
        replace=[("grad_W2 = h_relu.t().mm(grad_y_pred)", "grad_W2 = grad_y_pred.t().mm(h_relu)")],
        loses=["two_layer_grads_tests"],
        feedback=["transpose of the right shape"],
    ),
    Mistake(
        name="W2_not_transposed_going_back",
        misconception="matmul-transpose",
        cell="two_layer_grads",
        replace=[("grad_h_relu = grad_y_pred.mm(W2.t())", "grad_h_relu = grad_y_pred.mm(W2)")],
        loses=["two_layer_grads_tests"],
        feedback=["mat1 and mat2 shapes cannot be multiplied", "which factor needs a .T"],
    ),
    # train_two_layer
    Mistake(
        name="update_outside_no_grad",
        misconception="update-outside-no-grad",
        cell="train_two_layer",
        replace=[
            ('        with torch.no_grad():\n            W1 -= lr * W1.grad\n            W2 -= lr * W2.grad\n            W1.grad.zero_()\n            W2.grad.zero_()\n',
             '        W1 -= lr * W1.grad\n        W2 -= lr * W2.grad\n        W1.grad.zero_()\n        W2.grad.zero_()\n'),
        ],
        loses=["train_two_layer_tests"],
        feedback=["a leaf Variable that requires grad is being used in an in-place operation",
                  "torch.no_grad()"],
    ),
    # right values, but through .data: autograd never sees the updates (05, section 2.4)
    Mistake(
        name="update_through_data",
        misconception="version-counter",
        cell="train_two_layer",
        replace=[("            W1 -= lr * W1.grad\n            W2 -= lr * W2.grad\n",
                  "            W1.data -= lr * W1.grad\n            W2.data -= lr * W2.grad\n")],
        loses=["train_two_layer_tests"],
        feedback=["version counter (W1._version) moved 0 times"],
    ),
    Mistake(
        name="grads_never_cleared",
        misconception="grad-accumulates",
        cell="train_two_layer",
        replace=[("            W1.grad.zero_()\n            W2.grad.zero_()\n", "")],
        loses=["train_two_layer_tests"],
        feedback=["never cleared"],
    ),
    Mistake(
        name="stepping_uphill",
        misconception="descent-sign",
        cell="train_two_layer",
        replace=[("W1 -= lr * W1.grad", "W1 += lr * W1.grad"), ("W2 -= lr * W2.grad", "W2 += lr * W2.grad")],
        loses=["train_two_layer_tests"],
        feedback=["against the gradient"],
    ),
    Mistake(
        name="losses_kept_as_tensors",
        misconception="loss-item",
        cell="train_two_layer",
        replace=[("losses.append(loss.item())", "losses.append(loss)")],
        loses=["train_two_layer_tests"],
        feedback=["Python floats", "loss.item()"],
    ),
    Mistake(
        name="weights_rebound_under_no_grad",
        misconception="rebinding-vs-in-place",
        cell="train_two_layer",
        replace=[
            ('            W1 -= lr * W1.grad\n            W2 -= lr * W2.grad\n            W1.grad.zero_()\n            W2.grad.zero_()\n',
             '            W1 = W1 - lr * W1.grad\n            W2 = W2 - lr * W2.grad\n'),
        ],
        loses=["train_two_layer_tests"],
        feedback=["does not require grad", "update the weights in place"],
    ),
    Mistake(
        name="new_leaves_each_step",
        misconception="rebinding-vs-in-place",
        cell="train_two_layer",
        replace=[
            ('            W1 -= lr * W1.grad\n            W2 -= lr * W2.grad\n            W1.grad.zero_()\n            W2.grad.zero_()\n',
             '            W1 = (W1 - lr * W1.grad).requires_grad_()\n            W2 = (W2 - lr * W2.grad).requires_grad_()\n'),
        ],
        loses=["train_two_layer_tests"],
        feedback=["did not change", "in place"],
    ),
    # the mean divided by the batch size N only: .mean() averages over all N * D_out elements.
    Mistake(
        name="mean_over_the_batch_only",
        misconception="mean-factor",
        cell="two_layer_bias_grads",
        replace=[("    grad_y_pred = 2 * (y_pred - y) / y.numel()", "    grad_y_pred = 2 * (y_pred - y) / y.shape[0]")],
        loses=["two_layer_bias_grads_tests"],
        feedback=["you divided by N"],
    ),
    # the gradient of the sum, not of the mean: no division at all.
    Mistake(
        name="sum_instead_of_mean",
        misconception="mean-factor",
        cell="two_layer_bias_grads",
        replace=[("    grad_y_pred = 2 * (y_pred - y) / y.numel()", "    grad_y_pred = 2 * (y_pred - y)")],
        loses=["two_layer_bias_grads_tests"],
        feedback=["that is the gradient of the .sum() loss"],
    ),
    # the bias gradient averaged over the rows instead of summed.
    Mistake(
        name="bias_gradient_averaged",
        misconception="broadcast-grad-sum",
        cell="two_layer_bias_grads",
        replace=[("    grad_b2 = grad_y_pred.sum(0)", "    grad_b2 = grad_y_pred.mean(0)")],
        loses=["two_layer_bias_grads_tests"],
        feedback=["grad_b2 is 1/N = 1/3 of the right answer", "not their mean"],
    ),
    # the bias gradient left per example: the broadcast over the rows is not summed.
    Mistake(
        name="bias_gradient_not_summed",
        misconception="broadcast-grad-sum",
        cell="two_layer_bias_grads",
        replace=[("    grad_b1 = grad_h.sum(0)", "    grad_b1 = grad_h")],
        loses=["two_layer_bias_grads_tests"],
        feedback=["its gradient is the sum of the rows"],
    ),
]
