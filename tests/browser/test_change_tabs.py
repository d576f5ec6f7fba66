"""A change request from two tabs of the same liaison, in a real browser: the second tab's save
is refused with a link to the open change, never a second change that would undo the first.
The pages this walks meet WCAG 2.1 AA as axe-core checks it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.enums import EntryStatus, RequestKind
from app.extensions import db
from app.models import CredentialRequest, Entry, Institution
from app.services import workflow
from tests.browser.test_review_flow import ADMIN, LIAISON, STAFF, audit, sign_in

pytestmark = pytest.mark.browser


def _free_entry(app) -> tuple[int, str, float | None]:
    """An active OSU entry with no change or retirement open on it."""
    with app.app_context():
        entries = db.session.scalars(
            sa.select(Entry)
            .join(Institution)
            .where(Institution.code == "OSU", Entry.status == EntryStatus.ACTIVE)
            .order_by(Entry.id)
        )
        for entry in entries:
            if workflow.open_change_for(entry) is None:
                return entry.id, entry.title, entry.content.cost_usd
    raise AssertionError("the seed has no OSU entry free to change")


def _changes_of(app, entry_id: int) -> list[tuple[int, float | None, str]]:
    """(id, cost, summary) of every change request of the entry."""
    with app.app_context():
        changes = db.session.scalars(
            sa.select(CredentialRequest).where(
                CredentialRequest.entry_id == entry_id,
                CredentialRequest.kind == RequestKind.CHANGE,
            )
        )
        return [(c.id, c.content.cost_usd, c.content.summary) for c in changes]


def test_a_second_tab_cannot_file_a_change_that_would_undo_the_first(live_server, browser):
    app = live_server.app
    entry_id, title, cost = _free_entry(app)
    first = sign_in(browser, live_server, LIAISON)
    second = first.context.new_page()  # a second tab of the same signed-in liaison
    second.set_default_timeout(10_000)
    url = f"{live_server.url}/institution/requests/new?kind=change&entry={entry_id}"
    for tab in (first, second):
        tab.goto(url)
        tab.get_by_role("heading", level=1, name="New change request").wait_for()

    first.get_by_label("Cost to the learner, in US dollars").fill("999")
    first.locator(".form-actions button[value=stay]").click()
    first.get_by_text("Your draft has been saved.").wait_for()

    second.get_by_label("Summary").fill("A different summary typed in the other tab.")
    second.locator(".form-actions button[value=stay]").click()
    alert = second.locator("#error-summary")
    alert.wait_for()
    assert "is still open" in alert.inner_text()
    [(change_id, change_cost, change_summary)] = _changes_of(app, entry_id)
    link = second.get_by_role("link", name=f"Open request #{change_id}")
    assert link.get_attribute("href") == f"/institution/requests/{change_id}"
    assert audit(browser, second) == []

    # The open change is the first tab's, untouched by the second.
    assert change_cost == 999
    assert change_summary != "A different summary typed in the other tab."
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert entry.content.cost_usd == cost and entry.title == title

    # Following the link shows the first change: delete it, and the entry is free again.
    link.click()
    second.wait_for_url(re.compile(rf"/institution/requests/{change_id}$"))
    assert audit(browser, second) == []
    second.get_by_text("Delete this draft…").click()
    second.get_by_role("button", name="Delete the draft").click()
    second.get_by_text("The draft has been deleted.").wait_for()
    assert _changes_of(app, entry_id) == []
    first.context.close()


def test_the_queue_with_closed_requests_and_the_policy_history_pass_axe(live_server, browser):
    staff = sign_in(browser, live_server, STAFF)
    staff.goto(live_server.url + "/review/?state=approved&state=declined&state=withdrawn&q=a")
    staff.get_by_role("heading", level=1, name="Review queue").wait_for()
    assert audit(browser, staff) == []
    staff.context.close()

    admin = sign_in(browser, live_server, ADMIN)
    admin.goto(live_server.url + "/admin/policy")
    admin.get_by_role("heading", name="History of changes").wait_for()
    assert audit(browser, admin) == []
    admin.context.close()


def test_revision_banner_reply_form_and_a_retirement_on_the_desk_pass_axe(live_server, browser):
    from app.services import users
    from app.workflow.states import Action
    from tests.browser.test_review_flow import CHANCELLOR
    from tests.workflow_helpers import COMPLETE_FIELDS

    app = live_server.app
    entry_id, _title, _cost = _free_entry(app)
    with app.app_context():
        liaison, staff = users.find_user(LIAISON), users.find_user(STAFF)
        req = workflow.create_request(
            liaison, "endorsement", {**COMPLETE_FIELDS, "title": "Axe Check Credential"}
        )
        for actor, action, kwargs in (
            (liaison, Action.SUBMIT, {}),
            (staff, Action.CLAIM, {}),
            (staff, Action.REQUEST_REVISIONS, {"comment": "Name a second partner."}),
        ):
            req = workflow.transition(actor, req.id, action, version=req.version, **kwargs)
        retire = workflow.create_request(
            liaison,
            "retirement",
            {
                "retirement_reason": "Replaced by a new program.",
                "retirement_effective_on": "2027-08-01",
                "retirement_teach_out": "Enrolled learners finish by December 2027.",
            },
            entry_id=entry_id,
        )
        for actor, action, kwargs in (
            (liaison, Action.SUBMIT, {}),
            (staff, Action.CLAIM, {}),
            (staff, Action.RECOMMEND, {"comment": "Agreed.", "recommendation": "retire"}),
        ):
            retire = workflow.transition(actor, retire.id, action, version=retire.version, **kwargs)
        request_id, retire_id = req.id, retire.id

    page = sign_in(browser, live_server, LIAISON)
    page.goto(f"{live_server.url}/institution/requests/{request_id}/edit?section=workforce")
    page.locator("#revision-request").get_by_text("Name a second partner.").wait_for()
    assert audit(browser, page) == []
    page.goto(f"{live_server.url}/institution/requests/{request_id}")
    page.get_by_label("Write to the State Regents' staff").fill("Would the Farm Bureau do?")
    page.get_by_role("button", name="Send the comment").click()
    page.get_by_text("Your comment has been sent").wait_for()
    assert audit(browser, page) == []
    page.context.close()

    desk = sign_in(browser, live_server, CHANCELLOR)
    desk.goto(live_server.url + "/approvals/")
    item = desk.locator(f"#recommendation-{retire_id}")
    assert "Retire the entry" in item.inner_text() and "December 2027" in item.inner_text()
    assert "published" not in item.inner_text().lower()
    assert audit(browser, desk) == []
    desk.goto(f"{live_server.url}/review/{retire_id}")
    assert audit(browser, desk) == []
    desk.context.close()
