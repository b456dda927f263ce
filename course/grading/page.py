"""What the reports' pages are made of: tables, and pictures drawn off screen and embedded as PNG."""
import base64
import html
import io


def pyplot():
    """matplotlib's pyplot drawing off screen (the reports are written where there is no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(figure):
    """`figure` as base64 PNG, for an <img src="data:image/png;base64,..."> of a page that needs no files."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def table(header, rows):
    """An HTML table, every header and value escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
