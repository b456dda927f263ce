"""The class hub's proxy: time to start the hub and a student's server, and what the proxy adds to a request.

    .venv/bin/python benchmarks/hub_proxy.py [--requests 300] [--executions 100]     (as root)
    COURSE_HUB_PROXY=/path/to/configurable-http-proxy .venv/bin/python benchmarks/hub_proxy.py

Starts a ClassHub (course/hub.py) with one student and the proxy that `course hub` uses (or the command
in $COURSE_HUB_PROXY, e.g. JupyterHub's own Node.js configurable-http-proxy), spawns the student's
JupyterLab, then times `--requests` HTTP requests to it through the proxy and straight to the server,
and `--executions` kernel executions (`1+1`) over one websocket through the proxy. Prints the medians.
"""
import argparse
import asyncio
import json
from pathlib import Path
import sqlite3
import statistics
import time
import urllib.request
import uuid

from course import hub as class_hub

ROOT = Path(__file__).resolve().parents[1]


def request(url, token, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as reply:
        text = reply.read()
    return json.loads(text) if text else None


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def executions(ws_url, token, count):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
    session = uuid.uuid4().hex
    times = []
    for _ in range(count):
        msg_id = uuid.uuid4().hex
        message = {"header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                              "username": "", "version": "5.3", "date": ""},
                   "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                   "content": {"code": "1+1", "silent": False, "store_history": False, "user_expressions": {},
                               "allow_stdin": False, "stop_on_error": True}}
        started = time.perf_counter()
        await connection.write_message(json.dumps(message))
        while True:
            reply = json.loads(await connection.read_message())
            if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "execute_reply":
                break
        times.append(time.perf_counter() - started)
    connection.close()
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--executions", type=int, default=100)
    args = parser.parse_args()
    reason = class_hub.unavailable_reason()
    if reason:
        raise SystemExit(f"no hub here: {reason}")
    started = time.perf_counter()
    with class_hub.ClassHub(ROOT, students=("ada",), prefix="bench-") as hub:
        print(f"proxy: {' '.join(hub.proxy)}")
        print(f"hub set up and answering: {time.perf_counter() - started:.1f} s (users, permissions, hub, proxy)")
        ada = hub.students[0]
        token = request(f"{hub.url}/hub/api/users/{ada.name}/tokens", "", "POST",
                        {"auth": {"username": ada.name, "password": ada.password}})["token"]
        started = time.perf_counter()
        request(f"{hub.url}/hub/api/users/{ada.name}/server", token, "POST")
        while True:
            model = request(f"{hub.url}/hub/api/users/{ada.name}", token)
            if model["servers"].get("", {}).get("ready"):
                break
            time.sleep(0.1)
        print(f"a student's JupyterLab started: {time.perf_counter() - started:.1f} s")
        server_url = hub.url + f"/user/{ada.name}/"
        with sqlite3.connect(hub.workdir / "state" / "jupyterhub.sqlite") as db:   # where the proxy sends it
            port, = db.execute("SELECT port FROM servers").fetchone()
        direct_url = f"http://127.0.0.1:{port}/user/{ada.name}/"
        through = timed(lambda: request(server_url + "api/status", token), args.requests)
        direct = timed(lambda: request(direct_url + "api/status", token), args.requests)
        print(f"GET api/status, median over {args.requests}: {through * 1000:.2f} ms through the proxy, "
              f"{direct * 1000:.2f} ms straight to the server")
        kernel = request(server_url + "api/kernels", token, "POST", {"name": "python3"})
        channels = f"api/kernels/{kernel['id']}/channels"
        time.sleep(2)
        through = asyncio.run(executions(server_url.replace("http", "ws", 1) + channels, token, args.executions))
        direct = asyncio.run(executions(direct_url.replace("http", "ws", 1) + channels, token, args.executions))
        print(f"a kernel execution (1+1) over a websocket, median over {args.executions}: "
              f"{through * 1000:.2f} ms through the proxy, {direct * 1000:.2f} ms straight to the server")


if __name__ == "__main__":
    main()
