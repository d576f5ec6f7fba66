"""The search index damaged, lost, or its writer killed mid-write: the site stays up, the
database stays right, and the operator's commands bring the index back in line.

(What tests/search/test_store.py covers is not repeated here: a missing index root, every file
overwritten, a busy lock, a crash between commit and index.)
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app import search
from app.extensions import db
from app.models import Entry, IndexTask
from app.search import SearchParams
from app.services import accounts, unit
from app.workflow.states import RequestState
from tests import factories
from tests.conftest import PROJECT
from tests.reliability.conftest import free_port
from tests.workflow_helpers import People, request_in

pytestmark = pytest.mark.whoosh


def _ids(q: str = "") -> set[int]:
    return {h.entry_id for h in search.search(SearchParams(q=q, per_page=100)).hits}


def _active_ids() -> set[int]:
    return set(db.session.scalars(sa.select(Entry.id).where(Entry.status == "active")))


# --- damage to the live index folder ------------------------------------------------------------


def _delete_folder(folder):
    shutil.rmtree(folder)


def _truncate_files(folder):
    for path in folder.iterdir():
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 2)


def _corrupt_segment(folder):
    """Garbage in the middle of the largest file; the table of contents stays intact."""
    path = max(folder.iterdir(), key=lambda p: p.stat().st_size)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 3)
        fh.write(os.urandom(max(64, size // 3)))


def _empty_table_of_contents(folder):
    for path in folder.glob("*.toc"):
        path.write_bytes(b"")


def _pointer_to_nowhere(folder):
    (folder.parent / "CURRENT").write_text("../../etc")


DAMAGE = {
    "folder deleted": _delete_folder,
    "files truncated": _truncate_files,
    "segment corrupted": _corrupt_segment,
    "table of contents emptied": _empty_table_of_contents,
    "pointer to nowhere": _pointer_to_nowhere,
}


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # Whoosh leaks a damaged index's file
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_keeps_the_site_up_and_a_rebuild_restores_it(index, client, runner, damage):
    entries = [factories.publish(title=f"Orchard Management {n}") for n in range(3)]
    store = search.store()
    store.close()
    DAMAGE[damage](store.current_dir())

    page = client.get("/search?q=orchard")
    # A corruption Whoosh does not notice on this query may still answer; never a 500.
    assert page.status_code in (200, 503)
    if page.status_code == 503:
        assert b"temporarily unavailable" in page.data
    assert b"Traceback" not in page.data
    # Pages that do not search (an institution's page lists its entries by searching).
    for url in [
        "/institutions",
        f"/credentials/{entries[0].slug}",
        "/api/v1/institutions",
        f"/api/v1/credentials/{entries[1].id}",
        "/login",
    ]:
        assert client.get(url).status_code == 200, url

    # Publishing goes on: the database takes the entry whatever the index's state.
    late = factories.publish(title="Orchard Management late")
    assert _active_ids() == {e.id for e in entries} | {late.id}

    for command in (["search", "check"], ["search", "sync"]):
        result = runner.invoke(args=command)
        assert result.exception is None or isinstance(result.exception, SystemExit), command
        assert "Traceback" not in result.output
    rebuilt = runner.invoke(args=["search", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    check = runner.invoke(args=["search", "check"])
    assert check.exit_code == 0 and "agrees" in check.output, check.output
    assert client.get("/search?q=orchard").status_code == 200
    assert _ids("orchard") == _active_ids()
    gc.collect()  # the damaged index's leaked files are closed now, under this test's filter


# --- a writer killed mid-write ------------------------------------------------------------------


def _publish_committed(n: int, title: str) -> list[int]:
    return [factories.publish(title=f"{title} {i}").id for i in range(n)]


def test_a_rebuild_killed_mid_write_leaves_the_live_index_serving(live):
    ids = set(_publish_committed(3, "Welding Safety"))
    live_folder = search.store().current_dir()
    marker = live.tmp / "reached"

    live.kill_when(live.child("rebuild-commit", str(marker)), marker)

    store = search.store()
    assert store.current_dir() == live_folder  # the pointer never moved
    half_built = [p for p in store.root.glob("index-*") if p != live_folder]
    assert half_built, "the rebuild was killed before it wrote anything"
    client = live.app.test_client()
    assert client.get("/search?q=welding").status_code == 200
    assert _ids("welding") == ids

    result = live.flask("search", "rebuild")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in store.root.glob("index-*")] == [store.current_dir().name]
    check = live.flask("search", "check")
    assert check.returncode == 0 and "agrees" in check.stdout, check.stdout + check.stderr
    assert _ids("welding") == ids


def test_a_sync_killed_mid_write_loses_nothing(live, monkeypatch):
    before = set(_publish_committed(2, "Pipefitting"))
    with monkeypatch.context() as m:
        m.setattr(unit, "_drains", [])  # the publication's own sync does not run
        late = factories.publish(title="Pipefitting Advanced").id
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 1
    marker = live.tmp / "reached"

    live.kill_when(live.child("sync-commit", str(marker)), marker)

    # The live index still reads, at its last whole state; the task is still owed.
    assert live.app.test_client().get("/search?q=pipefitting").status_code == 200
    assert _ids("pipefitting") == before
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(IndexTask.id))) == 1

    result = live.flask("search", "sync")
    assert result.returncode == 0 and "Applied 1" in result.stdout, result.stdout + result.stderr
    check = live.flask("search", "check")
    assert check.returncode == 0 and "agrees" in check.stdout, check.stdout + check.stderr
    assert _ids("pipefitting") == before | {late}


# --- several workers publishing at once ---------------------------------------------------------

APPROVALS = 8


class Gunicorn:
    """The site served by gunicorn with several worker processes, as `make run` serves it."""

    def __init__(self, live, workers: int) -> None:
        self.port = free_port()
        self.log = live.tmp / "gunicorn.log"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--error-logfile",
                str(self.log),
                "--capture-output",
                "wsgi:app",
            ],
            cwd=PROJECT,
            env=live.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def post_json(self, path: str, body: dict, token: str) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.url(path),
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.load(exc)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)


def test_simultaneous_publications_from_several_workers_never_show_a_lock(live):
    """Eight chancellor approvals of eight requests sent at the same instant to three gunicorn
    workers: each publishes and answers 200; the index lock is never the user's problem."""
    people = People()
    requests = [
        request_in(people, RequestState.RECOMMENDED, title=f"Unmanned Aircraft {n}")
        for n in range(APPROVALS)
    ]
    targets = [(r.id, r.version) for r in requests]
    _token, token = accounts.create_token(people.chancellor, "desk")
    unit.commit()
    db.session.remove()

    server = Gunicorn(live, workers=3)
    try:
        barrier = threading.Barrier(APPROVALS)

        def approve(target):
            request_id, version = target
            barrier.wait(timeout=30)
            return server.post_json(
                f"/api/v1/requests/{request_id}/transitions",
                {"action": "approve", "version": version},
                token,
            )

        with ThreadPoolExecutor(max_workers=APPROVALS) as pool:
            answers = list(pool.map(approve, targets))
    finally:
        server.stop()

    log = server.log.read_text()
    assert [status for status, _ in answers] == [200] * APPROVALS, (answers, log)
    assert all(body["state"] == "approved" for _, body in answers)
    assert "Traceback" not in log and "LockError" not in log, log

    # Whatever a busy lock left owed, `flask search sync` applies; then all agree.
    result = live.flask("search", "sync")
    assert result.returncode == 0, result.stderr
    check = live.flask("search", "check")
    assert check.returncode == 0 and "agrees" in check.stdout, check.stdout + check.stderr
    entry_ids = {body["entry_id"] for _, body in answers}
    assert len(entry_ids) == APPROVALS and _ids("unmanned aircraft") == entry_ids
