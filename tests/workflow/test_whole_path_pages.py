"""The whole path through the pages, as people use them: a liaison drafts, saves and submits
through the form; staff claim and request revisions on the review page; the liaison revises
and resubmits; staff recommend endorsement; the chancellor approves on the desk; the public
search finds the entry tagged endorsed, and the liaison has the e-mails."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import CredentialRequest, MailMessage
from app.workflow.states import RequestState
from tests.views.test_liaison import _post_section, _start
from tests.workflow_helpers import People


def version_of(req_id: int) -> int:
    db.session.expire_all()
    return db.session.get(CredentialRequest, req_id).version


def state_of(req_id: int) -> RequestState:
    db.session.expire_all()
    return db.session.get(CredentialRequest, req_id).state


def test_the_whole_path_through_the_pages(app, index, login):
    people = People()
    liaison, staff, chancellor = app.test_client(), app.test_client(), app.test_client()
    login(liaison, people.liaison.email)
    login(staff, people.staff.email)
    login(chancellor, people.chancellor.email)

    # The liaison drafts and saves section by section, then submits.
    req_id, _ = _start(liaison, {"title": "Agricultural Drone Mapping Technician"})
    _post_section(
        liaison,
        req_id,
        "credit",
        {
            "credit_bearing": "yes",
            "credit_hours": "6",
            "courses-0-code": "AG 2103",
            "courses-0-title": "Sensors",
            "courses-0-credit_hours": "3",
            "courses-1-code": "AG 2203",
            "courses-1-title": "Farm Data",
            "courses-1-credit_hours": "3",
        },
    )
    _post_section(
        liaison,
        req_id,
        "outcomes",
        {
            "learning_outcomes-0-text": "Fly a survey mission.",
            "learning_outcomes-0-assessment": "Flight log review",
            "skills-0": "Drone piloting",
            "skills-1": "Yield mapping",
        },
    )
    _post_section(
        liaison,
        req_id,
        "workforce",
        {
            "industries-0": "11",
            "occupations-0": "45-2091",
            "demand_evidence": "Letters from 12 employers.",
        },
    )
    submit = liaison.post(
        f"/institution/requests/{req_id}/actions/submit", data={"version": version_of(req_id)}
    )
    assert submit.status_code == 302, submit.get_data(as_text=True)
    assert state_of(req_id) is RequestState.SUBMITTED

    # Staff find it in the queue, claim it and request revisions.
    queue = staff.get("/review/?institution=OSU").get_data(as_text=True)
    assert "Agricultural Drone Mapping Technician" in queue
    staff.post(f"/review/{req_id}/actions/claim", data={"version": version_of(req_id)})
    assert state_of(req_id) is RequestState.IN_REVIEW
    staff.post(
        f"/review/{req_id}/actions/request_revisions",
        data={"version": version_of(req_id), "comment": "Name an employer partner."},
    )
    assert state_of(req_id) is RequestState.REVISIONS_REQUESTED

    # The liaison reads the comment, revises and resubmits.
    detail = liaison.get(f"/institution/requests/{req_id}").get_data(as_text=True)
    assert "Name an employer partner." in detail
    _post_section(
        liaison,
        req_id,
        "workforce",
        {
            "industries-0": "11",
            "occupations-0": "45-2091",
            "demand_evidence": "Letters from 12 employers.",
            "partners-0-name": "Oklahoma Farm Bureau",
            "partners-0-role": "co-designer",
        },
    )
    liaison.post(
        f"/institution/requests/{req_id}/actions/resubmit", data={"version": version_of(req_id)}
    )
    assert state_of(req_id) is RequestState.IN_REVIEW  # back with the same reviewer

    # Staff see what changed and recommend endorsement.
    review = staff.get(f"/review/{req_id}").get_data(as_text=True)
    assert "Oklahoma Farm Bureau" in review
    staff.post(
        f"/review/{req_id}/actions/recommend",
        data={
            "version": version_of(req_id),
            "recommendation": "endorse",
            "comment": "Meets every rule; strong employer backing.",
        },
    )
    assert state_of(req_id) is RequestState.RECOMMENDED

    # The chancellor approves on the desk.
    desk = chancellor.get("/approvals/").get_data(as_text=True)
    assert "Meets every rule; strong employer backing." in desk
    chancellor.post(f"/approvals/{req_id}/approve", data={"version": version_of(req_id)})
    assert state_of(req_id) is RequestState.APPROVED

    # The public search finds it, tagged endorsed.
    results = app.test_client().get("/search?q=drone+mapping+technician").get_data(as_text=True)
    card = results[results.index("result__title") :]
    assert re.search(r"Agricultural Drone Mapping Technician|Agricultural <mark", card)
    assert "Endorsed by State Regents" in card[: card.index("</li>")]

    # The liaison was told of every step that concerned the institution.
    subjects = db.session.scalars(
        sa.select(MailMessage.subject)
        .where(MailMessage.recipient == people.liaison.email)
        .order_by(MailMessage.id)
    ).all()
    for state in ("in review", "revisions requested", "recommended", "approved"):
        assert any(s.endswith(state) for s in subjects), (state, subjects)
    assert not any(
        "strong employer backing" in body
        for body in db.session.scalars(
            sa.select(MailMessage.body).where(MailMessage.recipient == people.liaison.email)
        )
    )
