"""The kernel's side of checking: call the learner's function on given inputs, send back plain data.

This module runs inside the learner's process, so nothing it does is
trusted: during grading it only computes. The grader sends a request (the
function's name, an adapter, the trials' inputs as plain data) with
`serve(globals(), text)`; each trial's result or error goes back as plain
data in one display message of type `REPLY_MIME`.

An adapter turns one trial into a call: `call` calls the function with the
trial's arguments; exercises that are not pure functions (in-place updates,
training runs, generators, predictions, the capstone's Value class) register
their own with `@adapter(name)` in their checks module.
"""
import io
import json
from contextlib import redirect_stderr, redirect_stdout

from . import plain
from .calling import call, call_by_hand, reporting

REPLY_MIME = "application/x-course-reply+json"
ADAPTERS = {}


def adapter(name):
    """Register a function (target, args, kwargs, by_hand, name) -> result as an adapter."""
    def register(fn):
        if ADAPTERS.get(name, fn) is not fn:
            raise ValueError(f"two checks modules register the adapter {name!r}")
        ADAPTERS[name] = fn
        return fn
    return register


@adapter("call")
def call_function(target, args, kwargs, by_hand, name):
    return (call_by_hand if by_hand else call)(target, *args, name=name, **kwargs)


def run(target, request):
    """Run the request's trials on `target`; a list of {"value": plain} or {"error": message}."""
    from . import registry  # noqa: F401  (imports every checks module, so their adapters are registered)

    name = request["function"]
    run_one = ADAPTERS[request["adapter"]]
    outcomes = []
    for trial in request["trials"]:
        args, kwargs = plain.decode(trial["args"]), plain.decode(trial["kwargs"])
        # What the function prints is not its answer; keep it out of the reply and of stderr.
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            try:
                with reporting(name):
                    value = run_one(target, args, kwargs, request["by_hand"], name)
                outcomes.append({"value": plain.encode(value)})
            except AssertionError as error:
                outcomes.append({"error": str(error)})
    return outcomes


def serve(namespace, text):
    """Answer the grader's request `text` about a function defined in `namespace`."""
    from IPython.display import display

    request = json.loads(text)
    target = namespace.get(request["function"])
    if target is None:
        outcomes = [{"error": f"{request['function']} is not defined: write it in its solution cell "
                              "and run that cell (the checks look for this exact name)."}] * len(request["trials"])
    else:
        outcomes = run(target, request)
    display({REPLY_MIME: json.dumps(outcomes)}, raw=True)
