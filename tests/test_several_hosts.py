"""Several app hosts on one PostgreSQL database with the PostgreSQL search: a publication made
through one host is found at once by a search through another, each a real gunicorn with its
own workers and its own (unused) index folder, sharing nothing but the database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.services import accounts
from app.workflow.states import RequestState
from tests.conftest import base_config, migrate_and_load_reference
from tests.databases import PG_URL, create_database
from tests.workflow_helpers import People, request_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL"),
]
PROJECT = Path(__file__).resolve().parent.parent
TITLE = "Unmanned Aircraft Operations"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Host:
    """One gunicorn serving the portal on its own port."""

    def __init__(self, name: str, url: str, tmp: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SEARCH_BACKEND": "postgres",
            "SEARCH_INDEX_DIR": str(tmp / name / "index"),
            "MAIL_DIR": str(tmp / name / "mail"),
            "SECRET_KEY": "shared-by-every-host",
            "SEARCH_MATCH_CACHE": "256",
        }
        self.log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=PROJECT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn on port {self.port} did not start")

    def get_json(self, path: str) -> dict:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=30) as response:
            return json.load(response)

    def post_json(self, path: str, body: dict, token: str) -> int:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def test_a_publication_through_one_host_is_found_through_another_at_once(tmp_path):
    url, drop = create_database("postgresql", tmp_path)
    hosts: list[Host] = []
    try:
        migrate_and_load_reference(url, tmp_path / "setup")
        config = base_config(url, tmp_path)
        config["SEARCH_BACKEND"] = "postgres"
        app = create_app(config)
        with app.app_context():
            people = People()
            req = request_in(people, RequestState.RECOMMENDED, title=TITLE)
            _row, token = accounts.create_token(people.chancellor, "desk")
            req_id, version = req.id, req.version
            db.session.remove()
            db.engine.dispose()

        hosts = [Host("a", url, tmp_path), Host("b", url, tmp_path)]
        for host in hosts:
            host.wait()
        one, other = hosts
        search = "/api/v1/credentials?q=unmanned+aircraft"
        # Both hosts have searched (and may remember the answer) before the publication.
        for _ in range(3):
            assert other.get_json(search)["total"] == 0
            assert one.get_json(search)["total"] == 0

        status = one.post_json(
            f"/api/v1/requests/{req_id}/transitions",
            {"action": "approve", "version": version},
            token,
        )
        assert status == 200

        found = other.get_json(search)
        assert found["total"] == 1
        assert found["results"][0]["title"] == TITLE
        assert not list((tmp_path / "b").glob("index/*")), "no host needs an index folder"
    finally:
        for host in hosts:
            host.stop()
        drop()
