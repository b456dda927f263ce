"""The feedback page, rendered in one pass.

nbconvert's HTMLExporter renders a page with its template, then parses the
whole page again with BeautifulSoup to add an alt text to each image that
has none and to make the cells of JupyterLab's template focusable. The
feedback template (nbgrader's, built on the classic one) has no such cells,
so only the alt text applies, yet that second parse takes about two thirds
of each feedback page's time: a graded notebook's code is thousands of
highlighted tokens, each a tag. `FeedbackExporter` renders with the same
template and filters and adds the same alt text with one search of the
rendered page. With another template it is HTMLExporter.
"""
import re

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

FEEDBACK_TEMPLATE = "feedback"
NO_ALT_TEXT = "No description has been provided for this image"  # nbconvert's words
# An <img tag whose attributes (up to the tag's end) hold no alt.
_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt\s*=)(?=[\s>/])", re.IGNORECASE)


class FeedbackExporter(HTMLExporter):
    """HTMLExporter without its second parse of the page, for nbgrader's feedback template."""

    def from_notebook_node(self, nb, resources=None, **kw):
        if self.template_name != FEEDBACK_TEMPLATE:
            return super().from_notebook_node(nb, resources, **kw)
        # The filters HTMLExporter.from_notebook_node registers before rendering, as it does.
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return with_alt_texts(html), resources


def with_alt_texts(html):
    """`html` with nbconvert's alt text on each image that has none."""
    return _IMAGE_WITHOUT_ALT.sub(f'<img alt="{NO_ALT_TEXT}"', html)
