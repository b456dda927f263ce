"""Pictures of training: loss and accuracy curves, descent paths over loss contours, digits."""
import matplotlib.pyplot as plt
import torch

__all__ = ["loss_curves", "accuracy_curves", "fitted_line", "descent_path", "digit_grid", "runs_against_a_reference"]


def loss_curves(curves, ax=None, title="loss during training", log_scale=False, xlabel="step", ylabel="loss",
                markers=None):
    """Plot one or more curves given as {label: list of floats}: losses, or any value per step (`ylabel`).

    `markers` ({label: marker}) draws those curves as points, e.g. a reference under a line.
    """
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for label, values in curves.items():
        marker = (markers or {}).get(label)
        ax.plot(range(len(values)), [float(v) for v in values], label=label,
                **({"marker": marker, "linestyle": "none"} if marker else {}))
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    return ax


def accuracy_curves(curves, ax=None, title="accuracy during training", xlabel="epoch"):
    """Plot accuracies (fractions in [0, 1]) given as {label: list of floats}, in percent."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), [100 * float(v) for v in values], marker=".", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return ax


def fitted_line(x, y, w, b, ax=None, true_w=None, true_b=None, title="data and fitted line"):
    """A scatter of 1-D data (x, y) with the line y = w x + b (and the true line, dashed, if given)."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    x = torch.as_tensor(x).detach().reshape(-1).double()
    y = torch.as_tensor(y).detach().reshape(-1).double()
    ax.scatter(x.numpy(), y.numpy(), s=8, alpha=0.5, label="data")
    xs = torch.linspace(float(x.min()), float(x.max()), 2, dtype=torch.float64)
    ax.plot(xs.numpy(), (float(w) * xs + float(b)).numpy(), color="C3", lw=2,
            label=f"fitted: y = {float(w):.3f} x + {float(b):.3f}")
    if true_w is not None:
        ax.plot(xs.numpy(), (float(true_w) * xs + float(true_b)).numpy(), "k--", lw=1,
                label=f"true: y = {float(true_w):g} x + {float(true_b):g}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    ax.legend()
    return ax


def descent_path(loss_fn, paths, xlim, ylim, ax=None, arrows=True, minimum=None,
                 names=("w", "b"), levels=25, title="descent over the loss contours"):
    """Contours of a loss of two parameters, with descent paths drawn over them.

    `loss_fn(p, q)` takes two tensors of the same shape (a grid of the two
    parameters) and returns the loss at each grid point. `paths` is
    {label: list of (p, q) pairs}. With `arrows`, small arrows show the
    direction of steepest descent, -gradient (found by autograd on the grid):
    they cross every contour at a right angle.
    """
    ax = ax or plt.subplots(figsize=(6, 5))[1]
    ps = torch.linspace(xlim[0], xlim[1], 150, dtype=torch.float64)
    qs = torch.linspace(ylim[0], ylim[1], 150, dtype=torch.float64)
    P, Q = torch.meshgrid(ps, qs, indexing="xy")
    with torch.no_grad():
        L = loss_fn(P, Q)
    low, high = float(L.min()), float(L.max())
    contour_levels = low + (high - low) * torch.linspace(0, 1, levels + 1)[1:] ** 2
    ax.contour(P.numpy(), Q.numpy(), L.numpy(), levels=contour_levels.numpy(), cmap="viridis",
               linewidths=0.8)
    if arrows:
        ap = torch.linspace(xlim[0], xlim[1], 12, dtype=torch.float64)[1:-1]
        aq = torch.linspace(ylim[0], ylim[1], 12, dtype=torch.float64)[1:-1]
        AP, AQ = torch.meshgrid(ap, aq, indexing="xy")
        AP.requires_grad_(True)
        AQ.requires_grad_(True)
        with torch.enable_grad():
            gp, gq = torch.autograd.grad(loss_fn(AP, AQ).sum(), (AP, AQ))
        # Unit arrows along -gradient; with equal axis scales they cross contours at right angles.
        dp, dq = -gp, -gq
        length = 0.06 * max(xlim[1] - xlim[0], ylim[1] - ylim[0])
        norm = torch.sqrt(dp ** 2 + dq ** 2).clamp_min(1e-12)
        ax.quiver(AP.detach().numpy(), AQ.detach().numpy(), (length * dp / norm).numpy(),
                  (length * dq / norm).numpy(), color="0.5", angles="xy", scale_units="xy",
                  scale=1, width=0.004)
    for i, (label, path) in enumerate(paths.items()):
        pts = torch.tensor([[float(p), float(q)] for p, q in path], dtype=torch.float64)
        ax.plot(pts[:, 0].numpy(), pts[:, 1].numpy(), "-o", ms=2.5, lw=1.2, color=f"C{i + 1}",
                label=label)
        ax.plot(float(pts[0, 0]), float(pts[0, 1]), "s", color=f"C{i + 1}", ms=7)
    if minimum is not None:
        ax.plot(float(minimum[0]), float(minimum[1]), "*", color="k", ms=14, label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, ncol=1)
    return ax


def digit_grid(images, labels, predictions=None, ncols=8, side=8, title=None):
    """A grid of small grey images (rows of `images` are flattened side x side pictures).

    Each is captioned with its label, and with the prediction when given
    (in red where it is wrong).
    """
    images = torch.as_tensor(images).detach().reshape(-1, side, side).double()
    n = images.shape[0]
    nrows = max(1, -(-n // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.5 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(images[k].numpy(), cmap="gray_r", interpolation="nearest")
        label = int(labels[k])
        if predictions is None:
            ax.set_title(f"{label}", fontsize=9)
        else:
            guess = int(predictions[k])
            ax.set_title(f"true {label}, said {guess}", fontsize=8,
                         color="C3" if guess != label else "k")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def runs_against_a_reference(runs, reference, marks=(), mark_label="marked steps", title=None, axes=None):
    """Two panels: the losses of several runs (left, log scale) and each run's relative difference from one of them.

    runs        {label: list of losses}, `reference` among them; the others are drawn dashed on the left
    reference   the label of the run the others are compared with (right: |loss - reference| / reference)
    marks       steps ticked along the bottom of the right panel, e.g. where something happened
    A run equal to the reference at every step draws no line on the right (a difference of exactly 0
    has no place on a log scale), and its label says so. Returns the two Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    left, right = axes
    loss_curves(runs, ax=left, log_scale=True, title=title or "loss of each run")
    for line in left.lines:
        if line.get_label() != reference:
            line.set_linestyle("--")
    base = [float(v) for v in runs[reference]]
    for k, (label, run) in enumerate(runs.items()):
        if label == reference:
            continue
        run = [float(v) for v in run]
        equal = run == base
        right.plot([abs(a - b) / abs(b) for a, b in zip(run, base)], color=f"C{k}",
                   label=f"{label}: equal at every step, so no line" if equal else label)
    right.set_yscale("log", nonpositive="mask")
    if len(marks):
        right.plot(list(marks), [0.03] * len(marks), "|", color="k", ms=8, transform=right.get_xaxis_transform(),
                   label=mark_label)
    right.set_xlim(left.get_xlim())
    right.set_xlabel("step")
    right.set_ylabel("|loss - reference loss| / reference loss")
    right.set_title(f"relative difference from {reference}")
    right.legend(loc="upper left", fontsize=8)
    right.figure.tight_layout()
    return axes
