"""A picture of the order in which backward() runs the nodes of a graph: 09's topological order, seen.

`backward_order(output, children, label)` runs `output.backward()` (or another
backward pass given as `run`) once with
every node's `_backward` counted (the engine's own code, unchanged, only
wrapped), then draws the graph with, in each box, the step(s) at which that
node's `_backward` ran. A right engine shows each node once, every node after
all the nodes that use it: a reversed topological order. A node that ran more
than once is filled red.
"""
from .graphs import draw_graph

__all__ = ["backward_order"]

_TWICE = "#f6c9c4"


def _nodes(output, children):
    """Every node `output` depends on, each once (found by identity)."""
    found, stack = {id(output): output}, [output]
    while stack:
        for child in children(stack.pop()):
            if id(child) not in found:
                found[id(child)] = child
                stack.append(child)
    return list(found.values())


def _steps_text(steps):
    if not steps:
        return "_backward never ran"
    if len(steps) == 1:
        return f"backward step {steps[0]}"
    return "backward steps " + ", ".join(map(str, steps[:-1])) + f" and {steps[-1]}"


def backward_order(output, children, label=str, ax=None, title=None, run=None):
    """Run `output.backward()`, counting each node's `_backward`, and draw when each ran; returns the Axes.

    children  node -> its input nodes (for a Value: ``lambda v: v._prev``)
    label     node -> the text of its box; the steps are added under it for nodes with inputs
    run       output -> None, another backward pass to watch (default: ``output.backward()``)
    The backward pass really runs (gradients accumulate as usual); each `_backward` is restored afterwards.
    """
    nodes = _nodes(output, children)
    inner = [node for node in nodes if list(children(node))]
    steps, originals = {id(node): [] for node in inner}, {}
    counter = [0]
    for node in inner:
        originals[id(node)] = node._backward

        def counted(node=node, original=node._backward):
            counter[0] += 1
            steps[id(node)].append(counter[0])
            return original()
        node._backward = counted
    try:
        (run or (lambda out: out.backward()))(output)
    finally:
        for node in inner:
            node._backward = originals[id(node)]

    def boxed(node):
        text = label(node)
        return f"{text}\n{_steps_text(steps[id(node)])}" if id(node) in steps else text
    ax = draw_graph(output, children=children, label=boxed, ax=ax,
                    title=title or "the step at which backward() ran each node's _backward")
    for text in ax.texts:
        if "backward steps" in text.get_text():
            text.get_bbox_patch().set_facecolor(_TWICE)
    return ax
