"""A liaison files an endorsement request through the form, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.services.test_badge_images import PNG

pytestmark = pytest.mark.browser

EMAIL = "liaison.osu@example.edu"
PASSWORD = "demo-password-2026"


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/login?next=/institution/")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/institution/$"))


def save_and_continue(page, section: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(rf"section={section}"))
    assert page.locator(".usa-error-message").count() == 0


def check(page, label: str) -> None:
    # USWDS draws its own radio buttons and checkboxes: people (and this test) click the label.
    page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")).click()


@pytest.fixture
def badge_dir(live_server, tmp_path):
    live_server.app.config["BADGE_IMAGE_DIR"] = str(tmp_path / "badge-images")
    return tmp_path / "badge-images"


def test_file_an_endorsement_request_through_every_section(live_server, page, badge_dir, tmp_path):
    title = f"Browser Filed Aerial Survey Practice {'Scripted' if page.js else 'Plain'}"
    sign_in(page, live_server.url)
    assert page.get_by_role("heading", name="Oklahoma State University", level=1).is_visible()

    page.get_by_role("link", name="Ask for endorsement").click()
    page.wait_for_url(re.compile(r"/requests/new\?kind=endorsement"))
    assert page.locator(".usa-step-indicator__segment").count() == 6

    # About
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary").fill("Plan, fly and map aerial surveys for farms and builders.")
    page.get_by_label("Purpose").fill("Employers across the state ask for survey pilots.")
    page.get_by_label("Audience").fill("Working adults and agriculture students.")
    page.get_by_label("Category").select_option("emergent")
    page.get_by_label("Kind of learning").select_option("curricular")
    check(page, "Hybrid")
    page.get_by_label("Duration in weeks").fill("12")
    page.get_by_label("Cost to the learner, in US dollars").fill("900")
    save_and_continue(page, "credit")

    # Credit and courses, with a second course row
    check(page, "Yes, it is made of credit-bearing courses")
    page.get_by_label("Total credit hours").fill("6")
    page.locator("#courses-0-code").fill("AVIA 2103")
    page.locator("#courses-0-title").fill("Flight Planning")
    page.locator("#courses-0-credit_hours").fill("3")
    if page.js:
        page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Add another course").click()
    page.locator("#courses-1-code").wait_for()
    if page.js:  # the row was added without a round trip
        assert page.evaluate("window.__sameDocument === true")
        assert page.evaluate("document.activeElement.id") == "courses-1-code"
    else:  # the first row was saved and comes back, with an empty one below it
        assert page.locator("#courses-0-code").input_value() == "AVIA 2103"
    assert page.locator("#courses-1-code").input_value() == ""
    page.locator("#courses-1-code").fill("AVIA 2203")
    page.locator("#courses-1-title").fill("Mapping From the Air")
    page.locator("#courses-1-credit_hours").fill("3")
    save_and_continue(page, "outcomes")

    # Outcomes and skills
    page.locator("#learning_outcomes-0-text").fill("Plan and fly a survey mission safely.")
    page.locator("#learning_outcomes-0-assessment").fill("Graded flight log")
    page.locator("#skills-0").fill("Drone piloting")
    page.get_by_role("button", name="Add another skill").click()
    page.locator("#skills-1").fill("Photogrammetry")
    check(page, "Critical Thinking")
    check(page, "Career Preparation")
    save_and_continue(page, "workforce")

    # Workforce alignment
    page.locator("#industries-0").fill("11")
    if page.js:  # suggestions narrow to the terms the server finds as one types
        assert page.locator("#occupation-options option").count() > 200
        page.locator("#occupations-0").press_sequentially("17-30")
        page.locator("#occupation-options option").nth(20).wait_for(state="detached")
        # Typing may pause long enough for a shorter prefix ("17") to be answered first: wait
        # for the answer to the whole prefix rather than reading the first one that arrives.
        page.wait_for_function(
            """() => {
                const options = [...document.querySelectorAll('#occupation-options option')];
                return options.length > 0 && options.every(o => o.value.startsWith('17-30'));
            }"""
        )
    page.locator("#occupations-0").fill("17-3031")
    page.locator("#partners-0-name").fill("Oklahoma Farm Bureau")
    page.locator("#partners-0-role").fill("co-designed the curriculum")
    page.get_by_label("Evidence of workforce demand").fill("Letters from 14 employers.")
    save_and_continue(page, "badge")

    # Badge, with an uploaded image
    page.get_by_label("Badge name").fill("Aerial Survey Pilot")
    page.get_by_label("Issuer").fill("Oklahoma State University")
    page.get_by_label("Badge description").fill("Plans and flies aerial surveys.")
    page.get_by_label("Criteria").fill("Pass both courses.")
    image = tmp_path / "badge.png"
    image.write_bytes(PNG)
    page.locator("input[name=badge_image]").set_input_files(str(image))
    save_and_continue(page, "review")

    # Review and submit
    review = page.locator("main")
    assert review.get_by_text("Before you can submit").count() == 0
    for typed in (
        "AVIA 2203",
        "Mapping From the Air",
        "Photogrammetry",
        "Oklahoma Farm Bureau",
        "Aerial Survey Pilot",
    ):
        assert review.get_by_text(typed).count() >= 1, typed
    assert page.get_by_role("img", name="Badge image: Aerial Survey Pilot").count() == 1
    page.get_by_role("button", name="Submit the request").click()
    page.wait_for_url(re.compile(r"/institution/requests/\d+$"))
    assert page.get_by_text("The request has been submitted").is_visible()
    assert page.locator(".request-status .state-tag").inner_text() == "Submitted"
    assert page.get_by_role("heading", name="Draft → Submitted").is_visible()

    page.get_by_role("link", name="My institution").first.click()
    page.wait_for_url(re.compile(r"/institution/$"))
    submitted = page.locator("section.request-group", has=page.locator("#group-submitted"))
    submitted.get_by_role("link", name=title).wait_for(state="visible")
    assert submitted.get_by_role("link", name=title).is_visible()
    assert list(badge_dir.glob("*/*.png"))


def test_a_mistyped_number_comes_back_with_the_typed_text(live_server, page):
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/institution/requests/new?kind=listing")
    page.get_by_label("Title", exact=True).fill("Browser Typo Check Listing")
    page.get_by_label("Duration in weeks").fill("six")
    page.get_by_role("button", name="Save draft").last.click()
    page.wait_for_load_state()
    assert page.get_by_label("Duration in weeks").input_value() == "six"
    assert page.get_by_label("Title", exact=True).input_value() == "Browser Typo Check Listing"
    assert page.locator("#duration_weeks-error").inner_text().startswith("Enter a number")
    assert page.get_by_role("link", name=re.compile("Duration in weeks: Enter a number")).count()


def test_the_form_and_dashboard_have_no_serious_accessibility_violations(live_server, js_page):
    sign_in(js_page, live_server.url)
    assert axe_violations(js_page) == []
    js_page.goto(live_server.url + "/institution/requests/new?kind=endorsement")
    assert axe_violations(js_page) == []
    js_page.get_by_label("Title", exact=True).fill("Browser Accessibility Check")
    js_page.get_by_label("Cost to the learner, in US dollars").fill("a lot")
    js_page.get_by_role("button", name="Save draft").last.click()
    js_page.locator("#cost_usd-error").wait_for()
    assert axe_violations(js_page) == []  # the page with its errors
    js_page.get_by_label("Cost to the learner, in US dollars").fill("")
    js_page.get_by_role("button", name="Save and continue").click()
    js_page.wait_for_url(re.compile(r"section=credit"))
    for section in ("credit", "outcomes", "workforce", "badge", "review"):
        js_page.goto(re.sub(r"section=\w+", f"section={section}", js_page.url))
        assert axe_violations(js_page) == [], section
    js_page.goto(re.sub(r"/edit\?.*$", "", js_page.url))
    assert js_page.get_by_role("heading", name="History").is_visible()
    assert axe_violations(js_page) == []
