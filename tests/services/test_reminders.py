"""``flask workflow remind``, end to end through a real SMTP server: reminders of requests past
the review target, the administrators' escalation, and requests waiting on an institution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.workflow.states import RequestState
from tests.workflow_helpers import People, request_in


@pytest.fixture
def people(app):
    return People().add_second_reviewer()


def _to(smtp, email):
    return [m for m in smtp.messages if m["To"] == email]


def test_remind_past_target_and_waiting_on_the_institution(smtp, people, runner):
    claimed = request_in(people, RequestState.IN_REVIEW, title="Claimed Long Ago")
    unclaimed = request_in(people, RequestState.SUBMITTED, title="Nobody Took It")
    revising = request_in(people, RequestState.REVISIONS_REQUESTED, title="Slow Revisions")
    smtp.messages.clear()
    later = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")

    result = runner.invoke(args=["workflow", "remind", "--as-of", later])
    assert result.exit_code == 0, result.output
    assert "2 request(s) past the review target, 1 waiting on an institution" in result.output

    staff = [m["Subject"] for m in _to(smtp, people.staff.email)]
    assert any(f"#{claimed.id}" in s and "past the review target" in s for s in staff)
    assert any(f"#{unclaimed.id}" in s for s in staff)
    second = [m["Subject"] for m in _to(smtp, people.staff2.email)]
    assert not any(f"#{claimed.id}" in s for s in second)  # only its reviewer
    assert any(f"#{unclaimed.id}" in s for s in second)  # nobody assigned: all staff
    [digest] = _to(smtp, people.admin.email)
    body = digest.get_content()
    assert "Claimed Long Ago" in body and "Nobody Took It" in body
    [liaison] = [m for m in _to(smtp, people.liaison.email) if f"#{revising.id}" in m["Subject"]]
    assert "is waiting for your revisions" in liaison["Subject"]
    assert f"/institution/requests/{revising.id}" in liaison.get_content()

    before = len(smtp.messages)
    again = runner.invoke(args=["workflow", "remind", "--as-of", later])
    assert "0 reminder(s) sent" in again.output and len(smtp.messages) == before


def test_nothing_to_remind_within_the_targets(smtp, people, runner):
    request_in(people, RequestState.IN_REVIEW)
    smtp.messages.clear()
    result = runner.invoke(args=["workflow", "remind"])
    assert "0 request(s) past the review target" in result.output
    assert smtp.messages == []
