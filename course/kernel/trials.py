"""A trial process: run one exercise's program, then answer the grader's request over the channel it opened.

The grader forks this process fresh for every judged exercise
(course.grading.sandbox.trials), confined like a kernel, and hands it one
end of a socket pair: nothing of the learner's notebook has run in it. It
receives the program (the cells the exercise depends on, each with the
positions of the statements to run: course.grading.reading.slicing) and the
request, runs those statements and nothing else, answers with plain data
and waits to be stopped. What the learner's statements print goes nowhere.
"""
import ast
import io
import json
import struct
from contextlib import redirect_stderr, redirect_stdout

from . import runner

HEADER = struct.Struct("!Q")   # the length of each message, before it


def send(channel, data):
    body = json.dumps(data).encode()
    channel.sendall(HEADER.pack(len(body)) + body)


def receive(channel, limit=None):
    """The next message (decoded JSON); ValueError if it is longer than `limit` bytes or cut short."""
    header = _exactly(channel, HEADER.size)
    (length,) = HEADER.unpack(header)
    if limit is not None and length > limit:
        raise OverflowError(length)
    return json.loads(_exactly(channel, length))


def _exactly(channel, count):
    chunks, left = [], count
    while left:
        chunk = channel.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the channel closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def run_program(cells, namespace):
    """Run the listed statements of each cell in `namespace`; the errors they raised, as text.

    As in a notebook, a statement that raises ends its cell: the cell's later statements do not run.
    """
    problems = []
    for cell in cells:
        module = ast.parse(cell["source"])
        for position in cell["statements"]:
            statement = module.body[position]
            code = compile(ast.Module(body=[statement], type_ignores=[]), f"<{cell['label']}>", "exec")
            try:
                with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                    exec(code, namespace)
            except (Exception, SystemExit) as error:
                problems.append(f"{cell['label']}, line {statement.lineno}, raised {type(error).__name__}: "
                                f"{str(error)[:300]}")
                break
    return problems


def answer(message):
    """The outcomes of the request in `message` after running its program."""
    request = message["request"]
    namespace = {"__name__": "__main__"}
    problems = run_program(message["cells"], namespace)
    target = namespace.get(request["function"])
    if target is None:
        why = f"(When your code ran: {problems[0]}.)" if problems else ""
        return runner.not_defined(request["function"], len(request["trials"]), why)
    return runner.run(target, request)


def serve(channel):
    """Answer the one request that arrives on `channel`, then wait until the grader closes it."""
    send(channel, answer(receive(channel)))
    channel.recv(1)
