"""``gunicorn.conf.py``, as ``make serve-prod`` runs it: where it listens, how many workers,
and logs that are one JSON object a line, gunicorn's own included, each request once."""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CONF = PROJECT / "gunicorn.conf.py"


def settings(monkeypatch, **env) -> dict:
    for name in ("BIND", "PORT", "WEB_CONCURRENCY", "LOG_FORMAT", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_listens_on_the_local_machine_unless_told_otherwise(monkeypatch):
    assert settings(monkeypatch)["bind"] == "127.0.0.1:8000"
    assert settings(monkeypatch, PORT="8080")["bind"] == "127.0.0.1:8080"
    assert settings(monkeypatch, BIND="0.0.0.0:9000", PORT="8080")["bind"] == "0.0.0.0:9000"


def test_workers_follow_the_cores_unless_web_concurrency_says(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    assert settings(monkeypatch)["workers"] == 2 * cores + 1
    assert settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_each_worker_builds_its_own_app(monkeypatch):
    conf = settings(monkeypatch)
    assert conf["preload_app"] is False
    assert conf["timeout"] > conf["graceful_timeout"] > 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def served(tmp_path):
    """gunicorn with gunicorn.conf.py, two workers, configured as in production."""
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "a-secret-for-this-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'inventory.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    env.pop("LOG_FORMAT", None)
    out = open(tmp_path / "stdout", "wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", str(CONF), "wsgi:app"],
        cwd=PROJECT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                break
        except OSError:
            pass
        assert server.poll() is None, (tmp_path / "stdout").read_text()
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.1)

    def stop() -> list[str]:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        out.close()
        return (tmp_path / "stdout").read_text().splitlines()

    yield f"http://127.0.0.1:{port}", stop
    if server.poll() is None:
        server.kill()
        server.wait()


def test_gunicorn_serves_with_json_logs_and_request_ids(served):
    base, stop = served
    status, headers, _ = get(f"{base}/healthz", {"X-Request-ID": "lb-4711"})
    assert status == 200
    assert headers["X-Request-ID"] == "lb-4711"
    status, headers, body = get(f"{base}/readyz")
    assert status == 503  # no search index built yet
    assert json.loads(body)["down"] == ["search"]
    assert int(headers["Retry-After"]) > 0

    lines = [json.loads(line) for line in stop() if line.strip()]  # each line is JSON
    assert sum("Booting worker" in line["message"] for line in lines) == 2
    assert all({"timestamp", "level", "logger", "message"} <= set(line) for line in lines)
    mine = [line for line in lines if line.get("request_id") == "lb-4711"]
    assert [(line["logger"], line["path"], line["status"]) for line in mine] == [
        ("app.request", "/healthz", 200)
    ]
