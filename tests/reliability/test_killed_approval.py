"""A worker killed in the middle of an approval leaves the whole transition or none of it:
the request's state, the transition record, the published entry, the index task and the
e-mail are written in one transaction.

The approval runs in a process of its own on a database of its own (SQLite file, PostgreSQL),
which is killed with SIGKILL at a chosen point (see ``tests.reliability.child``).
"""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from app import search
from app.extensions import db
from app.models import CredentialRequest, Entry, IndexTask, MailMessage, TransitionRecord, User
from app.search import SearchParams
from app.services import workflow
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import People, request_in

pytestmark = pytest.mark.whoosh  # the index task's effect is checked in the Whoosh index

TITLE = "Unmanned Aircraft Operations"


@pytest.fixture
def recommended(live):
    """A request walked to ``recommended`` and committed: (its id, version, chancellor id)."""
    people = People()
    req = request_in(people, RequestState.RECOMMENDED, title=TITLE)
    ids = req.id, req.version, people.chancellor.id
    db.session.remove()
    return ids


def _state(request_id: int) -> dict:
    """What an approval writes, as the database now holds it."""
    db.session.remove()
    req = db.session.get(CredentialRequest, request_id)
    approvals = db.session.scalar(
        sa.select(sa.func.count(TransitionRecord.id)).where(
            TransitionRecord.request_id == request_id,
            TransitionRecord.action == Action.APPROVE,
        )
    )
    return {
        "state": req.state,
        "version": req.version,
        "entry": req.entry_id,
        "approvals": approvals,
        "entries": db.session.scalar(sa.select(sa.func.count(Entry.id))),
        "index_tasks": db.session.scalar(sa.select(sa.func.count(IndexTask.id))),
        "approval_mail": db.session.scalar(
            sa.select(sa.func.count(MailMessage.id)).where(
                MailMessage.request_id == request_id, MailMessage.subject.like("%: approved")
            )
        ),
    }


def _none_of_it(state: dict, version: int) -> bool:
    return state == {
        "state": RequestState.RECOMMENDED,
        "version": version,
        "entry": None,
        "approvals": 0,
        "entries": 0,
        "index_tasks": 0,
        "approval_mail": 0,
    }


def _all_of_it(state: dict, version: int) -> bool:
    return (
        state["state"] is RequestState.APPROVED
        and state["version"] > version
        and state["entry"] is not None
        and state["approvals"] == 1
        and state["entries"] == 1
        and state["approval_mail"] == 1
    )


def _searchable() -> list[int]:
    return [h.entry_id for h in search.search(SearchParams(q="unmanned aircraft")).hits]


def test_killed_before_the_commit_nothing_of_the_approval_remains(live, recommended):
    request_id, version, chancellor_id = recommended
    marker = live.tmp / "flushed"
    child = live.child(
        "approve-flushed", str(marker), str(request_id), str(chancellor_id), str(version)
    )
    live.kill_when(child, marker)  # every row sent to the database, none committed

    assert _none_of_it(_state(request_id), version), _state(request_id)
    assert _searchable() == []
    # Nothing is left locked or half-done: the chancellor simply approves again.
    workflow.transition(db.session.get(User, chancellor_id), request_id, "approve", version=version)
    assert _all_of_it(_state(request_id), version)
    assert _searchable() == [_state(request_id)["entry"]]


def test_killed_after_the_commit_the_whole_approval_remains(live, recommended):
    request_id, version, chancellor_id = recommended
    marker = live.tmp / "committed"
    child = live.child(
        "approve-committed", str(marker), str(request_id), str(chancellor_id), str(version)
    )
    live.kill_when(child, marker)  # committed; the index and the mail not yet touched

    state = _state(request_id)
    assert _all_of_it(state, version), state
    assert state["index_tasks"] == 1  # owed to the index, kept in the database
    assert _searchable() == []

    result = live.flask("search", "sync")
    assert result.returncode == 0 and "Applied 1" in result.stdout, result.stdout + result.stderr
    check = live.flask("search", "check")
    assert check.returncode == 0 and "agrees" in check.stdout, check.stdout + check.stderr
    assert _searchable() == [state["entry"]]


def test_killed_at_any_moment_it_is_all_or_nothing(live, recommended):
    """Killed at random moments of the approval, a few times: every time either none of it or
    all of it, never a part; then the index catches up."""
    request_id, version, chancellor_id = recommended
    rng = random.Random(20240601)
    outcomes = []
    for attempt in range(4):
        marker = live.tmp / f"ready-{attempt}"
        child = live.child(
            "approve-ready", str(marker), str(request_id), str(chancellor_id), str(version)
        )
        live.kill_when(child, marker, delay=rng.uniform(0.0, 0.4))
        state = _state(request_id)
        if _none_of_it(state, version):
            outcomes.append("none")
            continue
        assert _all_of_it(state, version), state
        outcomes.append("all")
        break
    assert set(outcomes) <= {"none", "all"}
    if outcomes[-1] == "all":
        assert live.flask("search", "sync").returncode == 0
        check = live.flask("search", "check")
        assert check.returncode == 0, check.stdout + check.stderr
