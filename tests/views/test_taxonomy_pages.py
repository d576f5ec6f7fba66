"""The occupation and industry pages list exactly the active entries aligned to the code or
below it, endorsed first; the employers page leads to them."""

from __future__ import annotations

import re

from tests.factories import publish


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="usa-collection__heading"><a [^>]*>([^<]+)</a>', html)


def test_an_industry_page_lists_entries_at_or_below_its_code_endorsed_first(index, client):
    publish(title="Zeta Physician Office Billing", industries=["621111"])
    publish(title="Alpha Clinic Intake", industries=["6211"], endorsement="not-endorsed")
    publish(title="Beta Health Care Basics", industries=["62"])
    publish(title="Gamma Welding", industries=["31-33"])
    publish(title="Delta Retired Care", industries=["621111"], status="retired")

    html = client.get("/industries/62").get_data(as_text=True)
    assert titles(html) == [
        "Beta Health Care Basics",
        "Zeta Physician Office Billing",
        "Alpha Clinic Intake",
    ]
    assert "2 endorsed by the State Regents, 1 not endorsed" in html

    html = client.get("/industries/6211").get_data(as_text=True)
    assert titles(html) == ["Zeta Physician Office Billing", "Alpha Clinic Intake"]
    assert "Health Care and Social Assistance" in html  # the breadcrumb to the sector

    html = client.get("/industries/621111").get_data(as_text=True)
    assert titles(html) == ["Zeta Physician Office Billing"]

    assert titles(client.get("/industries/31-33").get_data(as_text=True)) == ["Gamma Welding"]


def test_an_occupation_page_lists_entries_in_its_group(index, client):
    publish(title="Nursing Refresher", occupations=["29-1141"])
    publish(title="Pediatric Care", occupations=["29-1221"])  # broad group 29-1210
    publish(title="Cyber Basics", occupations=["15-1212"])

    html = client.get("/occupations/29-0000").get_data(as_text=True)
    assert titles(html) == ["Nursing Refresher", "Pediatric Care"]
    assert "Healthcare Practitioners and Technical Occupations" in html
    assert titles(client.get("/occupations/29-1210").get_data(as_text=True)) == ["Pediatric Care"]
    assert titles(client.get("/occupations/15-1212").get_data(as_text=True)) == ["Cyber Basics"]


def test_a_code_without_punctuation_redirects_to_its_page(client, app):
    response = client.get("/occupations/291141")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/occupations/29-1141")


def test_an_unknown_code_is_a_clear_404(client, app):
    for path in ("/occupations/99-9999", "/industries/999999", "/industries/nursing"):
        response = client.get(path)
        assert response.status_code == 404
        assert "There is no" in response.get_data(as_text=True)


def test_the_employers_page_links_to_the_sector_pages(index, client):
    publish(title="E1", industries=["621111"], occupations=["29-1141"])
    html = client.get("/employers").get_data(as_text=True)
    assert 'href="/industries/62"' in html and 'href="/occupations/29-0000"' in html
    assert re.search(
        r"Health Care and Social Assistance</a> <span class=\"group-list__count\">1<", html
    )


def test_the_entry_page_shows_cip_programs_and_links_to_the_taxonomy_pages(index, client):
    entry = publish(industries=["621111"], occupations=["29-1141"], cip_codes=["51.3801"])
    html = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
    assert "Registered Nursing/Registered Nurse" in html and "(51.3801)" in html
    assert 'href="/occupations/29-1141"' in html and 'href="/industries/621111"' in html


def test_the_api_record_and_schema_carry_cip_codes(index, client):
    entry = publish(cip_codes=["51.3801"])
    assert client.get(f"/api/v1/credentials/{entry.id}").json["cip_codes"] == ["51.3801"]
    spec = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert '"cip_codes"' in spec
