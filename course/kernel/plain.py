"""Values as plain data: what crosses between a learner's kernel and the grader.

During grading the kernel only computes and the grader judges, so whatever
the kernel sends back is read as data and nothing else: JSON with numbers,
strings, lists and dicts, and tensors as dtype, shape and `.npy` bytes that
numpy reads with `allow_pickle=False`. A trial's inputs may also keep their
memory layout (`keep_layout`): a transposed or permuted tensor travels as its
contiguous data and the permutation, an expanded one as the smaller tensor it
expands, and `decode` lays them out again, so the learner's function receives
values equal to the contiguous ones that are not contiguous, as real inputs
and upstream gradients often are. `decode` trusts nothing: a malformed,
oversized, object-dtype or subclassed value becomes an `Unsupported` value
that the checks report as a wrong answer, never an exception in the grader.
Both sides use this module; only `decode` needs to be safe.
"""
import base64
import io

import numpy as np
import torch

MAX_REPLY_BYTES = 32 * 1024 ** 2     # one reply of the kernel, as JSON text
MAX_ELEMENTS = 2_000_000             # one tensor
MAX_DEPTH = 8                        # nesting of lists, tuples and dicts
MAX_ITEMS = 10_000                   # items of one list, tuple or dict

# dtype name -> (torch dtype, the numpy dtype its bytes travel as)
DTYPES = {
    "float16": (torch.float16, np.float16), "float32": (torch.float32, np.float32),
    "float64": (torch.float64, np.float64), "bfloat16": (torch.bfloat16, np.float32),
    "int8": (torch.int8, np.int8), "int16": (torch.int16, np.int16),
    "int32": (torch.int32, np.int32), "int64": (torch.int64, np.int64),
    "uint8": (torch.uint8, np.uint8), "bool": (torch.bool, np.bool_),
}
_PLAIN = (bool, int, float, str, type(None))


class Unsupported:
    """A value that could not travel as plain data; it describes what it was."""

    def __init__(self, description):
        self.description = description

    def __repr__(self):
        return self.description

    def __eq__(self, other):
        return isinstance(other, Unsupported) and other.description == self.description


def describe_type(value):
    return f"a {type(value).__module__}.{type(value).__qualname__}"


# ---- encoding (either side) -------------------------------------------------

def layout_of(tensor):
    """(stored, layout) with `tensor` equal to stored.permute(layout["permute"]).expand(tensor.shape) and
    `stored` contiguous; None if `tensor` is contiguous or its layout is not of that form (a slice with a step).
    """
    if tensor.is_contiguous():
        return None
    base = tensor
    for dim, (size, stride) in enumerate(zip(tensor.shape, tensor.stride())):
        if stride == 0 and size > 1:             # expanded along dim: keep one copy of it
            base = base.narrow(dim, 0, 1)
    order = list(range(base.dim()))
    if not base.is_contiguous():                 # the dims in the order memory holds them, outermost first
        order.sort(key=lambda d: -base.stride(d) if base.shape[d] > 1 else 0)
    stored = base.permute(order)
    if not stored.is_contiguous():
        return None
    return stored, {"permute": [order.index(d) for d in range(base.dim())]}


def encode_tensor(tensor, keep_layout=False):
    """dtype, shape, flags and .npy bytes of a plain torch.Tensor (or nn.Parameter).

    With `keep_layout`, a transposed, permuted or expanded tensor keeps its layout (see `layout_of`).
    """
    name = str(tensor.dtype).removeprefix("torch.")
    if name not in DTYPES:
        return {"unsupported": f"a tensor of dtype {tensor.dtype}"}
    data = tensor.detach().cpu()
    layout = layout_of(data) if keep_layout else None
    if layout is not None:
        data, layout = layout
    if name == "bfloat16":
        data = data.to(torch.float32)
    buffer = io.BytesIO()
    np.save(buffer, data.contiguous().numpy(), allow_pickle=False)
    spec = {"dtype": name, "shape": list(tensor.shape),
            "npy": base64.b64encode(buffer.getvalue()).decode("ascii"),
            "requires_grad": bool(tensor.requires_grad), "is_leaf": bool(tensor.is_leaf),
            "parameter": isinstance(tensor, torch.nn.Parameter)}
    if layout is not None:
        spec["layout"] = layout
    return {"tensor": spec}


