"""Do the solutions in source/ pass their hidden trials whatever the run's seed?

A right answer failed one seed in thirty on rounding (03's exp_backward), on an
all-zero input (04's grad_after_repeats) and on dead hidden units (07's
train_two_layer). The seeds that did are kept here beside a few fresh ones;
`benchmarks/seed_sweep.py --seeds 200` sweeps wider.
"""
import pathlib

import pytest

from course.checks.sweep import sweep_assignment

SOURCE = pathlib.Path(__file__).resolve().parents[2] / "source"
ONCE_FAILED = {"03_backward": [59, 65, 95], "04_grad_accumulation": [49], "07_two_layer_net": [10], "08_mlp": [103]}


@pytest.mark.parametrize("assignment", sorted(p.name for p in SOURCE.iterdir()))
def test_every_solution_passes_its_hidden_trials_on_many_seeds(assignment):
    seeds = [*ONCE_FAILED.get(assignment, []), *range(1000, 1004)]
    failures = sweep_assignment(next((SOURCE / assignment).glob("*.ipynb")), seeds)
    assert not any(failures.values()), {g: f[:2] for g, f in failures.items() if f}
