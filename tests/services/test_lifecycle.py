"""The request lifecycle as staff and liaisons live it: links in e-mail, changes based on the
version they were filed against, retirements that read as retirements, badges held to the
policy of what they are published as, and the near-duplicate warning."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.enums import Endorsement, EntryStatus
from app.extensions import db
from app.models import MailMessage
from app.services import policy, publishing, unit, workflow
from app.services.errors import Conflict, InvalidInput, NotFound
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import People, request_in


@pytest.fixture
def people(app):
    return People()


def _mail(request_id: int) -> list[MailMessage]:
    return list(
        db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.request_id == request_id)
            .order_by(MailMessage.id)
        )
    )


def _walk(people, req, *steps):
    for who, action, kwargs in steps:
        req = workflow.transition(
            getattr(people, who), req.id, action, version=req.version, **kwargs
        )
    return req


def _published(people, **fields):
    return request_in(people, RequestState.APPROVED, **fields).entry


RETIRE = {
    "retirement_reason": "Enrollment ended.",
    "retirement_effective_on": "2027-05-31",
    "retirement_teach_out": "Current learners finish by December 2027.",
}


def _decided(people, req, recommendation, decision=Action.APPROVE):
    steps = [
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": recommendation}),
        ("chancellor", decision, {"comment": "Agreed."}),
    ]
    return _walk(people, req, *steps)


# --- defect 1: every recipient's link opens their own page ------------------------------------


def test_each_recipient_gets_a_link_to_their_own_page(app, people):
    req = request_in(people, RequestState.RECOMMENDED)
    by_recipient: dict[str, list[str]] = {}
    for m in _mail(req.id):
        by_recipient.setdefault(m.recipient, []).append(m.body)
    staff_mail = by_recipient[people.staff.email]
    chancellor_mail = by_recipient[people.chancellor.email]
    liaison_mail = by_recipient[people.liaison.email]
    assert all(f"/review/{req.id}" in body for body in staff_mail)
    assert all("/institution/" not in body for body in staff_mail + chancellor_mail)
    assert all(f"/approvals/#recommendation-{req.id}" in body for body in chancellor_mail)
    assert all(f"/institution/requests/{req.id}" in body for body in liaison_mail)


def test_the_links_in_mail_open_for_their_recipient(app, people, client, login):
    req = request_in(people, RequestState.RECOMMENDED)
    for user in (people.staff, people.chancellor, people.liaison):
        body = next(m.body for m in _mail(req.id) if m.recipient == user.email)
        link = next(word for word in body.split() if word.startswith("http://localhost/"))
        browser = app.test_client()
        login(browser, user.email)
        assert browser.get(link.removeprefix("http://localhost")).status_code == 200


# --- defect 2: changes based on the version they were filed against ---------------------------


def test_a_second_open_change_on_an_entry_is_refused_with_a_link_to_the_first(app, people):
    entry = _published(people)
    first = workflow.create_request(people.liaison, "change", {}, entry_id=entry.id)
    assert first.base_version == entry.version_number
    with pytest.raises(Conflict) as refused:
        workflow.create_request(people.liaison, "change", {"cost_usd": 5}, entry_id=entry.id)
    assert f"#{first.id}" in refused.value.message
    assert refused.value.details["open_request_id"] == first.id


@pytest.mark.parametrize(
    "first_kind, second_kind", [("retirement", "change"), ("change", "retirement")]
)
def test_a_retirement_and_a_change_cannot_be_open_together(app, people, first_kind, second_kind):
    entry = _published(people)
    first = workflow.create_request(
        people.liaison, first_kind, RETIRE if first_kind == "retirement" else {}, entry_id=entry.id
    )
    with pytest.raises(Conflict):
        workflow.create_request(
            people.liaison,
            second_kind,
            RETIRE if second_kind == "retirement" else {},
            entry_id=entry.id,
        )
    # Once the first is decided, the next one may be filed, against the new version.
    first = _decided(
        people,
        first,
        "apply" if first_kind == "change" else "keep",
        Action.APPROVE if first_kind == "change" else Action.DECLINE,
    )
    second = workflow.create_request(
        people.liaison,
        second_kind,
        RETIRE if second_kind == "retirement" else {},
        entry_id=entry.id,
    )
    assert second.base_version == entry.version_number


def test_changes_applied_one_after_the_other_keep_both(app, people):
    entry = _published(people)
    first = workflow.create_request(people.liaison, "change", {"cost_usd": 999}, entry_id=entry.id)
    _decided(people, first, "apply")
    second = workflow.create_request(
        people.liaison,
        "change",
        {"summary": "Drones, sensors and data. Now with AI."},
        entry_id=entry.id,
    )
    _decided(people, second, "apply")
    assert entry.content.cost_usd == 999
    assert entry.content.summary.endswith("Now with AI.")
    assert entry.version_number == 3


def test_approval_refuses_a_change_whose_base_version_is_no_longer_current(app, people):
    entry = _published(people)
    change = workflow.create_request(people.liaison, "change", {"cost_usd": 10}, entry_id=entry.id)
    change = _walk(
        people,
        change,
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": "apply"}),
    )
    # Meanwhile the entry gets a new version another way (a badge for it, approved).
    badge = workflow.create_request(
        people.liaison,
        "badge",
        {
            "delivery": "online",
            "skills": ["Drone piloting"],
            "badge": {
                "name": "Drone Badge",
                "issuer": "OSU",
                "criteria": "Fly.",
                "description": "A badge.",
                "image_url": "https://example.org/b.png",
            },
        },
        entry_id=entry.id,
    )
    _decided(people, badge, "endorse")
    assert entry.version_number == 2
    with pytest.raises(Conflict) as refused:
        workflow.transition(people.chancellor, change.id, Action.APPROVE, version=change.version)
    assert "version" in refused.value.message
    db.session.rollback()
    assert entry.content.badge_name == "Drone Badge" and entry.content.cost_usd != 10


def test_a_retired_entry_is_never_brought_back_by_a_change(app, people):
    entry = _published(people)
    change = workflow.create_request(people.liaison, "change", {"cost_usd": 10}, entry_id=entry.id)
    change = _walk(
        people,
        change,
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": "apply"}),
    )
    # The entry is retired by another path meanwhile (the inventory import).
    publishing.publish_version(
        institution=entry.institution,
        external_id=entry.external_id,
        content=entry.content,
        endorsement=entry.endorsement,
        status=EntryStatus.RETIRED,
        source="import",
        entry=entry,
    )
    unit.commit()
    with pytest.raises(Conflict):
        workflow.transition(people.chancellor, change.id, Action.APPROVE, version=change.version)
    db.session.rollback()
    assert entry.status is EntryStatus.RETIRED
    assert [v.status for v in entry.versions][-1] is EntryStatus.RETIRED


# --- defect 5: each kind its own choices and wording -----------------------------------------


def test_a_retirement_is_recommended_retire_or_keep_and_never_reads_as_publishing(app, people):
    entry = _published(people)
    req = workflow.create_request(people.liaison, "retirement", RETIRE, entry_id=entry.id)
    req = _walk(people, req, ("liaison", Action.SUBMIT, {}), ("staff", Action.CLAIM, {}))
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(
            people.staff,
            req.id,
            Action.RECOMMEND,
            version=req.version,
            comment="ok",
            recommendation="endorse",
        )
    assert "retire" in refused.value.errors["recommendation"][0].lower()
    req = _walk(
        people,
        req,
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": "retire"}),
        ("chancellor", Action.APPROVE, {}),
    )
    assert entry.status is EntryStatus.RETIRED
    assert req.retirement_effective_on == date(2027, 5, 31)
    for m in _mail(req.id):
        text = (m.subject + m.body).lower()
        assert "published" not in text and "endorsed" not in text
    approved = [m for m in _mail(req.id) if m.recipient == people.liaison.email][-1]
    assert "retired" in approved.body and "December 2027" in approved.body


def test_a_retirement_needs_a_reason_an_effective_date_and_a_teach_out_note(app, people):
    entry = _published(people)
    req = workflow.create_request(people.liaison, "retirement", {}, entry_id=entry.id)
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(people.liaison, req.id, Action.SUBMIT, version=req.version)
    assert set(refused.value.errors) >= {
        "retirement_reason",
        "retirement_effective_on",
        "retirement_teach_out",
    }


def test_a_change_is_applied_or_declined_and_keeps_the_entrys_endorsement(app, people):
    entry = _published(people)
    req = workflow.create_request(people.liaison, "change", {"cost_usd": 20}, entry_id=entry.id)
    req = _walk(people, req, ("liaison", Action.SUBMIT, {}), ("staff", Action.CLAIM, {}))
    with pytest.raises(InvalidInput):
        workflow.transition(
            people.staff,
            req.id,
            Action.RECOMMEND,
            version=req.version,
            comment="ok",
            recommendation="list",
        )
    req = _walk(
        people,
        req,
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": "apply"}),
        ("chancellor", Action.APPROVE, {}),
    )
    assert entry.endorsement is Endorsement.ENDORSED and entry.content.cost_usd == 20


# --- defect 4: an endorsed badge meets the endorsement policy ---------------------------------

BADGE_ONLY = {
    "title": "Safety Walkthrough Badge",
    "summary": "Completed a site safety walkthrough.",
    "delivery": "in-person",
    "skills": ["Hazard spotting"],
    "entry_type": "digital-badge",
    "badge": {
        "name": "Safety Walkthrough",
        "issuer": "Oklahoma State University",
        "criteria": "Complete the walkthrough.",
        "description": "A badge.",
        "image_url": "https://example.org/badge.png",
    },
}


def test_an_endorsed_badge_meets_the_same_policy_as_an_endorsed_micro_credential(app, people):
    req = workflow.create_request(people.liaison, "badge", BADGE_ONLY)
    req = _walk(people, req, ("liaison", Action.SUBMIT, {}), ("staff", Action.CLAIM, {}))
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(
            people.staff,
            req.id,
            Action.RECOMMEND,
            version=req.version,
            comment="ok",
            recommendation="endorse",
        )
    assert {"occupations", "partners", "learning_outcomes"} <= set(refused.value.errors)
    # Listed without endorsement, it keeps the lighter profile.
    req = _walk(
        people,
        req,
        ("staff", Action.RECOMMEND, {"comment": "Fine.", "recommendation": "list"}),
        ("chancellor", Action.APPROVE, {}),
    )
    assert req.entry.endorsement is Endorsement.NOT_ENDORSED


# --- defect 3: near-duplicates are a warning staff see and may override -----------------------


def test_a_near_duplicate_warns_takes_an_explanation_and_staff_may_override(app, people):
    _published(
        people,
        title="Agribusiness Management",
        summary="Farm finance, marketing and management for agricultural businesses in Oklahoma.",
    )
    req = workflow.create_request(
        people.liaison,
        "endorsement",
        {
            **_complete(),
            "title": "Agribusiness Mgmt Fundamentals",
            "summary": "Farm finance, marketing and management for agricultural businesses "
            "across Oklahoma.",
        },
    )
    results = {r.result.rule: r for r in policy.evaluate(req)}
    dup = results["no_near_duplicate"]
    assert not dup.result.passed and not dup.blocks
    assert "Agribusiness Management" in dup.result.message
    req = workflow.update_request(
        people.liaison,
        req.id,
        req.version,
        {"duplicate_explanation": "This one is for first-year students."},
    )
    assert req.duplicate_explanation == "This one is for first-year students."
    req = _walk(people, req, ("liaison", Action.SUBMIT, {}), ("staff", Action.CLAIM, {}))
    policy.override_rule(
        people.staff, req.id, "no_near_duplicate", "Different audience.", version=req.version
    )
    assert policy.evaluate(req)[-1].override is not None


def _complete() -> dict:
    from tests.workflow_helpers import COMPLETE_FIELDS

    return dict(COMPLETE_FIELDS)


# --- defect 7: the revision loop ---------------------------------------------------------------


def test_a_resubmission_goes_back_to_the_reviewer_who_asked(app, people):
    people.add_second_reviewer()
    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    req = workflow.update_request(people.liaison, req.id, req.version, {"cost_usd": 50})
    req = workflow.transition(people.liaison, req.id, Action.RESUBMIT, version=req.version)
    assert req.state is RequestState.IN_REVIEW and req.assignee_id == people.staff.id
    last = [m for m in _mail(req.id)][-1:]
    resubmitted = [m.recipient for m in _mail(req.id) if "in review" in m.subject]
    assert people.staff.email in resubmitted and people.staff2.email not in resubmitted
    assert last  # the reviewer can act at once: no claim needed
    workflow.transition(
        people.staff,
        req.id,
        Action.RECOMMEND,
        version=req.version,
        comment="Fixed.",
        recommendation="endorse",
    )


def test_the_liaison_replies_in_the_thread_and_the_reviewer_is_told(app, people):
    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    comment = workflow.add_comment(
        people.liaison, req.id, "Which partner letter do you need?", "institution"
    )
    assert comment.author_id == people.liaison.id
    assert comment in workflow.visible_comments(people.staff, req)
    told = [
        m for m in _mail(req.id) if m.recipient == people.staff.email and "comment" in m.subject
    ]
    assert told and f"/review/{req.id}" in told[-1].body
    with pytest.raises(InvalidInput):
        workflow.add_comment(people.liaison, req.id, "x" * 20001, "institution")


def test_the_diff_marks_the_items_added_to_and_removed_from_lists(app, people):
    from app.services import review

    changes = review.diff(
        {"skills": ["Drone piloting", "Yield mapping"], "industries": ["11"]},
        {"skills": ["Drone piloting", "GIS"], "industries": ["11"]},
    )
    [skills] = changes
    assert skills.added == ["GIS"] and skills.removed == ["Yield mapping"]
    assert skills.kept == ["Drone piloting"]


# --- defect 9: the smaller items ---------------------------------------------------------------


def test_an_empty_draft_is_not_created_and_a_draft_can_be_deleted(app, people):
    with pytest.raises(InvalidInput) as refused:
        workflow.create_request(people.liaison, "endorsement", {"title": "", "summary": ""})
    assert "title" in refused.value.errors
    draft = workflow.create_request(people.liaison, "endorsement", {"title": "Abandoned idea"})
    workflow.add_comment(people.liaison, draft.id, "Note to self", "institution")
    with pytest.raises(Conflict):
        workflow.delete_draft(people.liaison, draft.id, draft.version - 1)
    workflow.delete_draft(people.liaison, draft.id, draft.version)
    assert workflow.list_requests(people.liaison) == []
    submitted = request_in(people, RequestState.SUBMITTED)
    with pytest.raises(Conflict):
        workflow.delete_draft(people.liaison, submitted.id, submitted.version)
    with pytest.raises(NotFound):
        workflow.delete_draft(people.other, submitted.id, submitted.version)


@pytest.mark.parametrize(
    "fields, key",
    [
        ({"summary": "x" * 1_080_000}, "summary"),
        ({"description": "y" * 30_000}, "description"),
        ({"duration_weeks": 1e9}, "duration_weeks"),
        ({"enrollment_url": "ftp://files.example.edu/enroll"}, "enrollment_url"),
        ({"skills": [f"Skill {n}" for n in range(100)]}, "skills"),
    ],
)
def test_fields_have_bounds_with_clear_messages(app, people, fields, key):
    draft = workflow.create_request(people.liaison, "endorsement", {"title": "Bounded"})
    with pytest.raises(InvalidInput) as refused:
        workflow.update_request(people.liaison, draft.id, draft.version, fields)
    [message] = refused.value.errors[key]
    assert any(word in message for word in ("at most", "or fewer", "https://"))


def test_a_declined_request_is_copied_into_a_new_draft(app, people):
    declined = request_in(people, RequestState.DECLINED, title="Second Try")
    copy = workflow.copy_request(people.liaison, declined.id)
    assert copy.state is RequestState.DRAFT and copy.id != declined.id
    assert copy.content.title == "Second Try" and copy.content.skills[0].name == "Drone piloting"
    assert declined.state is RequestState.DECLINED
    with pytest.raises(Conflict):
        workflow.copy_request(people.liaison, copy.id)  # only a closed request is copied


def test_a_pre_existing_gap_warns_on_a_change_that_does_not_touch_it(app, people):
    from tests import factories

    entry = factories.publish(
        title="Legacy Welding", institution="OSU", endorsement="endorsed", learning_outcomes=[]
    )
    change = workflow.create_request(people.liaison, "change", {"cost_usd": 120}, entry_id=entry.id)
    outcome = {r.result.rule: r for r in policy.evaluate(change)}["outcomes_assessed"]
    assert not outcome.result.passed and not outcome.blocks
    change = workflow.transition(people.liaison, change.id, Action.SUBMIT, version=change.version)
    assert change.state is RequestState.SUBMITTED
    # A change that touches the gap (and still leaves it open in a new way) is held to it.
    other = factories.publish(
        title="Legacy Plumbing", institution="OSU", endorsement="endorsed", skills=["Pipes"]
    )
    touched = workflow.create_request(people.liaison, "change", {"skills": []}, entry_id=other.id)
    skills = {r.result.rule: r for r in policy.evaluate(touched)}["skills_listed"]
    assert skills.blocks


def test_an_assignment_tells_the_assignee_and_a_withdrawal_tells_the_reviewer(app, people):
    from app.services import review

    people.add_second_reviewer()
    req = request_in(people, RequestState.SUBMITTED)
    review.assign(people.staff, [(req.id, req.version)], people.staff2.id)
    told = [m for m in _mail(req.id) if m.recipient == people.staff2.email]
    assert told and "is assigned to you" in told[-1].subject
    assert f"/review/{req.id}" in told[-1].body
    req = workflow.get_request(people.liaison, req.id)
    workflow.transition(people.liaison, req.id, Action.WITHDRAW, version=req.version)
    withdrawn = [m for m in _mail(req.id) if m.recipient == people.staff2.email]
    assert withdrawn[-1].subject.endswith(": withdrawn")


def test_notifications_read_naturally(app, people):
    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    [asked] = [
        m for m in _mail(req.id) if m.recipient == people.liaison.email and "revisions" in m.subject
    ]
    assert "is waiting for your revisions." in asked.body and "is now" not in asked.body
