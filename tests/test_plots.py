"""Do the shared pictures show what the notebooks say they show?"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty annotations


def test_autograd_graph_shows_each_grad_fn_once_and_names_the_leaves():
    """x used twice is one box with two arrows out; every grad_fn of the graph is drawn."""
    x = torch.ones(2, 2, requires_grad=True)
    w = torch.ones(2, 2, requires_grad=True)
    out = (x * w + x).sum()
    texts = _texts(plots.draw_autograd_graph(out, names={"x": x, "w": w}))
    assert sorted(t.split("\n")[0] for t in texts) == sorted(
        ["SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad"])
    assert "AccumulateGrad\nx (2, 2)" in texts and "AccumulateGrad\nw (2, 2)" in texts


def test_a_leaf_has_no_graph_to_draw():
    with pytest.raises(ValueError, match="no grad_fn"):
        plots.draw_autograd_graph(torch.ones(2, requires_grad=True))


def test_draw_graph_takes_any_nodes():
    """The same layout draws other graphs (09's Value nodes) given children and labels."""
    graph = {"out": ["a", "b"], "a": ["x"], "b": ["x"], "x": []}
    ax = plots.draw_graph("out", children=graph.__getitem__, label=str)
    assert sorted(_texts(ax)) == ["a", "b", "out", "x"]


def test_histogram_vs_normal_draws_the_density_of_the_given_normal():
    samples = 3.0 + 2.0 * torch.randn(5000, generator=torch.Generator().manual_seed(0))
    ax = plots.histogram_vs_normal(samples, mean=3.0, std=2.0)
    density = ax.get_lines()[0]
    peak = float(max(density.get_ydata()))
    assert abs(peak - 1 / (2.0 * (2 * torch.pi) ** 0.5)) < 1e-3


def test_descent_paths_draw_every_step_of_every_path():
    path = [torch.tensor([2.0, -1.0]) * 0.5 ** k for k in range(6)]
    ax = plots.descent_paths({"gd": path}, lambda w: (w ** 2).sum() / 2, minimum=[0.0, 0.0])
    drawn = next(line for line in ax.get_lines() if line.get_label() == "gd")
    assert list(drawn.get_xdata()) == pytest.approx([float(w[0]) for w in path])


def test_autograd_graph_with_values_shows_forward_values_and_gradients():
    """Does values=True annotate the seeds' 4.5 graph with each named tensor's value and gradient, leaving .grad alone?"""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    texts = _texts(plots.draw_autograd_graph(out, names={"x": x, "y": y, "z": z, "out": out}, values=True))
    assert "AccumulateGrad\nx (2, 2)\nvalue 1 everywhere\ngrad 4.5 everywhere" in texts
    assert "AddBackward0\ny (2, 2)\nvalue 3 everywhere\ngrad 4.5 everywhere" in texts
    assert "MeanBackward0\nout ()\nvalue 27\ngrad 1" in texts
    assert "MulBackward0" in texts                  # y * y, not named: its box keeps the plain label
    assert x.grad is None
    out.backward()                                  # the graph is still there for the learner's backward()
    assert torch.equal(x.grad, torch.full((2, 2), 4.5))


def test_a_broadcast_add_shows_the_summed_gradient_of_the_broadcast_input():
    a = torch.zeros(2, 3, requires_grad=True)
    b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = a + b
    grad_out = torch.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    texts = _texts(plots.draw_autograd_graph(c, names={"a": a, "b": b, "c": c}, values=True, grad_output=grad_out))
    assert "AccumulateGrad\nb (3,)\nvalue [1, 2, 3]\ngrad [11, 22, 33]" in texts
    assert "AccumulateGrad\na (2, 3)\nvalue 0 everywhere\ngrad [[1, 2, 3], [10, 20, 30]]" in texts


def test_values_of_a_non_scalar_need_grad_output_and_a_freed_graph_is_told():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="pass grad_output"):
        plots.draw_autograd_graph(x * 2, names={"x": x}, values=True)
    out = (x * x).sum()
    out.backward()
    with pytest.raises(ValueError, match="already freed this graph"):
        plots.draw_autograd_graph(out, names={"x": x}, values=True)


