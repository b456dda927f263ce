"""Typical wrong answers in 01_randn, each graded by the tests (see docs/authoring.md)."""
from course.grading.mistakes import Mistake

MISTAKES = [
    # RANDN_DTYPE_ANSWERS
    Mistake(
        name="dtype_float_is_float32",
        misconception="dtype-promotion",
        cell="RANDN_DTYPE_ANSWERS",
        replace=[('"dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)": torch.float64',
                  '"dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)": torch.float32')],
        loses=["RANDN_DTYPE_ANSWERS_tests"],
        feedback=["'dtype of torch.randn((14, 128), dtype=float) + torch.randn(128)': you predicted torch.float32; "
                  "torch says torch.float64"],
    ),
    Mistake(
        name="a_number_without_dimensions_widens",
        misconception="dtype-promotion",
        cell="RANDN_DTYPE_ANSWERS",
        replace=[('"dtype of torch.randn(3) * torch.randn((), dtype=float)": torch.float32',
                  '"dtype of torch.randn(3) * torch.randn((), dtype=float)": torch.float64')],
        loses=["RANDN_DTYPE_ANSWERS_tests"],
        feedback=["'dtype of torch.randn(3) * torch.randn((), dtype=float)': you predicted torch.float64; "
                  "torch says torch.float32"],
    ),
    Mistake(
        name="a_number_without_dimensions_gives_no_dimensions",
        misconception="broadcast-shapes",
        cell="RANDN_DTYPE_ANSWERS",
        replace=[('"shape of torch.randn(()) * torch.randn(3)": (3,)', '"shape of torch.randn(()) * torch.randn(3)": ()')],
        loses=["RANDN_DTYPE_ANSWERS_tests"],
        feedback=["'shape of torch.randn(()) * torch.randn(3)': you predicted (); torch says (3,)"],
    ),
    Mistake(
        name="prediction_placeholder_left",
        misconception=None,
        why_none="a prediction left unfilled shows nothing of what the learner thinks",
        cell="RANDN_DTYPE_ANSWERS",
        replace=[('"dtype of torch.randn(()) * torch.randn((), dtype=float)": torch.float64',
                  '"dtype of torch.randn(()) * torch.randn((), dtype=float)": ...')],
        loses=["RANDN_DTYPE_ANSWERS_tests"],
        feedback=["'dtype of torch.randn(()) * torch.randn((), dtype=float)' is still `...`"],
    ),
    # normal_sample
    Mistake(
        name="rand_instead_of_randn",
        misconception="rand-is-uniform",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return mean + std * torch.rand(shape, generator=generator, dtype=dtype)
''',
        loses=["normal_sample_tests"],
        feedback=["not bell-shaped", "That is torch.rand (uniform on [0, 1)); use torch.randn"],
    ),
    Mistake(
        name="scales_by_the_variance",
        misconception="normal-shift-stretch",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return mean + std ** 2 * torch.randn(shape, generator=generator, dtype=dtype)
''',
        loses=["normal_sample_tests"],
        feedback=["std**2 = 0.25, the variance", "multiply z by std, not by std**2"],
    ),
    Mistake(
        name="ignores_the_mean",
        misconception="normal-shift-stretch",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return std * torch.randn(shape, generator=generator, dtype=dtype)
''',
        loses=["normal_sample_tests"],
        feedback=["has mean 2: add the mean"],
    ),
    Mistake(
        name="ignores_the_generator",
        misconception="generator-not-passed",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return mean + std * torch.randn(shape, dtype=dtype)
''',
        loses=["normal_sample_tests"],
        feedback=["the generator was not used", "pass generator=generator to torch.randn"],
    ),
    Mistake(
        name="ignores_the_dtype",
        misconception="dtype-at-creation",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return mean + std * torch.randn(shape, generator=generator)
''',
        loses=["normal_sample_tests"],
        feedback=["but dtype=torch.float64 was asked for", "pass dtype=dtype to torch.randn"],
    ),
    Mistake(
        name="draws_float32_then_converts",
        misconception="dtype-at-creation",
        cell="normal_sample",
        code='''
def normal_sample(shape, mean=0.0, std=1.0, generator=None, dtype=torch.float32):
    return (mean + std * torch.randn(shape, generator=generator)).to(dtype)
''',
        loses=["normal_sample_tests"],
        feedback=["this is the float32 sample converted to torch.float64", "Ask torch.randn for dtype=dtype directly"],
    ),
    # init_leaf
    Mistake(
        name="scales_after_requires_grad",
        misconception="leaf-that-requires-grad",
        cell="init_leaf",
        code='''
def init_leaf(shape, scale, generator=None):
    return torch.randn(shape, generator=generator, requires_grad=True) * scale
''',
        loses=["init_leaf_tests"],
        feedback=["is not a leaf: its grad_fn is MulBackward0", "Scale first, then call .requires_grad_()"],
    ),
    Mistake(
        name="forgets_requires_grad",
        misconception="leaf-that-requires-grad",
        cell="init_leaf",
        code='''
def init_leaf(shape, scale, generator=None):
    return scale * torch.randn(shape, generator=generator)
''',
        loses=["init_leaf_tests"],
        feedback=["does not require grad", "Call .requires_grad_() on it"],
    ),
    Mistake(
        name="init_leaf_ignores_the_generator",
        misconception="generator-not-passed",
        cell="init_leaf",
        code='''
def init_leaf(shape, scale, generator=None):
    return (scale * torch.randn(shape)).requires_grad_()
''',
        loses=["init_leaf_tests"],
        feedback=["the generator was not used"],
    ),
]
