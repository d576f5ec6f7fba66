"""The notification choice on /account and the campus approver on /admin/users, in Chromium,
with axe finding no serious or critical problem on either page."""

from __future__ import annotations

import pytest

from tests.browser.test_review_flow import ADMIN, LIAISON, audit, sign_in

pytestmark = pytest.mark.browser


def test_account_notification_choice_and_campus_approver_pass_axe(live_server, browser):
    page = sign_in(browser, live_server, ADMIN)
    try:
        page.goto(live_server.url + "/account")
        page.locator("label[for=mode-digest]").click()  # USWDS styles the label
        page.get_by_role("button", name="Save notification choice").click()
        page.wait_for_url(lambda url: "/account" in url)
        assert page.get_by_text("one daily digest of your notifications").is_visible()
        assert page.locator("#mode-digest").is_checked()
        assert audit(browser, page) == []

        page.goto(live_server.url + "/admin/users")
        row = page.locator("tr", has_text=LIAISON)
        row.get_by_role("button", name="Make campus approver").click()
        page.wait_for_url(lambda url: "/admin/users" in url)
        assert page.get_by_text("is now a campus approver").is_visible()
        assert audit(browser, page) == []
    finally:
        # The live server is shared: leave the demo accounts as they were.
        page.goto(live_server.url + "/admin/users")
        remove = page.locator("tr", has_text=LIAISON).get_by_role(
            "button", name="Remove campus approver"
        )
        if remove.count():
            remove.click()
            page.wait_for_url(lambda url: "/admin/users" in url)
        page.goto(live_server.url + "/account")
        page.locator("label[for=mode-immediate]").click()
        page.get_by_role("button", name="Save notification choice").click()
        page.context.close()
