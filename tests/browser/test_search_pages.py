"""A learner searches, filters, pages and opens an entry, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def result_count(page) -> int:
    text = page.locator("#results-count strong").inner_text()
    return int(text.replace(",", ""))


def test_search_filter_chip_page_and_open_an_entry(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_label("Search by skill, topic, occupation or institution").fill("management")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=management"))
    everything = result_count(page)
    assert everything > 0

    page.evaluate("window.__sameDocument = true") if page.js else None
    # USWDS draws its own checkbox: people (and this test) click the label.
    page.locator("#facet-delivery label", has_text="Online").click()
    if not page.js:
        page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"delivery=online"))
    page.wait_for_selector("a.chip")
    filtered = result_count(page)
    assert 0 < filtered <= everything
    if page.js:  # the facet updated the results without a full reload
        assert page.evaluate("window.__sameDocument === true")

    page.locator("a.chip", has_text="Online").click()
    page.wait_for_url(lambda url: "delivery=" not in url)
    page.wait_for_function("!document.querySelector('a.chip')") if page.js else None
    assert result_count(page) == everything

    page.goto(live_server.url + "/search?sort=title")
    first_page_title = page.locator(".result__title a").first.inner_text()
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function(
        "t => document.querySelector('.result__title a').innerText !== t", arg=first_page_title
    ) if page.js else None
    assert page.locator(".result__title a").first.inner_text() != first_page_title

    link = page.locator(".result__title a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/credentials/"))
    assert page.locator("h1").inner_text() == title
    assert page.get_by_text(re.compile(r"(Not )?Endorsed by State Regents")).first.is_visible()


def _entry_on_a_pathway(live_server) -> str:
    from app.extensions import db
    from app.models import Entry, StackTarget

    with live_server.app.app_context():
        name = db.session.scalar(
            db.select(StackTarget.name)
            .group_by(StackTarget.name)
            .order_by(db.func.count().desc(), StackTarget.name)
            .limit(1)
        )
        return db.session.scalar(
            db.select(Entry.slug)
            .join(StackTarget, StackTarget.content_id == Entry.content_id)
            .where(StackTarget.name == name)
            .order_by(Entry.id)
            .limit(1)
        )


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=nursing&delivery=online",
        "ENTRY",
        "/institutions/university-of-oklahoma",
        "/employers",
        "/institutions",
        "/industries/62",
        "/occupations/29-0000",
        "/search?page=999&delivery=space",
        "/institutions/university-of-oklahoma?q=nursing",
    ],
)
def test_pages_have_no_serious_accessibility_violations(live_server, js_page, path, width):
    js_page.set_viewport_size({"width": width, "height": 900})
    if path == "ENTRY":  # an entry with other entries on its pathway
        path = "/credentials/" + _entry_on_a_pathway(live_server)
    js_page.goto(live_server.url + path)
    assert axe_violations(js_page) == []


@pytest.mark.parametrize("path", ["/", "ENTRY", "/employers"])
def test_pages_fit_a_360_pixel_phone(live_server, browser, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    if path == "ENTRY":
        page.goto(live_server.url + "/search?q=nursing")
        path = page.locator(".result__title a").first.get_attribute("href")
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_keyboard_reaches_search_and_facets_with_visible_focus(live_server, js_page):
    js_page.goto(live_server.url + "/")
    js_page.keyboard.press("Tab")
    assert js_page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    js_page.keyboard.press("Enter")
    for _ in range(30):
        js_page.keyboard.press("Tab")
        if js_page.evaluate("document.activeElement.id") == "q":
            break
    assert js_page.evaluate("document.activeElement.id") == "q"
    outline = js_page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
