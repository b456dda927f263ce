"""Pictures of random samples against the distributions they come from."""
import math

import matplotlib.pyplot as plt
import torch

__all__ = ["histogram_vs_normal"]


def histogram_vs_normal(samples, mean=0.0, std=1.0, bins=50, ax=None, title=None):
    """A density histogram of `samples` with the N(mean, std^2) density drawn over it."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    values = torch.as_tensor(samples).detach().reshape(-1).double()
    ax.hist(values.numpy(), bins=bins, density=True, alpha=0.6, label=f"{values.numel():,} samples")
    xs = torch.linspace(mean - 4 * std, mean + 4 * std, 400, dtype=torch.float64)
    density = torch.exp(-0.5 * ((xs - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))
    ax.plot(xs.numpy(), density.numpy(), lw=2, label=f"N({mean:g}, {std:g}²) density")
    ax.set_xlabel("value")
    ax.set_ylabel("density")
    ax.set_title(title or "samples against the normal density")
    ax.legend()
    return ax
