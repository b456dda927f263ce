"""Pictures of classifiers: the decision boundary of a 2-D two-class model."""
import matplotlib.pyplot as plt
import torch

__all__ = ["decision_boundary"]


def decision_boundary(predict, X, y, ax=None, title=None, resolution=60, margin=0.5, threshold=0.0):
    """Shade where `predict` says class 1 or class 0, draw the boundary, and scatter the data.

    predict    function: a float64 tensor of points, shape (n, 2) -> a score per
               point, shape (n,) or (n, 1) (a tensor, or a list of numbers).
               Scores above `threshold` mean class 1 (use threshold=0.5 for
               probabilities).
    X, y       the data: X of shape (n, 2), y of shape (n,) with labels 0/1
               (or -1/+1).
    resolution the grid is resolution x resolution points; predict is called
               once, on all of them.
    Returns the Axes.
    """
    ax = ax or plt.subplots(figsize=(5, 4))[1]
    X = torch.as_tensor(X).detach().to(torch.float64)
    y = torch.as_tensor(y).detach().reshape(-1)
    low, high = X.min(0).values - margin, X.max(0).values + margin
    xs = torch.linspace(float(low[0]), float(high[0]), resolution, dtype=torch.float64)
    ys = torch.linspace(float(low[1]), float(high[1]), resolution, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    with torch.no_grad():
        scores = torch.as_tensor(predict(grid), dtype=torch.float64).detach().reshape(gx.shape)
    ax.contourf(gx.numpy(), gy.numpy(), (scores > threshold).double().numpy(),
                levels=[-0.5, 0.5, 1.5], colors=["#cfe0f5", "#fbd9c4"], alpha=0.9)
    ax.contour(gx.numpy(), gy.numpy(), scores.numpy(), levels=[threshold], colors="#333", linewidths=1.5)
    positive = y > 0
    ax.scatter(X[~positive, 0].numpy(), X[~positive, 1].numpy(), s=18, c="#1f5fa8",
               edgecolors="white", linewidths=0.5, label="class 0")
    ax.scatter(X[positive, 0].numpy(), X[positive, 1].numpy(), s=18, c="#d4601b", marker="s",
               edgecolors="white", linewidths=0.5, label="class 1")
    ax.set_xlim(float(low[0]), float(high[0]))
    ax.set_ylim(float(low[1]), float(high[1]))
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
