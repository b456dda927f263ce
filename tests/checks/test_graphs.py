"""Do 02_requires_grad's checks (course.checks.a02_requires_grad) pass right answers and name the typical wrong ones?"""
import inspect
from pathlib import Path
import re

import nbformat
import pytest
import torch

from course.checks import check
from course.kernel import plain
from course.checks.core.compare import SQUARE_TWO_MISSING
from course.checks.a02_requires_grad import (GRAD_OF_MEAN_CUBE_GRAPH, GRAD_OF_RATIO_GRAPH, GRAPH_PREDICTIONS, graph_truth,
                                  likely_factors)
from course.kernel.adapters import read_predictions

from .failing import fails


def grad_of_mean_cube_graph(x):
    return 6 * (x + 2) / x.numel()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_right_gradient_passes(seed):
    """Does a correct hand-written gradient pass the examples and the hidden trials?"""
    check("grad_of_mean_cube_graph_tests", grad_of_mean_cube_graph)
    check("grad_of_mean_cube_graph_tests", grad_of_mean_cube_graph, hidden=True, seed=seed)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda x: 6 * (x + 2), "that factor is the number of elements: a division by it is missing"),
    (lambda x: 3 * (x + 2) / x.numel(), "the 2 from differentiating a square"),
    (lambda x: 1.5 * (x + 2), "1.5 times the right answer: the mean divides by x.numel() = 6, not by 4"),
    (lambda x: (6 * (x + 2) / x.numel()).double(), "must have dtype torch.float32"),
])
def test_typical_mistakes_are_named(wrong, phrase):
    """Does each typical mistake fail the visible examples with its diagnosis?"""
    assert phrase in fails("grad_of_mean_cube_graph_tests", wrong)


def test_a_sign_error_is_not_given_a_cause():
    """Is a flipped sign stated as a factor, without a cause the exercise does not make likely?"""
    assert "constant -1 times" in fails("grad_of_mean_cube_graph_tests", lambda x: -6 * (x + 2) / x.numel())


def test_autograd_is_refused():
    """Is a gradient computed with backward() refused, as the exercise is by hand?"""
    def with_autograd(x):
        x = x.detach().clone().requires_grad_(True)
        (3 * (x + 2) ** 2).mean().backward()
        return x.grad
    assert "must compute the gradient by hand" in fails("grad_of_mean_cube_graph_tests", with_autograd)


