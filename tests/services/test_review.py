"""The Regents' side: the staff queue and its filters, claiming and assigning, what changed,
overrides, and the chancellor's desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app import compliance
from app.enums import Endorsement
from app.extensions import db
from app.models import CredentialRequest, RuleOverride
from app.services import policy, review, workflow
from app.services.errors import InvalidInput, PermissionDenied
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import COMPLETE_FIELDS, People, badge_over_the_cap_in_review, request_in


@pytest.fixture
def people(app):
    return People().add_second_reviewer()


def filed(liaison, kind="endorsement", **fields):
    """A request of ``liaison``'s institution, submitted through the real workflow."""
    req = workflow.create_request(liaison, kind, {**COMPLETE_FIELDS, **fields})
    return workflow.transition(liaison, req.id, Action.SUBMIT, version=req.version)


def queue(people, actor=None, now=None, **args):
    filters = review.parse_filters(MultiDict(args))
    return review.staff_queue(actor or people.staff, filters, now=now)


def ids(q) -> list[int]:
    return [row.request.id for row in q.rows]


NON_CREDIT = {"credit_bearing": False, "credit_hours": None, "courses": [], "clock_hours": 40}


# --- the queue ----------------------------------------------------------------------------


def test_counts_per_state_equal_the_database_and_the_default_lists_what_waits_on_staff(
    index, people
):
    made = {
        state: [request_in(people, state, title=f"{state.value} {n}") for n in range(count)]
        for state, count in (
            (RequestState.DRAFT, 1),
            (RequestState.SUBMITTED, 3),
            (RequestState.IN_REVIEW, 2),
            (RequestState.REVISIONS_REQUESTED, 1),
            (RequestState.RECOMMENDED, 1),
            (RequestState.APPROVED, 1),
        )
    }
    q = queue(people)
    for state in review.COUNTED_STATES:
        in_db = db.session.scalar(
            sa.select(sa.func.count(CredentialRequest.id)).where(CredentialRequest.state == state)
        )
        assert q.counts[state] == in_db
    assert q.counts[RequestState.SUBMITTED] == 3 and q.counts[RequestState.RECOMMENDED] == 1
    waiting = {r.id for s in (RequestState.SUBMITTED, RequestState.IN_REVIEW) for r in made[s]}
    assert set(ids(q)) == waiting


def test_filters_by_state_kind_and_institution(people):
    osu_endorsement = filed(people.liaison, title="Sensors One")
    osu_listing = filed(people.liaison, "listing", title="Listing Two")
    tcc = filed(people.other, title="Tulsa Three")
    revising = request_in(people, RequestState.REVISIONS_REQUESTED, title="Revising Four")

    assert set(ids(queue(people, kind="listing"))) == {osu_listing.id}
    assert set(ids(queue(people, institution="TCC"))) == {tcc.id}
    assert set(ids(queue(people, institution="OSU"))) == {osu_endorsement.id, osu_listing.id}
    assert ids(queue(people, state="revisions_requested")) == [revising.id]
    both = queue(people, **{"state": "revisions_requested", "kind": "endorsement"})
    assert ids(both) == [revising.id]


def test_a_filter_outside_the_queue_is_refused_rather_than_listing_drafts(people):
    request_in(people, RequestState.DRAFT)
    with pytest.raises(InvalidInput) as exc:
        review.parse_filters(MultiDict([("state", "draft")]))
    assert "state" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        review.parse_filters(MultiDict([("assignee", "someone")]))
    assert "assignee" in exc.value.errors


def test_filters_by_assignee_me_nobody_or_a_colleague(people):
    mine = request_in(people, RequestState.IN_REVIEW, title="Mine")
    theirs = filed(people.liaison, title="Theirs")
    workflow.transition(people.staff2, theirs.id, Action.CLAIM, version=theirs.version)
    nobodys = filed(people.liaison, title="Nobody's")

    assert ids(queue(people, assignee="me")) == [mine.id]
    assert ids(queue(people, assignee="none")) == [nobodys.id]
    assert ids(queue(people, assignee=str(people.staff2.id))) == [theirs.id]
    assert ids(queue(people, people.staff2, assignee="me")) == [theirs.id]


