"""The liaison's portal: dashboard, the request form in sections, actions, comments, timeline,
and a liaison's world being their own institution only."""

from __future__ import annotations

import html
import io
import re

import pytest

from app.extensions import db
from app.models import CredentialRequest
from app.services import workflow
from app.services.content import content_fields
from app.workflow.states import RequestState
from tests import factories
from tests.services.test_badge_images import PNG, SVG_WITH_SCRIPT
from tests.workflow_helpers import People, request_in


@pytest.fixture
def people(app, tmp_path):
    app.config["BADGE_IMAGE_DIR"] = str(tmp_path / "badge-images")
    return People()


@pytest.fixture
def liaison(app, people, login):
    client = app.test_client()
    assert login(client, people.liaison.email).status_code == 302
    client.get("/institution/")  # shows (and so clears) the "Signed in" message
    return client


def _text(response) -> str:
    """The page, but for the request's own id (every error page quotes it)."""
    page = response.get_data(as_text=True)
    rid = response.headers.get("X-Request-ID")
    return page.replace(rid, "<request id>") if rid else page


def _version(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def _value(page: str, name: str) -> str | None:
    """The value of the text input called ``name`` (None if the page has no such input)."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def _reload(req_id: int) -> CredentialRequest:
    db.session.expire_all()
    return db.session.get(CredentialRequest, req_id)


def _edit(req_id: int, section: str) -> str:
    return f"/institution/requests/{req_id}/edit?section={section}"


def _post_section(client, req_id, section, data, go="next"):
    page = _text(client.get(_edit(req_id, section)))
    return client.post(_edit(req_id, section), data={"version": _version(page), "go": go, **data})


ABOUT = {
    "title": "Precision Agriculture Technician",
    "summary": "Drones, sensors and data for modern farms.",
    "description": "",
    "purpose": "Meet the demand for technicians on Oklahoma farms.",
    "audience": "Working farmers and agronomy students.",
    "entry_type": "micro-credential",
    "category": "emergent",
    "learning_type": "curricular",
    "badge_level": "intermediate",
    "delivery": "hybrid",
    "duration_weeks": "16",
    "cost_usd": "1,250",
    "enrollment_url": "https://go.okstate.edu/precision-ag",
    "external_id": "OSU-PA-1",
}


def _start(client, data=None, kind="endorsement"):
    response = client.post(
        f"/institution/requests/new?kind={kind}", data={**ABOUT, "go": "next", **(data or {})}
    )
    assert response.status_code == 302, _text(response)
    req_id = int(re.search(r"/requests/(\d+)/edit", response.headers["Location"]).group(1))
    return req_id, response


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_groups_requests_and_puts_revisions_first(liaison, people):
    request_in(people, RequestState.DRAFT, title="Drone Survey Basics")
    request_in(people, RequestState.SUBMITTED, title="Soil Data Analyst")
    request_in(people, RequestState.REVISIONS_REQUESTED, title="Irrigation Controls")
    workflow.create_request(people.other, "endorsement", {"title": "Tulsa Welding Secret"})
    entry = factories.publish(title="Applied Cybersecurity Foundations")

    page = _text(liaison.get("/institution/"))

    needs = page.index("Needs your action")
    assert needs < page.index("Irrigation Controls") < page.index('id="group-draft"')
    assert "you: revise and resubmit" in page
    draft_group = page[page.index('id="group-draft"') : page.index('id="group-submitted"')]
    assert "Drone Survey Basics" in draft_group and "you: submit when ready" in draft_group
    submitted_group = page[page.index('id="group-submitted"') :]
    assert "Soil Data Analyst" in submitted_group and "Regents&#39; staff" in submitted_group
    assert "Tulsa Welding Secret" not in page
    assert "Applied Cybersecurity Foundations" in page
    assert f"kind=change&amp;entry={entry.id}" in page
    assert f"kind=retirement&amp;entry={entry.id}" in page


def test_only_liaisons_use_the_portal(app, people, login):
    anonymous = app.test_client()
    response = anonymous.get("/institution/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    staff = app.test_client()
    login(staff, people.staff.email)
    assert staff.get("/institution/").status_code == 403
    assert staff.get("/institution/requests/new?kind=endorsement").status_code == 403


def test_the_navigation_links_a_liaison_to_their_institution(liaison):
    page = _text(liaison.get("/search"))
    assert 'href="/institution/"' in page and "My institution" in page


# --- filing through the sections --------------------------------------------------------------


def test_filing_through_every_section_saves_exactly_what_was_typed(liaison, people):
    req_id, response = _start(liaison)
    assert response.headers["Location"].endswith("section=credit")
    response = _post_section(
        liaison,
        req_id,
        "credit",
        {
            "credit_bearing": "yes",
            "credit_hours": "6",
            "courses-0-code": "AG 2103",
            "courses-0-title": "Sensors in the Field",
            "courses-0-credit_hours": "3",
            "courses-1-code": "AG 2203",
            "courses-1-title": "Farm Data",
            "courses-1-credit_hours": "3",
            "courses-2-code": "",
            "courses-2-title": "",
            "courses-2-credit_hours": "",
            "clock_hours": "",
            "activities-0-title": "",
            "activities-0-clock_hours": "",
        },
    )
    assert response.headers["Location"].endswith("section=outcomes")
    _post_section(
        liaison,
        req_id,
        "outcomes",
        {
            "learning_outcomes-0-text": "Fly a survey mission.",
            "learning_outcomes-0-assessment": "Flight log review",
            "learning_outcomes-1-text": "",
            "learning_outcomes-1-assessment": "",
            "assessment": "Field practicals.",
            "skills-0": "Drone piloting",
            "skills-1": "Yield mapping",
            "skills-2": "",
            "competencies": ["Critical Thinking", "Technology"],
            "focus_areas": ["Career Preparation"],
        },
    )
    _post_section(
        liaison,
        req_id,
        "workforce",
        {
            "industries-0": "11",
            "industries-1": "",
            "occupations-0": "45-2091",
            "occupations-1": "",
            "partners-0-name": "Oklahoma Farm Bureau",
            "partners-0-role": "co-designer",
            "partners-1-name": "",
            "partners-1-role": "",
            "demand_evidence": "Letters from 12 employers.",
            "interest_evidence": "A survey of 300 students.",
            "promotion_plan": "Extension offices.",
            "stacks_into-0": "BS Agribusiness",
        },
    )
    response = _post_section(
        liaison,
        req_id,
        "badge",
        {
            "badge_name": "Precision Ag Tech",
            "badge_issuer": "Oklahoma State University",
            "badge_description": "Flies and maps fields.",
            "badge_criteria": "Complete both courses.",
            "badge_evidence": "A survey flight log.",
            "badge_platform": "Credly",
            "badge_expires_months": "36",
            "badge_image_url": "https://badges.okstate.edu/pa.png",
        },
    )
    assert response.headers["Location"].endswith("section=review")

    fields = content_fields(_reload(req_id).content)
    assert {
        k: fields[k]
        for k in (
            "title",
            "summary",
            "purpose",
            "audience",
            "category",
            "learning_type",
            "badge_level",
            "delivery",
            "duration_weeks",
            "cost_usd",
            "enrollment_url",
            "description",
        )
    } == {
        "title": "Precision Agriculture Technician",
        "summary": "Drones, sensors and data for modern farms.",
        "purpose": "Meet the demand for technicians on Oklahoma farms.",
        "audience": "Working farmers and agronomy students.",
        "category": "emergent",
        "learning_type": "curricular",
        "badge_level": "intermediate",
        "delivery": "hybrid",
        "duration_weeks": 16,
        "cost_usd": 1250,
        "enrollment_url": "https://go.okstate.edu/precision-ag",
        "description": None,
    }
    assert fields["credit_bearing"] is True and fields["credit_hours"] == 6
    assert fields["courses"] == [
        {"code": "AG 2103", "title": "Sensors in the Field", "credit_hours": 3},
        {"code": "AG 2203", "title": "Farm Data", "credit_hours": 3},
    ]
    assert fields["activities"] == [] and fields["clock_hours"] is None
    assert fields["learning_outcomes"] == [
        {"text": "Fly a survey mission.", "assessment": "Flight log review"}
    ]
    assert fields["skills"] == ["Drone piloting", "Yield mapping"]
    assert fields["competencies"] == ["Critical Thinking", "Technology"]
    assert fields["focus_areas"] == ["Career Preparation"]
    assert fields["industries"] == ["11"] and fields["occupations"] == ["45-2091"]
    assert fields["partners"] == [{"name": "Oklahoma Farm Bureau", "role": "co-designer"}]
    assert fields["stacks_into"] == ["BS Agribusiness"]
    assert fields["badge"] == {
        "name": "Precision Ag Tech",
        "issuer": "Oklahoma State University",
        "description": "Flies and maps fields.",
        "criteria": "Complete both courses.",
        "evidence": "A survey flight log.",
        "image_url": "https://badges.okstate.edu/pa.png",
        "platform": "Credly",
        "expires_months": 36,
    }
    assert _reload(req_id).external_id == "OSU-PA-1"

    review = _text(liaison.get(_edit(req_id, "review")))
    assert "Before you can submit" not in review and "Submit the request" in review
    response = liaison.post(
        f"/institution/requests/{req_id}/actions/submit", data={"version": _version(review)}
    )
    assert response.status_code == 302, _text(response)
    assert _reload(req_id).state is RequestState.SUBMITTED
    detail = _text(liaison.get(response.headers["Location"]))
    assert "has been submitted" in detail and "Regents&#39; staff" in detail
    assert "Draft → Submitted" in detail


def test_a_saved_section_shows_what_was_saved(liaison):
    req_id, _ = _start(liaison)
    page = _text(liaison.get(_edit(req_id, "about")))
    assert _value(page, "title") == "Precision Agriculture Technician"
    assert _value(page, "cost_usd") == "1250"
    assert 'value="hybrid" checked' in page or re.search(r'checked[^>]*value="hybrid"', page)
    assert 'class="usa-step-indicator' in page
    assert f'href="/institution/requests/{req_id}/edit?section=credit"' in page


def test_a_mistyped_number_keeps_what_was_typed_and_saves_nothing(liaison):
    req_id, _ = _start(liaison)
    response = _post_section(
        liaison,
        req_id,
        "credit",
        {
            "credit_bearing": "yes",
            "credit_hours": "six",
            "courses-0-code": "AG 2103",
            "courses-0-title": "Sensors",
            "courses-0-credit_hours": "3",
        },
    )
    page = _text(response)
    assert response.status_code == 422
    assert _value(page, "credit_hours") == "six"
    assert _value(page, "courses-0-code") == "AG 2103"
    assert 'id="credit_hours-error"' in page and "Enter a number" in page
    assert re.search(r'aria-describedby="[^"]*credit_hours-error', page)
    assert 'href="#credit_hours"' in page  # the summary at the top links to the field
    content = _reload(req_id).content
    assert content.credit_hours is None and content.courses == []


def test_a_number_the_rules_refuse_is_shown_on_its_row(liaison):
    req_id, _ = _start(liaison)
    response = _post_section(
        liaison,
        req_id,
        "credit",
        {
            "credit_bearing": "yes",
            "credit_hours": "3",
            "courses-0-code": "AG 2103",
            "courses-0-title": "Sensors",
            "courses-0-credit_hours": "-3",
        },
    )
    page = _text(response)
    assert response.status_code == 422
    assert _value(page, "courses-0-credit_hours") == "-3"
    assert 'id="courses-0-credit_hours-error"' in page and "Give a number from 0 to 999." in page
    assert _reload(req_id).content.courses == []


def test_an_unknown_occupation_is_a_field_error(liaison):
    req_id, _ = _start(liaison)
    response = _post_section(
        liaison,
        req_id,
        "workforce",
        {
            "occupations-0": "15-1212",
            "occupations-1": "99-9999",
            "demand_evidence": "Letters",
        },
    )
    page = _text(response)
    assert response.status_code == 422
    assert _value(page, "occupations-1") == "99-9999"
    assert 'id="occupations-1-error"' in page and "Unknown occupation" in page
    assert _reload(req_id).content.demand_evidence is None


def test_add_another_row_works_without_javascript(liaison):
    req_id, _ = _start(liaison)
    page = _text(liaison.get(_edit(req_id, "credit")))
    assert _value(page, "courses-0-code") == "" and _value(page, "courses-1-code") is None
    assert 'name="add_row" value="courses"' in page

    response = liaison.post(
        _edit(req_id, "credit"),
        data={
            "version": _version(page),
            "credit_bearing": "yes",
            "courses-0-code": "AG 2103",
            "courses-0-title": "Sensors",
            "courses-0-credit_hours": "3",
            "add_row": "courses",
        },
    )
    assert response.status_code == 302
    page = _text(liaison.get(response.headers["Location"]))
    assert _value(page, "courses-0-code") == "AG 2103"
    assert _value(page, "courses-1-code") == ""
    assert _value(page, "courses-2-code") is None
    assert [c.code for c in _reload(req_id).content.courses] == ["AG 2103"]


def test_submitting_an_incomplete_request_says_what_to_fix(liaison, people):
    req = workflow.create_request(people.liaison, "endorsement", {"title": "Half done"})
    response = liaison.post(
        f"/institution/requests/{req.id}/actions/submit", data={"version": str(req.version)}
    )
    page = _text(response)
    assert response.status_code == 422
    assert "Give a one-paragraph summary." in page and "List at least one skill." in page
    assert f'href="/institution/requests/{req.id}/edit?section=about"' in page
    assert f'href="/institution/requests/{req.id}/edit?section=outcomes"' in page
    assert _reload(req.id).state is RequestState.DRAFT
    review = _text(liaison.get(_edit(req.id, "review")))
    assert "Before you can submit" in review and "Give a one-paragraph summary." in review


def test_a_stale_page_is_refused_and_nothing_is_written(liaison, people):
    req_id, _ = _start(liaison)
    page = _text(liaison.get(_edit(req_id, "about")))
    stale = _version(page)
    req = _reload(req_id)
    workflow.update_request(people.liaison, req_id, req.version, {"title": "Saved in another tab"})

    response = liaison.post(
        _edit(req_id, "about"),
        data={**ABOUT, "title": "Typed here", "version": stale, "go": "next"},
    )
    page = _text(response)
    assert response.status_code == 409
    assert "This request changed since you opened it" in page
    assert _value(page, "title") == "Typed here"
    assert _reload(req_id).content.title == "Saved in another tab"

    response = liaison.post(
        f"/institution/requests/{req_id}/actions/submit", data={"version": stale}
    )
    assert response.status_code == 409 and "changed since you opened it" in _text(response)
    assert _reload(req_id).state is RequestState.DRAFT


def test_withdraw(liaison, people):
    req = request_in(people, RequestState.SUBMITTED, title="No Longer Needed")
    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    assert "Withdraw the request" in page and "Submit the request" not in page
    response = liaison.post(
        f"/institution/requests/{req.id}/actions/withdraw",
        data={"version": _version(page), "comment": "Program cancelled."},
    )
    assert response.status_code == 302
    assert _reload(req.id).state is RequestState.WITHDRAWN
    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    assert "Submitted → Withdrawn" in page and "Program cancelled." in page
    assert "Withdraw the request" not in page
    response = liaison.get(_edit(req.id, "about"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{req.id}")


def test_revise_and_resubmit_after_revisions_were_requested(liaison, people):
    req = request_in(people, RequestState.REVISIONS_REQUESTED, title="Irrigation Controls")
    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    assert "Add an employer partner." in page  # the staff comment addressed to the institution
    assert "Revise the request" in page and "Resubmit the request" in page

    _post_section(
        liaison,
        req.id,
        "workforce",
        {
            "industries-0": "11",
            "occupations-0": "45-2091",
            "partners-0-name": "Oklahoma Farm Bureau",
            "partners-0-role": "co-designer",
            "partners-1-name": "Deere & Company",
            "partners-1-role": "equipment and hiring",
        },
    )
    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    response = liaison.post(
        f"/institution/requests/{req.id}/actions/resubmit",
        data={"version": _version(page), "comment": "Added Deere."},
    )
    assert response.status_code == 302
    req = _reload(req.id)
    assert req.state is RequestState.IN_REVIEW  # back with the reviewer who asked
    assert [p.name for p in req.content.partners] == ["Oklahoma Farm Bureau", "Deere & Company"]
    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    assert "Revisions requested → In review" in page and "Added Deere." in page


def test_a_change_request_starts_from_the_entry(liaison, people):
    entry = factories.publish(title="Applied Cybersecurity Foundations")
    page = _text(liaison.get(f"/institution/requests/new?kind=change&entry={entry.id}"))
    assert _value(page, "title") == "Applied Cybersecurity Foundations"
    assert "Changing the published entry" in page

    response = liaison.post(
        f"/institution/requests/new?kind=change&entry={entry.id}",
        data={**ABOUT, "title": "Applied Cybersecurity II", "go": "next"},
    )
    assert response.status_code == 302
    req = db.session.scalars(db.select(CredentialRequest).filter_by(entry_id=entry.id)).one()
    assert req.kind.value == "change" and req.content.title == "Applied Cybersecurity II"
    credit = _text(liaison.get(_edit(req.id, "credit")))
    assert _value(credit, "courses-0-code") == "CS 2113"
    assert _value(credit, "courses-1-code") == "CS 2213"


@pytest.mark.parametrize(
    ("kind", "needs_entry", "first", "steps"),
    [
        ("endorsement", False, "About", 6),
        ("listing", False, "About", 6),
        ("badge", False, "About", 6),
        ("change", True, "About", 6),
        ("retirement", True, "Retirement", 2),
    ],
)
def test_every_kind_of_request_has_its_form(liaison, kind, needs_entry, first, steps):
    entry = factories.publish(title="Applied Cybersecurity Foundations")
    if needs_entry:  # started from an entry, never from nothing
        response = liaison.get(f"/institution/requests/new?kind={kind}")
        assert response.status_code == 302 and "#entries" in response.headers["Location"]
    url = f"/institution/requests/new?kind={kind}" + (f"&entry={entry.id}" if needs_entry else "")
    page = _text(liaison.get(url))
    assert page.count('<li class="usa-step-indicator__segment') == steps
    assert f'usa-step-indicator__heading-text">{first}<' in page
    assert liaison.get("/institution/requests/new?kind=merger").status_code == 404


def test_a_badge_for_a_published_entry_starts_from_its_title(liaison):
    entry = factories.publish(title="Applied Cybersecurity Foundations")
    page = _text(liaison.get(f"/institution/requests/new?kind=badge&entry={entry.id}"))
    assert _value(page, "title") == "Applied Cybersecurity Foundations"
    assert re.search(r'<input[^>]*checked[^>]*value="digital-badge"', page)
    response = liaison.post(
        f"/institution/requests/new?kind=badge&entry={entry.id}",
        data={
            "title": "Applied Cybersecurity Foundations",
            "entry_type": "digital-badge",
            "go": "next",
        },
    )
    assert response.status_code == 302, _text(response)
    assert response.headers["Location"].endswith("section=badge")  # a badge request's next step


def test_a_retirement_request_names_its_reason(liaison, people):
    entry = factories.publish(title="Retiring Soon")
    response = liaison.post(
        f"/institution/requests/new?kind=retirement&entry={entry.id}",
        data={"retirement_reason": "No longer offered.", "go": "next"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("section=review")
    req = db.session.scalars(db.select(CredentialRequest).filter_by(entry_id=entry.id)).one()
    assert req.retirement_reason == "No longer offered."
    review = _text(liaison.get(response.headers["Location"]))
    assert "No longer offered." in review and "Submit the request" in review


# --- one institution only ---------------------------------------------------------------------


def test_another_institutions_request_answers_exactly_like_a_missing_one(liaison, people):
    theirs = workflow.create_request(people.other, "endorsement", {"title": "Tulsa Welding Secret"})
    missing = theirs.id + 1000
    probes = [
        ("get", "/institution/requests/{}", {}),
        ("get", "/institution/requests/{}/edit?section=about", {}),
        ("post", "/institution/requests/{}/edit?section=about", {**ABOUT, "version": "1"}),
        ("post", "/institution/requests/{}/actions/submit", {"version": "1"}),
        ("post", "/institution/requests/{}/actions/withdraw", {"version": "1"}),
        ("post", "/institution/requests/{}/actions/claim", {"version": "1"}),
        ("get", "/institution/requests/{}/badge-image", {}),
    ]
    for method, path, data in probes:
        a = getattr(liaison, method)(path.format(theirs.id), data=data)
        b = getattr(liaison, method)(path.format(missing), data=data)
        assert (a.status_code, b.status_code) == (404, 404), path
        assert _text(a) == _text(b), path
        assert "Tulsa Welding" not in _text(a)
    assert _reload(theirs.id).content.title == "Tulsa Welding Secret"
    assert _reload(theirs.id).state is RequestState.DRAFT

    their_entry = factories.publish(institution="TCC", title="Tulsa Entry")
    a = liaison.get(f"/institution/requests/new?kind=change&entry={their_entry.id}")
    b = liaison.get(f"/institution/requests/new?kind=change&entry={their_entry.id + 1000}")
    assert (a.status_code, b.status_code) == (404, 404) and _text(a) == _text(b)


def test_internal_comments_are_never_shown_to_the_institution(liaison, people):
    req = request_in(people, RequestState.IN_REVIEW, title="Irrigation Controls")
    workflow.add_comment(people.staff, req.id, "INTERNAL: their dean is difficult", "internal")
    workflow.add_comment(people.staff, req.id, "Please name an employer partner.", "institution")
    req = _reload(req.id)
    workflow.transition(
        people.staff,
        req.id,
        "recommend",
        version=req.version,
        recommendation="endorse",
        comment="RATIONALE: strong demand",
    )

    page = _text(liaison.get(f"/institution/requests/{req.id}"))
    assert "Please name an employer partner." in page
    assert "INTERNAL" not in page and "their dean" not in page
    assert "RATIONALE" not in page
    assert "In review → Recommended" in page  # the step is shown, its note is not
    assert "the chancellor" in page


# --- pickers and badge images ------------------------------------------------------------------


def test_taxonomy_suggestions(liaison):
    rows = liaison.get("/institution/taxonomy/occupation?q=15-12").get_json()
    assert rows and len(rows) <= 20 and all(r["code"].startswith("15-12") for r in rows)
    rows = liaison.get("/institution/taxonomy/industry?q=agri").get_json()
    assert rows[0] == {"code": "11", "title": "Agriculture, Forestry, Fishing and Hunting"}
    assert len(liaison.get("/institution/taxonomy/occupation").get_json()) == 20
    assert liaison.get("/institution/taxonomy/passwords").status_code == 404


def test_the_form_offers_suggestions_without_javascript(liaison, people):
    factories.publish(skills=["Network security"])
    workflow.create_request(people.other, "endorsement", {"skills": ["Secret Underwater Welding"]})
    req_id, _ = _start(liaison)
    page = _text(liaison.get(_edit(req_id, "workforce")))
    assert '<datalist id="occupation-options">' in page and 'value="15-1212"' in page
    assert 'list="industry-options"' in page
    page = _text(liaison.get(_edit(req_id, "outcomes")))
    assert 'type="checkbox"' in page and "Critical Thinking" in page
    assert '<option value="Network security">' in page  # skills the inventory already uses
    assert "Secret Underwater Welding" not in page  # never another institution's draft
    assert "<script>" not in page and "onclick" not in page


def test_a_badge_image_is_private_until_published(app, liaison, people):
    req = request_in(
        people,
        RequestState.DRAFT,
        kind="badge",
        badge={
            "name": "Ag Drone Pilot",
            "issuer": "OSU",
            "criteria": "Fly.",
            "description": "Pilots survey drones.",
        },
    )
    page = _text(liaison.get(_edit(req.id, "badge")))
    response = liaison.post(
        _edit(req.id, "badge"),
        data={
            "version": _version(page),
            "go": "stay",
            "badge_name": "Ag Drone Pilot",
            "badge_issuer": "OSU",
            "badge_criteria": "Fly.",
            "badge_description": "Pilots survey drones.",
            "badge_image": (io.BytesIO(PNG), "badge.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, _text(response)
    url = _reload(req.id).content.badge_image_url
    assert re.fullmatch(r"http://localhost/badge-images/[0-9a-f]{64}\.png", url)

    own = liaison.get(f"/institution/requests/{req.id}/badge-image")
    assert own.status_code == 200 and own.mimetype == "image/png" and own.data == PNG
    own.close()
    public_path = url.removeprefix("http://localhost")
    assert app.test_client().get(public_path).status_code == 404  # a draft's image is private

    req = _reload(req.id)
    for who, action, kw in [
        ("liaison", "submit", {}),
        ("staff", "claim", {}),
        ("staff", "recommend", {"recommendation": "list", "comment": "ok"}),
        ("chancellor", "approve", {}),
    ]:
        req = workflow.transition(getattr(people, who), req.id, action, version=req.version, **kw)
    public = app.test_client().get(public_path)
    assert public.status_code == 200 and public.data == PNG
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    public.close()


def test_an_svg_with_script_is_refused_and_the_typed_fields_kept(liaison, people):
    req = request_in(people, RequestState.DRAFT)
    page = _text(liaison.get(_edit(req.id, "badge")))
    response = liaison.post(
        _edit(req.id, "badge"),
        data={
            "version": _version(page),
            "go": "stay",
            "badge_name": "Typed Badge Name",
            "badge_image": (io.BytesIO(SVG_WITH_SCRIPT), "badge.svg"),
        },
        content_type="multipart/form-data",
    )
    page = _text(response)
    assert response.status_code == 422
    assert "contains a script" in page and 'id="badge_image-error"' in page
    assert _value(page, "badge_name") == "Typed Badge Name"
    content = _reload(req.id).content
    assert content.badge_name is None and content.badge_image_url is None