def test_a_single_element_is_shown_by_the_visible_examples_too():
    """Is a gradient that assumes a first dimension caught by the 0-dimensional example, visible and hidden?"""
    def divides_by_rows_and_columns(x):
        return 6 * (x + 2) / (x.shape[0] * (x.numel() // x.shape[0]))
    assert "raised IndexError" in fails("grad_of_mean_cube_graph_tests", divides_by_rows_and_columns)
    assert "raised IndexError" in fails("grad_of_mean_cube_graph_tests", divides_by_rows_and_columns, hidden=True)


def test_likely_factors_name_a_hard_coded_4_only_where_it_can_be_told_apart():
    """Is the 'divides by 4' cause left out where it would be confused with the 2 of a square or with 1?"""
    for n, named in [(1, True), (2, False), (4, False), (8, False), (6, True)]:
        factors, causes = likely_factors(torch.zeros(n))
        assert SQUARE_TWO_MISSING in causes
        assert (len(causes) == 2) is named, n
        assert factors == ({"the number of elements": n} if n > 1 else {})


def test_hidden_trials_cover_a_float32_input_and_unequal_shapes():
    """Do the hidden trials include float32 and shapes with a batch of one and a single element?"""
    inputs = [trial.args[0] for trial in GRAD_OF_MEAN_CUBE_GRAPH.hidden(5)]
    assert {x.dtype for x in inputs} == {torch.float32, torch.float64}
    assert {(1, 5), (), (3, 1, 2)} <= {tuple(x.shape) for x in inputs}
    assert all(bool(((x + 2).abs() >= 0.3 - 1e-6).all()) for x in inputs)  # away from the minimum


def grad_of_ratio_graph(a):
    return -3 / (a - 1) ** 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_right_ratio_gradient_passes(seed):
    """Does the quotient rule's gradient of the seeds' (a * 3) / (a - 1) pass the examples and the hidden trials?"""
    check("grad_of_ratio_graph_tests", grad_of_ratio_graph)
    check("grad_of_ratio_graph_tests", grad_of_ratio_graph, hidden=True, seed=seed)


@pytest.mark.parametrize("wrong, phrase", [
    (lambda a: 3 / (a - 1), "only the numerator a * 3 was differentiated"),
    (lambda a: -3 / (a - 1), "the quotient rule divides by the denominator squared"),
    (lambda a: -3 / (a - 1) ** 2 / a.numel(), "the output is a sum, not a mean"),
    (lambda a: 3 / (a - 1) ** 2, "the sign is flipped"),
    (lambda a: (-3 / (a - 1) ** 2).float(), "must have dtype torch.float64"),
])
def test_typical_ratio_mistakes_are_named(wrong, phrase):
    """Does each typical mistake of the derivation fail the visible examples with its diagnosis?"""
    assert phrase in fails("grad_of_ratio_graph_tests", wrong)


def test_ratio_diagnoses_do_not_give_the_answer():
    """Do the diagnoses name rules, never the gradient itself?"""
    for wrong in (lambda a: 3 / (a - 1), lambda a: -3 / (a - 1), lambda a: 3 / (a - 1) ** 2):
        assert "-3 / (a - 1) ** 2" not in fails("grad_of_ratio_graph_tests", wrong)


def test_ratio_hidden_trials_keep_away_from_the_pole():
    """Do the hidden trials cover a single element, a batch of one, float32, and stay away from a = 1?"""
    inputs = [trial.args[0] for trial in GRAD_OF_RATIO_GRAPH.hidden(5)]
    assert {x.dtype for x in inputs} == {torch.float32, torch.float64}
    assert {(1, 4), (), (2, 1, 3)} <= {tuple(x.shape) for x in inputs}
    assert all(bool(((x - 1).abs() >= 0.4 - 1e-6).all()) for x in inputs)


PREDICTIONS = graph_truth()


def test_right_predictions_pass():
    check("GRAPH_PREDICTIONS_tests", dict(PREDICTIONS))
    check("GRAPH_PREDICTIONS_tests", dict(PREDICTIONS), hidden=True)


@pytest.mark.parametrize("change, visible_phrase", [
    ({"h.grad_fn": "MulBackward0"}, None),
    ({"b.is_leaf": False, "k.is_leaf": False}, None),
    ({"e.requires_grad": "False"}, "'e.requires_grad' must be True or False, not 'False'"),
    ({"n.grad_fn": torch.Tensor}, "must be a class name string"),
    ({"w.is_leaf": ...}, "still `...`"),
])
def test_wrong_predictions(change, visible_phrase):
    """Is a wrong kind told by the visible check, and a wrong answer only when graded, with torch's answer?"""
    predictions = {**PREDICTIONS, **change}
    if visible_phrase:
        assert visible_phrase in fails("GRAPH_PREDICTIONS_tests", predictions)
        return
    check("GRAPH_PREDICTIONS_tests", predictions)
    message = fails("GRAPH_PREDICTIONS_tests", predictions, hidden=True)
    for key, value in change.items():
        assert f"{key!r}: you predicted {value!r}; torch says {PREDICTIONS[key]!r}" in message


def test_a_missing_key_and_a_list_are_told():
    predictions = dict(PREDICTIONS)
    del predictions["s.grad_fn"]
    assert "the key 's.grad_fn' is missing" in fails("GRAPH_PREDICTIONS_tests", predictions)
    assert "GRAPH_PREDICTIONS must be a dict, but it is a list" in fails("GRAPH_PREDICTIONS_tests", list(PREDICTIONS))


def test_the_predictions_adapter_sends_values_and_reprs():
    """Does the kernel send each prediction as plain data with its repr, and nothing that is not plain?"""
    sent = plain.decode(plain.encode(read_predictions({"a": True, "b": ..., "c": "AddBackward0", 1: 2},
                                                      (), {}, False, "GRAPH_PREDICTIONS")))
    assert sent["a"] == (True, "True") and sent["c"] == ("AddBackward0", "'AddBackward0'")
    assert isinstance(sent["b"][0], plain.Unsupported) and sent["b"][1] == "Ellipsis"
    assert 1 not in sent


def test_a_malformed_reply_is_a_failed_trial():
    """Is a reply the adapter never makes a failed trial, never an error in the grader?"""
    for exercise in (GRAPH_PREDICTIONS, GRAD_OF_MEAN_CUBE_GRAPH, GRAD_OF_RATIO_GRAPH):
        trials = exercise.visible() + exercise.hidden(3)
        for reply in [None, {"w.is_leaf": 3}, {"w.is_leaf": (True, 3)}, [1, 2], "x"]:
            verdict = exercise.judge(trials, [{"value": plain.encode(reply)}] * len(trials), exercise.visible_label)
            assert not verdict.passed


def test_the_number_after_backward_tells_overloads_apart_on_this_torch():
    """02 says: sum() gives SumBackward0 and sum(dim) SumBackward1; mean() and mean(dim) likewise."""
    a = torch.ones(2, 3, requires_grad=True)
    names = [type(t.grad_fn).__name__ for t in (a.sum(), a.sum(0), a.mean(), a.mean(0))]
    assert names == ["SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1"]


def _cells_of_02():
    root = Path(__file__).resolve().parents[2]
    return nbformat.read(str(root / "source" / "02_requires_grad" / "02_requires_grad.ipynb"), as_version=4).cells


def test_the_graph_the_notebook_shows_is_the_one_the_checks_run():
    """Is every line of the graph in Exercise 3's text a line of graph_truth, which decides the predictions?"""
    (text,) = [cell.source for cell in _cells_of_02() if "## 6. Exercise 3" in cell.source]
    shown = re.search(r"```python\n(.*?)```", text, re.S).group(1).splitlines()
    checked = {line.strip() for line in inspect.getsource(graph_truth).splitlines()}
    assert len(shown) >= 8 and all(line.strip() in checked for line in shown), shown


def test_no_cell_above_the_predictions_runs_the_exercises_twists():
    """Does no code cell above GRAPH_PREDICTIONS compute a product with a detached tensor or run no_grad on a
    computed tensor (h), the two places where the exercise's graph goes beyond the demonstrations?"""
    cells = _cells_of_02()
    above = "\n".join(cell.source for cell in cells[:next(i for i, cell in enumerate(cells)
                                                          if "GRAPH_PREDICTIONS = {" in cell.source)]
                      if cell.cell_type == "code")
    assert ".detach() *" not in above and "n = h * 2" not in above
