"""The liaison sees the Regents' policy check live on the form, the same results staff see,
and an endorsement request with a blocking failure cannot be submitted."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import TransitionRecord
from app.services import policy, workflow
from app.workflow.states import RequestState
from tests.workflow_helpers import COMPLETE_FIELDS, People


@pytest.fixture
def people(app):
    return People()


@pytest.fixture
def liaison(app, people, login):
    client = app.test_client()
    assert login(client, people.liaison.email).status_code == 302
    return client


def over_the_cap(people):
    return workflow.create_request(
        people.liaison,
        "endorsement",
        {
            **COMPLETE_FIELDS,
            "credit_hours": 9.5,
            "courses": [
                {"code": "AG 2103", "title": "Sensors", "credit_hours": 6.5},
                {"code": "AG 2203", "title": "Farm Data", "credit_hours": 3},
            ],
        },
    )


def test_every_section_shows_what_the_policy_says_now(people, liaison):
    req = over_the_cap(people)
    html = liaison.get(f"/institution/requests/{req.id}/edit?section=about").get_data(as_text=True)
    assert "1 rule must be met before you can submit" in html
    assert "9.5 credit hours is over the policy&#39;s cap of 9" in html
    # The message links to the section that fixes it.
    assert re.search(r'href="[^"]*section=credit"[^>]*>9\.5 credit hours', html)


def test_the_review_section_lists_every_rule_and_blocks_submission(people, liaison):
    req = over_the_cap(people)
    html = liaison.get(f"/institution/requests/{req.id}/edit?section=review").get_data(as_text=True)
    assert "Before you can submit" in html
    for title in ("Credit-hour cap", "Skills", "Learning outcomes and assessment"):
        assert title in html
    response = liaison.post(
        f"/institution/requests/{req.id}/actions/submit", data={"version": req.version}
    )
    assert response.status_code == 422
    assert "over the policy" in response.get_data(as_text=True)
    db.session.expire_all()
    assert workflow.get_request(people.liaison, req.id).state is RequestState.DRAFT
    assert db.session.scalar(sa.select(sa.func.count(TransitionRecord.id))) == 0


def test_staff_see_the_same_results_as_the_liaison(people, liaison, login, app):
    req = over_the_cap(people)
    liaison_results = [(r.result.rule, r.result.passed) for r in policy.evaluate(req)]
    staff = app.test_client()
    login(staff, people.staff.email)
    fixed = workflow.update_request(
        people.liaison,
        req.id,
        req.version,
        {"credit_hours": 9, "courses": [{"code": "AG 1", "title": "All", "credit_hours": 9}]},
    )
    workflow.transition(people.liaison, fixed.id, "submit", version=fixed.version)
    page = staff.get(f"/review/{req.id}").get_data(as_text=True)
    assert "Credit-hour cap" in page
    assert ("credit_hour_cap", False) in liaison_results
    assert all(r.result.passed for r in policy.evaluate(fixed) if r.result.blocking)
