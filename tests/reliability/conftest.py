"""A site on a database of its own that commits for real, and what other processes need to
work on it (the ``flask`` command, gunicorn, a child killed mid-write)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app import create_app, search
from app.extensions import db
from tests.conftest import PROJECT, base_config, migrate_and_load_reference
from tests.databases import ENGINES, create_database


@dataclass
class LiveSite:
    """An application on a fresh, migrated database (with the reference data) whose commits
    are real, so other processes see them."""

    url: str
    tmp: Path
    app: object = None
    _children: list = field(default_factory=list)

    @property
    def engine(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a process of this site runs with."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "SEARCH_", "MAIL_", "REDIS_", "FLASK_", "APP_"))
        }
        env.update(
            DATABASE_URL=self.url,
            SEARCH_INDEX_DIR=str(self.tmp / "index"),
            MAIL_DIR=str(self.tmp / "mail"),
            ATTACHMENT_DIR=str(self.tmp / "attachments"),
            BADGE_IMAGE_DIR=str(self.tmp / "badge-images"),
            IMPORT_DIR=str(self.tmp / "imports"),
            SECRET_KEY="test-secret",
            APP_ENV="development",
            FLASK_APP="wsgi",
            PYTHONPATH=str(PROJECT),
        )
        env.update(extra)
        return env

    def flask(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run ``flask ARGS`` as an operator would, in a process of its own."""
        return subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=PROJECT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def child(self, *args: str) -> subprocess.Popen:
        """``python -m tests.reliability.child ARGS`` (see that module)."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.child", *args],
            cwd=PROJECT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._children.append(proc)
        return proc

    def kill_when(
        self, proc: subprocess.Popen, marker: Path, timeout: float = 60, delay: float = 0.0
    ) -> int:
        """SIGKILL ``proc`` as soon as it has written ``marker`` (it waits there), or ``delay``
        seconds later (it may have finished by then). Returns its exit status."""
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(f"the child ended before the point: {proc.stdout.read()}")
            if time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("the child never reached the point")
            time.sleep(0.02)
        if delay:
            time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL or (delay and proc.returncode == 0), (
            proc.returncode,
            proc.stdout.read(),
        )
        return proc.returncode

    def stop_children(self) -> None:
        for proc in self._children:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            if proc.stdout:
                proc.stdout.close()


@pytest.fixture(params=ENGINES)
def live(request, tmp_path):
    """A ``LiveSite`` per engine; its app context is pushed for the test."""
    (tmp_path / "db").mkdir()
    url, drop = create_database(request.param, tmp_path / "db")
    site = LiveSite(url=url, tmp=tmp_path)
    try:
        migrate_and_load_reference(url, tmp_path / "setup")
        site.app = create_app(base_config(url, tmp_path))
        with site.app.app_context():
            search.rebuild()
            yield site
            db.session.remove()
            db.engine.dispose()
    finally:
        site.stop_children()
        if site.app is not None:
            site.app.extensions["search_store"].close()
        drop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
