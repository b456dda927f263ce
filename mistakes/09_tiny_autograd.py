"""Typical mistakes in 09_tiny_autograd: each replaces one solution cell (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # `=` instead of `+=` in __mul__'s _backward: a node used twice keeps only the last contribution.
    Mistake(
        name='assign_instead_of_accumulate',
        misconception="reused-node-sums",
        cell='Value',
        replace=[
            ('            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad\n',
             '            self.grad = other.data * out.grad\n            other.grad = self.data * out.grad\n'),
        ],
        loses=['Value_reuse_tests', 'Value_graph_tests'],
        feedback=['instead of adding to it (`x.grad += ...`)'],
    ),
    # backward recurses from the output without a topological order: a shared node runs its _backward once per user, the first time with an incomplete gradient.
    Mistake(
        name='recursive_backward_without_topological_order',
        misconception="topological-order",
        cell='Value',
        replace=[
            ('        order, visited = [], set()\n',
             '        self.grad = 1.0\n'),
            ('        def visit(node):               # depth first: a node goes in after all its inputs\n            if node not in visited:\n                visited.add(node)\n                for child in node._prev:\n                    visit(child)\n                order.append(node)\n',
             '        def propagate(node):           # pass the gradient on, then recurse into the inputs\n            node._backward()\n            for child in node._prev:\n                propagate(child)\n'),
            ('        visit(self)\n        self.grad = 1.0\n        for node in reversed(order):   # the output first, each node after all its users\n            node._backward()\n',
             '        propagate(self)\n'),
        ],
        loses=['Value_reuse_tests', 'Value_graph_tests'],
        feedback=['passed on an incomplete gradient', 'topological order'],
    ),
    # the topological order is built but run from the leaves up: each _backward runs before its node's grad is known.
    Mistake(
        name='topological_order_not_reversed',
        misconception="topological-order",
        cell='Value',
        replace=[
            ('        for node in reversed(order):   # the output first, each node after all its users\n',
             '        for node in order:\n'),
        ],
        loses=['Value_tests', 'Value_reuse_tests', 'Value_ops_tests', 'Value_graph_tests'],
        feedback=['reverse topological order'],
    ),
    # tanh' written as 1 - tanh(x) instead of 1 - tanh(x)**2.
    Mistake(
        name='tanh_derivative_without_square',
        misconception="derivative-from-output",
        cell='Value_unary_ops',
        replace=[
            ('        self.grad += (1 - t ** 2) * out.grad\n',
             '        self.grad += (1 - t) * out.grad\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['1 - tanh(a)**2'],
    ),
    # relu's _backward passes the gradient through whatever the sign of the input.
    Mistake(
        name='relu_passes_gradient_at_negative_inputs',
        misconception="relu-mask",
        cell='Value_unary_ops',
        replace=[
            ('        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad\n',
             '        self.grad += out.grad\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['relu passes no gradient where its input is negative'],
    ),
    # relu's _backward written with >= 0 (07's clamp habit): the gradient passes at exactly 0, where torch.relu's does not.
    Mistake(
        name='relu_passes_gradient_at_zero',
        misconception="relu-at-zero",
        cell='Value_unary_ops',
        replace=[
            ('        self.grad += (1.0 if self.data > 0 else 0.0) * out.grad\n',
             '        self.grad += (1.0 if self.data >= 0 else 0.0) * out.grad\n'),
        ],
        loses=['Value_ops_tests'],
        feedback=['that is 1 at exactly 0'],
    ),
    # __rsub__ computes self - other: `2 - x` gives x - 2.
    Mistake(
        name='rsub_computes_self_minus_other',
        misconception="reflected-operators",
        cell='Value_reversed_ops',
        replace=[
            ('    return other + (-self)\n',
             '    return self - other\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['must compute other - self'],
    ),
    # __rtruediv__ computes self / other: `2 / x` gives x / 2.
    Mistake(
        name='rtruediv_computes_self_over_other',
        misconception="reflected-operators",
        cell='Value_reversed_ops',
        replace=[
            ('    return other * self ** -1\n',
             '    return self / other\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['must compute other / self'],
    ),
    # d(x**p) written as p * x**p (exponent not lowered).
    Mistake(
        name='pow_derivative_keeps_exponent',
        misconception="power-rule",
        cell='Value_pow',
        replace=[
            ('        self.grad += p * self.data ** (p - 1) * out.grad\n',
             '        self.grad += p * self.data ** p * out.grad\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['lower the exponent by one'],
    ),
    # d(x**p) written without the factor p.
    Mistake(
        name='pow_derivative_without_p',
        misconception="power-rule",
        cell='Value_pow',
        replace=[
            ('        self.grad += p * self.data ** (p - 1) * out.grad\n',
             '        self.grad += self.data ** (p - 1) * out.grad\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['the factor p is missing'],
    ),
    # a - b written as b - a (the pieces swapped): the forward value has the wrong sign.
    Mistake(
        name='sub_swapped',
        misconception=None,
        why_none="a forward slip (a - b computed as b - a) the diagnosis names; it shows no misunderstanding "
                 "of gradients",
        cell='Value_ops',
        replace=[
            ('    return self + (-other)\n',
             '    return other + (-self)\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['It has the wrong sign'],
    ),
    # -x as a new Value made from the number: the right value, but a leaf cut off from x.
    Mistake(
        name='neg_cut_off_from_the_graph',
        misconception=None,
        why_none="the diagnosis names two causes it cannot tell apart: a result cut off from the graph, or a "
                 "_backward that adds nothing",
        cell='Value_ops',
        replace=[
            ('    return self * -1\n',
             '    return Value(-self.data)\n'),
        ],
        loses=['Value_ops_tests', 'Value_graph_tests'],
        feedback=['not connected to'],
    ),
    # the update forgets to reset p.grad: the next backward() adds to the old gradient.
    Mistake(
        name='sgd_step_keeps_gradient',
        misconception="grad-accumulates",
        cell='value_sgd_step',
        replace=[
            ('        p.grad = 0.0\n',
             ''),
        ],
        loses=['value_sgd_step_tests'],
        feedback=['must be reset to 0.0'],
    ),
    # the update adds the gradient (ascent) instead of subtracting it.
    Mistake(
        name='sgd_step_ascends',
        misconception="descent-sign",
        cell='value_sgd_step',
        replace=[
            ('        p.data -= lr * p.grad\n',
             '        p.data += lr * p.grad\n'),
        ],
        loses=['value_sgd_step_tests'],
        feedback=['the sign is flipped', 'descent subtracts the gradient'],
    ),
    # the update rebinds the loop variable to a new Value: the parameters never change.
    Mistake(
        name='sgd_step_makes_new_values',
        misconception="rebinding-vs-in-place",
        cell='value_sgd_step',
        replace=[
            ('        p.data -= lr * p.grad\n        p.grad = 0.0\n',
             '        p = Value(p.data - lr * p.grad)\n'),
        ],
        loses=['value_sgd_step_tests'],
        feedback=["p.data did not change", "in place"],
    ),
    # forward saves the input x, and backward uses it as if it were the output sigma(x).
    Mistake(
        name='sigmoid_saves_the_input',
        misconception="derivative-from-output",
        cell='Sigmoid',
        replace=[
            ('        ctx.save_for_backward(out)\n',
             '        ctx.save_for_backward(x)\n'),
        ],
        loses=['Sigmoid_tests'],
        feedback=['used the INPUT x as if it were the output'],
    ),
    # backward returns the local derivative alone: grad_out is forgotten.
    Mistake(
        name='sigmoid_forgets_grad_out',
        misconception="chain-rule-grad-out",
        cell='Sigmoid',
        replace=[
            ('        return grad_out * out * (1 - out)\n',
             '        return out * (1 - out)\n'),
        ],
        loses=['Sigmoid_tests'],
        feedback=['backward must multiply it by grad_out'],
    ),
    # backward applies the rule of tanh, 1 - out**2, written with the output as 03 taught.
    Mistake(
        name='sigmoid_with_the_rule_of_tanh',
        misconception="derivative-from-output",
        cell='Sigmoid',
        replace=[
            ('        return grad_out * out * (1 - out)\n',
             '        return grad_out * (1 - out ** 2)\n'),
        ],
        loses=['Sigmoid_tests'],
        feedback=['that is the rule of tanh'],
    ),
    # the output is kept as an attribute of ctx instead of with save_for_backward.
    Mistake(
        name='sigmoid_keeps_the_output_on_ctx',
        misconception="save-for-backward",
        cell='Sigmoid',
        replace=[
            ('        ctx.save_for_backward(out)\n',
             '        ctx.out = out\n'),
            ('        (out,) = ctx.saved_tensors\n',
             '        out = ctx.out\n'),
        ],
        loses=['Sigmoid_tests'],
        feedback=['forward saved no tensor with ctx.save_for_backward'],
    ),
    # backward multiplies grad_out in place and returns it: right alone (the caller's grad_out), wrong in a graph.
    Mistake(
        name='sigmoid_backward_writes_into_grad_out',
        misconception="grad-out-is-autograds",
        cell='Sigmoid',
        replace=[
            ('        return grad_out * out * (1 - out)\n',
             '        grad_out *= out * (1 - out)    # saves a tensor\n        return grad_out\n'),
        ],
        loses=['Sigmoid_tests'],
        feedback=['Sigmoid.apply(x) + x', 'changes grad_out in place'],
    ),
]
