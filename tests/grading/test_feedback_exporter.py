"""Is the one-pass feedback page the page nbconvert's HTMLExporter makes, without parsing it again?"""
import base64
import copy
import io

from bs4 import BeautifulSoup
import matplotlib
import nbformat
from nbconvert.exporters import HTMLExporter
import nbconvert.exporters.html
from nbgrader.converters import GenerateFeedback
import pytest

from course.grading.plugins.feedback_exporter import NO_ALT_TEXT, FeedbackExporter

matplotlib.use("Agg")


def _png():
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 1))
    axes.plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _notebook():
    """A graded notebook's parts: prose, a figure, an output's own HTML, an error; images with and without alt."""
    v4 = nbformat.v4
    plot = v4.new_code_cell("plt.plot(x)  # the learner's <img> and 'quotes' & <b>tags</b>", outputs=[
        v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure size 200x100>"})])
    shown = v4.new_code_cell("display(HTML(...))", outputs=[v4.new_output("display_data", data={
        "text/html": "<p>an output's own images: <img src='a.png' alt='a described one'> <IMG src=b.png>"
                     " <img\nsrc='c.png'/></p>"})])
    failed = v4.new_code_cell("check(f)", outputs=[v4.new_output(
        "error", ename="AssertionError", evalue="f(x) isn't x ** 2: <img> & 'wrong'", traceback=["AssertionError"])])
    prose = v4.new_markdown_cell("Read ![the graph](graph.png) and <img src='raw.png'>: it's \"torch's\" graph.")
    return v4.new_notebook(cells=[prose, plot, shown, failed], metadata={"language_info": {"name": "python"}})


NOTEBOOK = _notebook()
GRADES = {"nbgrader": {"notebook": "toy", "score": 1.0, "max_score": 2.0, "late_penalty": 0.0}}  # GetGrades' part


def _page(exporter):
    return exporter.from_notebook_node(copy.deepcopy(NOTEBOOK), copy.deepcopy(GRADES))[0]


def _exporters(template=None):
    config = GenerateFeedback().config  # nbgrader's feedback template, as `nbgrader generate_feedback` sets it
    if template:
        config.HTMLExporter.template_name = template
    return HTMLExporter(config=config), FeedbackExporter(config=config)


def test_the_feedback_page_is_nbconverts_page_and_is_parsed_once(monkeypatch):
    nbconverts, ours = _exporters()
    expected = _page(nbconverts)
    monkeypatch.setattr(nbconvert.exporters.html, "BeautifulSoup", None)  # a second parse would fail here
    page = _page(ours)
    assert ours.template_name == "feedback"
    assert str(BeautifulSoup(page, features="html.parser")) == expected
    assert page.count(f'alt="{NO_ALT_TEXT}"') == expected.count(f'alt="{NO_ALT_TEXT}"') == 4
    assert "alt='a described one'" in page and "alt=\"the graph\"" in page


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_with_another_template_it_is_nbconverts_exporter(template):
    nbconverts, ours = _exporters(template)
    assert _page(ours) == _page(nbconverts)
