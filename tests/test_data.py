"""Do the course's data sets load offline, as the notebooks expect them?"""
import torch

from course.data import load_digits, two_moons


def test_digits_are_scikit_learns_digits_split_reproducibly():
    """Same images and labels as scikit-learn's own loader, in [0, 1], one fixed split per seed."""
    from sklearn.datasets import load_digits as sklearn_digits

    X_train, y_train, X_test, y_test = load_digits()
    assert X_train.shape == (1438, 64) and X_test.shape == (359, 64)
    assert 0.0 <= float(X_train.min()) and float(X_train.max()) == 1.0
    assert set(y_train.tolist()) == set(range(10)) and y_train.dtype == torch.long
    reference = sklearn_digits()
    ours = sorted(tuple(row) + (label,) for row, label in
                  zip((torch.cat([X_train, X_test]) * 16).round().int().tolist(), torch.cat([y_train, y_test]).tolist()))
    theirs = sorted(tuple(row) + (label,) for row, label in
                    zip(reference.data.astype(int).tolist(), reference.target.tolist()))
    assert ours == theirs
    assert torch.equal(load_digits(seed=0)[1], y_train) and not torch.equal(load_digits(seed=1)[1], y_train)


def test_two_moons_are_two_balanced_classes_in_the_plane():
    X, y = two_moons(101, generator=torch.Generator().manual_seed(0))
    assert X.shape == (101, 2) and X.dtype == torch.float64
    assert int((y == 0).sum()) == 50 and int((y == 1).sum()) == 51