def test_a_submitted_request_keeps_the_rule_results_of_the_cap_it_was_submitted_under(people):
    credit = filed(people.liaison, title="Six Credit Hours")
    non_credit = filed(people.liaison, title="Workshop Series", **NON_CREDIT)
    assert ids(queue(people, rule="credit_hour_cap")) == []

    policy.update_settings(people.admin, cap=3)

    # Submitted under a cap of 9, it is judged by that cap, not by the new one.
    assert ids(queue(people, rule="credit_hour_cap")) == []
    assert credit.policy_settings == {"credit_hour_cap": 9.0}
    assert all(r.result.passed for r in policy.evaluate(credit))
    assert non_credit.id in ids(queue(people))
    # A draft is judged by the cap in force.
    draft = workflow.create_request(people.liaison, "endorsement", COMPLETE_FIELDS)
    failing = [r.result.rule for r in policy.evaluate(draft) if not r.result.passed]
    assert failing == ["credit_hour_cap"]


def test_filters_by_days_waiting(people):
    older = filed(people.liaison, title="Older")
    newer = filed(people.liaison, title="Newer")
    assert newer.submitted_at > older.submitted_at
    now = older.submitted_at + timedelta(days=10)

    assert ids(queue(people, now=now, min_days="10")) == [older.id]
    assert ids(queue(people, now=now, min_days="11")) == []
    assert ids(queue(people, now=now, min_days="9")) == [older.id, newer.id]


def test_oldest_first_by_default_and_newest_first_on_request(people):
    made = [filed(people.liaison, title=f"Request {n}").id for n in range(3)]
    assert ids(queue(people)) == made
    assert ids(queue(people, sort="newest")) == made[::-1]


def test_past_target_is_flagged_after_the_target_and_follows_the_setting(people):
    req = filed(people.liaison)

    def row(days):
        q = queue(people, now=req.submitted_at + timedelta(days=days))
        return q, q.rows[0]

    q, at_target = row(30)
    assert q.target_days == 30
    assert (at_target.days_waiting, at_target.overdue) == (30, False)
    _, past = row(31)
    assert (past.days_waiting, past.overdue) == (31, True)

    policy.update_settings(people.admin, target_days=40)
    q, later = row(31)
    assert q.target_days == 40 and not later.overdue
    assert row(41)[1].overdue


def test_only_staff_and_administrators_see_the_queue(people):
    for who in (people.liaison, people.chancellor):
        with pytest.raises(PermissionDenied):
            review.staff_queue(who, review.QueueFilters())
    assert review.staff_queue(people.admin, review.QueueFilters()).rows == []


# --- claiming and assigning ----------------------------------------------------------------


def test_bulk_claim_skips_the_one_that_changed_and_claims_the_others(people):
    a, b, c = (filed(people.liaison, title=f"Bulk {n}") for n in "abc")
    stale_b = b.version
    workflow.transition(people.staff2, b.id, Action.CLAIM, version=b.version)

    result = review.assign(people.staff, [(a.id, a.version), (b.id, stale_b), (c.id, c.version)])

    assert result.done == [a.id, c.id]
    assert list(result.failed) == [b.id]
    assert "changed since you opened it" in result.failed[b.id]
    states = {r.id: (r.state, r.assignee_id) for r in (a, b, c)}
    assert states == {
        a.id: (RequestState.IN_REVIEW, people.staff.id),
        b.id: (RequestState.IN_REVIEW, people.staff2.id),
        c.id: (RequestState.IN_REVIEW, people.staff.id),
    }


def test_assign_to_a_colleague_claims_or_hands_over(people):
    waiting = filed(people.liaison, title="Waiting")
    reviewing = request_in(people, RequestState.IN_REVIEW, title="Reviewing")

    result = review.assign(
        people.staff,
        [(waiting.id, waiting.version), (reviewing.id, reviewing.version)],
        people.staff2.id,
    )

    assert result.done == [waiting.id, reviewing.id] and not result.failed
    assert waiting.state is RequestState.IN_REVIEW
    assert waiting.assignee_id == reviewing.assignee_id == people.staff2.id
    assert waiting.transitions[-1].comment == "Assigned to Second Reviewer."
    with pytest.raises(InvalidInput):
        review.assign(people.staff, [(waiting.id, waiting.version)], people.liaison.id)


# --- what changed --------------------------------------------------------------------------


