"""The staff's queue and review page, the chancellor's desk and the policy page, as their users
see them through the browser's requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_login import login_user
from werkzeug.datastructures import MultiDict

from app import compliance
from app.enums import RequestKind
from app.extensions import db
from app.models import Comment, CredentialRequest, MailMessage
from app.services import accounts, policy, review, workflow
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import (
    COMPLETE_FIELDS,
    PASSWORD,
    People,
    badge_over_the_cap_in_review,
    request_in,
)


@pytest.fixture
def people(app):
    return People().add_second_reviewer()


@pytest.fixture
def signed_in(app, login):
    """``signed_in(user)``: a new client signed in as ``user`` through /login."""

    def sign_in(user):
        client = app.test_client()
        assert login(client, user.email, PASSWORD).status_code == 302
        return client

    return sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def shown_count(html: str, state: RequestState) -> int:
    match = re.search(
        rf'id="count-{state.value}".*?<strong class="queue-counts__n">(\d+)</strong>', html, re.S
    )
    assert match, f"no count for {state}"
    return int(match.group(1))


def db_count(state: RequestState) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(CredentialRequest.id)).where(CredentialRequest.state == state)
    )


def filed(liaison, **fields):
    req = workflow.create_request(liaison, "endorsement", {**COMPLETE_FIELDS, **fields})
    return workflow.transition(liaison, req.id, Action.SUBMIT, version=req.version)


# --- who may open the pages ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["liaison", "chancellor"])
def test_the_queue_and_review_pages_are_for_staff(people, signed_in, who):
    req = request_in(people, RequestState.SUBMITTED)
    client = signed_in(getattr(people, who))
    assert client.get("/review/").status_code == 403
    assert (
        client.post(
            "/review/assign", data={"item": f"{req.id}:{req.version}", "action": "claim"}
        ).status_code
        == 403
    )
    assert db.session.get(CredentialRequest, req.id).state is RequestState.SUBMITTED
    if who == "liaison":
        assert client.get(f"/review/{req.id}").status_code == 403


@pytest.mark.parametrize("who", ["liaison", "staff", "admin"])
def test_the_desk_is_for_the_chancellor(people, signed_in, who):
    req = request_in(people, RequestState.RECOMMENDED)
    client = signed_in(getattr(people, who))
    assert client.get("/approvals/").status_code == 403
    response = client.post(f"/approvals/{req.id}/approve", data={"version": req.version})
    assert response.status_code == 403
    assert db.session.get(CredentialRequest, req.id).state is RequestState.RECOMMENDED


def test_an_unknown_request_or_action_is_not_found(people, signed_in):
    req = request_in(people, RequestState.IN_REVIEW)
    staff = signed_in(people.staff)
    assert staff.get("/review/999999").status_code == 404
    assert (
        staff.post(f"/review/{req.id}/actions/approve", data={"version": req.version}).status_code
        == 404
    )
    assert staff.post(f"/review/{req.id}/actions/fly", data={}).status_code == 404
    chancellor = signed_in(people.chancellor)
    assert chancellor.post("/approvals/999999/approve", data={"version": 1}).status_code == 404
    assert chancellor.post(f"/approvals/{req.id}/claim", data={}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/review/", "/approvals/", "/admin/policy"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the queue -----------------------------------------------------------------------------


def test_the_queue_shows_the_database_counts_and_honors_filters_from_the_url(people, signed_in):
    filed(people.liaison, title="Soil Sensors Basics")
    filed(people.liaison, title="Farm Data Essentials")
    filed(people.other, title="Tulsa Welding Safety")
    request_in(people, RequestState.IN_REVIEW, title="Drone Survey Flights")
    request_in(people, RequestState.REVISIONS_REQUESTED, title="Revising Robotics")
    request_in(people, RequestState.DRAFT, title="Secret Draft")
    client = signed_in(people.staff)

    html = text(client.get("/review/"))
    for state in (
        RequestState.SUBMITTED,
        RequestState.IN_REVIEW,
        RequestState.REVISIONS_REQUESTED,
        RequestState.RECOMMENDED,
    ):
        assert shown_count(html, state) == db_count(state)
    assert "Soil Sensors Basics" in html and "Tulsa Welding Safety" in html
    assert "Revising Robotics" not in html and "Secret Draft" not in html
    assert html.index("Soil Sensors Basics") < html.index("Farm Data Essentials")

    html = text(client.get("/review/?institution=TCC"))
    assert "Tulsa Welding Safety" in html and "Soil Sensors Basics" not in html
    assert '<option value="TCC" selected>' in html
    assert "1 request match these filters" in html

    html = text(client.get("/review/?state=revisions_requested&assignee=me"))
    assert "Revising Robotics" in html and "Drone Survey Flights" not in html

    html = text(client.get("/review/?sort=newest"))
    assert html.index("Farm Data Essentials") < html.index("Soil Sensors Basics")

    response = client.get("/review/?state=draft&min_days=soon")
    assert response.status_code == 422
    assert "Secret Draft" not in text(response)
    assert "Give a whole number of days." in text(response)


def test_a_row_past_the_target_says_so_in_words(app, people):
    late = filed(people.liaison, title="Waiting Long")
    filed(people.liaison, title="Just In")
    now = late.submitted_at + timedelta(days=31)
    filters = review.parse_filters(MultiDict())
    with app.test_request_context("/review/"):
        login_user(people.staff)
        html = render_template(
            "review/queue.html",
            queue=review.staff_queue(people.staff, filters, now=now),
            filters=filters,
            errors={},
            assign_error=None,
            selected=set(),
            filter_query="",
            rules=compliance.RULES,
            kinds=list(RequestKind),
        )
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<tr id="request-\d+"[^>]*>.*?<a class="usa-link"[^>]*>([^<]+)</a>.*?</tr>', html, re.S
        )
    }
    assert "31 days" in rows["Waiting Long"] and "Past target" in rows["Waiting Long"]
    assert "Past target" not in rows["Just In"]


def test_claim_selected_and_assign_selected_report_each_request(people, signed_in):
    a = filed(people.liaison, title="First To Claim")
    b = filed(people.liaison, title="Second To Claim")
    stale = b.version
    workflow.transition(people.staff2, b.id, Action.CLAIM, version=b.version)
    client = signed_in(people.staff)

    response = client.post(
        "/review/assign",
        data={
            "item": [f"{a.id}:{a.version}", f"{b.id}:{stale}"],
            "action": "claim",
            "filters": "institution=OSU",
        },
        follow_redirects=True,
    )
    html = text(response)
    assert response.request.path == "/review/" and response.request.args["institution"] == "OSU"
    assert f"Request #{a.id} “First To Claim” is assigned to {people.staff.name}." in html
    assert f"Request #{b.id} “Second To Claim” was not changed: This request changed" in html
    assert db.session.get(CredentialRequest, a.id).assignee_id == people.staff.id
    assert db.session.get(CredentialRequest, b.id).assignee_id == people.staff2.id

    a = db.session.get(CredentialRequest, a.id)
    response = client.post(
        "/review/assign",
        data={"item": f"{a.id}:{a.version}", "action": "assign", "assignee": str(people.staff2.id)},
        follow_redirects=True,
    )
    assert f"is assigned to {people.staff2.name}" in text(response)
    assert db.session.get(CredentialRequest, a.id).assignee_id == people.staff2.id

    response = client.post("/review/assign", data={"action": "claim"})
    assert response.status_code == 422 and "Select at least one request." in text(response)


# --- the review page -----------------------------------------------------------------------


def test_the_review_page_shows_the_request_rules_changes_and_timeline(people, signed_in):
    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    req = workflow.update_request(
        people.liaison, req.id, req.version, {"summary": "Drones, soil sensors and farm data."}
    )
    req = workflow.transition(people.liaison, req.id, Action.RESUBMIT, version=req.version)
    client = signed_in(people.staff)

    html = text(client.get(f"/review/{req.id}"))
    assert "Precision Agriculture Technician" in html
    assert "Claim this request" not in html  # it came back to the reviewer who asked
    assert "Send the recommendation" in html
    assert "Credit-hour cap" in html and "Pass" in html
    changes = html[html.index('id="changes-since-last"') :]
    changes = changes[: changes.index("</table>")]
    assert "Summary" in changes and "Drones, soil sensors and farm data." in changes
    assert "Skills" not in changes
    assert "Add an employer partner." in html  # the revision request, in the timeline


def test_requesting_revisions_needs_a_message_and_a_stale_page_changes_nothing(people, signed_in):
    req = request_in(people, RequestState.IN_REVIEW)
    client = signed_in(people.staff)

    response = client.post(
        f"/review/{req.id}/actions/request_revisions",
        data={"version": req.version, "comment": "  "},
    )
    assert response.status_code == 422
    assert "Write what the institution should revise." in text(response)

    response = client.post(
        f"/review/{req.id}/actions/recommend",
        data={
            "version": req.version - 1,
            "comment": "Typed rationale",
            "recommendation": "endorse",
        },
    )
    assert response.status_code == 409
    assert "This request changed since you opened it" in text(response)
    assert "Typed rationale" in text(response)
    assert db.session.get(CredentialRequest, req.id).state is RequestState.IN_REVIEW

    response = client.post(
        f"/review/{req.id}/actions/request_revisions",
        data={"version": req.version, "comment": "Name the employers."},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert db.session.get(CredentialRequest, req.id).state is RequestState.REVISIONS_REQUESTED


def test_recommend_with_a_blocking_failure_is_refused_until_overridden_and_the_desk_shows_it(
    people, signed_in
):
    req = badge_over_the_cap_in_review(people)
    staff = signed_in(people.staff)
    justification = "Two short lab courses; the regents agreed to 6 hours for this pilot."

    response = staff.post(
        f"/review/{req.id}/actions/recommend",
        data={"version": req.version, "comment": "Meets policy.", "recommendation": "endorse"},
    )
    assert response.status_code == 422
    assert "Override it with a justification" in text(response)

    response = staff.post(
        f"/review/{req.id}/overrides",
        data={"version": req.version, "rule": "credit_hour_cap", "justification": ""},
    )
    assert response.status_code == 422 and "Write why the rule may be set aside." in text(response)

    response = staff.post(
        f"/review/{req.id}/overrides",
        data={"version": req.version, "rule": "credit_hour_cap", "justification": justification},
        follow_redirects=True,
    )
    assert "Fail, overridden" in text(response) and justification in text(response)

    req = db.session.get(CredentialRequest, req.id)
    response = staff.post(
        f"/review/{req.id}/actions/recommend",
        data={
            "version": req.version,
            "comment": "Sound pilot design.",
            "recommendation": "endorse",
        },
    )
    assert response.status_code == 302
    assert db.session.get(CredentialRequest, req.id).state is RequestState.RECOMMENDED

    html = text(signed_in(people.chancellor).get("/approvals/"))
    assert "Precision Agriculture Technician" in html
    assert "Sound pilot design." in html
    assert justification in html and people.staff.name in html
    assert "Staff overrode 1 failed rule" in html


def test_internal_comments_never_reach_the_liaison(people, signed_in):
    req = request_in(people, RequestState.IN_REVIEW)
    staff = signed_in(people.staff)
    internal = "INTERNAL: the dean told us privately this will be cut next year."
    to_them = "Please attach the employer letters."

    staff.post(f"/review/{req.id}/comments", data={"body": internal, "visibility": "internal"})
    staff.post(f"/review/{req.id}/comments", data={"body": to_them, "visibility": "institution"})
    req = db.session.get(CredentialRequest, req.id)
    rationale = "INTERNAL RATIONALE: weak demand evidence, but the partner is strong."
    staff.post(
        f"/review/{req.id}/actions/recommend",
        data={"version": req.version, "comment": rationale, "recommendation": "list"},
    )
    req = db.session.get(CredentialRequest, req.id)
    return_note = "INTERNAL NOTE: check the partner letter again."
    signed_in(people.chancellor).post(
        f"/approvals/{req.id}/return", data={"version": req.version, "comment": return_note}
    )
    assert db.session.get(CredentialRequest, req.id).state is RequestState.IN_REVIEW
    visibilities = db.session.scalars(
        sa.select(Comment.visibility).where(Comment.request_id == req.id)
    ).all()
    assert [v.value for v in visibilities] == ["internal", "institution"]

    html = text(staff.get(f"/review/{req.id}"))
    assert internal in html and to_them in html and "Internal" in html

    _row, token = accounts.create_token(people.liaison, "catalog")
    api = signed_in(people.liaison).get(
        f"/api/v1/requests/{req.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200
    seen = text(api)
    assert to_them in seen
    for secret in (internal, rationale, return_note):
        assert secret not in seen

    mail = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.recipient == people.liaison.email)
    ).all()
    assert any(to_them in m.body for m in mail)
    for m in mail:
        for secret in (internal, rationale, return_note):
            assert secret not in m.body and secret not in m.subject


def test_the_chancellor_declines_only_with_a_reason(people, signed_in):
    req = request_in(people, RequestState.RECOMMENDED)
    client = signed_in(people.chancellor)
    response = client.post(f"/approvals/{req.id}/decline", data={"version": req.version})
    assert response.status_code == 422 and "Write why the request is declined." in text(response)
    assert db.session.get(CredentialRequest, req.id).state is RequestState.RECOMMENDED


def test_the_chancellor_approves_and_the_entry_is_published(index, people, signed_in):
    req = request_in(people, RequestState.RECOMMENDED)
    client = signed_in(people.chancellor)
    response = client.post(
        f"/approvals/{req.id}/approve", data={"version": req.version}, follow_redirects=True
    )
    assert "It is published as" in text(response)
    assert "Endorsed by State Regents" in text(response)
    search = text(client.get("/search?q=Precision+Agriculture+Technician"))
    assert "Precision Agriculture Technician" in search
    assert "Endorsed by State Regents" in search


# --- the policy page ------------------------------------------------------------------------


def test_an_administrator_changes_the_cap_and_the_target(people, signed_in):
    req = request_in(people, RequestState.IN_REVIEW)
    admin = signed_in(people.admin)
    html = text(admin.get("/admin/policy"))
    assert 'value="9"' in html and 'value="30"' in html

    response = admin.post(
        "/admin/policy",
        data={"credit_hour_cap": "3", "review_target_days": "20"},
        follow_redirects=True,
    )
    assert "The policy parameters are saved" in text(response)
    assert policy.credit_hour_cap() == 3 and policy.review_target_days() == 20
    assert 'value="3"' in text(response)

    # A request in review keeps the results of the cap it was submitted under.
    review_page = text(signed_in(people.staff).get(f"/review/{req.id}"))
    assert "cap of 3 credit hours" not in review_page
    # The page keeps the history: who changed what, when, from which value to which.
    history = text(admin.get("/admin/policy"))
    assert "Credit-hour cap" in history and "9 → 3" in history and people.admin.name in history
    assert "30 → 20" in history


def test_the_policy_page_keeps_what_was_typed_when_it_is_wrong(people, signed_in):
    admin = signed_in(people.admin)
    response = admin.post(
        "/admin/policy", data={"credit_hour_cap": "nine", "review_target_days": "400"}
    )
    assert response.status_code == 422
    html = text(response)
    assert 'value="nine"' in html and "Give the cap as a number" in html
    response = admin.post(
        "/admin/policy", data={"credit_hour_cap": "0.1", "review_target_days": "400"}
    )
    assert response.status_code == 422
    assert "between 0.5 and 60" in text(response) and "between 1 and 365" in text(response)
    assert policy.credit_hour_cap() == 9


@pytest.mark.parametrize("who", ["staff", "chancellor", "liaison"])
def test_only_administrators_open_the_policy_page(people, signed_in, who):
    client = signed_in(getattr(people, who))
    assert client.get("/admin/policy").status_code == 403
    response = client.post(
        "/admin/policy", data={"credit_hour_cap": "3", "review_target_days": "20"}
    )
    assert response.status_code == 403
    assert policy.credit_hour_cap() == 9
