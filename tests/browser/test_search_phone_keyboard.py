"""The search on a phone and by keyboard: results first, filters in a disclosure, focus and
the one live region after each update, pagination that fits, few Tabs to the first result."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_a_phone_gets_results_first_and_pagination_that_fits(live_server, browser, page):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search?sort=title&page=2")
    first = _box(page, ".result__title a")
    filters = _box(page, "#filters > summary")
    assert first["y"] < filters["y"]
    assert first["y"] < PHONE["height"]  # the first result is on the first screen
    # Closed on a phone with JavaScript; open (and below the results) without it.
    assert page.evaluate("document.getElementById('filters').open") is (not page.js)
    assert "applied" in page.locator("#filters > summary").inner_text()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for name in ("Previous page", "Next page"):
        link = page.get_by_role("link", name=name)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"page=3"))
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'results-count'"
    ) if page.js else None


def test_focus_and_the_live_region_follow_each_update(live_server, js_page):
    js_page.set_viewport_size(PHONE)
    js_page.goto(live_server.url + "/search?q=management")
    js_page.evaluate("window.__status = document.getElementById('results-status')")
    js_page.locator("#filters > summary").click()
    js_page.locator("#facet-delivery label", has_text="Online").click()
    js_page.wait_for_url(re.compile(r"delivery=online"))
    js_page.wait_for_function("document.activeElement.id === 'results-count'")
    status = js_page.evaluate(
        "[window.__status === document.getElementById('results-status'),"
        " document.getElementById('results-status').textContent]"
    )
    assert status[0] is True  # the same node, its text changed
    assert re.match(r"\d+ entr(y|ies) for “management”", status[1])
    assert js_page.evaluate("document.querySelectorAll('[aria-live]').length") == 1
    # The view went to the count too: it is on screen.
    top = js_page.evaluate("document.getElementById('results-count').getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"]
    assert "1 applied" in js_page.locator("#filters > summary").inner_text()


def test_few_tabs_from_the_search_box_to_the_first_result(live_server, js_page):
    js_page.set_viewport_size({"width": 1280, "height": 900})
    js_page.goto(live_server.url + "/search?q=nursing")
    first = js_page.locator(".result__title a").first.get_attribute("href")
    js_page.focus("#q")
    tabs = 0
    while tabs < 20:
        js_page.keyboard.press("Tab")
        tabs += 1
        if js_page.evaluate("document.activeElement.getAttribute('href')") == first:
            break
    assert tabs <= 5
    # The skip link goes straight to the results.
    js_page.goto(live_server.url + "/search?q=nursing")
    js_page.keyboard.press("Tab")
    js_page.keyboard.press("Tab")
    assert js_page.evaluate("document.activeElement.textContent").strip() == "Skip to results"
    js_page.keyboard.press("Enter")
    js_page.keyboard.press("Tab")
    assert js_page.evaluate("document.activeElement.getAttribute('href')") == first


def test_the_stacking_filter_finds_exactly_the_entries_that_stack_into_a_target(
    live_server, js_page
):
    from app.extensions import db
    from app.models import Entry, StackTarget

    with live_server.app.app_context():
        name = db.session.scalar(
            db.select(StackTarget.name)
            .join(Entry, Entry.content_id == StackTarget.content_id)
            .group_by(StackTarget.name)
            .order_by(db.func.count().desc(), StackTarget.name)
            .limit(1)
        )
        expected = set(
            db.session.scalars(
                db.select(Entry.slug)
                .join(StackTarget, StackTarget.content_id == Entry.content_id)
                .where(StackTarget.name == name, Entry.status == "active")
            )
        )
    assert len(expected) > 1
    js_page.goto(live_server.url + "/search?per_page=100&stacks_into=" + name.lower())
    found = {
        href.rsplit("/", 1)[-1]
        for href in js_page.locator(".result__title a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    }
    assert found == expected
    assert js_page.locator("a.chip").inner_text().startswith(f"Stacks into: {name}")
