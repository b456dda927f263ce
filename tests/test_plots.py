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
