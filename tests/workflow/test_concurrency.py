"""Twenty chancellors' clicks on one recommended request: exactly one approval happens.

Threads need their own connections and real commits, so these tests use a fresh database per
engine (not the rolled-back transaction of the ``app`` fixture) and drop it afterwards.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app import create_app, search
from app.extensions import db
from app.models import CredentialRequest, Entry, MailMessage, TransitionRecord, User
from app.search import SearchParams
from app.services import accounts, workflow
from app.services.errors import Conflict
from app.workflow.states import Action, RequestState
from tests.conftest import base_config, migrate_and_load_reference
from tests.databases import ENGINES, create_database
from tests.workflow_helpers import People, request_in

CLICKS = 20


@pytest.fixture(params=ENGINES)
def live_app(request, tmp_path):
    """An application on a fresh, migrated database of its own that commits for real."""
    (tmp_path / "db").mkdir()
    url, drop = create_database(request.param, tmp_path / "db")
    app = None
    try:
        migrate_and_load_reference(url, tmp_path / "setup")
        config = base_config(url, tmp_path)
        # Enough connections that all twenty threads are inside their transaction at once.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": CLICKS + 5, "max_overflow": 0}
        app = create_app(config)
        with app.app_context():
            search.rebuild()
        yield app
    finally:
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            app.extensions["search_store"].close()
        drop()


def _recommended(app) -> tuple[int, int, int, int]:
    """A request of OSU walked to ``recommended``: its id and version, the chancellor's and the
    liaison's ids."""
    with app.app_context():
        people = People()
        req = request_in(people, RequestState.RECOMMENDED, title="Unmanned Aircraft Operations")
        ids = req.id, req.version, people.chancellor.id, people.liaison.id
        db.session.remove()
        return ids


def _race(fn) -> list:
    """Run ``fn()`` in ``CLICKS`` threads released together; their results or exceptions."""
    barrier = threading.Barrier(CLICKS, timeout=30)

    def one():
        barrier.wait()
        try:
            return fn()
        except Exception as exc:  # reported by the caller's assertion
            return exc

    with ThreadPoolExecutor(max_workers=CLICKS) as pool:
        futures = [pool.submit(one) for _ in range(CLICKS)]
        return [f.result(timeout=120) for f in futures]


def _assert_published_once(app, req_id: int, liaison_id: int) -> None:
    with app.app_context():
        req = db.session.get(CredentialRequest, req_id)
        assert req.state is RequestState.APPROVED and req.entry_id is not None
        approvals = db.session.scalars(
            sa.select(TransitionRecord).where(
                TransitionRecord.request_id == req_id, TransitionRecord.action == Action.APPROVE
            )
        ).all()
        assert len(approvals) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1
        liaison = db.session.get(User, liaison_id)
        subjects = db.session.scalars(
            sa.select(MailMessage.subject).where(
                MailMessage.recipient == liaison.email, MailMessage.request_id == req_id
            )
        ).all()
        assert sum(s.endswith(": approved") for s in subjects) == 1
        hits = search.search(SearchParams(q="unmanned aircraft")).hits
        assert [h.entry_id for h in hits] == [req.entry_id]
        db.session.remove()


def test_twenty_simultaneous_approvals_publish_once(live_app):
    req_id, version, chancellor_id, liaison_id = _recommended(live_app)

    def approve():
        with live_app.app_context():
            try:
                chancellor = db.session.get(User, chancellor_id)
                workflow.transition(chancellor, req_id, "approve", version=version)
                return "approved"
            except Conflict:
                return "conflict"
            finally:
                db.session.remove()

    outcomes = _race(approve)
    assert Counter(map(str, outcomes)) == {"approved": 1, "conflict": CLICKS - 1}, outcomes
    _assert_published_once(live_app, req_id, liaison_id)


def test_twenty_simultaneous_approvals_through_the_api(live_app):
    req_id, version, chancellor_id, liaison_id = _recommended(live_app)
    with live_app.app_context():
        _, token = accounts.create_token(db.session.get(User, chancellor_id), "desk")
        db.session.remove()
    headers = {"Authorization": f"Bearer {token}"}
    # The chancellor opens the request first, as a client reads the version it sends.
    seen = live_app.test_client().get(f"/api/v1/requests/{req_id}", headers=headers)
    assert seen.status_code == 200 and seen.json["version"] == version
    assert seen.json["allowed_actions"] == ["approve", "decline", "return"]

    def approve():
        response = live_app.test_client().post(
            f"/api/v1/requests/{req_id}/transitions",
            headers=headers,
            json={"action": "approve", "version": version},
        )
        return response.status_code

    statuses = _race(approve)
    assert Counter(statuses) == {200: 1, 409: CLICKS - 1}, statuses
    _assert_published_once(live_app, req_id, liaison_id)


def test_twenty_simultaneous_change_requests_on_one_entry_open_one(live_app):
    """Twenty tabs file a change of the same entry at once: one change is open, the others are
    refused with a link to it (the partial unique index holds even when the checks race)."""
    with live_app.app_context():
        people = People()
        entry_id = request_in(people, RequestState.APPROVED, title="Pipeline Welding").entry_id
        liaison_id = people.liaison.id
        db.session.remove()

    def file_change():
        with live_app.app_context():
            try:
                liaison = db.session.get(User, liaison_id)
                workflow.create_request(liaison, "change", {"cost_usd": 5}, entry_id=entry_id)
                return "filed"
            except Conflict as exc:
                return "refused" if "#" in exc.message or "same moment" in exc.message else exc
            finally:
                db.session.remove()

    outcomes = _race(file_change)
    assert Counter(map(str, outcomes)) == {"filed": 1, "refused": CLICKS - 1}, outcomes
    with live_app.app_context():
        changes = db.session.scalars(
            sa.select(CredentialRequest).where(
                CredentialRequest.entry_id == entry_id, CredentialRequest.kind == "change"
            )
        ).all()
        assert len(changes) == 1
        db.session.remove()
