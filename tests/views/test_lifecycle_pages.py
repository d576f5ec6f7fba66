"""The lifecycle on the pages: a second change from another tab, retirement details, the form's
cap following the policy setting, the near-duplicate explanation."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CredentialRequest
from app.services import policy
from app.workflow.states import RequestState
from tests.workflow_helpers import PASSWORD, People, request_in


@pytest.fixture
def people(app):
    return People()


@pytest.fixture
def signed_in(app, login):
    def sign_in(user):
        client = app.test_client()
        assert login(client, user.email, PASSWORD).status_code == 302
        return client

    return sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_second_change_from_another_tab_is_refused_with_a_link_to_the_first(people, signed_in):
    entry = request_in(people, RequestState.APPROVED).entry
    first_tab, second_tab = signed_in(people.liaison), signed_in(people.liaison)
    url = f"/institution/requests/new?kind=change&entry={entry.id}"
    assert first_tab.get(url).status_code == 200
    assert second_tab.get(url).status_code == 200

    saved = first_tab.post(url, data={"title": entry.title, "summary": "First tab", "go": "stay"})
    assert saved.status_code == 302
    refused = second_tab.post(url, data={"title": entry.title, "summary": "Second", "go": "stay"})
    assert refused.status_code == 409
    first = db.session.scalar(db.select(CredentialRequest).filter_by(kind="change"))
    page = text(refused)
    assert f"request #{first.id}" in page and f'href="/institution/requests/{first.id}"' in page
    assert (
        db.session.scalar(db.select(db.func.count(CredentialRequest.id)).filter_by(kind="change"))
        == 1
    )


def test_the_retirement_form_asks_for_the_reason_the_date_and_the_teach_out(people, signed_in):
    entry = request_in(people, RequestState.APPROVED).entry
    liaison = signed_in(people.liaison)
    url = f"/institution/requests/new?kind=retirement&entry={entry.id}"
    page = text(liaison.get(url))
    assert 'name="retirement_effective_on"' in page and 'name="retirement_teach_out"' in page
    bad = liaison.post(url, data={"retirement_effective_on": "next spring", "go": "stay"})
    assert bad.status_code == 422 and "Give the date as YYYY-MM-DD." in text(bad)
    saved = liaison.post(
        url,
        data={
            "retirement_reason": "Replaced.",
            "retirement_effective_on": "2027-06-01",
            "retirement_teach_out": "Enrolled learners finish by August 2027.",
            "go": "stay",
        },
    )
    assert saved.status_code == 302
    req = db.session.scalar(db.select(CredentialRequest).filter_by(kind="retirement"))
    assert req.retirement_effective_on.isoformat() == "2027-06-01"
    assert "August 2027" in req.retirement_teach_out


def test_the_forms_cap_text_follows_the_policy_setting(people, signed_in):
    policy.update_settings(people.admin, cap=12)
    liaison = signed_in(people.liaison)
    draft = request_in(people, RequestState.DRAFT)
    page = text(liaison.get(f"/institution/requests/{draft.id}/edit?section=credit"))
    assert "up to 12 credit hours" in page and "up to 9 credit hours" not in page


def test_the_liaison_explains_a_near_duplicate_and_staff_read_it(people, signed_in):
    request_in(people, RequestState.APPROVED, title="Agribusiness Management")
    liaison = signed_in(people.liaison)
    draft = request_in(people, RequestState.DRAFT, title="Agribusiness Mgmt Fundamentals")
    page = text(liaison.get(f"/institution/requests/{draft.id}/edit?section=about"))
    assert "Agribusiness Management" in page  # the warning names the existing entry
    assert 'name="duplicate_explanation"' in page
    saved = liaison.post(
        f"/institution/requests/{draft.id}/edit?section=about",
        data={
            "version": draft.version,
            "title": "Agribusiness Mgmt Fundamentals",
            "summary": draft.content.summary,
            "delivery": "hybrid",
            "entry_type": "micro-credential",
            "duplicate_explanation": "For high-school dual-credit students.",
            "go": "stay",
        },
    )
    assert saved.status_code == 302
    submitted = liaison.post(
        f"/institution/requests/{draft.id}/actions/submit",
        data={"version": db.session.get(CredentialRequest, draft.id).version},
    )
    assert submitted.status_code == 302  # a warning, not a block
    review_page = text(signed_in(people.staff).get(f"/review/{draft.id}"))
    assert "For high-school dual-credit students." in review_page
    assert "Not a near-duplicate" in review_page


def test_staff_find_closed_requests_from_the_queue_and_search_it(people, signed_in):
    approved = request_in(people, RequestState.APPROVED, title="Welding Inspection")
    declined = request_in(people, RequestState.DECLINED, title="Drone Basics")
    withdrawn = request_in(people, RequestState.SUBMITTED, title="Pottery Glazes")
    from app.services import workflow

    workflow.transition(people.liaison, withdrawn.id, "withdraw", version=withdrawn.version)
    waiting = request_in(people, RequestState.SUBMITTED, title="Welding Safety")
    staff = signed_in(people.staff)

    queue_page = text(staff.get("/review/"))
    assert 'href="/review/?state=approved' in queue_page  # closed requests are one click away
    for state, req in (("approved", approved), ("declined", declined), ("withdrawn", withdrawn)):
        response = staff.get(f"/review/?state={state}")
        assert response.status_code == 200
        assert f'id="request-{req.id}"' in text(response)
    found = text(staff.get("/review/?state=approved&state=submitted&q=welding"))
    assert f'id="request-{approved.id}"' in found and f'id="request-{waiting.id}"' in found
    assert f'id="request-{declined.id}"' not in found
    by_number = text(staff.get(f"/review/?state=declined&q=%23{declined.id}"))
    assert f'id="request-{declined.id}"' in by_number
    assert staff.get("/review/?state=draft").status_code == 422


def test_the_revision_request_shows_on_the_sections_and_the_liaison_replies(people, signed_in):
    req = request_in(people, RequestState.REVISIONS_REQUESTED)  # "Add an employer partner."
    liaison = signed_in(people.liaison)
    for section in ("about", "workforce", "review"):
        page = text(liaison.get(f"/institution/requests/{req.id}/edit?section={section}"))
        assert "Revisions requested by" in page and "Add an employer partner." in page
    refused = liaison.post(f"/institution/requests/{req.id}/comments", data={"body": "  "})
    assert refused.status_code == 422 and "Write a comment." in text(refused)
    sent = liaison.post(
        f"/institution/requests/{req.id}/comments",
        data={"body": "Would a letter from the Farm Bureau do?"},
        follow_redirects=True,
    )
    assert "Your comment has been sent" in text(sent)
    review_page = text(signed_in(people.staff).get(f"/review/{req.id}"))
    assert "Would a letter from the Farm Bureau do?" in review_page


def test_the_review_page_marks_added_and_removed_list_items(people, signed_in):
    from app.services import workflow

    req = request_in(people, RequestState.REVISIONS_REQUESTED)
    req = workflow.update_request(
        people.liaison, req.id, req.version, {"skills": ["Drone piloting", "GIS"]}
    )
    workflow.transition(people.liaison, req.id, "resubmit", version=req.version)
    page = text(signed_in(people.staff).get(f"/review/{req.id}"))
    assert '<span class="usa-sr-only">Added: </span>GIS' in page
    assert '<span class="usa-sr-only">Removed: </span>Yield mapping' in page


def test_an_empty_save_creates_nothing_and_a_draft_is_deleted_from_its_page(people, signed_in):
    liaison = signed_in(people.liaison)
    empty = liaison.post(
        "/institution/requests/new?kind=endorsement",
        data={"title": "", "summary": "", "entry_type": "micro-credential", "go": "stay"},
    )
    assert empty.status_code == 422 and "Give at least the title" in text(empty)
    assert db.session.scalar(db.select(db.func.count(CredentialRequest.id))) == 0
    draft = request_in(people, RequestState.DRAFT, title="Abandoned")
    page = text(liaison.get(f"/institution/requests/{draft.id}"))
    assert "Delete the draft" in page
    gone = liaison.post(
        f"/institution/requests/{draft.id}/delete",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert "The draft has been deleted." in text(gone) and "Abandoned" not in text(gone)


def test_a_huge_body_is_refused_with_a_friendly_413(people, signed_in):
    liaison = signed_in(people.liaison)
    draft = request_in(people, RequestState.DRAFT)
    response = liaison.post(
        f"/institution/requests/{draft.id}/edit?section=about",
        data={"version": draft.version, "title": "T", "description": "z" * (3 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "Too much to send at once" in text(response) and "nothing was saved" in text(response)


def test_a_too_long_summary_and_an_ftp_link_get_clear_messages(people, signed_in):
    liaison = signed_in(people.liaison)
    draft = request_in(people, RequestState.DRAFT)
    response = liaison.post(
        f"/institution/requests/{draft.id}/edit?section=about",
        data={
            "version": draft.version,
            "title": "T",
            "summary": "s" * 5000,
            "duration_weeks": "1000000000",
            "enrollment_url": "ftp://files.example.edu/enroll",
            "go": "stay",
        },
    )
    page = text(response)
    assert response.status_code == 422
    assert "Keep it to 2,000 characters or fewer (it has 5,000)." in page
    assert "at most 520 weeks" in page and "starts with https://" in page


def test_a_declined_request_is_copied_from_its_page(people, signed_in):
    declined = request_in(people, RequestState.DECLINED, title="Try Again Credential")
    liaison = signed_in(people.liaison)
    assert "Copy into a new draft" in text(liaison.get(f"/institution/requests/{declined.id}"))
    response = liaison.post(f"/institution/requests/{declined.id}/copy")
    assert response.status_code == 302
    copy = db.session.scalar(
        db.select(CredentialRequest).where(CredentialRequest.id != declined.id)
    )
    assert copy.state is RequestState.DRAFT and copy.content.title == "Try Again Credential"


def test_the_review_page_shows_names_not_codes_and_the_badge_image(people, signed_in):
    from tests.workflow_helpers import BADGE_METADATA

    req = request_in(
        people,
        RequestState.SUBMITTED,
        kind="badge",
        entry_type="digital-badge",
        badge=BADGE_METADATA,
    )
    page = text(signed_in(people.staff).get(f"/review/{req.id}"))
    assert "(45-2091)" in page and "Agricultur" in page  # occupation and industry by name
    assert '<img class="badge-preview" src="https://example.org/badge.png"' in page


def test_the_dashboard_links_an_entry_to_its_open_change_instead_of_offering_another(
    people, signed_in
):
    from app.services import workflow

    entry = request_in(people, RequestState.APPROVED).entry
    change = workflow.create_request(people.liaison, "change", {"cost_usd": 5}, entry_id=entry.id)
    page = text(signed_in(people.liaison).get("/institution/"))
    assert f"Change request #{change.id} is open" in page
    assert f"kind=change&amp;entry={entry.id}" not in page


def test_staff_download_the_queue_and_audit_trails(people, signed_in):
    import csv
    import io
    import json
    from datetime import UTC, datetime

    approved = request_in(people, RequestState.APPROVED, title="=HYPERLINK(evil)")
    waiting = request_in(people, RequestState.SUBMITTED, title="Welding Safety")
    staff = signed_in(people.staff)
    assert "Download this list as CSV" in text(staff.get("/review/"))

    rows = list(csv.DictReader(io.StringIO(text(staff.get("/review/export.csv?state=approved")))))
    assert [r["id"] for r in rows] == [str(approved.id)]
    assert rows[0]["title"] == "'=HYPERLINK(evil)" and rows[0]["state"] == "approved"
    rows = list(csv.DictReader(io.StringIO(text(staff.get("/review/export.csv?q=welding")))))
    assert [r["id"] for r in rows] == [str(waiting.id)]

    trail = list(
        csv.DictReader(io.StringIO(text(staff.get(f"/review/audit.csv?request={approved.id}"))))
    )
    assert [r["action"] for r in trail] == ["submit", "claim", "recommend", "approve"]
    assert trail[-1]["rule_set_version"] and trail[-1]["actor_role"] == "chancellor"
    today = datetime.now(UTC).date().isoformat()
    lines = text(staff.get(f"/review/audit.jsonl?from={today}&to={today}")).splitlines()
    assert {json.loads(line)["request_id"] for line in lines} == {approved.id, waiting.id}
    assert staff.get("/review/audit.csv").status_code == 422
    assert staff.get("/review/audit.csv?from=2026-01-01&to=2028-01-01").status_code == 422
    assert signed_in(people.liaison).get("/review/export.csv").status_code == 403


def test_a_liaison_attaches_a_letter_and_staff_download_it(app, tmp_path, people, signed_in):
    import io

    app.config["ATTACHMENT_DIR"] = str(tmp_path / "files")
    pdf = b"%PDF-1.4\n%%EOF\n"
    draft = request_in(people, RequestState.DRAFT)
    liaison = signed_in(people.liaison)
    refused = liaison.post(
        f"/institution/requests/{draft.id}/attachments",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "Attach a PDF, Word (DOCX)" in text(refused)
    done = liaison.post(
        f"/institution/requests/{draft.id}/attachments",
        data={"file": (io.BytesIO(pdf), "letter.pdf"), "description": "Letter of support"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file is attached" in text(done) and "letter.pdf" in text(done)
    attachment = db.session.get(CredentialRequest, draft.id).attachments[0]
    staff_copy = signed_in(people.staff).get(f"/review/{draft.id}/attachments/{attachment.id}")
    assert staff_copy.status_code == 200 and staff_copy.data == pdf
    assert "attachment" in staff_copy.headers["Content-Disposition"]
    assert staff_copy.headers["X-Content-Type-Options"] == "nosniff"
    staff_copy.close()
    other = signed_in(people.other)
    assert (
        other.get(f"/institution/requests/{draft.id}/attachments/{attachment.id}").status_code
        == 404
    )


def test_campus_sign_offs_are_recorded_by_the_liaison_and_shown_to_staff(people, signed_in):
    draft = request_in(people, RequestState.DRAFT)
    liaison = signed_in(people.liaison)
    bad = liaison.post(
        f"/institution/requests/{draft.id}/signoffs",
        data={"name": "", "role": "bishop", "signed_on": "yesterday"},
    )
    page = text(bad)
    assert bad.status_code == 422
    assert "Give the name" in page and "Choose chair, dean" in page and "YYYY-MM-DD" in page
    done = liaison.post(
        f"/institution/requests/{draft.id}/signoffs",
        data={"name": "Dr. Pat Lee", "role": "dean", "signed_on": "2026-11-02"},
        follow_redirects=True,
    )
    assert "The campus sign-off is recorded." in text(done)
    req = db.session.get(CredentialRequest, draft.id)
    from app.services import workflow

    workflow.transition(people.liaison, req.id, "submit", version=req.version)
    review_page = text(signed_in(people.staff).get(f"/review/{draft.id}"))
    assert "Dr. Pat Lee" in review_page and "dean, 2026-11-02" in review_page
    late = liaison.post(
        f"/institution/requests/{draft.id}/signoffs",
        data={"name": "Provost", "role": "provost", "signed_on": "2026-11-03"},
    )
    assert late.status_code == 409
