"""The public pages: search with facets in the URL, entries, institutions, employers."""

from __future__ import annotations

import csv
import io
import json
import re
from xml.etree import ElementTree

from app import search
from tests.factories import publish


def test_home_page_is_the_search(index, client):
    publish(title="Precision Agriculture")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Precision Agriculture" in html
    assert '<label class="usa-label" for="q">' in html


def test_search_state_lives_in_the_url(index, client):
    publish(title="Online Welding Theory", delivery="online")
    publish(title="Hybrid Welding Lab", delivery="hybrid")
    html = client.get("/search?q=welding&delivery=online&sort=title").get_data(as_text=True)
    assert "/credentials/online-welding-theory-osu" in html
    assert "/credentials/hybrid-welding-lab-osu" not in html
    assert re.search(r'value="online"\s+form="search-form" checked', html)
    # The chip removes its filter and keeps the rest of the search.
    chip = re.search(r'<a class="chip" href="([^"]+)"', html).group(1)
    assert "delivery" not in chip and "q=welding" in chip and "sort=title" in chip


def test_bad_parameters_are_explained_not_fatal(index, client):
    publish(title="Masonry")
    response = client.get("/search?page=0&sort=sideways&per_page=100000")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "not understood" in html and "Masonry" in html


def test_entry_page_shows_every_public_field_and_json_ld(index, client):
    entry = publish(
        title="Avionics Technician",
        endorsement="endorsed",
        badge={
            "name": "Avionics Badge",
            "issuer": "OSU",
            "criteria": "Pass the checkride.",
            "image_url": "https://okstate.edu/a.png",
            "platform": "Credly",
        },
        stacks_into=["A.A.S. in Aviation Maintenance"],
    )
    html = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
    for text in [
        "Avionics Technician",
        "Endorsed by State Regents",
        "Avionics Badge",
        "Pass the checkride.",
        "CS 2113",
        "Network Defense",
        "15-1212",
        "Tinker Air Force Base",
        "A.A.S. in Aviation Maintenance",
        "https://go.okstate.edu/cyber",
        "Oklahoma State University",
    ]:
        assert text in html, text
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "EducationalOccupationalCredential"
    assert data["name"] == "Avionics Technician"
    assert client.get(f"/credentials/{entry.id}").status_code == 200


def test_a_retired_entry_still_answers_marked_retired(index, client):
    entry = publish(title="Old Course", external_id="OLD-1")
    publish(title="Old Course", external_id="OLD-1", status="retired")
    response = client.get(f"/credentials/{entry.slug}")
    assert response.status_code == 200
    assert b"This entry has been retired" in response.data


def test_unknown_entry_is_a_friendly_404(index, client):
    response = client.get("/credentials/no-such-thing")
    assert response.status_code == 404
    assert b"no inventory entry" in response.data and b"Traceback" not in response.data


def test_institution_page_searches_only_its_entries(index, client):
    publish(title="OSU Thing", institution="OSU")
    publish(title="TCC Thing", institution="TCC")
    html = client.get("/institutions/oklahoma-state-university").get_data(as_text=True)
    assert "OSU Thing" in html and "TCC Thing" not in html
    assert "<h1" in html and "Oklahoma State University" in html


def test_employer_view_counts_endorsed_entries_by_industry(index, client):
    publish(title="E1", industries=["62"], endorsement="endorsed")
    publish(title="E2", industries=["62"], endorsement="endorsed")
    publish(title="N1", industries=["62"], endorsement="not-endorsed")
    html = client.get("/employers").get_data(as_text=True)
    assert re.search(
        r"Health Care and Social Assistance</a> <span class=\"group-list__count\">2<", html
    )
    assert "Tinker Air Force Base" in html


def test_pages_carry_no_inline_script(index, client):
    entry = publish()
    for url in [
        "/",
        "/search?q=cyber",
        f"/credentials/{entry.slug}",
        "/institutions",
        "/employers",
        "/api",
    ]:
        html = client.get(url).get_data(as_text=True)
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            attrs, body = script
            assert "src=" in attrs or "application/ld+json" in attrs, (url, attrs)
        assert "onclick=" not in html
    assert search  # the index fixture built the index


def test_pages_forbid_inline_scripts_and_framing(index, client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_any_search_downloads_as_csv_that_imports_back_unchanged(index, client, tmp_path):
    from app.services import importer

    publish(title="Welding I", delivery="online", partners=[{"name": "NORDAM", "role": None}])
    publish(title="Welding II", delivery="hybrid")
    publish(title="Nursing Basics", delivery="online")
    page = client.get("/search?q=welding&delivery=online").get_data(as_text=True)
    link = re.search(r'href="(/search\.csv\?[^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["X-Total-Count"] == "1"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["title"] for r in rows] == ["Welding I"]
    assert rows[0]["courses"] == "CS 2113: Network Defense: 3 | CS 2213: Incident Response: 3"
    path = tmp_path / "export.csv"
    path.write_bytes(response.data)
    report = importer.import_file(path)
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_the_feed_lists_new_entries(index, client):
    publish(title="Fresh Credential")
    response = client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.findtext(f"{atom}title") for e in root.iter(f"{atom}entry")]
    assert titles == ["Fresh Credential"]