def test_matrix_products_draw_each_matrix_with_its_shape():
    """Is every term a box of its shape, named with rows x columns, under a title?"""
    ax = plots.matrix_products([[("A", (2, 3)), "@", ("B", (3, 4)), "=", ("out", (2, 4))],
                                [("grad_A", (2, 3)), "=", ("grad_out", (2, 4)), "@", ("?", (4, 3))]],
                               title="matmul", caption="what to notice")
    boxes = sorted((p.get_height(), p.get_width()) for p in ax.patches)
    assert boxes == sorted([(2, 3), (3, 4), (2, 4), (2, 3), (2, 4), (4, 3)])
    assert {"A\n2×3", "B\n3×4", "grad_A\n2×3", "?\n4×3", "what to notice"} <= set(_texts(ax))
    assert ax.get_title() == "matmul"


def test_runs_against_a_reference_draw_no_difference_line_for_an_identical_run():
    """Does a run equal to the reference draw nothing on the log scale (and say so), a differing run its relative
    difference, and the marks their steps?"""
    reference = [100.0, 10.0, 1.0, 0.1]
    left, right = plots.runs_against_a_reference(
        {"autograd": reference, "by hand": list(reference), "relu": [100.0, 10.0, 1.5, 0.2]}, "autograd",
        marks=[1], mark_label="an exact zero")
    assert [line.get_linestyle() for line in left.lines] == ["-", "--", "--"]
    same, different, marks = right.lines
    assert same.get_label() == "by hand: equal at every step, so no line"
    assert list(same.get_ydata()) == [0.0] * 4 and right.get_yscale() == "log"   # zeros: masked, not drawn
    assert different.get_label() == "relu" and list(different.get_ydata()) == pytest.approx([0, 0, 0.5, 1.0])
    assert marks.get_label() == "an exact zero" and list(marks.get_xdata()) == [1]


def _diamond(cls):
    x = cls(2.0)
    a = x * 3.0
    return x, a * 2.0 + a * 5.0


def test_backward_order_numbers_each_node_once_after_its_users_for_a_right_engine():
    """On 09's diamond, does a right engine show each inner node's single step, every node after the nodes that use
    it, and leave the engine's _backward functions as they were?"""
    from tests.checks.value_engines import Value
    x, out = _diamond(Value)
    ax = plots.backward_order(out, children=lambda v: v._prev, label=lambda v: v._op or f"leaf {v.data:g}")
    texts = _texts(ax)
    assert sorted(t for t in texts if "step" in t) == [
        "*\nbackward step 2", "*\nbackward step 3", "*\nbackward step 4", "+\nbackward step 1"]
    step = {t.split("\n")[0] + t[-1]: int(t[-1]) for t in texts if "step" in t}
    assert step["+1"] == 1 and max(step.values()) == 4          # out first, a = x * 3 (step 4) last
    assert x.grad == 21.0
    x2, out2 = _diamond(Value)
    out2.backward()                                              # the wrappers are gone: one run, the same grads
    assert x2.grad == 21.0


def test_backward_order_shows_a_node_run_twice_in_red():
    """With a plain recursion (given as `run`), is a = x * 3 shown run at two steps, filled red, and x.grad the 27
    of section 2?"""
    from tests.checks.value_engines import RecursiveValue, Value
    x, out = _diamond(Value)
    ax = plots.backward_order(out, children=lambda v: v._prev, label=lambda v: v._op or f"leaf {v.data:g}",
                              run=RecursiveValue.backward)
    twice = [t for t in ax.texts if "backward steps" in t.get_text()]
    assert [t.get_text() for t in twice] == ["*\nbackward steps 3 and 5"]
    assert twice[0].get_bbox_patch().get_facecolor() == matplotlib.colors.to_rgba("#f6c9c4")
    assert x.grad == 27.0
