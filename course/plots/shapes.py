"""Pictures of shapes: matrices drawn as rectangles, sized by their dimensions.

`matrix_products(rows)` draws one equation per row, such as
``[("A", (2, 3)), "@", ("B", (3, 4)), "=", ("out", (2, 4))]``: each term a box
as tall as its number of rows and as wide as its number of columns, with its
name and shape, and the operators between them. It shows at a glance which
dimensions must agree, where a product sums (the inner dimension) and what
shape a gradient must have.
"""
import matplotlib.patches as patches
import matplotlib.pyplot as plt

__all__ = ["matrix_products"]

_FILL = {"grad": "#fde2c8", "given": "#dce8f7", "unknown": "#eeeeee"}


def matrix_products(rows, ax=None, title=None, caption=None, unit=0.45):
    """Draw equations of matrices as rectangles; returns the Axes.

    rows     a list of equations; each a list of terms ``(name, (rows, cols))``
             or operator strings ("@", "=", "·", ...). A name starting with
             "grad" is filled orange, one ending in "?" grey, others blue.
    caption  an optional sentence under the picture (what to notice).
    """
    heights = [max(shape[0] for shape in (t[1] for t in row if not isinstance(t, str))) for row in rows]
    widths = [sum(t[1][1] + 1.2 if not isinstance(t, str) else 0.8 for t in row) for row in rows]
    if ax is None:
        _, ax = plt.subplots(figsize=(unit * max(widths) + 1, unit * (sum(heights) + 1.6 * len(rows)) + 0.8))
    top = 0.0
    for row, height in zip(rows, heights):
        x, middle = 0.0, top - height / 2
        for term in row:
            if isinstance(term, str):
                ax.text(x + 0.4, middle, term, ha="center", va="center", fontsize=14)
                x += 0.8
                continue
            name, (r, c) = term
            kind = "grad" if name.startswith("grad") else ("unknown" if name.endswith("?") else "given")
            ax.add_patch(patches.Rectangle((x + 0.1, middle - r / 2), c, r, fc=_FILL[kind], ec="#555"))
            ax.text(x + 0.1 + c / 2, middle, f"{name}\n{r}×{c}", ha="center", va="center", fontsize=9)
            x += c + 1.2
        top -= height + 1.6
    ax.set_xlim(-0.2, max(widths) + 0.2)
    ax.set_ylim(top + 0.6, 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or "shapes of a matrix product")
    if caption:
        ax.text(0.5, 0.0, caption, transform=ax.transAxes, ha="center", va="top", fontsize=9, wrap=True)
    return ax
