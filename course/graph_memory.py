"""What an autograd graph keeps alive: the bytes of the tensors its nodes saved for backward.

07 uses it to show why a training loop records `loss.item()`: until
`backward()` runs, the loss's graph holds every activation its backward pass
needs; `backward()` frees them; and a running total of loss tensors that never
go through `backward()` chains one more step's graph onto itself each time.
"""
import torch

__all__ = ["saved_bytes"]


def saved_bytes(tensor):
    """Bytes of the tensors saved for backward in the graph behind `tensor` (each counted once).

    Walks `grad_fn.next_functions` from `tensor` and reads every node's `_saved_*`
    attributes; a saved tensor that `backward()` has freed raises, and counts 0.
    """
    seen, stack, found = set(), [tensor.grad_fn], {}
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        for attr in dir(node):
            if attr.startswith("_saved_"):
                try:
                    value = getattr(node, attr)
                except RuntimeError:          # already freed by backward()
                    continue
                if isinstance(value, torch.Tensor):
                    found[value.data_ptr()] = value.numel() * value.element_size()
        stack.extend(next_node for next_node, _ in node.next_functions)
    return sum(found.values())
