"""The insights page: who may open it, its charts with their tables, dates and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from app.workflow.states import RequestState
from tests.workflow_helpers import PASSWORD, People, request_in


@pytest.fixture
def people(app):
    return People()


def sign_in(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/insights/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_liaisons_may_not_open_insights(client, people):
    sign_in(client, people.liaison)
    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/requests-by-state.csv").status_code == 403


@pytest.mark.parametrize("who", ["staff", "chancellor", "admin"])
def test_the_regents_see_charts_each_with_its_table(client, people, who):
    request_in(people, RequestState.SUBMITTED)
    sign_in(client, getattr(people, who))
    response = client.get("/insights/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in ("The queue", "The inventory", "What learners look for"):
        assert heading in html
    assert html.count('<svg class="chart"') >= 5
    assert html.count("<table") >= html.count('<svg class="chart"')
    assert 'href="/insights/"' in html  # the navigation offers it


def test_every_table_downloads_as_csv_for_the_chosen_dates(client, people):
    request_in(people, RequestState.SUBMITTED)
    request_in(people, RequestState.SUBMITTED)
    sign_in(client, people.staff)
    response = client.get("/insights/requests-by-state.csv?from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "requests-by-state-2026-01-01-2026-12-31.csv" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["State", "Requests"]
    assert ["Submitted", "2"] in table
    assert client.get("/insights/no-such-table.csv").status_code == 404


def test_bad_dates_are_explained_not_fatal(client, people):
    sign_in(client, people.staff)
    response = client.get("/insights/?from=2026-02-30&to=soon")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a date as YYYY-MM-DD." in html
    assert "The queue" in html  # the report still shows, for the default dates