def test_a_resubmission_lists_exactly_the_field_that_changed(people):
    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    old_summary = req.content.summary
    req = workflow.update_request(
        people.liaison, req.id, req.version, {"summary": "Drones and soil sensors."}
    )
    req = workflow.transition(people.liaison, req.id, Action.RESUBMIT, version=req.version)

    view = review.review_view(people.staff, req.id)
    assert [(c.field, c.label, c.before, c.after) for c in view.since_last_submission] == [
        ("summary", "Summary", old_summary, "Drones and soil sensors.")
    ]

    # Sent back again and edited, not yet resubmitted: the page still compares submissions.
    req = workflow.transition(
        people.staff, req.id, Action.REQUEST_REVISIONS, version=req.version, comment="Again."
    )
    workflow.update_request(people.liaison, req.id, req.version, {"title": "Work in progress"})
    again = review.review_view(people.staff, req.id).since_last_submission
    assert [c.field for c in again] == ["summary"]


def test_a_first_submission_has_no_earlier_one_to_compare(people):
    req = filed(people.liaison)
    assert review.review_view(people.staff, req.id).since_last_submission is None


def test_a_change_request_lists_what_it_changes_in_the_published_entry(index, people):
    entry = request_in(people, RequestState.APPROVED).entry
    change = workflow.create_request(
        people.liaison,
        "change",
        {"title": "Precision Agriculture Technician II"},
        entry_id=entry.id,
    )
    change = workflow.transition(people.liaison, change.id, Action.SUBMIT, version=change.version)

    changes = review.review_view(people.staff, change.id).against_entry
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("title", "Precision Agriculture Technician", "Precision Agriculture Technician II")
    ]


# --- overrides and recommendations ---------------------------------------------------------


def test_endorsement_with_an_unoverridden_blocking_failure_is_refused(people):
    req = badge_over_the_cap_in_review(people)

    with pytest.raises(InvalidInput) as exc:
        workflow.transition(
            people.staff,
            req.id,
            Action.RECOMMEND,
            version=req.version,
            recommendation="endorse",
            comment="Meets policy.",
        )
    assert exc.value.status == 422
    assert "Credit-hour cap" in " ".join(exc.value.errors["credit_hours"])
    assert db.session.get(CredentialRequest, req.id).state is RequestState.IN_REVIEW


def test_an_override_is_recorded_and_then_endorsement_may_be_recommended(people):
    req = badge_over_the_cap_in_review(people)
    justification = "Both courses are prerequisites of the certificate it stacks into."

    with pytest.raises(InvalidInput) as exc:
        policy.override_rule(people.staff, req.id, "credit_hour_cap", "  ", version=req.version)
    assert "justification" in exc.value.errors
    with pytest.raises(InvalidInput):
        policy.override_rule(people.staff, req.id, "skills_listed", "Why", version=req.version)

    policy.override_rule(
        people.staff, req.id, "credit_hour_cap", justification, version=req.version
    )
    row = db.session.scalar(sa.select(RuleOverride).filter_by(request_id=req.id))
    assert (row.rule, row.justification, row.actor_id, row.rule_set_version) == (
        "credit_hour_cap",
        justification,
        people.staff.id,
        compliance.RULE_SET_VERSION,
    )
    assert "over the policy's cap of 3" in row.message

    req = workflow.transition(
        people.staff,
        req.id,
        Action.RECOMMEND,
        version=req.version,
        recommendation="endorse",
        comment="Meets the policy once the override is accepted.",
    )
    assert req.state is RequestState.RECOMMENDED

    [waiting] = review.approvals_queue(people.chancellor)
    assert waiting.request.id == req.id
    assert waiting.recommended.actor_id == people.staff.id
    [overridden] = waiting.overrides
    assert overridden.override.justification == justification
    assert overridden.override.actor.name == people.staff.name


def test_the_desk_is_the_chancellors(people):
    for who in (people.staff, people.admin, people.liaison):
        with pytest.raises(PermissionDenied):
            review.approvals_queue(who)


def test_approve_several_at_once_each_on_its_own(index, people):
    a = request_in(people, RequestState.RECOMMENDED, title="Routine Listing A")
    b = request_in(people, RequestState.RECOMMENDED, title="Routine Listing B")
    stale_b = b.version
    workflow.transition(
        people.chancellor,
        b.id,
        Action.RETURN,
        version=b.version,
        comment="Look at the partners again.",
    )

    result = review.decide_many(
        people.chancellor, [(a.id, a.version), (b.id, stale_b)], Action.APPROVE
    )

    assert result.done == [a.id] and list(result.failed) == [b.id]
    assert a.state is RequestState.APPROVED
    assert a.entry.endorsement is Endorsement.ENDORSED
    assert b.state is RequestState.IN_REVIEW
