"""Every (state, action, role): allowed transitions move the request, the rest write nothing.

The expected outcomes are written out here from the workflow in DESIGN.md, not read from
``app.workflow.states.TRANSITIONS``, so a wrong edge or role in the table makes this fail.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from app.extensions import db
from app.models import Comment, CredentialRequest, Entry, MailMessage, TransitionRecord
from app.services import users, workflow
from app.services.errors import Conflict, NotFound, PermissionDenied
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import People, request_in

S = RequestState

# DESIGN.md, "The workflow": action -> (who may take it, from which states, to which state).
# "Staff" are the Regents' reviewers; administrators may do whatever staff do.
# "A liaison may withdraw a request until it is decided."
LIAISON, STAFF, CHANCELLOR = "liaison", "staff", "chancellor"
EXPECTED_EDGES: dict[str, tuple[str, set[RequestState], RequestState]] = {
    "submit": (LIAISON, {S.DRAFT}, S.SUBMITTED),
    "withdraw": (
        LIAISON,
        {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.REVISIONS_REQUESTED, S.RECOMMENDED},
        S.WITHDRAWN,
    ),
    "claim": (STAFF, {S.SUBMITTED}, S.IN_REVIEW),
    "request_revisions": (STAFF, {S.IN_REVIEW}, S.REVISIONS_REQUESTED),
    "resubmit": (LIAISON, {S.REVISIONS_REQUESTED}, S.IN_REVIEW),
    "recommend": (STAFF, {S.IN_REVIEW}, S.RECOMMENDED),
    "approve": (CHANCELLOR, {S.RECOMMENDED}, S.APPROVED),
    "decline": (CHANCELLOR, {S.RECOMMENDED}, S.DECLINED),
    "return": (CHANCELLOR, {S.RECOMMENDED}, S.IN_REVIEW),
}

# The five people of the matrix: attribute of ``People`` -> the kind of actor they are.
ROLES = {
    "liaison": LIAISON,  # a liaison of the request's institution
    "other": "other institution",  # a liaison of another institution
    "staff": STAFF,
    "chancellor": CHANCELLOR,
    "admin": STAFF,
}

STATES = [
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.REVISIONS_REQUESTED,
    S.RECOMMENDED,
    S.APPROVED,
    S.DECLINED,
    S.WITHDRAWN,
]


def expected(state: RequestState, action: str, who: str):
    """The target state when allowed, else the error the actor must get."""
    actor_kind, sources, target = EXPECTED_EDGES[action]
    if ROLES[who] == "other institution":
        return NotFound  # another institution's request does not exist for them
    if ROLES[who] != actor_kind:
        return PermissionDenied  # this role may never take this action
    if state not in sources:
        return Conflict  # the role may, but not from this state
    return target


def test_the_matrix_covers_every_state_and_action():
    assert set(STATES) == set(RequestState)
    assert set(EXPECTED_EDGES) == {a.value for a in Action}


@pytest.fixture
def fast_passwords(monkeypatch):
    # People hashes five passwords per test; this matrix is about the workflow, not passwords.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _written(req_id: int) -> tuple:
    """Everything a transition could write, read from the database."""
    count = sa.func.count()
    return (
        db.session.execute(
            sa.select(
                CredentialRequest.state,
                CredentialRequest.version,
                CredentialRequest.recommendation,
                CredentialRequest.entry_id,
                CredentialRequest.assignee_id,
            ).where(CredentialRequest.id == req_id)
        ).one(),
        db.session.scalar(sa.select(count).select_from(TransitionRecord)),
        db.session.scalar(sa.select(count).select_from(MailMessage)),
        db.session.scalar(sa.select(count).select_from(Entry)),
        db.session.scalar(sa.select(count).select_from(Comment)),
    )


@pytest.mark.parametrize("who", list(ROLES))
@pytest.mark.parametrize("action", list(EXPECTED_EDGES))
@pytest.mark.parametrize("state", STATES, ids=[s.value for s in STATES])
def test_transition(app, fast_passwords, state, action, who):
    people = People()
    req = request_in(people, state)
    actor = getattr(people, who)
    outcome = expected(state, action, who)
    before = _written(req.id)
    version = req.version
    kwargs = {"comment": "A note on this step.", "recommendation": "endorse"}

    if isinstance(outcome, RequestState):
        moved = workflow.transition(actor, req.id, action, version=version, **kwargs)
        assert moved.state is outcome
        db.session.expire_all()
        records = db.session.scalars(
            sa.select(TransitionRecord)
            .where(TransitionRecord.request_id == req.id)
            .order_by(TransitionRecord.id)
        ).all()
        assert len(records) == len(req.transitions) == before[1] + 1
        last = records[-1]
        assert (last.action, last.from_state, last.to_state, last.actor_id) == (
            Action(action),
            state,
            outcome,
            actor.id,
        )
        row = db.session.get(CredentialRequest, req.id)
        assert row.state is outcome and row.version > version
    else:
        with pytest.raises(outcome):
            workflow.transition(actor, req.id, action, version=version, **kwargs)
        assert _written(req.id) == before
