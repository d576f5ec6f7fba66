"""Notifications people can live with, end to end through a real SMTP server: the choice on
/account, nothing mailed at once to digest readers, ``flask workflow digest`` once a day with
everything since the last digest, grouped by request, each link to the reader's own page, and
the administrators' escalation of requests past the review target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import User
from app.services import workflow
from app.workflow.states import RequestState
from tests.workflow_helpers import PASSWORD, People, request_in


@pytest.fixture
def people(app):
    return People().add_second_reviewer()


def _to(smtp, email):
    return [m for m in smtp.messages if m["To"] == email]


def _choose(app, login, user, mode):
    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 302
    response = client.post("/account/notifications", data={"mode": mode}, follow_redirects=True)
    assert response.status_code == 200
    return client, response.get_data(as_text=True)


def test_the_choice_is_made_on_the_account_page(app, login, people):
    client, page = _choose(app, login, people.staff, "digest")
    assert "one daily digest" in page
    assert db.session.get(User, people.staff.id).mail_digest is True
    assert 'value="digest" aria-describedby="mode-digest-hint" checked' in page
    bad = client.post("/account/notifications", data={"mode": "weekly"})
    assert bad.status_code == 422
    assert "Choose immediate e-mail or a daily digest." in bad.get_data(as_text=True)
    assert db.session.get(User, people.staff.id).mail_digest is True
    _client, page = _choose(app, login, people.staff, "immediate")
    assert "as it happens" in page
    assert db.session.get(User, people.staff.id).mail_digest is False


def test_digest_readers_get_one_mail_a_day_grouped_by_request(smtp, app, login, runner, people):
    _choose(app, login, people.liaison, "digest")
    _choose(app, login, people.staff, "digest")
    first = request_in(people, RequestState.REVISIONS_REQUESTED, title="Drone Survey Basics")
    second = request_in(people, RequestState.SUBMITTED, title="Farm Data Analyst")
    workflow.add_comment(people.staff, second.id, "Please attach the syllabus.", "institution")

    # Immediate readers are told as before; digest readers are told nothing yet.
    assert _to(smtp, people.liaison.email) == []
    assert _to(smtp, people.staff.email) == []
    assert any(f"#{second.id}" in m["Subject"] for m in _to(smtp, people.staff2.email))

    result = runner.invoke(args=["workflow", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 digest(s) sent" in result.output
    [liaison_digest] = _to(smtp, people.liaison.email)
    body = liaison_digest.get_content().replace("\r\n", "\n")
    assert "daily digest" in liaison_digest["Subject"]
    assert f"request #{first.id} “Drone Survey Basics”" in body
    assert f"request #{second.id} “Farm Data Analyst”" in body
    assert "is waiting for your revisions" in body and "Please attach the syllabus." in body
    # Grouped: each request once, with the liaison's own page for it.
    assert body.count(f"/institution/requests/{first.id}\n") == 1
    assert body.count(f"/institution/requests/{second.id}\n") == 1
    assert "/review/" not in body
    [staff_digest] = _to(smtp, people.staff.email)
    staff_body = staff_digest.get_content().replace("\r\n", "\n")
    assert f"/review/{first.id}" in staff_body and f"/review/{second.id}" in staff_body
    assert "/institution/" not in staff_body

    # Once a day: a second run the same day sends nothing, even with something new.
    third = request_in(people, RequestState.SUBMITTED, title="Soil Science Technician")
    before = len(smtp.messages)
    again = runner.invoke(args=["workflow", "digest"])
    assert "0 digest(s) sent" in again.output and len(smtp.messages) == before

    # The next day: only what happened since the last digest.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    next_day = runner.invoke(args=["workflow", "digest", "--as-of", tomorrow])
    assert "1 digest(s) sent" in next_day.output  # the liaison submitted it: nothing for them
    [_, staff_next] = _to(smtp, people.staff.email)
    next_body = staff_next.get_content().replace("\r\n", "\n")
    assert "was submitted" in next_body and f"/review/{third.id}" in next_body
    assert "Drone Survey Basics" not in next_body and "Farm Data Analyst" not in next_body


def test_account_mail_is_never_held_for_the_digest(smtp, app, login, people):
    _choose(app, login, people.liaison, "digest")
    smtp.messages.clear()
    app.test_client().post("/forgot-password", data={"email": people.liaison.email})
    assert len(_to(smtp, people.liaison.email)) == 1


def test_the_admin_digest_escalates_requests_past_the_review_target(
    smtp, app, login, runner, people
):
    _choose(app, login, people.admin, "digest")
    late = request_in(people, RequestState.IN_REVIEW, title="Claimed Long Ago")
    smtp.messages.clear()
    later = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")

    reminded = runner.invoke(args=["workflow", "remind", "--as-of", later])
    assert reminded.exit_code == 0, reminded.output
    assert _to(smtp, people.admin.email) == []  # escalated in the digest, not twice
    assert any(f"#{late.id}" in m["Subject"] for m in _to(smtp, people.staff.email))

    digested = runner.invoke(args=["workflow", "digest", "--as-of", later])
    assert "1 digest(s) sent" in digested.output
    [digest] = _to(smtp, people.admin.email)
    body = digest.get_content().replace("\r\n", "\n")
    assert "past the review target" in body and "Claimed Long Ago" in body
    assert f"/review/{late.id}" in body


def test_switching_back_to_immediate_still_delivers_what_was_gathered(
    smtp, app, login, runner, people
):
    _choose(app, login, people.liaison, "digest")
    req = request_in(people, RequestState.IN_REVIEW, title="Gathered Then Switched")
    _choose(app, login, people.liaison, "immediate")
    workflow.add_comment(people.staff, req.id, "One more thing.", "institution")
    [immediate] = _to(smtp, people.liaison.email)
    assert "New comment" in immediate["Subject"]
    result = runner.invoke(args=["workflow", "digest"])
    assert "1 digest(s) sent" in result.output
    [_, digest] = _to(smtp, people.liaison.email)
    assert "Gathered Then Switched" in digest.get_content()
