"""Typical wrong answers to 04_grad_accumulation, each graded in the tests (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # grad_after_repeats
    Mistake(
        name="repeats_forgets_k",
        misconception="grad-accumulates",
        cell="grad_after_repeats",
        replace=[("return k * 2 * x", "return 2 * x")],
        loses=["grad_after_repeats_tests"],
        feedback=["is the gradient of ONE backward() call", "Gradients add up"],
    ),
    Mistake(
        name="repeats_off_by_one",
        misconception="grad-accumulates",
        cell="grad_after_repeats",
        replace=[("return k * 2 * x", "return (k + 1) * 2 * x")],
        loses=["grad_after_repeats_tests"],
        feedback=["is off by one: it is x.grad after 2 calls, not 1"],
    ),
    Mistake(
        name="repeats_drops_the_2",
        misconception="power-rule",
        cell="grad_after_repeats",
        replace=[("return k * 2 * x", "return k * x")],
        loses=["grad_after_repeats_tests"],
        feedback=["0.5 times the right answer", "the 2 from differentiating a square"],
    ),
    Mistake(
        name="repeats_uses_autograd",
        misconception=None,
        why_none="autograd in a by-hand exercise: the allow-list refuses the code, nothing is judged",
        cell="grad_after_repeats",
        replace=[("return k * 2 * x", "x = x.clone().requires_grad_(True)\n"
                                      "    for _ in range(k):\n"
                                      "        (x ** 2).sum().backward()\n"
                                      "    return x.grad")],
        loses=["grad_after_repeats_tests"],
        feedback=["must compute the gradient by hand"],
    ),
    # shared_weight_grad
    Mistake(
        name="shared_only_the_product_term",
        misconception="reused-node-sums",
        cell="shared_weight_grad",
        replace=[("return x + 2 * w", "return x")],
        loses=["shared_weight_grad_tests"],
        feedback=["the contribution of only one of the two places where w is used"],
    ),
    Mistake(
        name="shared_only_the_square_term",
        misconception="reused-node-sums",
        cell="shared_weight_grad",
        replace=[("return x + 2 * w", "return 2 * w")],
        loses=["shared_weight_grad_tests"],
        feedback=["the contribution of only one of the two places where w is used"],
    ),
    Mistake(
        name="shared_drops_the_2",
        misconception="power-rule",
        cell="shared_weight_grad",
        replace=[("return x + 2 * w", "return x + w")],
        loses=["shared_weight_grad_tests"],
        feedback=["the 2 from differentiating w ** 2 is missing"],
    ),
    Mistake(
        name="shared_returns_a_scalar",
        misconception=None,
        why_none="a wrong shape alone: the check cannot tell how the single number came about",
        cell="shared_weight_grad",
        replace=[("return x + 2 * w", "return (x + 2 * w).sum()")],
        loses=["shared_weight_grad_tests"],
        feedback=["has shape (), but it must have shape (3,)"],
    ),
    # microbatch_grads
    Mistake(
        name="microbatch_plain_mean_of_means",
        misconception="microbatch-accumulation",
        cell="microbatch_grads",
        replace=[("(loss_fn(X_b, y_b) * (X_b.shape[0] / total)).backward()",
                  "num_batches = (total + micro_batch_size - 1) // micro_batch_size\n"
                  "        (loss_fn(X_b, y_b) / num_batches).backward()")],
        loses=["microbatch_grads_tests"],
        feedback=["is the plain mean of the micro-batch means", "by its size / N"],
    ),
    Mistake(
        name="microbatch_unweighted_sum",
        misconception="microbatch-accumulation",
        cell="microbatch_grads",
        replace=[("(loss_fn(X_b, y_b) * (X_b.shape[0] / total)).backward()",
                  "loss_fn(X_b, y_b).backward()")],
        loses=["microbatch_grads_tests"],
        feedback=["the sum of the micro-batches' gradients, unweighted"],
    ),
    Mistake(
        name="microbatch_stale_grads_not_cleared",
        misconception="grad-accumulates",
        cell="microbatch_grads",
        replace=[("    for p in params:\n"
                  "        p.grad = None                          # not zero_(): that would wipe the saved tensors\n",
                  "")],
        loses=["microbatch_grads_tests"],
        feedback=["includes the stale gradient", "set it to None"],
    ),
    Mistake(
        name="microbatch_zero_instead_of_none",
        misconception="rebinding-vs-in-place",
        cell="microbatch_grads",
        replace=[("        p.grad = None                          # not zero_(): that would wipe the saved tensors\n",
                  "        if p.grad is not None:\n"
                  "            p.grad.zero_()\n")],
        loses=["microbatch_grads_tests"],
        feedback=["zero_() changed the saved tensor in place"],
    ),
    Mistake(
        name="microbatch_grads_left_behind",
        misconception=None,
        why_none="gradients left in .grad break the exercise's contract (leave .grad as found); the "
                 "diagnosis names the contract, not a misunderstanding",
        cell="microbatch_grads",
        replace=[("    for p, g in zip(params, saved):\n        p.grad = g\n", "")],
        loses=["microbatch_grads_tests"],
        feedback=["your function left gradients behind"],
    ),
    Mistake(
        name="microbatch_one_backward_for_all",
        misconception="microbatch-accumulation",
        cell="microbatch_grads",
        replace=[
            ('    saved = [p.grad for p in params]           # stale gradients: put back at the end\n',
             '    saved = [p.grad for p in params]\n'),
            ('        p.grad = None                          # not zero_(): that would wipe the saved tensors\n',
             '        p.grad = None\n'),
            ('    for start in range(0, total, micro_batch_size):\n',
             '    loss = 0\n    for start in range(0, total, micro_batch_size):\n'),
            ('        (loss_fn(X_b, y_b) * (X_b.shape[0] / total)).backward()   # weight |B_b| / N\n',
             '        loss = loss + loss_fn(X_b, y_b) * (X_b.shape[0] / total)\n    loss.backward()\n'),
        ],
        loses=["microbatch_grads_tests"],
        feedback=["micro-batch graphs existed at once", "call backward() on each micro-batch"],
    ),
    Mistake(
        name="microbatch_whole_batch_at_once",
        misconception="microbatch-accumulation",
        cell="microbatch_grads",
        replace=[
            ('    saved = [p.grad for p in params]           # stale gradients: put back at the end\n    for p in params:\n        p.grad = None                          # not zero_(): that would wipe the saved tensors\n    total = X.shape[0]\n    for start in range(0, total, micro_batch_size):\n        X_b, y_b = X[start:start + micro_batch_size], y[start:start + micro_batch_size]\n        (loss_fn(X_b, y_b) * (X_b.shape[0] / total)).backward()   # weight |B_b| / N\n    grads = [p.grad for p in params]\n    for p, g in zip(params, saved):\n        p.grad = g\n    return grads\n',
             '    return list(torch.autograd.grad(loss_fn(X, y), params))\n'),
        ],
        loses=["microbatch_grads_tests"],
        feedback=["loss_fn was called on batches of sizes [10]"],
    ),
    Mistake(
        name="microbatch_create_graph",
        misconception=None,
        why_none="the diagnosis can only ask whether create_graph=True was passed",
        cell="microbatch_grads",
        replace=[(".backward()   # weight |B_b| / N", ".backward(create_graph=True)")],
        loses=["microbatch_grads_tests"],
        feedback=["requires grad (it is part of a graph"],
    ),
]
