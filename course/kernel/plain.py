"""Values as plain data: what crosses between a learner's kernel and the grader.

During grading the kernel only computes and the grader judges, so whatever
the kernel sends back is read as data and nothing else: JSON with numbers,
strings, lists and dicts, and tensors as dtype, shape and `.npy` bytes that
numpy reads with `allow_pickle=False`. `decode` trusts nothing: a malformed,
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

def encode_tensor(tensor):
    """dtype, shape, flags and .npy bytes of a plain torch.Tensor (or nn.Parameter)."""
    name = str(tensor.dtype).removeprefix("torch.")
    if name not in DTYPES:
        return {"unsupported": f"a tensor of dtype {tensor.dtype}"}
    data = tensor.detach().cpu()
    if name == "bfloat16":
        data = data.to(torch.float32)
    buffer = io.BytesIO()
    np.save(buffer, data.contiguous().numpy(), allow_pickle=False)
    return {"tensor": {"dtype": name, "shape": list(tensor.shape),
                       "npy": base64.b64encode(buffer.getvalue()).decode("ascii"),
                       "requires_grad": bool(tensor.requires_grad), "is_leaf": bool(tensor.is_leaf),
                       "parameter": isinstance(tensor, torch.nn.Parameter)}}


def encode(value, depth=0):
    """`value` as JSON-ready plain data; anything else becomes an 'unsupported' description."""
    if depth > MAX_DEPTH:
        return {"unsupported": "a value nested too deeply"}
    if type(value) in _PLAIN:
        return value
    if type(value) in (torch.Tensor, torch.nn.Parameter):
        return encode_tensor(value)
    if isinstance(value, torch.Tensor):
        return {"unsupported": f"{describe_type(value)} (a subclass of torch.Tensor, not a plain tensor)"}
    if type(value) in (list, tuple):
        return {type(value).__name__: [encode(v, depth + 1) for v in value[:MAX_ITEMS + 1]]}
    if type(value) is dict:
        if not all(type(k) in _PLAIN for k in value):
            return {"unsupported": "a dict whose keys are not plain numbers or strings"}
        return {"dict": [[k, encode(v, depth + 1)] for k, v in list(value.items())[:MAX_ITEMS + 1]]}
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
    try:
        array = np.load(io.BytesIO(base64.b64decode(spec["npy"], validate=True)), allow_pickle=False)
    except Exception:  # whatever the bytes are, they are not a tensor
        return Unsupported("a tensor whose data could not be read")
    if array.dtype != np.dtype(wire_dtype) or list(array.shape) != shape:
        return Unsupported("a tensor whose data does not match its dtype and shape")
    tensor = torch.from_numpy(np.array(array, copy=True)).to(torch_dtype)
    if spec.get("parameter") is True:
        tensor = torch.nn.Parameter(tensor, requires_grad=bool(spec.get("requires_grad")))
    elif spec.get("requires_grad") is True:
        tensor.requires_grad_(True)  # a leaf here; its graph stayed in the kernel
    return tensor


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

