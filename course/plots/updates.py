"""Pictures of gradients accumulating and of weights being updated (04, 05)."""
import matplotlib.pyplot as plt
import torch

from .training import descent_path

__all__ = ["grad_accumulation", "descent_paths", "weights_vs_steps"]


def grad_accumulation(history, predicted=None, ax=None, title="x.grad after each backward() call"):
    """Plot each element of .grad against the number of backward() calls made so far.

    `history` is a list of gradient tensors, one per call (history[0] after the
    first call); `predicted` optionally a function k -> tensor drawn dashed.
    """
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    calls = list(range(1, len(history) + 1))
    values = torch.stack([g.detach().reshape(-1) for g in history]).to(torch.float64)
    for i in range(values.shape[1]):
        line, = ax.plot(calls, values[:, i].tolist(), "o", label=f"element {i}")
        if predicted is not None:
            ax.plot(calls, [float(predicted(k).reshape(-1)[i]) for k in calls], "--",
                    color=line.get_color(), alpha=0.6)
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_xlabel("number of backward() calls without zeroing")
    ax.set_ylabel(".grad")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def descent_paths(paths, loss, ax=None, span=None, title="gradient descent paths",
                  minimum=None, levels=15):
    """Draw 2-D weight trajectories over the contours of `loss` (see training.descent_path).

    `paths` maps a label to a list of 2-element weight tensors (one per step);
    `loss` maps a (2,) tensor to a scalar tensor. `span` = (xmin, xmax, ymin, ymax)
    fixes the window (default: around all paths). `minimum`, a 2-element point,
    is marked with a star; `levels` is the number of contour lines.
    """
    paths = {label: torch.stack([torch.as_tensor(w, dtype=torch.float64).detach().reshape(2) for w in path])
             for label, path in paths.items()}
    if span is None:
        points = torch.cat(list(paths.values()))
        low, high = points.min(0).values, points.max(0).values
        pad = 0.15 * (high - low).clamp_min(1e-3)
        span = (float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1]))

    def loss_on_grid(P, Q):
        flat = torch.stack([P.reshape(-1), Q.reshape(-1)], dim=1)
        try:  # one vectorised call when the loss allows it, else one call per grid point
            values = torch.vmap(loss)(flat)
        except Exception:
            values = torch.stack([loss(w) for w in flat])
        return values.reshape(P.shape)

    return descent_path(loss_on_grid, paths,
                        span[:2], span[2:], ax=ax, arrows=False, minimum=minimum,
                        names=("w[0]", "w[1]"), levels=levels, title=title)


def weights_vs_steps(runs, closed_form=None, ax=None, component=None, log_scale=True,
                     title="weights during gradient descent"):
    """Plot the weights of several runs against the step number, with a formula drawn over them.

    `runs` maps a label to a list of weight tensors [w_0, w_1, ..., w_K]. By default the
    norm |w_k| is drawn (on a log scale); with `component=i`, the signed value w_k[i]
    (on a linear scale). `closed_form`, optionally, maps the same labels to functions
    k -> tensor, drawn as dashed lines through the markers of the actual run.
    """
    ax = ax or plt.subplots(figsize=(6, 3.8))[1]

    def value(w):
        w = torch.as_tensor(w).detach().to(torch.float64).reshape(-1)
        return float(w.norm()) if component is None else float(w[component])

    markers = "osD^vp*"   # hollow, of different shapes: runs that coincide stay visible
    for number, (label, path) in enumerate(runs.items()):
        steps = list(range(len(path)))
        line, = ax.plot(steps, [value(w) for w in path], markers[number % len(markers)], ms=6,
                        mfc="none", mew=1.3, label=label)
        if closed_form is not None and label in closed_form:
            ax.plot(steps, [value(closed_form[label](k)) for k in steps], "--",
                    color=line.get_color(), lw=1.2, alpha=0.8)
    if log_scale and component is None:
        ax.set_yscale("log")
    else:
        ax.axhline(0, color="#999", lw=0.8)
    ax.set_xlabel("step k")
    ax.set_ylabel("|w_k|" if component is None else f"w_k[{component}]")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax
