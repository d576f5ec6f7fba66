"""Every figure of the insights page against a direct count of the database, on requests walked
through the real workflow at known times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.enums import EntryStatus
from app.extensions import db
from app.models import CredentialRequest, DemandCount, Entry
from app.services import demand, insights
from app.services.errors import InvalidInput, PermissionDenied
from app.workflow.states import Action, RequestState
from tests.factories import publish
from tests.workflow_helpers import People, request_in

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(app):
    return People()


def walk(people, steps, start=START):
    """A request filed at ``start``; each step is (days after start, who, action, kwargs)."""
    with time_machine.travel(start, tick=False):
        req = request_in(people, RequestState.DRAFT)
    for days, who, action, kwargs in steps:
        with time_machine.travel(start + timedelta(days=days), tick=False):
            from app.services import workflow

            req = workflow.transition(
                getattr(people, who), req.id, action, version=req.version, **kwargs
            )
    return req


def decided_after(people, days, *, rounds=0, decline=False):
    steps = [(0, "liaison", Action.SUBMIT, {}), (0, "staff", Action.CLAIM, {})]
    for n in range(rounds):
        steps += [
            (0, "staff", Action.REQUEST_REVISIONS, {"comment": "Add a partner."}),
            (0, "liaison", Action.RESUBMIT, {}),  # back to the same reviewer
        ]
    rec = "decline" if decline else "endorse"
    steps.append((days, "staff", Action.RECOMMEND, {"comment": "Done.", "recommendation": rec}))
    final = (Action.DECLINE, {"comment": "Agreed."}) if decline else (Action.APPROVE, {})
    steps.append((days, "chancellor", final[0], final[1]))
    return walk(people, steps)


def rows(report, key):
    return {row[0]: row[1:] for row in report.table(key).rows}


def test_only_the_regents_see_insights(people):
    for user in (people.staff, people.chancellor, people.admin):
        insights.report(user, date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(PermissionDenied):
        insights.report(people.liaison, date(2026, 1, 1), date(2026, 12, 31))


def test_requests_by_state_match_the_database(people):
    for state in (
        RequestState.DRAFT,
        RequestState.SUBMITTED,
        RequestState.IN_REVIEW,
        RequestState.SUBMITTED,
        RequestState.WITHDRAWN,
    ):
        request_in(people, state)
    report = insights.report(people.staff, date(2026, 1, 1), date(2026, 12, 31))
    shown = {label: n for label, n in report.table("requests-by-state").rows}
    for state, n in db.session.execute(
        sa.select(CredentialRequest.state, sa.func.count()).group_by(CredentialRequest.state)
    ):
        assert shown[state.label] == n
    assert shown[RequestState.SUBMITTED.label] == 2


def test_days_to_decision_median_and_90th_percentile_by_month(people):
    for days in (2, 4, 10, 30):  # decided in March or April 2026
        decided_after(people, days)
    decided_after(people, 6, decline=True)
    report = insights.report(people.staff, date(2026, 3, 1), date(2026, 4, 30))
    months = rows(report, "days-to-decision")
    # March: 2, 4, 6 and 10 days (decided on Mar 4, 6, 8, 12); April: 30 days (Apr 1).
    assert months["2026-03"] == [4, 5.0, 8.8]
    assert months["2026-04"] == [1, 30.0, 30.0]
    decided = db.session.scalar(
        sa.select(sa.func.count()).where(
            CredentialRequest.state.in_([RequestState.APPROVED, RequestState.DECLINED])
        )
    )
    assert sum(r[0] for r in months.values()) == decided == 5


def test_rounds_of_revisions_before_a_decision(people):
    decided_after(people, 3)
    decided_after(people, 3, rounds=1)
    decided_after(people, 3, rounds=2)
    decided_after(people, 3, rounds=1)
    report = insights.report(people.staff, date(2026, 3, 1), date(2026, 3, 31))
    assert rows(report, "revision-rounds") == {"0": [1], "1": [2], "2": [1], "3 or more": [0]}


def test_requests_past_the_service_target(people):
    old = walk(people, [(0, "liaison", Action.SUBMIT, {})], start=START)
    claimed_old = walk(
        people, [(0, "liaison", Action.SUBMIT, {}), (1, "staff", Action.CLAIM, {})], start=START
    )
    recent = request_in(people, RequestState.SUBMITTED)
    now = START + timedelta(days=45)
    report = insights.report(people.staff, date(2026, 1, 1), date(2026, 12, 31), now=now)
    late = [row[0] for row in report.table("past-target").rows]
    assert late == [f"#{old.id}", f"#{claimed_old.id}"]
    assert f"#{recent.id}" not in late


def test_requests_by_institution_and_kind(people):
    request_in(people, RequestState.SUBMITTED)
    request_in(people, RequestState.APPROVED)
    request_in(people, RequestState.WITHDRAWN)
    request_in(people, RequestState.DRAFT)  # not filed: left out
    report = insights.report(people.staff, date(2026, 1, 1), date(2026, 12, 31))
    by_inst = rows(report, "requests-by-institution")
    assert by_inst == {"Oklahoma State University": [1, 1, 0, 1]}
    assert rows(report, "requests-by-kind") == {"Endorsement": [1, 1, 0, 1]}


def test_inventory_counts_match_the_database(app, people):
    publish(delivery="online")
    publish(delivery="online", endorsement="not-endorsed")
    publish(delivery="hybrid", credit_bearing=False, credit_hours=None, courses=None)
    retired = publish(status="retired")
    report = insights.report(people.staff, date(2026, 1, 1), date(2026, 12, 31))
    active = db.session.scalar(
        sa.select(sa.func.count()).select_from(Entry).where(Entry.status == EntryStatus.ACTIVE)
    )
    assert sum(n for _, n in report.table("entries-by-institution").rows) == active == 3
    assert rows(report, "entries-by-delivery") == {"Online": [2], "Hybrid": [1]}
    assert rows(report, "entries-by-credit") == {"Credit-bearing": [2], "Non-credit": [1]}
    assert rows(report, "entries-by-endorsement") == {
        "Endorsed by State Regents": [2],
        "Not Endorsed by State Regents": [1],
    }
    assert retired.status is EntryStatus.RETIRED


def test_industries_roll_up_to_their_sector(app, people):
    publish(industries=["621111"])  # Offices of Physicians
    publish(industries=["62", "6221"])  # the same sector twice: one entry
    report = insights.report(people.staff, date(2026, 1, 1), date(2026, 12, 31))
    assert rows(report, "entries-by-industry")["Health Care and Social Assistance"] == [2]


def test_demand_counts_searches_gaps_views_and_click_throughs(app, client, index, people):
    app.config["DEMAND_FLUSH_SECONDS"] = 0
    entry = publish(title="Orchard Management")
    client.get("/search?q=Orchard")
    client.get("/search?q=orchard  ")
    client.get("/search?q=orchard&page=2")  # paging is not a new search
    client.get("/search?q=underwater+welding")
    client.get(f"/credentials/{entry.slug}")
    response = client.get(f"/credentials/{entry.slug}/enroll")
    assert response.status_code == 302
    assert response.headers["Location"] == entry.content.enrollment_url
    report = insights.report(people.staff, date(2020, 1, 1), date(2100, 1, 1))
    assert rows(report, "top-searches") == {"orchard": [2], "underwater welding": [1]}
    assert rows(report, "zero-result-searches") == {"underwater welding": [1]}
    label = f"Orchard Management · {entry.institution.code}"
    assert rows(report, "most-viewed") == {label: [1]}
    assert rows(report, "enrollment-clicks") == {label: [1]}
    stored = db.session.scalars(sa.select(DemandCount)).all()
    assert {c.kind for c in stored} == {"search", "search_zero", "view", "enroll"}
    # Nothing that could identify the visitor is kept: the table has no such column.
    assert set(DemandCount.__table__.columns.keys()) == {"id", "day", "kind", "key", "count"}


def test_counts_gathered_in_memory_are_written_together(app, index, client):
    app.config["DEMAND_FLUSH_SECONDS"] = 3600
    demand.flush()  # start the interval now
    client.get("/search?q=orchard")
    client.get("/search?q=orchard")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DemandCount)) == 0
    assert demand.flush() == 2  # one row for the search, one for the search that found nothing
    counts = dict(db.session.execute(sa.select(DemandCount.kind, DemandCount.count)).all())
    assert counts == {"search": 2, "search_zero": 2}


def test_bad_dates_are_explained():
    with pytest.raises(InvalidInput) as exc:
        insights.parse_range("2026-13-01", None)
    assert "from" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        insights.parse_range("2026-05-01", "2026-04-01")
    assert "to" in exc.value.errors
    assert insights.parse_range(None, None, today=date(2026, 11, 29)) == (
        date(2025, 11, 1),
        date(2026, 11, 29),
    )
