"""The workflow services: the whole path, publication, stale versions and permissions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import search
from app.enums import Endorsement, EntryStatus
from app.extensions import db
from app.models import Entry, MailMessage, TransitionRecord
from app.search import SearchParams
from app.services import workflow
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import People, request_in


@pytest.fixture
def people(app):
    return People()


def test_the_whole_path_publishes_an_endorsed_entry(index, people):
    req = workflow.create_request(people.liaison, "endorsement", {"title": "Drone Mapping"})
    req = workflow.update_request(
        people.liaison,
        req.id,
        req.version,
        {
            "summary": "Aerial surveys.",
            "delivery": "online",
            "skills": ["Photogrammetry"],
            "credit_bearing": False,
            "clock_hours": 40,
            "industries": ["54"],
            "partners": [{"name": "Oklahoma Department of Transportation", "role": "co-designer"}],
            "learning_outcomes": [{"text": "Plan a survey flight.", "assessment": "Flight plan"}],
        },
    )
    req = workflow.transition(people.liaison, req.id, "submit", version=req.version)
    req = workflow.transition(people.staff, req.id, "claim", version=req.version)
    req = workflow.transition(
        people.staff,
        req.id,
        "request_revisions",
        version=req.version,
        comment="Name the occupations.",
    )
    req = workflow.update_request(people.liaison, req.id, req.version, {"occupations": ["17-3031"]})
    req = workflow.transition(people.liaison, req.id, "resubmit", version=req.version)
    req = workflow.transition(
        people.staff,
        req.id,
        "recommend",
        version=req.version,
        recommendation="endorse",
        comment="Meets the policy.",
    )
    req = workflow.transition(people.chancellor, req.id, "approve", version=req.version)

    assert req.state is RequestState.APPROVED and req.entry is not None
    assert req.entry.endorsement is Endorsement.ENDORSED
    assert [t.action for t in req.transitions] == [
        Action.SUBMIT,
        Action.CLAIM,
        Action.REQUEST_REVISIONS,
        Action.RESUBMIT,
        Action.RECOMMEND,
        Action.APPROVE,
    ]
    results = search.search(SearchParams(q="drone mapping"))
    assert [h.entry_id for h in results.hits] == [req.entry.id]
    liaison_mail = db.session.scalars(
        sa.select(MailMessage.subject).where(MailMessage.recipient == people.liaison.email)
    )
    assert sum("approved" in s for s in liaison_mail) == 1


def test_a_stale_version_is_refused_and_writes_nothing(people):
    req = request_in(people, RequestState.SUBMITTED)
    stale = req.version
    workflow.transition(people.staff, req.id, "claim", version=stale)
    before = db.session.scalar(sa.select(sa.func.count(TransitionRecord.id)))
    with pytest.raises(Conflict, match="changed since you opened it"):
        workflow.transition(people.staff, req.id, "claim", version=stale)
    assert db.session.scalar(sa.select(sa.func.count(TransitionRecord.id))) == before


def test_repeating_a_transition_that_happened_changes_nothing(people):
    req = request_in(people, RequestState.RECOMMENDED)
    req = workflow.transition(people.chancellor, req.id, "approve", version=req.version)
    with pytest.raises(Conflict):
        workflow.transition(people.chancellor, req.id, "approve", version=req.version)
    assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 1


def test_another_institutions_request_does_not_exist_for_a_liaison(people):
    req = request_in(people, RequestState.DRAFT)
    with pytest.raises(NotFound):
        workflow.get_request(people.other, req.id)
    with pytest.raises(NotFound):
        workflow.transition(people.other, req.id, "submit", version=req.version)
    with pytest.raises(NotFound):
        workflow.update_request(people.other, req.id, req.version, {"title": "Mine now"})


def test_roles_are_checked(people):
    req = request_in(people, RequestState.SUBMITTED)
    with pytest.raises(PermissionDenied):
        workflow.transition(people.liaison, req.id, "claim", version=req.version)


def test_required_comments_and_recommendation(people):
    req = request_in(people, RequestState.IN_REVIEW)
    with pytest.raises(InvalidInput) as exc:
        workflow.transition(people.staff, req.id, "request_revisions", version=req.version)
    assert "comment" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        workflow.transition(people.staff, req.id, "recommend", version=req.version, comment="ok")
    assert "recommendation" in exc.value.errors


def test_an_incomplete_draft_cannot_be_submitted(people):
    req = workflow.create_request(people.liaison, "endorsement", {"title": "Half done"})
    with pytest.raises(InvalidInput) as exc:
        workflow.transition(people.liaison, req.id, "submit", version=req.version)
    assert {"summary", "delivery", "skills"} <= set(exc.value.errors)


def test_change_and_retirement_publish_versions(index, people):
    approved = request_in(people, RequestState.APPROVED)
    entry = approved.entry
    change = workflow.create_request(
        people.liaison, "change", {"title": "Precision Ag II"}, entry_id=entry.id
    )
    assert change.content.skills[0].name == "Drone piloting"  # pre-filled from the entry
    for who, action, kw in [
        ("liaison", "submit", {}),
        ("staff", "claim", {}),
        ("staff", "recommend", {"recommendation": "apply", "comment": "ok"}),
        ("chancellor", "approve", {}),
    ]:
        change = workflow.transition(
            getattr(people, who), change.id, action, version=change.version, **kw
        )
    assert entry.version_number == 2 and entry.title == "Precision Ag II"
    assert entry.endorsement is Endorsement.ENDORSED  # a change keeps the endorsement
    retire = workflow.create_request(
        people.liaison,
        "retirement",
        {
            "retirement_reason": "No longer offered",
            "retirement_effective_on": "2027-01-31",
            "retirement_teach_out": "No learners are enrolled.",
        },
        entry_id=entry.id,
    )
    for who, action, kw in [
        ("liaison", "submit", {}),
        ("staff", "claim", {}),
        ("staff", "recommend", {"recommendation": "retire", "comment": "ok"}),
        ("chancellor", "approve", {}),
    ]:
        retire = workflow.transition(
            getattr(people, who), retire.id, action, version=retire.version, **kw
        )
    assert entry.status is EntryStatus.RETIRED
    assert search.search(SearchParams(q="precision")).total == 0
