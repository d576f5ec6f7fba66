"""A corpus of markup and script payloads (``tests/data/payloads.txt``) put into every text
field of published entries comes back escaped on every public page, and intact (as data, not
markup) in the CSV and Atom exports and the JSON API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from defusedxml import ElementTree
from markupsafe import escape

from app.extensions import db
from app.models import Institution
from tests import factories

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "payloads.txt").read_text().splitlines()
    if line
]
SPECIAL = set("<>&\"'")
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_corpus_has_the_hard_cases():
    assert len(PAYLOADS) >= 50
    for needle in ("</script>", "]]>", "-->", '" onmouseover=', "' onmouseover="):
        assert any(needle in p for p in PAYLOADS), needle


def _slots(payloads: list[str]) -> dict:
    """One entry's text fields, each holding one payload (8 per entry)."""
    p = payloads + [f"plain text {i}" for i in range(8 - len(payloads))]
    return {
        "title": f"T {p[0]}",
        "summary": p[1],
        "courses": [
            {"code": "CS 2113", "title": p[2], "credit_hours": 3},
            {"code": "CS 2213", "title": p[3], "credit_hours": 3},
        ],
        "skills": [p[4]],
        "partners": [{"name": p[5], "role": "hiring partner"}],
        "learning_outcomes": [p[6]],
        "assessment": p[7],
    }


@pytest.fixture
def published(app, index):
    entries = []
    for start in range(0, len(PAYLOADS), 8):
        chunk = PAYLOADS[start : start + 8]
        entries.append((factories.publish(**_slots(chunk)), chunk))
    return entries


def _assert_escaped(html: str, payloads: list[str], where: str) -> None:
    for payload in payloads:
        if SPECIAL & set(payload):
            assert payload not in html, f"{where}: unescaped {payload!r}"


def test_public_pages_escape_every_payload(client, published):
    slug = db.session.scalar(db.select(Institution.slug).filter_by(code="OSU"))
    every = [p for _, chunk in published for p in chunk]
    for url in ["/", "/search", "/search?q=T", f"/institutions/{slug}", "/employers"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.get_data(as_text=True), every, url)
    for entry, chunk in published:
        html = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
        body = html.split('<script type="application/ld+json"', 1)[0]
        _assert_escaped(body, chunk, entry.slug)
        assert str(escape(f"T {chunk[0]}")) in body  # shown, as text


def test_the_entry_pages_json_ld_escapes_every_payload(client, published):
    """Inside the JSON-LD block a payload is data: no raw <, > or & can end the element or
    start markup, and the JSON gives the text back exactly."""
    for entry, chunk in published:
        html = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
        block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        assert not set("<>&") & set(block), entry.slug
        data = json.loads(block)
        assert data["name"] == entry.content.title
        assert data["description"] == entry.content.summary


def test_csv_export_gives_every_payload_back_as_data(client, published):
    response = client.get("/search.csv")
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    cells = "\n".join(cell for row in rows for cell in row)
    for _, chunk in published:
        assert f"T {chunk[0]}" in cells
        for payload in chunk[1:]:
            assert payload in cells, payload


def test_the_atom_feed_is_well_formed_and_gives_titles_back_as_text(client, published):
    response = client.get("/feed.xml")
    root = ElementTree.fromstring(response.data)  # a payload that broke the XML fails here
    titles = {e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")}
    for _, chunk in published:
        assert f"T {chunk[0]}" in titles
    assert not list(root.iter("script")) and not list(root.iter(f"{ATOM}script"))


def test_the_json_api_gives_every_payload_back_as_data(client, published):
    listing = client.get("/api/v1/credentials?per_page=100").get_json()
    titles = json.dumps(listing, ensure_ascii=False)
    for entry, chunk in published:
        assert json.dumps(f"T {chunk[0]}", ensure_ascii=False) in titles
        one = client.get(f"/api/v1/credentials/{entry.id}")
        assert one.mimetype == "application/json"
        text = json.dumps(one.get_json(), ensure_ascii=False)
        for payload in chunk[1:]:
            assert json.dumps(payload, ensure_ascii=False)[1:-1] in text, payload


def test_request_form_and_badge_payloads_are_escaped_on_every_page_and_in_mail(
    app, index, login, smtp, tmp_path
):
    """Payloads in the request form's text fields, the badge metadata and a reviewer's
    comment: escaped on the liaison's, the staff's and the chancellor's pages, and kept as
    plain text (no header injection) in the e-mails they cause."""
    from app.services import workflow
    from app.workflow.states import Action, RequestState
    from tests.workflow_helpers import COMPLETE_FIELDS, People

    people = People()
    chunks = [PAYLOADS[i : i + 14] for i in range(0, len(PAYLOADS), 14)]
    for chunk in chunks:
        p = chunk + ["plain"] * (14 - len(chunk))
        fields = {
            **COMPLETE_FIELDS,
            "title": f"R {p[0]}",
            "summary": p[1],
            "skills": [p[2], p[3]],
            "partners": [{"name": p[4], "role": "co-designer"}],
            "learning_outcomes": [{"text": p[5], "assessment": p[6]}],
            "courses": [{"code": "AG 2103", "title": p[7], "credit_hours": 6}],
            "badge": {
                "name": p[8],
                "issuer": p[9],
                "description": p[10],
                "criteria": p[11],
                "evidence": p[12],
                "image_url": "https://badges.example.org/b.png",
            },
        }
        req = workflow.create_request(people.liaison, "badge", fields)
        for who, action, kwargs in [
            ("liaison", Action.SUBMIT, {}),
            ("staff", Action.CLAIM, {}),
            ("staff", Action.REQUEST_REVISIONS, {"comment": p[13]}),
        ]:
            req = workflow.transition(
                getattr(people, who), req.id, action, version=req.version, **kwargs
            )
        workflow.add_comment(people.staff, req.id, p[13], "institution")
        assert req.state is RequestState.REVISIONS_REQUESTED
        pages = {"liaison": [], "staff": [], "chancellor": []}
        pages["liaison"] = [
            "/institution/",
            f"/institution/requests/{req.id}",
            *(
                f"/institution/requests/{req.id}/edit?section={s}"
                for s in ("about", "credit", "outcomes", "workforce", "badge", "review")
            ),
        ]
        pages["staff"] = ["/review/", f"/review/{req.id}"]
        pages["chancellor"] = [f"/review/{req.id}", "/approvals/"]
        for who, urls in pages.items():
            client = app.test_client()
            login(client, getattr(people, who).email)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                _assert_escaped(response.get_data(as_text=True), chunk, f"{who} {url}")
        api = app.test_client().get(
            f"/api/v1/requests/{req.id}",
            headers={"Authorization": f"Bearer {_token(people.liaison)}"},
        )
        text = json.dumps(api.get_json(), ensure_ascii=False)
        for payload in chunk:
            assert json.dumps(payload, ensure_ascii=False)[1:-1] in text, payload

    assert smtp.messages
    for message in smtp.messages:
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        for part in message.walk():
            if part.get_content_type() == "text/html":
                _assert_escaped(part.get_content(), PAYLOADS, "mail")


def _token(user) -> str:
    from app.services import accounts, unit

    _, raw = accounts.create_token(user, "payloads")
    unit.commit()
    return raw
