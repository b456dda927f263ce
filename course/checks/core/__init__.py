"""What the checks of every assignment share: exercises and trials, comparisons with diagnoses,
references (autograd, finite differences), reading the kernel's replies, predictions."""
