"""Typical wrong answers in 02_requires_grad, each graded by the tests (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # GRAPH_PREDICTIONS
    Mistake(
        name="untracked_tensors_are_not_leaves",
        misconception="untracked-is-leaf",
        cell="GRAPH_PREDICTIONS",
        replace=[('"b.is_leaf": True', '"b.is_leaf": False'), ('"k.is_leaf": True', '"k.is_leaf": False')],
        loses=["GRAPH_PREDICTIONS_tests"],
        feedback=["'b.is_leaf': you predicted False; torch says True",
                  "'k.is_leaf': you predicted False; torch says True"],
    ),
    Mistake(
        name="grad_fn_named_after_the_first_operation",
        misconception="grad-fn-names",
        cell="GRAPH_PREDICTIONS",
        replace=[('"h.grad_fn": "AddBackward0"', '"h.grad_fn": "MulBackward0"')],
        loses=["GRAPH_PREDICTIONS_tests"],
        feedback=["'h.grad_fn': you predicted 'MulBackward0'; torch says 'AddBackward0'"],
    ),
    Mistake(
        name="a_detached_value_stays_untracked",
        misconception="detach-cuts-one-tensor",
        cell="GRAPH_PREDICTIONS",
        replace=[('"e.is_leaf": False', '"e.is_leaf": True'), ('"e.requires_grad": True', '"e.requires_grad": False'),
                 ('"e.grad_fn": "MulBackward0"', '"e.grad_fn": None')],
        loses=["GRAPH_PREDICTIONS_tests"],
        feedback=["'e.requires_grad': you predicted False; torch says True",
                  "'e.grad_fn': you predicted None; torch says 'MulBackward0'"],
    ),
    Mistake(
        name="no_grad_passes_on_a_tracked_input",
        misconception="no-grad-records-nothing",
        cell="GRAPH_PREDICTIONS",
        replace=[('"n.is_leaf": True', '"n.is_leaf": False'), ('"n.requires_grad": False', '"n.requires_grad": True'),
                 ('"n.grad_fn": None', '"n.grad_fn": "MulBackward0"')],
        loses=["GRAPH_PREDICTIONS_tests"],
        feedback=["'n.requires_grad': you predicted True; torch says False"],
    ),
    Mistake(
        name="grad_fn_without_version_number",
        misconception="grad-fn-names",
        cell="GRAPH_PREDICTIONS",
        replace=[('"h.grad_fn": "AddBackward0"', '"h.grad_fn": "AddBackward"'), ('"s.grad_fn": "SumBackward0"', '"s.grad_fn": "SumBackward"')],
        loses=["GRAPH_PREDICTIONS_tests"],
        feedback=["'s.grad_fn': you predicted 'SumBackward'; torch says 'SumBackward0'"],
    ),
    # grad_of_mean_cube_graph
    Mistake(
        name="forgets_the_mean_division",
        misconception="mean-factor",
        cell="grad_of_mean_cube_graph",
        code='''
def grad_of_mean_cube_graph(x):
    return 6 * (x + 2)
''',
        loses=["grad_of_mean_cube_graph_tests"],
        feedback=["that factor is the number of elements: a division by it is missing"],
    ),
    Mistake(
        name="drops_the_2_of_the_square",
        misconception="power-rule",
        cell="grad_of_mean_cube_graph",
        code='''
def grad_of_mean_cube_graph(x):
    return 3 * (x + 2) / x.numel()
''',
        loses=["grad_of_mean_cube_graph_tests"],
        feedback=["0.5 times the right answer", "the 2 from differentiating a square"],
    ),
    Mistake(
        name="hard_codes_four_elements",
        misconception="mean-factor",
        cell="grad_of_mean_cube_graph",
        code='''
def grad_of_mean_cube_graph(x):
    return 1.5 * (x + 2)
''',
        loses=["grad_of_mean_cube_graph_tests"],
        feedback=["1.5 times the right answer", "the mean divides by x.numel() = 6, not by 4"],
    ),
    Mistake(
        name="uses_autograd",
        misconception=None,
        why_none="autograd in a by-hand exercise: the allow-list refuses the code, nothing is judged",
        cell="grad_of_mean_cube_graph",
        code='''
def grad_of_mean_cube_graph(x):
    x = x.detach().clone().requires_grad_(True)
    out = (3 * (x + 2) ** 2).mean()
    out.backward()
    return x.grad
''',
        loses=["grad_of_mean_cube_graph_tests"],
        feedback=["must compute the gradient by hand"],
    ),
    # grad_of_ratio_graph
    Mistake(
        name="differentiates_only_the_numerator",
        misconception="quotient-rule",
        cell="grad_of_ratio_graph",
        replace=[("-3 / (a - 1) ** 2", "3 / (a - 1)")],
        loses=["grad_of_ratio_graph_tests"],
        feedback=["only the numerator a * 3 was differentiated", "use the quotient rule"],
    ),
    Mistake(
        name="ratio_divided_as_a_mean",
        misconception="mean-factor",
        cell="grad_of_ratio_graph",
        replace=[("-3 / (a - 1) ** 2", "-3 / (a - 1) ** 2 / a.numel()")],
        loses=["grad_of_ratio_graph_tests"],
        feedback=["0.25 times the right answer", "the output is a sum, not a mean"],
    ),
    Mistake(
        name="quotient_rule_without_the_square",
        misconception="quotient-rule",
        cell="grad_of_ratio_graph",
        replace=[("-3 / (a - 1) ** 2", "-3 / (a - 1)")],
        loses=["grad_of_ratio_graph_tests"],
        feedback=["the quotient rule divides by the denominator squared"],
    ),
]
