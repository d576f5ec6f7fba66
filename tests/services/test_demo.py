"""`flask seed` files demo requests in every state through the real workflow, so each demo
role signs in to real work waiting for them."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, CredentialRequest
from app.workflow.states import Action, RequestState

DEMO_PASSWORD = "demo-password-2026"


def test_seed_files_requests_in_every_state_that_each_demo_role_sees(app, runner, login):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Demo requests: 11 created, 0 unchanged." in result.output

    requests = list(db.session.scalars(sa.select(CredentialRequest)))
    assert {r.state for r in requests} == set(RequestState)
    assert len({r.institution_id for r in requests}) >= 4
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) >= 3
    round_trip = [r for r in requests if Action.RESUBMIT in {t.action for t in r.transitions}]
    assert round_trip and round_trip[0].state is RequestState.RECOMMENDED
    approved = next(r for r in requests if r.state is RequestState.APPROVED)
    assert approved.entry is not None and approved.entry.is_active

    def page(email, url):
        client = app.test_client()
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        response = client.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    queue = page("staff@regents.example.org", "/review/")
    for title in (
        "Unmanned Aircraft Systems Inspection",
        "Cloud Support Associate",
        "Clinical Research Coordination",
        "Forklift Operator Safety",
    ):
        assert title in queue
    assert "Past target" in queue  # the drone request has waited 45 days

    desk = page("chancellor@regents.example.org", "/approvals/")
    assert "Grain Elevator Safety Supervision" in desk
    assert "Industrial Maintenance Mechatronics Level 1" in desk

    osu = page("liaison.osu@example.edu", "/institution/")
    assert "Grain Elevator Safety Supervision" in osu and "Viticulture Basics" in osu
    uco = page("liaison.uco@example.edu", "/institution/")
    assert "Forensic Photography Essentials" in uco  # revisions requested: UCO's move
    assert "Grain Elevator" not in uco  # another institution's request is not shown
    ou = page("liaison.ou@example.edu", "/institution/")
    assert "Geospatial Analysis for Emergency Management" in ou

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert "Demo requests: 0 created, 11 unchanged." in again.output
    assert db.session.scalar(sa.select(sa.func.count(CredentialRequest.id))) == len(requests)
