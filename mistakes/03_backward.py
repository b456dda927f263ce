"""Typical wrong answers to 03_backward, each graded in the tests."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # vjp_of_view
    Mistake(
        name="view_vjp_without_the_2",
        misconception="vjp-not-grad",
        cell="vjp_of_view",
        replace=[
            ('    return 2 * v.reshape(4)\n',
             '    return v.reshape(4)\n'),
        ],
        loses=["vjp_of_view_tests"],
        feedback=["0.5 times the right answer"],
    ),
    Mistake(
        name="view_vjp_keeps_the_shape_of_v",
        misconception="vjp-not-grad",
        cell="vjp_of_view",
        replace=[
            ('    return 2 * v.reshape(4)\n',
             '    return 2 * v\n'),
        ],
        loses=["vjp_of_view_tests"],
        feedback=["must have shape (4,)", "another arrangement"],
    ),
    Mistake(
        name="view_vjp_in_column_order",
        misconception="vjp-not-grad",
        cell="vjp_of_view",
        replace=[
            ('    return 2 * v.reshape(4)\n',
             '    return 2 * v.t().reshape(4)\n'),
        ],
        loses=["vjp_of_view_tests"],
        feedback=["the right values in column order", "row by row"],
    ),
    Mistake(
        # .view where the right answer reshapes: fine on the contiguous examples, not on a transposed v
        name="view_vjp_with_view",
        cell="vjp_of_view",
        replace=[
            ('    return 2 * v.reshape(4)\n',
             '    return 2 * v.view(4)\n'),
        ],
        loses=["vjp_of_view_tests"],
        feedback=["for v not contiguous", "Use .reshape"],
        misconception="view-needs-contiguous"
    ),
    # sum_to_shape (add_backward and mul_backward call it, so their checks fail too)
    Mistake(
        name="sum_to_shape_only_leading_dims",
        misconception="broadcast-grad-sum",
        cell="sum_to_shape",
        replace=[
            ('    shape = tuple(shape)\n',
             ''),
            ('    for dim, size in enumerate(shape):\n        if size == 1 and grad.shape[dim] != 1:\n            grad = grad.sum(dim=dim, keepdim=True)\n',
             ''),
        ],
        loses=["sum_to_shape_tests", "add_backward_tests", "mul_backward_tests"],
        feedback=["summed over the broadcast dimensions"],
    ),
    Mistake(
        name="sum_to_shape_drops_size_one_dims",
        misconception="keepdim",
        cell="sum_to_shape",
        replace=[
            ('    shape = tuple(shape)\n',
             ''),
            ('    for dim, size in enumerate(shape):\n        if size == 1 and grad.shape[dim] != 1:\n            grad = grad.sum(dim=dim, keepdim=True)\n',
             '    for dim in reversed(range(len(shape))):\n        if shape[dim] == 1 and grad.shape[dim] != 1:\n            grad = grad.sum(dim=dim)\n'),
        ],
        loses=["sum_to_shape_tests", "add_backward_tests", "mul_backward_tests"],
        feedback=["keepdim"],
    ),
    Mistake(
        # all leading dims summed at once through a .view: a grad_out that is not contiguous cannot be viewed
        name="sum_to_shape_views_the_leading_dims",
        cell="sum_to_shape",
        replace=[
            ('    while grad.dim() > len(shape):\n        grad = grad.sum(dim=0)\n',
             '    if grad.dim() > len(shape):\n        grad = grad.view(-1, *grad.shape[grad.dim() - len(shape):]).sum(dim=0)\n'),
        ],
        loses=["sum_to_shape_tests", "add_backward_tests", "mul_backward_tests"],
        feedback=["not contiguous (its dimensions stored in another order)", "Use .reshape"],
        misconception="view-needs-contiguous"
    ),
    # add_backward
    Mistake(
        name="add_grad_not_reduced",
        misconception="broadcast-grad-sum",
        cell="add_backward",
        replace=[
            ('    return sum_to_shape(grad_out, a_shape), sum_to_shape(grad_out, b_shape)\n',
             '    return grad_out, grad_out\n'),
        ],
        loses=["add_backward_tests"],
        feedback=["summed over the broadcast dimensions", "grad_b (b of shape (3,))"],
    ),
    Mistake(
        name="add_grad_is_ones",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="add_backward",
        replace=[
            ('    return sum_to_shape(grad_out, a_shape), sum_to_shape(grad_out, b_shape)\n',
             '    return torch.ones(a_shape), torch.ones(b_shape)\n'),
        ],
        loses=["add_backward_tests"],
        feedback=["5 of 6 elements differ"],
    ),
    # mul_backward
    Mistake(
        name="mul_grads_swapped",
        misconception=None,
        why_none="the two results are swapped: returned in the wrong order or each computed with the wrong "
                 "factor, the check cannot tell",
        cell="mul_backward",
        replace=[
            ('    return sum_to_shape(grad_out * b, a.shape), sum_to_shape(grad_out * a, b.shape)\n',
             '    return sum_to_shape(grad_out * a, a.shape), sum_to_shape(grad_out * b, b.shape)\n'),
        ],
        loses=["mul_backward_tests"],
        feedback=["swapped"],
    ),
    Mistake(
        name="mul_grad_not_reduced",
        misconception="broadcast-grad-sum",
        cell="mul_backward",
        replace=[
            ('    return sum_to_shape(grad_out * b, a.shape), sum_to_shape(grad_out * a, b.shape)\n',
             '    return grad_out * b, grad_out * a\n'),
        ],
        loses=["mul_backward_tests"],
        feedback=["summed over the broadcast dimensions"],
    ),
    # matmul_backward
    Mistake(
        name="matmul_transpose_missing",
        misconception="matmul-transpose",
        cell="matmul_backward",
        replace=[
            ('    return grad_out @ B.T, A.T @ grad_out\n',
             '    return grad_out @ B, A @ grad_out\n'),
        ],
        loses=["matmul_backward_tests"],
        feedback=["mat1 and mat2 shapes cannot be multiplied", "needs a .T"],
    ),
    Mistake(
        name="matmul_grad_B_transposed",
        misconception="matmul-transpose",
        cell="matmul_backward",
        replace=[
            ('    return grad_out @ B.T, A.T @ grad_out\n',
             '    return grad_out @ B.T, grad_out.T @ A\n'),
        ],
        loses=["matmul_backward_tests"],
        feedback=["transpose of the right shape"],
    ),
    # relu_backward
    Mistake(
        name="relu_gradient_one_at_zero",
        misconception="relu-at-zero",
        cell="relu_backward",
        replace=[
            ('    return grad_out * (x > 0).to(grad_out.dtype)\n',
             '    return grad_out * (x >= 0).to(grad_out.dtype)\n'),
        ],
        loses=["relu_backward_tests"],
        feedback=["at x == 0 torch's relu gradient is 0"],
    ),
    Mistake(
        name="relu_forgets_grad_out",
        misconception="chain-rule-grad-out",
        cell="relu_backward",
        replace=[
            ('    return grad_out * (x > 0).to(grad_out.dtype)\n',
             '    return (x > 0).to(x.dtype)\n'),
        ],
        loses=["relu_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    Mistake(
        # a threshold instead of 0: right for every x the examples use, wrong for a tiny positive x
        name="relu_threshold_instead_of_zero",
        cell="relu_backward",
        replace=[
            ('    return grad_out * (x > 0).to(grad_out.dtype)\n',
             '    return grad_out * (x > 1e-8).to(grad_out.dtype)\n'),
        ],
        loses=["relu_backward_tests"],
        feedback=["torch passes grad_out wherever x > 0, however small", "threshold"],
        misconception="guard-changes-the-function"
    ),
    # sum_backward
    Mistake(
        name="sum_backward_ignores_removed_dims",
        misconception=None,
        why_none="torch's own expand error, which names no cause: the check cannot tell which dimension went "
                 "wrong",
        cell="sum_backward",
        replace=[
            ('    x_shape = tuple(x_shape)\n    if dim is not None and not keepdim:\n        dims = (dim,) if isinstance(dim, int) else tuple(dim)\n        for d in sorted(d % len(x_shape) for d in dims):\n            grad_out = grad_out.unsqueeze(d)\n',
             ''),
        ],
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=1, keepdim=False", "sum_backward raised RuntimeError"],
    ),
    Mistake(
        name="sum_backward_unsqueezes_even_with_keepdim",
        misconception=None,
        why_none="torch's own expand error, which names no cause: the check cannot tell which dimension went "
                 "wrong",
        cell="sum_backward",
        replace=[
            ('    x_shape = tuple(x_shape)\n    if dim is not None and not keepdim:\n',
             '    if dim is not None:\n'),
        ],
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=1, keepdim=True"],
    ),
    Mistake(
        name="sum_backward_negative_dims_unsorted",
        misconception=None,
        why_none="torch's own IndexError, which names no cause: the check cannot tell which dimension went "
                 "wrong",
        cell="sum_backward",
        replace=[
            ('    x_shape = tuple(x_shape)\n',
             ''),
            ('        for d in sorted(d % len(x_shape) for d in dims):\n',
             '        for d in dims:\n'),
        ],
        loses=["sum_backward_tests", "mean_backward_tests"],
        feedback=["dim=(2, 0), keepdim=False"],
    ),
    # mean_backward
    Mistake(
        name="mean_backward_not_divided",
        misconception="mean-factor",
        cell="mean_backward",
        replace=[
            ('    x_shape = tuple(x_shape)\n    if dim is None:\n        count = 1\n        for size in x_shape:\n            count *= size\n    else:\n        dims = (dim,) if isinstance(dim, int) else tuple(dim)\n        count = 1\n        for d in dims:\n            count *= x_shape[d]\n    return sum_backward(x_shape, grad_out, dim=dim, keepdim=keepdim) / count\n',
             '    return sum_backward(x_shape, grad_out, dim=dim, keepdim=keepdim)\n'),
        ],
        loses=["mean_backward_tests"],
        feedback=["N, the number of elements in each mean: a division by it is missing"],
    ),
    Mistake(
        name="mean_backward_divides_by_numel",
        misconception="mean-factor",
        cell="mean_backward",
        replace=[
            ('    x_shape = tuple(x_shape)\n    if dim is None:\n        count = 1\n        for size in x_shape:\n            count *= size\n    else:\n        dims = (dim,) if isinstance(dim, int) else tuple(dim)\n        count = 1\n        for d in dims:\n            count *= x_shape[d]\n',
             '    count = 1\n    for size in x_shape:\n        count *= size\n'),
        ],
        loses=["mean_backward_tests"],
        feedback=["dividing by all elements of x instead of N", "a division by it too many"],
    ),
    # pow_backward
    Mistake(
        name="pow_drops_the_factor_p",
        misconception="power-rule",
        cell="pow_backward",
        replace=[
            ('    return grad_out * p * x ** (p - 1)\n',
             '    return grad_out * x ** (p - 1)\n'),
        ],
        loses=["pow_backward_tests"],
        feedback=["p = 2", "0.5 times the right answer"],
    ),
    Mistake(
        name="pow_operator_precedence",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="pow_backward",
        replace=[
            ('    return grad_out * p * x ** (p - 1)\n',
             '    return grad_out * p * x ** p - 1\n'),
        ],
        loses=["pow_backward_tests"],
        feedback=["p = 2", "elements differ"],
    ),
    Mistake(
        # the rule as it stood before p = 0 was handled: 0 * 0 ** -1 = 0 * inf = nan at x = 0
        name="pow_without_the_p_zero_case",
        cell="pow_backward",
        replace=[
            ('    if p == 0:\n        return torch.zeros_like(x)    # x ** 0 is 1 everywhere: p * x ** (p - 1) would give 0 * inf at x = 0\n',
             ''),
        ],
        loses=["pow_backward_tests"],
        feedback=["at x = 0 with p = 0 (float32) your pow_backward gives nan", "return zeros when p == 0"],
        misconception=None, why_none="a formula right everywhere but at one point, where floating point gives 0 * inf: an edge of arithmetic, not of the power rule"
    ),
    Mistake(
        # x ** p / x: nan at x = 0 where torch's p * 0 ** (p - 1) is finite, and inf where x ** p overflows
        name="pow_divides_by_x",
        cell="pow_backward",
        replace=[
            ('    return grad_out * p * x ** (p - 1)\n',
             '    return grad_out * p * x ** p / x\n'),
        ],
        loses=["pow_backward_tests"],
        feedback=["at x = 0 with p = 2", "A formula that divides by x"],
        misconception=None, why_none="a formula right for x != 0 that divides by x: an edge of arithmetic, not a misunderstanding of the rule"
    ),
    Mistake(
        # the power through exp and log: nan for every negative x, where an integer power is defined
        name="pow_through_exp_and_log",
        cell="pow_backward",
        replace=[
            ('    return grad_out * p * x ** (p - 1)\n',
             '    return grad_out * p * torch.exp((p - 1) * torch.log(x))\n'),
        ],
        loses=["pow_backward_tests"],
        feedback=["x < 0, where log(x) is nan"],
        misconception=None, why_none="a formula valid only for x > 0 (through log x): a domain slip, not a misunderstanding of the rule"
    ),
    # exp_backward
    Mistake(
        name="exp_forgets_grad_out",
        misconception="chain-rule-grad-out",
        cell="exp_backward",
        replace=[
            ('    return grad_out * torch.exp(x)\n',
             '    return torch.exp(x)\n'),
        ],
        loses=["exp_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    Mistake(
        name="exp_power_rule",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="exp_backward",
        replace=[
            ('    return grad_out * torch.exp(x)\n',
             '    return grad_out * x * torch.exp(x - 1)\n'),
        ],
        loses=["exp_backward_tests"],
        feedback=["x = [-3, -1, 0, 1, 4]", "elements differ"],
    ),
    Mistake(
        # a guard against overflow that changes the result where torch's is still finite (x up to 709.78)
        name="exp_clamps_x",
        cell="exp_backward",
        replace=[
            ('    return grad_out * torch.exp(x)\n',
             '    return grad_out * torch.exp(x.clamp(-700, 700))\n'),
        ],
        loses=["exp_backward_tests"],
        feedback=["Your result there is what torch's gives at x = 700", "as if x were clamped to at most 700"],
        misconception="guard-changes-the-function"
    ),
    # log_backward
    Mistake(
        name="log_forgets_grad_out",
        misconception="chain-rule-grad-out",
        cell="log_backward",
        replace=[
            ('    return grad_out / x\n',
             '    return 1 / x\n'),
        ],
        loses=["log_backward_tests"],
        feedback=["multiply it by grad_out"],
    ),
    Mistake(
        name="log_derivative_of_reciprocal",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="log_backward",
        replace=[
            ('    return grad_out / x\n',
             '    return -grad_out / x ** 2\n'),
        ],
        loses=["log_backward_tests"],
        feedback=["x = [0.1, 0.5, 1, 2, 10]", "elements differ"],
    ),
    Mistake(
        # a guard against division by zero: wrong at every x below the clamp, where torch's grad_out / x is finite
        name="log_clamps_x",
        cell="log_backward",
        replace=[
            ('    return grad_out / x\n',
             '    return grad_out / x.clamp(min=1e-10)\n'),
        ],
        loses=["log_backward_tests"],
        feedback=["as if x were clamped to at least 1e-10 or a small constant were added to it"],
        misconception="guard-changes-the-function"
    ),
    Mistake(
        # x / x ** 2: x ** 2 underflows to 0 for a tiny x
        name="log_through_x_squared",
        cell="log_backward",
        replace=[
            ('    return grad_out / x\n',
             '    return grad_out * x / x ** 2\n'),
        ],
        loses=["log_backward_tests"],
        feedback=["x ** 2 underflows to 0"],
        misconception=None, why_none="a right formula that underflows (x ** 2 of a tiny x): floating point, not a misunderstanding"
    ),
    # tanh_backward
    Mistake(
        name="tanh_uses_x_not_tanh_x",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="tanh_backward",
        replace=[
            ('    return grad_out * (1 - torch.tanh(x) ** 2)\n',
             '    return grad_out * (1 - x ** 2)\n'),
        ],
        loses=["tanh_backward_tests"],
        feedback=["x = [-100, -2, 0, 0.5, 3, 100]", "elements differ"],
    ),
    Mistake(
        name="tanh_from_raw_exponentials",
        misconception="exp-overflow",
        cell="tanh_backward",
        replace=[
            ('    return grad_out * (1 - torch.tanh(x) ** 2)\n',
             '    t = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))\n    return grad_out * (1 - t ** 2)\n'),
        ],
        loses=["tanh_backward_tests"],
        feedback=["contains NaN", "exp of a large number", "at x = -100 (float32) your tanh_backward gives nan",
                  "rewrite it so that no exp of a large positive number is taken"],
    ),
    # sigmoid_backward
    Mistake(
        name="sigmoid_from_raw_exponentials",
        misconception="exp-overflow",
        cell="sigmoid_backward",
        replace=[
            ('    s = torch.sigmoid(x)\n    return grad_out * s * (1 - s)\n',
             '    e = torch.exp(-x)\n    return grad_out * e / (1 + e) ** 2\n'),
        ],
        loses=["sigmoid_backward_tests"],
        feedback=["contains NaN", "exp of a large number", "at x = -100 (float32) your sigmoid_backward gives nan",
                  "rewrite it so that no exp of a large positive number is taken"],
    ),
    Mistake(
        name="sigmoid_missing_one_minus",
        misconception=None,
        why_none="the check says only which elements differ: many wrong formulas give that",
        cell="sigmoid_backward",
        replace=[
            ('    return grad_out * s * (1 - s)\n',
             '    return grad_out * s\n'),
        ],
        loses=["sigmoid_backward_tests"],
        feedback=["x = [-100, -2, 0, 0.5, 3, 100]", "elements differ"],
    ),
]
