"""A request's whole way through the Regents, in a real browser: staff filter the queue, claim
it and ask for revisions; the liaison resubmits (back to the same reviewer); staff recommend
endorsement; the chancellor approves; the public search shows it endorsed. One browser context
per person."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from flask import url_for

from app.extensions import db
from app.models import CredentialRequest
from app.services import users, workflow
from app.workflow.states import Action, RequestState
from tests.browser.conftest import axe_violations
from tests.workflow_helpers import COMPLETE_FIELDS

pytestmark = pytest.mark.browser

PASSWORD = "demo-password-2026"
STAFF = "staff@regents.example.org"
CHANCELLOR = "chancellor@regents.example.org"
LIAISON = "liaison.osu@example.edu"
ADMIN = "admin@regents.example.org"


def sign_in(browser, live_server, email):
    """A fresh browser context (its own cookies) signed in as ``email`` at /login."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    for _attempt in range(30):  # the sign-in page may still be on its way
        response = page.goto(live_server.url + "/login")
        if response is not None and response.ok and page.locator("input[name=email]").count():
            break
        time.sleep(2)
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]", has_text="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def audit(browser, page) -> list[dict]:
    """axe-core's serious violations on the page ``page`` shows, seen by the same person. The
    site's Content-Security-Policy forbids the injected axe script, so the audit runs in a
    second context that bypasses it; the flow itself runs under the policy."""
    context = browser.new_context(storage_state=page.context.storage_state(), bypass_csp=True)
    try:
        copy = context.new_page()
        copy.goto(page.url)
        return axe_violations(copy)
    finally:
        context.close()


def request_state(live_server, request_id) -> RequestState:
    with live_server.app.app_context():
        return db.session.get(CredentialRequest, request_id).state


def test_staff_review_chancellor_approval_and_public_search(live_server, browser):
    title = f"Orchard Robotics {uuid.uuid4().hex[:8]}"
    app = live_server.app
    with app.app_context():
        liaison = users.find_user(LIAISON)
        req = workflow.create_request(liaison, "endorsement", {**COMPLETE_FIELDS, "title": title})
        req = workflow.transition(liaison, req.id, Action.SUBMIT, version=req.version)
        request_id = req.id
        old_summary = req.content.summary

    # Staff find it in the queue by institution, claim it and ask for revisions.
    staff = sign_in(browser, live_server, STAFF)
    staff.goto(live_server.url + "/review/")
    staff.get_by_label("Institution").select_option("OSU")
    staff.get_by_role("button", name="Apply filters").click()
    staff.wait_for_url(re.compile(r"institution=OSU"))
    row = staff.locator(f"#request-{request_id}")
    assert title in row.inner_text()
    assert audit(browser, staff) == []
    row.locator(f"label[for=item-{request_id}]").click()
    staff.get_by_role("button", name="Claim selected").click()
    staff.get_by_text(f"Request #{request_id} “{title}” is assigned to Jordan Castillo.").wait_for()
    assert "institution=OSU" in staff.url
    assert request_state(live_server, request_id) is RequestState.IN_REVIEW

    staff.locator(f"#request-{request_id}").get_by_role("link", name=title).click()
    staff.wait_for_url(re.compile(rf"/review/{request_id}$"))
    assert audit(browser, staff) == []
    staff.get_by_label("Message to the institution").fill("Say more about the farm data work.")
    staff.get_by_role("button", name="Request revisions").click()
    staff.get_by_text("Revisions requested").first.wait_for()
    assert request_state(live_server, request_id) is RequestState.REVISIONS_REQUESTED

    # The liaison revises the summary and resubmits.
    new_summary = "Drones, soil sensors and the farm data they produce."
    with app.app_context():
        liaison = users.find_user(LIAISON)
        req = db.session.get(CredentialRequest, request_id)
        workflow.update_request(liaison, request_id, req.version, {"summary": new_summary})
        with app.test_request_context():
            detail_path = url_for("liaison.request_detail", request_id=request_id)
    liaison_page = sign_in(browser, live_server, LIAISON)
    liaison_page.goto(live_server.url + detail_path)
    liaison_page.get_by_role("button", name=re.compile(r"^Resubmit")).first.click()
    liaison_page.get_by_text("The request has been resubmitted").wait_for()
    liaison_page.context.close()
    assert request_state(live_server, request_id) is RequestState.IN_REVIEW

    # Back with the same reviewer: staff see what changed and recommend endorsement.
    staff.goto(live_server.url + f"/review/{request_id}")
    changes = staff.locator("#changes-since-last")
    assert "Summary" in changes.inner_text()
    assert old_summary in changes.inner_text() and new_summary in changes.inner_text()
    staff.locator("label[for=recommendation-endorse]").click()
    staff.get_by_label("Rationale").fill("Meets every rule; strong employer partner.")
    staff.get_by_role("button", name="Send the recommendation").click()
    staff.get_by_text("Recommended: endorse. It now waits on the chancellor.").wait_for()
    assert request_state(live_server, request_id) is RequestState.RECOMMENDED
    staff.context.close()

    # The chancellor approves on the desk.
    chancellor = sign_in(browser, live_server, CHANCELLOR)
    chancellor.goto(live_server.url + "/approvals/")
    item = chancellor.locator(f"#recommendation-{request_id}")
    assert "Meets every rule; strong employer partner." in item.inner_text()
    assert audit(browser, chancellor) == []
    item.get_by_role("button", name=re.compile(r"^Approve")).click()
    chancellor.get_by_text(
        f"Approved “{title}”. It is published as “{title}”, Endorsed by State Regents."
    ).wait_for()
    assert request_state(live_server, request_id) is RequestState.APPROVED
    chancellor.context.close()

    # Anyone finds it at once, tagged as decided.
    context = browser.new_context()
    public = context.new_page()
    public.set_default_timeout(10_000)
    public.goto(live_server.url + "/search?q=" + title.replace(" ", "+"))
    result = public.locator(".result", has_text=title)
    assert result.count() == 1
    assert "Endorsed by State Regents" in result.inner_text()
    assert "Not Endorsed" not in result.inner_text()
    context.close()
