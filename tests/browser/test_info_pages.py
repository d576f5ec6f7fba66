"""The state site's identity, the about page, and navigation on a phone without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def test_a_phone_without_javascript_can_reach_every_section(live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        for name in ("Institutions", "For employers", "About micro-credentials", "Sign in"):
            link = page.get_by_role("navigation", name="Primary navigation").get_by_role(
                "link", name=name
            )
            assert link.is_visible(), name
        page.get_by_role("navigation", name="Primary navigation").get_by_role(
            "link", name="Institutions"
        ).click()
        page.wait_for_url(live_server.url + "/institutions")
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/about", "/accessibility", "/privacy", "/contact"])
def test_the_information_pages_pass_axe(live_server, browser, path, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert page.locator("h1").is_visible()
        assert axe_violations(page) == []
    finally:
        context.close()
