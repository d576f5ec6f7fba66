"""Exports of the public inventory a person or another system downloads: the record format as
JSON, JSON Lines and CSV, Atom feeds of any search, the sitemap and robots.txt, and the OpenAPI
description of them all. Nothing unpublished or retired-only ever appears in them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree

from app import create_app, search
from app.extensions import db
from app.models import Entry
from app.schemas.record import RecordSchema
from app.services import importer, publishing, records, unit, workflow
from app.services.reference import Resolver
from app.workflow.states import RequestState
from tests.conftest import base_config, migrate_and_load_reference
from tests.databases import ENGINES, create_database
from tests.factories import publish
from tests.workflow_helpers import People, request_in

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _republish(entry: Entry, **changes) -> Entry:
    data = {**records.entry_record(entry), **changes}
    valid, problems = records.validate_records([(1, data)], Resolver(), 9)
    assert not problems, problems
    publishing.upsert_record(valid[0])
    unit.commit()
    return db.session.get(Entry, entry.id)


# --- the record format: JSON and JSON Lines ----------------------------------------------------

# Between them these entries fill every field of the record format.
VARIED = [
    {"title": "Welding Safety", "description": "Line one.\n\nLine two, «quoted», naïve café."},
    {
        "title": "Team Leadership Badge",
        "entry_type": "digital-badge",
        "endorsement": "not-endorsed",
        "institution": "TCC",
        "category": "enhancement",
        "learning_type": "co-curricular",
        "badge_level": "standalone",
        "credit_bearing": False,
        "credit_hours": None,
        "courses": None,
        "clock_hours": 12.5,
        "delivery": "in-person",
        "duration_weeks": 2.5,
        "cost_usd": 0,
        "partners": [{"name": "Tulsa Chamber", "role": None}],
        "stacks_into": ["Leadership Certificate", "A.A.S. in Management"],
        "badge": {
            "name": "Team Lead",
            "issuer": "Tulsa Community College",
            "criteria": "Lead a team project from start to finish.",
            "image_url": "https://badges.example.org/team-lead.png",
            "platform": "Credly",
            "expires_months": 24,
        },
        "published_at": "2025-09-01",
    },
]


def _instance(engine: str, tmp: Path):
    """A new, empty instance (its own database and index) with the reference data."""
    (tmp / "setup").mkdir(parents=True)
    url, drop = create_database(engine, tmp)
    migrate_and_load_reference(url, tmp / "setup")
    return create_app(base_config(url, tmp)), drop


def _close(app, drop) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    app.extensions["search_store"].close()
    drop()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_json_lines_export_imports_into_an_empty_instance_unchanged(engine, tmp_path):
    source, drop_source = _instance(engine, tmp_path / "a")
    target, drop_target = _instance(engine, tmp_path / "b")
    try:
        with source.app_context():
            for fields in VARIED:
                publish(**fields)
            search.rebuild()
            response = source.test_client().get("/search.jsonl?sort=title")
            assert response.status_code == 200 and response.mimetype == "application/jsonl"
            assert response.headers["X-Total-Count"] == "2"
            exported = response.get_data(as_text=True)
            single = source.test_client().get(
                f"/credentials/{db.session.scalar(db.select(Entry.slug).limit(1))}.json"
            )
            assert json.loads(single.data) in [json.loads(line) for line in exported.splitlines()]
        lines = [json.loads(line) for line in exported.splitlines()]
        # Every field of the record format is exercised (CIP codes once the record has them
        # and a CIP vocabulary is loaded: an entry of these would then list some).
        assert set().union(*lines) == set(RecordSchema().fields) - {"cip_codes"}

        path = tmp_path / "export.jsonl"
        path.write_text(exported, encoding="utf-8")
        with target.app_context():
            report = importer.import_file(path)
            assert report.ok, report.problems
            assert report.created == 2
            search.rebuild()
            again = target.test_client().get("/api/v1/credentials.jsonl?sort=title")
            assert again.get_data(as_text=True) == exported
    finally:
        _close(source, drop_source)
        _close(target, drop_target)


def test_one_entry_as_a_record_and_a_missing_one(index, client):
    entry = publish()
    data = client.get(f"/credentials/{entry.slug}.json").get_json()
    assert data == records.entry_record(entry)
    assert data["title"] == "Applied Cybersecurity Foundations" and data["status"] == "active"
    missing = client.get("/credentials/nothing-here.json")
    assert missing.status_code == 404


def test_a_bad_search_export_is_explained_not_failed(index, client):
    for url in ("/search.jsonl?per_page=x", "/search.atom?sort=nonsense", "/search.csv?page=0"):
        response = client.get(url)
        assert response.status_code == 400, url
    api = client.get("/api/v1/credentials.jsonl?sort=nonsense")
    assert api.status_code == 400 and "sort" in api.get_json()["errors"]


# --- CSV -----------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_and_never_runs_a_formula(index, client, tmp_path):
    publish(
        title='=HYPERLINK("https://evil.example","Click")',
        summary="+1 555 0100 is the help line.",
        skills=["-2+3 arithmetic", "@SUM(A1:A9)", "Plain skill"],
        partners=[{"name": "=cmd /C calc", "role": "hiring partner"}],
        description="Café ñandú",
    )
    response = client.get("/search.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8")
    (row,) = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["title"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert row["summary"] == "'+1 555 0100 is the help line."
    assert row["skills"] == "'-2+3 arithmetic | @SUM(A1:A9) | Plain skill"
    assert row["partners"] == "'=cmd /C calc: hiring partner"
    assert row["description"] == "Café ñandú"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@")), cell

    # and it imports back unchanged: the apostrophes are taken off again
    path = tmp_path / "export.csv"
    path.write_bytes(response.data)
    report = importer.import_file(path)
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


# --- feeds ---------------------------------------------------------------------------------


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    return root, [
        {
            "id": e.findtext(f"{ATOM}id"),
            "title": e.findtext(f"{ATOM}title"),
            "updated": e.findtext(f"{ATOM}updated"),
            "summary": e.findtext(f"{ATOM}summary"),
        }
        for e in root.iter(f"{ATOM}entry")
    ]


def test_a_search_feed_follows_changes_and_retirements(index, client):
    welding = publish(title="Welding Online", delivery="online")
    publish(title="Welding On Site", delivery="in-person")
    publish(title="Nursing Online", delivery="online")
    url = "/search.atom?q=welding&delivery=online"
    root, items = _feed(client, url)
    assert root.findtext(f"{ATOM}id") == "http://localhost" + url.replace("&", "&")
    assert [i["title"] for i in items] == ["Welding Online"]
    first = items[0]

    welding = _republish(welding, summary="Now with a robotic welding lab.")
    _root, items = _feed(client, url)
    assert [(i["id"], i["summary"]) for i in items] == [
        (first["id"], "Now with a robotic welding lab.")
    ]
    assert items[0]["updated"] > first["updated"]

    _republish(welding, status="retired")
    _root, items = _feed(client, url)
    assert [(i["id"], i["title"]) for i in items] == [(first["id"], "Retired: Welding Online")]
    assert "no longer offered" in items[0]["summary"]
    # a retired entry that the search does not match stays out of its feed
    _root, items = _feed(client, "/search.atom?q=nursing")
    assert [i["title"] for i in items] == ["Nursing Online"]


# --- for search engines --------------------------------------------------------------------


def test_the_sitemap_lists_active_entries_and_institutions_and_robots_points_to_it(index, client):
    active = publish(title="Listed Credential")
    retired = _republish(publish(title="Gone Credential"), status="retired")
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")]
    assert f"http://localhost/credentials/{active.slug}" in locs
    assert f"http://localhost/credentials/{retired.slug}" not in locs
    assert "http://localhost/institutions/oklahoma-state-university" in locs
    assert {"http://localhost/", "http://localhost/institutions", "http://localhost/employers"} <= (
        set(locs)
    )
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots.splitlines()
    assert "Disallow: /review" in robots.splitlines()


# --- nothing unpublished, nothing retired-only -----------------------------------------------


def test_no_export_shows_unpublished_or_retired_only_data(index, client, make_user):
    people = People()
    kept = publish(
        title="Kept Credential", badge={"name": "Kept", "issuer": "OSU", "criteria": "Do it."}
    )
    kept = _republish(kept, title="Kept Credential Renamed")  # the old title is history
    retired = _republish(publish(title="Vanished Credential"), status="retired")
    request_in(people, RequestState.RECOMMENDED, title="Pending Secret Proposal")
    draft = workflow.create_request(
        people.liaison, "change", {"title": "Draft Secret Change"}, entry_id=kept.id
    )
    unit.commit()
    assert draft.id

    bodies = {
        url: client.get(url).get_data(as_text=True)
        for url in (
            "/search.csv",
            "/search.jsonl",
            "/api/v1/credentials.jsonl",
            "/api/v1/ctdl?per_page=100",
            "/search.atom",
            "/feed.xml",
            "/sitemap.xml",
            f"/credentials/{kept.id}.json",
            f"/credentials/{kept.id}.jsonld",
            f"/credentials/{kept.id}/achievement.json",
            f"/credentials/{kept.slug}",
        )
    }
    for url, body in bodies.items():
        assert (kept.slug if url == "/sitemap.xml" else "Kept Credential Renamed") in body, url
        for secret in ("Pending Secret Proposal", "Draft Secret Change"):
            assert secret not in body, (url, secret)
        assert not re.search(r"Kept Credential(?! Renamed)", body), url  # the older version
    for url in (
        "/search.csv",
        "/search.jsonl",
        "/api/v1/credentials.jsonl",
        "/api/v1/ctdl?per_page=100",
        "/feed.xml",
        "/sitemap.xml",
    ):
        assert "Vanished Credential" not in bodies[url] and retired.slug not in bodies[url], url


# --- the OpenAPI document ------------------------------------------------------------------


def test_the_openapi_document_describes_every_export(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/search.csv",
        "/search.jsonl",
        "/search.atom",
        "/feed.xml",
        "/api/v1/credentials.jsonl",
        "/api/v1/ctdl",
        "/credentials/{key}.json",
        "/credentials/{key}.jsonld",
        "/credentials/{key}/achievement.json",
        "/institutions/{slug}.jsonld",
        "/state-regents.jsonld",
        "/sitemap.xml",
        "/robots.txt",
    ):
        assert "get" in paths[path], path
        assert paths[path]["get"]["summary"], path


def test_a_large_sitemap_becomes_an_index_of_parts(index, client, monkeypatch):
    from app.services import exports

    entries = [publish(title=f"Credential {n}") for n in range(3)]
    whole = client.get("/sitemap.xml").data
    everything = [
        u.findtext(f"{SITEMAP}loc") for u in ElementTree.fromstring(whole).iter(f"{SITEMAP}url")
    ]
    monkeypatch.setattr(exports, "SITEMAP_LIMIT", 10)
    root = ElementTree.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = [s.findtext(f"{SITEMAP}loc") for s in root.iter(f"{SITEMAP}sitemap")]
    assert parts[0] == "http://localhost/sitemap-1.xml"
    found = []
    for part in parts:
        body = client.get(part.removeprefix("http://localhost")).data
        locs = [
            u.findtext(f"{SITEMAP}loc") for u in ElementTree.fromstring(body).iter(f"{SITEMAP}url")
        ]
        assert 1 <= len(locs) <= 10
        found += locs
    assert found == everything
    assert f"http://localhost/credentials/{entries[-1].slug}" in found
    assert client.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404


def test_pages_link_to_their_exports(index, client):
    entry = publish(
        title="Welding Online",
        delivery="online",
        badge={"name": "Welder", "issuer": "OSU", "criteria": "Weld."},
    )
    page = client.get("/search?q=welding&delivery=online").get_data(as_text=True)
    feed = re.search(r'href="(/search\.atom\?[^"]+)"', page).group(1).replace("&amp;", "&")
    _root, items = _feed(client, feed)
    assert [i["title"] for i in items] == ["Welding Online"]
    jsonl = re.search(r'href="(/search\.jsonl\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert json.loads(client.get(jsonl).data)["title"] == "Welding Online"
    entry_page = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
    for href in (
        f"/credentials/{entry.id}.json",
        f"/credentials/{entry.id}.jsonld",
        f"/credentials/{entry.id}/achievement.json",
    ):
        assert f'href="{href}"' in entry_page
