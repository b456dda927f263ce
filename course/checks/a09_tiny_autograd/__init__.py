"""09_tiny_autograd: the `Value` engine's checks (exercises, ops, programs, diagnoses) and `Sigmoid`'s."""
from . import custom_function, exercises

EXERCISES = exercises.EXERCISES + custom_function.EXERCISES
EXAMPLES = {**exercises.EXAMPLES, **custom_function.EXAMPLES}