def encode(value, depth=0, keep_layout=False):
    """`value` as JSON-ready plain data; anything else becomes an 'unsupported' description.

    `keep_layout`: tensors keep a transposed, permuted or expanded layout (a trial's inputs do).
    """
    if depth > MAX_DEPTH:
        return {"unsupported": "a value nested too deeply"}
    if type(value) in _PLAIN:
        return value
    if type(value) in (torch.Tensor, torch.nn.Parameter):
        return encode_tensor(value, keep_layout)
    if isinstance(value, torch.Tensor):
        return {"unsupported": f"{describe_type(value)} (a subclass of torch.Tensor, not a plain tensor)"}
    if type(value) in (list, tuple):
        return {type(value).__name__: [encode(v, depth + 1, keep_layout) for v in value[:MAX_ITEMS + 1]]}
    if type(value) is dict:
        if not all(type(k) in _PLAIN for k in value):
            return {"unsupported": "a dict whose keys are not plain numbers or strings"}
        return {"dict": [[k, encode(v, depth + 1, keep_layout)] for k, v in list(value.items())[:MAX_ITEMS + 1]]}
    if type(value) in (torch.dtype, torch.Size):
        return {"repr": repr(value)}
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return {"unsupported": f"{describe_type(value)} (a numpy number, not a Python number)"}
    return {"unsupported": describe_type(value)}


# ---- decoding (the grader: trust nothing) -----------------------------------

def decode_tensor(spec):
    if not isinstance(spec, dict) or spec.get("dtype") not in DTYPES or not isinstance(spec.get("npy"), str):
        return Unsupported("a malformed tensor")
    shape = spec.get("shape")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape) or len(shape) > 8:
        return Unsupported("a tensor with a malformed shape")
    if int(np.prod(shape, dtype=np.int64)) > MAX_ELEMENTS:
        return Unsupported(f"a tensor of shape {tuple(shape)}, larger than the checks accept")
    torch_dtype, wire_dtype = DTYPES[spec["dtype"]]
    permute = _permutation(spec.get("layout"), len(shape))
    if permute is False:
        return Unsupported("a tensor with a malformed layout")
    try:
        array = np.load(io.BytesIO(base64.b64decode(spec["npy"], validate=True)), allow_pickle=False)
    except Exception:  # whatever the bytes are, they are not a tensor
        return Unsupported("a tensor whose data could not be read")
    stored = shape if permute is None else _stored_shape(array, permute, shape)
    if array.dtype != np.dtype(wire_dtype) or list(array.shape) != stored:
        return Unsupported("a tensor whose data does not match its dtype and shape")
    tensor = torch.from_numpy(np.array(array, copy=True)).to(torch_dtype)
    if permute is not None:
        tensor = tensor.permute(permute).expand(shape)
    if spec.get("parameter") is True:
        tensor = torch.nn.Parameter(tensor, requires_grad=bool(spec.get("requires_grad")))
    elif spec.get("requires_grad") is True:
        tensor.requires_grad_(True)  # a leaf here; its graph stayed in the kernel
    return tensor


def _permutation(layout, dims):
    """The layout's permutation of `dims` dimensions; None without a layout, False if it is malformed."""
    if layout is None:
        return None
    if type(layout) is not dict or set(layout) != {"permute"} or type(layout["permute"]) is not list:
        return False
    permute = layout["permute"]
    if not all(type(d) is int for d in permute) or sorted(permute) != list(range(dims)):
        return False
    return permute


def _stored_shape(array, permute, shape):
    """The shape the stored data must have: each of its dims, once permuted, is the tensor's or 1 (expanded)."""
    if array.ndim != len(shape):
        return None
    permuted = [array.shape[d] for d in permute]
    if not all(p == s or p == 1 for p, s in zip(permuted, shape)):
        return None
    return list(array.shape)


def decode(data, depth=0):
    """The value plain `data` stands for: numbers, strings, containers and plain torch tensors."""
    if depth > MAX_DEPTH:
        return Unsupported("a value nested too deeply")
    if type(data) in _PLAIN:
        return data
    if type(data) is not dict or len(data) != 1:
        return Unsupported("malformed data")
    (kind, body), = data.items()
    if kind == "unsupported":
        return Unsupported(str(body)[:200])
    if kind == "tensor":
        return decode_tensor(body)
    if kind in ("list", "tuple"):
        if type(body) is not list or len(body) > MAX_ITEMS:
            return Unsupported(f"a malformed or too long {kind}")
        items = [decode(v, depth + 1) for v in body]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        if type(body) is not list or len(body) > MAX_ITEMS:
            return Unsupported("a malformed or too long dict")
        pairs = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in _PLAIN:
                return Unsupported("a malformed dict")
            pairs[pair[0]] = decode(pair[1], depth + 1)
        return pairs
    if kind == "repr" and type(body) is str:
        return Unsupported(body[:200]) if not body.startswith("torch.") else _named(body)
    return Unsupported("malformed data")


def _named(text):
    """torch.float32 or torch.Size([2, 3]) back from their repr, without eval."""
    if text.startswith("torch.Size([") and text.endswith("])"):
        inner = text[len("torch.Size(["):-2]
        try:
            return torch.Size([int(s) for s in inner.split(",") if s.strip()])
        except ValueError:
            return Unsupported("a malformed torch.Size")
    name = text.removeprefix("torch.")
    if name in DTYPES:
        return DTYPES[name][0]
    return Unsupported(text[:60])

