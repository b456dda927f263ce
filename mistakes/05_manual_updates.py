"""Typical wrong answers in 05_manual_updates, each graded by the tests (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # sgd_step_
    Mistake(
        name="sgd_rebinds_the_loop_variable",
        misconception="rebinding-vs-in-place",
        cell="sgd_step_",
        replace=[("            p -= lr * p.grad\n", "            p = p - lr * p.grad\n")],
        loses=["sgd_step__tests"],
        feedback=["with lr = 0.1: sgd_step_ raised AttributeError: 'NoneType' object has no attribute 'zero_'"],
    ),
    Mistake(
        # each param updated through a flat .view: fine while params are contiguous, not for a transposed weight
        name="sgd_updates_through_a_flat_view",
        cell="sgd_step_",
        replace=[("            p -= lr * p.grad\n", "            p.view(-1).sub_(lr * p.grad.view(-1))\n")],
        loses=["sgd_step__tests"],
        feedback=["params[0] not contiguous (stored transposed)", "Use .reshape",
                  "a reshaped copy changed in place leaves the original as it was"],
        misconception="view-needs-contiguous"
    ),
    Mistake(
        name="sgd_forgets_to_clear_grads",
        misconception="grad-accumulates",
        cell="sgd_step_",
        replace=[("            p.grad.zero_()\n", "")],
        loses=["sgd_step__tests"],
        feedback=["params[0].grad still holds the gradient after the step: it was not cleared"],
    ),
    Mistake(
        name="sgd_updates_outside_no_grad",
        misconception="update-outside-no-grad",
        cell="sgd_step_",
        replace=[
            ('    with torch.no_grad():\n        for p in params:\n            if p.grad is None:\n                continue\n            p -= lr * p.grad\n            p.grad.zero_()\n',
             '    for p in params:\n        if p.grad is None:\n            continue\n        p -= lr * p.grad\n        p.grad.zero_()\n'),
        ],
        loses=["sgd_step__tests"],
        feedback=["sgd_step_ raised RuntimeError: a leaf Variable that requires grad is being used in an "
                  "in-place operation.\nHint: You changed a leaf that requires grad in place while autograd "
                  "was recording. Do weight updates inside `with torch.no_grad():`."],
    ),
    Mistake(
        name="sgd_switches_grad_mode_off_for_good",
        misconception="no-grad-records-nothing",
        cell="sgd_step_",
        replace=[
            ('    with torch.no_grad():\n        for p in params:\n            if p.grad is None:\n                continue\n            p -= lr * p.grad\n            p.grad.zero_()\n',
             '    torch.set_grad_enabled(False)\n    for p in params:\n        if p.grad is None:\n            continue\n        p -= lr * p.grad\n        p.grad.zero_()\n'),
        ],
        loses=["sgd_step__tests"],
        feedback=["grad mode was on before sgd_step_ and off after it"],
    ),
    Mistake(
        name="sgd_updates_through_data",
        misconception="version-counter",
        cell="sgd_step_",
        code='''
def sgd_step_(params, lr):
    """One step of gradient descent, the way older code wrote it: through .data."""
    for p in params:
        if p.grad is None:
            continue
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
''',
        loses=["sgd_step__tests"],
        feedback=["params[0] changed, but its version counter (params[0]._version) did not move: the update "
                  "went around autograd, through .data"],
    ),
    # momentum_step_
    Mistake(
        name="momentum_lr_inside_the_velocity",
        misconception="momentum-convention",
        cell="momentum_step_",
        replace=[("v.mul_(momentum).add_(p.grad)", "v.mul_(momentum).add_(lr * p.grad)"),
                 ("p -= lr * v", "p -= v")],
        loses=["momentum_step__tests"],
        feedback=["step 1 (lr=0.2, momentum=0.9): velocities[0] is lr times torch's momentum_buffer"],
    ),
    Mistake(
        name="momentum_velocity_rebound_not_in_place",
        misconception="rebinding-vs-in-place",
        cell="momentum_step_",
        replace=[("v.mul_(momentum).add_(p.grad)", "v = momentum * v + p.grad")],
        loses=["momentum_step__tests"],
        feedback=["step 1 (lr=0.2, momentum=0.9): velocities[0] did not change"],
    ),
    Mistake(
        name="momentum_dampened_moving_average",
        misconception="momentum-convention",
        cell="momentum_step_",
        replace=[("v.mul_(momentum).add_(p.grad)", "v.mul_(momentum).add_((1 - momentum) * p.grad)")],
        loses=["momentum_step__tests"],
        feedback=["velocities[0] is (1 - momentum) times the gradient"],
    ),
    # weights_after_steps
    Mistake(
        name="weights_product_instead_of_power",
        misconception=None,
        why_none="the check says only that k = 0 must give w0, which many wrong formulas miss",
        cell="weights_after_steps",
        replace=[("(1 - lr) ** k * w0", "(1 - lr) * k * w0")],
        loses=["weights_after_steps_tests"],
        feedback=["weights_after_steps(w0, lr=0.1, k=0): with k = 0 no step is taken"],
    ),
    Mistake(
        name="weights_one_step_too_many",
        misconception="schedule-counting",
        cell="weights_after_steps",
        replace=[("(1 - lr) ** k * w0", "(1 - lr) ** (k + 1) * w0")],
        loses=["weights_after_steps_tests"],
        feedback=["k=0): your result is w after 1 step, not 0: an off-by-one"],
    ),
    Mistake(
        name="weights_steps_added_not_compounded",
        misconception="steps-compound",
        cell="weights_after_steps",
        replace=[("(1 - lr) ** k * w0", "(1 - lr * k) * w0")],
        loses=["weights_after_steps_tests"],
        feedback=["k=5): your result is w0 * (1 - lr * k)"],
    ),
    # update_learning_rate
    Mistake(
        name="lr_decayed_once_too_often",
        misconception="schedule-counting",
        cell="update_learning_rate",
        replace=[("lr0 * gamma ** iteration", "lr0 * gamma ** (iteration + 1)")],
        loses=["update_learning_rate_tests"],
        feedback=["the learning rate one iteration later", "the learning rate is still lr0"],
    ),
    Mistake(
        name="lr_decays_linearly",
        misconception="steps-compound",
        cell="update_learning_rate",
        replace=[("lr0 * gamma ** iteration", "lr0 * (1 - (1 - gamma) * iteration)")],
        loses=["update_learning_rate_tests"],
        feedback=["the decays compound, they do not add up"],
    ),
    Mistake(
        name="lr_as_a_tensor",
        misconception=None,
        why_none="the exercise asks for a Python float: a tensor there is a slip of type, not a "
                 "misunderstanding of gradients",
        cell="update_learning_rate",
        replace=[("lr0 * gamma ** iteration", "torch.tensor(lr0) * gamma ** iteration")],
        loses=["update_learning_rate_tests"],
        feedback=["returned a tensor; a learning rate is a Python float"],
    ),
]
