"""The class hub's configuration and its refusals, without starting it (tests/test_hub.py starts a real one)."""
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from course import hub as class_hub


def settings(tmp_path):
    accounts = {
        "c-instructor": {"role": "instructor", "home": "/h/i", "environment": {"JUPYTER_CONFIG_PATH": "/cfg/common"}},
        "c-ada": {"role": "student", "home": "/h/a",
                  "environment": {"JUPYTER_CONFIG_PATH": "/cfg/students:/cfg/common"}},
    }
    return {"url": "http://127.0.0.1:8123", "hub_port": 8124, "proxy_api_port": 8125, "state": str(tmp_path),
            "proxy": ["configurable-http-proxy"], "singleuser": "/env/bin/jupyterhub-singleuser",
            "accounts": accounts, "course": "/h/i/torch-gradients"}


def test_the_hub_listens_on_loopback_and_lets_in_only_the_class(tmp_path):
    c = Config()
    class_hub.configure(c, settings(tmp_path))
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert c.Authenticator.allowed_users == {"c-instructor", "c-ada"}
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Spawner.cmd == ["/env/bin/jupyterhub-singleuser"]


def test_each_user_gets_their_own_environment_and_the_instructor_the_course_folder(tmp_path):
    c = Config()
    class_hub.configure(c, settings(tmp_path))
    spawned = {}
    for name in ("c-instructor", "c-ada"):
        spawner = SimpleNamespace(user=SimpleNamespace(name=name), environment={}, notebook_dir="")
        c.Spawner.pre_spawn_hook(spawner)
        spawned[name] = spawner
    assert spawned["c-instructor"].notebook_dir == "/h/i/torch-gradients"
    assert spawned["c-ada"].notebook_dir == ""
    assert spawned["c-ada"].environment["JUPYTER_CONFIG_PATH"].startswith("/cfg/students")


def test_without_root_the_hub_says_why_and_touches_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(class_hub.os, "geteuid", lambda: 1000)
    said = []
    assert class_hub.serve(tmp_path, say=said.append) == 1
    assert "run as root" in said[0]
    hub = class_hub.ClassHub(tmp_path)
    with pytest.raises(class_hub.HubUnavailable, match="run as root"):
        hub.start()
    assert hub.workdir is None and not hub.accounts
