"""Data sets the notebooks use, all from packages or made here: nothing downloads at run time."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import torch


def load_digits(test_fraction=0.2, seed=0, dtype=torch.float32):
    """scikit-learn's 1,797 handwritten digits (8x8 images, 64 features scaled to [0, 1]).

    Returns (X_train, y_train, X_test, y_test) as tensors; y holds class
    indices 0-9. The split is stratified by nothing but a seeded shuffle.
    """
    table = torch.from_numpy(np.loadtxt(_digits_file(), delimiter=","))
    X = table[:, :-1].to(dtype) / 16.0
    y = table[:, -1].to(torch.long)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def _digits_file():
    """The digits file inside scikit-learn, found without importing scikit-learn (about 1 s)."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None:
        raise ModuleNotFoundError("load_digits reads its data from scikit-learn: pip install scikit-learn")
    return Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"


def two_moons(num_examples=200, noise=0.1, generator=None, dtype=torch.float64):
    """Two interleaving half circles, a toy two-class problem: (X of shape (n, 2), y in {0, 1})."""
    n_upper = num_examples // 2
    angles = torch.rand(num_examples, generator=generator, dtype=dtype) * math.pi
    upper = torch.stack([torch.cos(angles[:n_upper]), torch.sin(angles[:n_upper])], dim=1)
    lower = torch.stack([1 - torch.cos(angles[n_upper:]), 0.5 - torch.sin(angles[n_upper:])], dim=1)
    X = torch.cat([upper, lower]) + noise * torch.randn(num_examples, 2, generator=generator, dtype=dtype)
    y = torch.cat([torch.zeros(n_upper, dtype=torch.long), torch.ones(num_examples - n_upper, dtype=torch.long)])
    return X, y
