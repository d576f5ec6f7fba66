"""The insights page in a real browser: charts, their tables, and no serious axe finding."""

from __future__ import annotations

import pytest

from tests.browser.test_review_flow import audit, sign_in

pytestmark = pytest.mark.browser


def test_the_insights_page_shows_charts_and_tables_and_passes_axe(browser, live_server):
    page = sign_in(browser, live_server, "chancellor@regents.example.org")
    try:
        page.goto(live_server.url + "/insights/")
        assert page.get_by_role("heading", name="Insights", level=1).is_visible()
        charts = page.locator("svg.chart")
        assert charts.count() >= 5
        assert charts.first.is_visible()
        assert page.locator("figure table").count() >= charts.count()
        page.get_by_label("From", exact=True).fill("2026-01-01")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(lambda url: "from=2026-01-01" in url)
        assert audit(browser, page) == []
    finally:
        page.context.close()
