"""Pictures of computation graphs: torch's autograd graph, or any graph of nodes.

`draw_graph(root, children=..., label=...)` lays out any DAG by depth: nodes
with no inputs (leaves) in the left column, each other node one column right
of its deepest input, arrows from inputs to outputs. With the defaults it
draws torch's autograd graph of a tensor (walking ``grad_fn.next_functions``);
given `children` and `label` it draws other nodes, e.g. the scalar `Value`
nodes of the tiny autograd engine (09). Only matplotlib is used.
"""
import matplotlib.pyplot as plt
import torch

__all__ = ["draw_graph", "draw_autograd_graph"]

_COLOURS = {"leaf": "#d9f2d9", "inner": "#dce8f7", "root": "#fde2c8"}


def _torch_children(node):
    return [fn for fn, _ in getattr(node, "next_functions", ()) if fn is not None]


def _torch_label(node, names=None):
    name = type(node).__name__
    variable = getattr(node, "variable", None)  # AccumulateGrad nodes hold their leaf
    if variable is None:
        return name
    leaf = next((k for k, v in (names or {}).items() if v is variable), "leaf")
    return f"{name}\n{leaf} {tuple(variable.shape)}"


def draw_graph(root, children=None, label=None, ax=None, title=None, column_width=2.4):
    """Draw the graph that ends at `root`, inputs on the left, `root` on the right.

    Parameters (the signature is stable: other modules rely on it):
      root      the output node. A torch tensor (or a grad_fn node) by default.
      children  function node -> list of its input nodes. Default: torch's
                ``node.next_functions`` (None entries skipped).
      label     function node -> str shown in the node's box (may hold "\\n").
                Default: the grad_fn class name; AccumulateGrad nodes also show
                their leaf's shape.
      ax        matplotlib Axes to draw on; a new figure if None.
      title     optional title of the axes.
      column_width  inches per column of a new figure (wider labels want more).
    Nodes are identified by `id`, so a node used twice (y * y) is drawn once
    with two arrows. Returns the Axes.
    """
    if isinstance(root, torch.Tensor):
        if root.grad_fn is None:
            raise ValueError("this tensor has no grad_fn: it is a leaf, or was computed "
                             "without grad, so it has no autograd graph to draw")
        root = root.grad_fn
    children = children or _torch_children
    label = label or _torch_label

    # Depth-first walk from the root: every node once, in order of discovery.
    order, inputs, stack, seen = [], {}, [root], {id(root)}
    while stack:
        node = stack.pop()
        order.append(node)
        inputs[id(node)] = list(children(node))
        for child in reversed(inputs[id(node)]):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)

    # Topological level: 0 for nodes without inputs, else one more than the deepest input.
    level = {}

    def depth(node):
        if id(node) not in level:
            level[id(node)] = 1 + max((depth(c) for c in inputs[id(node)]), default=-1)
        return level[id(node)]

    for node in order:
        depth(node)
    # Leaves move right, next to their first user, so their arrows stay short.
    users = {}
    for node in order:
        for child in inputs[id(node)]:
            users.setdefault(id(child), []).append(level[id(node)])
    for node in order:
        if not inputs[id(node)] and id(node) in users:
            level[id(node)] = min(users[id(node)]) - 1

    columns = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    position = {}
    for depth, nodes in columns.items():
        for row, node in enumerate(nodes):
            position[id(node)] = (depth, (len(nodes) - 1) / 2 - row)

    depth_max = max(columns)
    rows_max = max(len(nodes) for nodes in columns.values())
    if ax is None:
        lines = max(str(label(node)).count("\n") + 1 for node in order)
        _, ax = plt.subplots(figsize=(column_width * (depth_max + 1) + 0.5, (0.25 * lines + 0.6) * rows_max + 0.8))
    boxes = {}
    for node in order:
        kind = "root" if node is root else ("leaf" if not inputs[id(node)] else "inner")
        x, y = position[id(node)]
        boxes[id(node)] = ax.text(x, y, label(node), ha="center", va="center", fontsize=9,
                                  bbox=dict(boxstyle="round,pad=0.4", fc=_COLOURS[kind], ec="#555"))
    for node in order:
        drawn = {}
        for child in inputs[id(node)]:  # arrow from the input to the node that uses it
            source, target = boxes[id(child)], boxes[id(node)]
            repeat = drawn[id(child)] = drawn.get(id(child), -1) + 1  # y * y: bend the 2nd arrow
            ax.annotate("", xy=(0.5, 0.5), xycoords=target, xytext=(0.5, 0.5), textcoords=source,
                        arrowprops=dict(arrowstyle="-|>", color="#444", shrinkA=2, shrinkB=2,
                                        connectionstyle=f"arc3,rad={0.35 * repeat}",
                                        patchA=source.get_bbox_patch(), patchB=target.get_bbox_patch()))
    ax.set_xlim(-0.6, depth_max + 0.6)
    ax.set_ylim(-rows_max / 2 - 0.1, rows_max / 2 + 0.1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def _short(t):
    """A tensor in a few characters: one number, a constant with its shape, a few values, or its shape."""
    t = t.detach()
    if t.numel() == 1:
        return f"{float(t):.4g}"
    flat = t.reshape(-1)
    if bool((flat == flat[0]).all()):
        return f"{float(flat[0]):.4g} everywhere"
    if t.numel() <= 6:
        rows = t.reshape(-1, t.shape[-1]) if t.dim() > 1 else t.reshape(1, -1)
        text = ", ".join("[" + ", ".join(f"{float(v):.3g}" for v in row) + "]" for row in rows)
        return f"[{text}]" if t.dim() > 1 else text
    return f"shape {tuple(t.shape)}"


def _gradients(tensor, named, grad_output):
    """{name: d tensor / d named tensor} (weighted by grad_output for a non-scalar tensor), without touching .grad."""
    if grad_output is None:
        if tensor.numel() != 1:
            raise ValueError("to show gradients of a non-scalar output, pass grad_output (shaped like it)")
        grad_output = torch.ones_like(tensor)
    names = [name for name, t in named.items() if t.requires_grad]
    try:
        grads = torch.autograd.grad(tensor, [named[n] for n in names], grad_outputs=grad_output,
                                    retain_graph=True, allow_unused=True)
    except RuntimeError as error:
        if "second time" not in str(error):
            raise
        raise ValueError("backward() has already freed this graph: draw it with values=True before "
                         "calling backward(), or build it again") from None
    return dict(zip(names, grads))


def draw_autograd_graph(tensor, names=None, ax=None, title=None, values=False, grad_output=None):
    """Draw the autograd graph behind `tensor`: its grad_fn and everything it reaches.

    `names` optionally maps a name to a tensor, e.g. ``{"x": x}``, so that
    leaf's AccumulateGrad box says "x (2, 2)" instead of "leaf (2, 2)".
    With ``values=True`` each box of a named tensor (leaves, and computed
    tensors such as ``{"y": y, "out": out}``, whose boxes are their grad_fn)
    also shows its forward value and the gradient of `tensor` with respect to
    it, computed here with torch.autograd.grad (nothing is written to .grad;
    for a non-scalar `tensor`, pass `grad_output`, the v of tensor.backward(v)).
    """
    names = names or {}
    if not values:
        return draw_graph(tensor, label=lambda node: _torch_label(node, names), ax=ax,
                          title=title or "autograd graph: inputs (left) to output (right)")
    grads = _gradients(tensor, names, grad_output)

    def label(node):
        text = _torch_label(node, names)
        variable = getattr(node, "variable", None)
        name = next((k for k, v in names.items()
                     if v is variable or (variable is None and v.grad_fn is node)), None)
        if name is None:
            return text
        if variable is None:
            text += f"\n{name} {tuple(names[name].shape)}"
        grad = grads.get(name)
        return (text + f"\nvalue {_short(names[name])}"
                + f"\ngrad {'None' if grad is None else _short(grad)}")
    return draw_graph(tensor, label=label, ax=ax, column_width=3.0,
                      title=title or "autograd graph with forward values and gradients")
