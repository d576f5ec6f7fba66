"""What the search page says and offers: honest labels and notices, the results before the
filters, and the pathways an entry belongs to."""

from __future__ import annotations

import csv
import io
import re

from app.services import importer
from tests.factories import publish


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_results_come_first_with_their_heading_and_the_filters_in_a_disclosure(index, client):
    publish(title="Welding Basics", delivery="online")
    html = _html(client, "/search?delivery=online")
    # One live region outside the part that is replaced; the results have their own heading.
    assert html.count("aria-live") == 1
    assert re.search(r'id="results-status"[^>]*aria-live="polite"', html)
    assert '<h2 id="results-heading" class="results__heading">Results</h2>' in html
    assert html.index('id="results"') < html.index('<details class="facets-disclosure"')
    assert re.search(r'<summary class="facets-disclosure__summary">.*Filter results', html, re.S)
    assert ">1 applied<" in html
    assert 'href="#results">Skip to results</a>' in html
    assert re.search(r'id="results-count" tabindex="-1"', html)


def test_a_chip_shows_the_skill_not_a_title_that_contains_it(index, client):
    publish(title="Data Analytics with Python", skills=["Data visualization"])
    publish(title="Scripting Basics", skills=["Python"])
    html = _html(client, "/search?skill=python")
    chip = re.search(r'<a class="chip"[^>]*>([^<]*)<', html).group(1)
    assert chip.strip() == "Skill: Python"


def test_a_page_past_the_last_says_so_and_links_to_the_last(index, client):
    for n in range(3):
        publish(title=f"Carpentry {n}")
    html = _html(client, "/search?per_page=2&page=999")
    assert "Page 999 is past the last page of these results (2)" in html
    assert re.search(r'href="/search\?per_page=2&amp;page=2">Go to the last page', html)
    assert "page 999 of" not in html


def test_an_unknown_filter_value_is_explained_on_the_page_and_refused_by_the_api(index, client):
    publish(title="Masonry", delivery="online")
    html = _html(client, "/search?delivery=space")
    assert "Delivery has no value “space”" in html
    assert "Masonry" in html  # the bad value is ignored, not searched for
    assert 'class="chip"' not in html
    response = client.get("/api/v1/credentials?delivery=space")
    assert response.status_code == 400
    assert "space" in response.get_data(as_text=True)


def test_an_institution_without_matches_says_so(index, client):
    publish(title="Nursing Assistant", institution="OSU")
    publish(title="Petroleum Geology", institution="OU")
    html = _html(client, "/search?q=nursing&institution=OU")
    assert "University of Oklahoma has no entries for “nursing”" in html
    html = _html(client, "/institutions/university-of-oklahoma?q=nursing")
    assert "University of Oklahoma has no entries for “nursing”" in html


def test_stacks_into_and_learning_type_filters_and_the_entry_pathway(index, client):
    a = publish(title="Nursing Pathway One", stacks_into=["BS in Nursing"])
    b = publish(title="Nursing Pathway Two", stacks_into=["BS in Nursing", "AAS Health"])
    publish(title="Nursing Elsewhere", learning_type="co-curricular")
    html = _html(client, "/search?stacks_into=bs+in+nursing")
    assert "Stacks into: BS in Nursing" in html
    assert a.slug in html and b.slug in html and "Nursing Elsewhere" not in html
    html = _html(client, "/search?learning_type=co-curricular")
    assert "Learning type: Co-curricular" in html and "Nursing Elsewhere" in html
    assert "Nursing Pathway One" not in html
    assert _html(client, "/search").count('name="stacks_into"') == 2

    page = _html(client, f"/credentials/{a.slug}")
    assert "Also counts toward BS in Nursing" in page
    assert f'/credentials/{b.slug}"' in page
    assert "/search?stacks_into=bs+in+nursing" in page


def test_the_csv_names_what_its_codes_mean_and_still_imports_back(index, client, tmp_path):
    entry = publish(title="Wound Care", industries=["62"], occupations=["29-1141"])
    response = client.get("/search.csv")
    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.data.decode("utf-8").removeprefix("\ufeff")))
    assert row["institution"] == "OSU" and row["institution_name"] == "Oklahoma State University"
    assert row["industries"] == "62"
    assert row["industry_titles"] == "62 Health Care and Social Assistance"
    assert row["occupation_titles"] == "29-1141 Registered Nurses"
    assert row["url"] == f"http://localhost/credentials/{entry.slug}"

    path = tmp_path / "export.csv"
    path.write_bytes(response.data)
    report = importer.import_file(path)
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_a_remembered_results_page_still_shows_who_is_signed_in(index, app, make_user, login):
    """Results are rendered once per search; the page around them is each visitor's own."""
    publish(title="Welding Basics")
    make_user("staff@regents.example", name="Robin Staff")
    visitor, staff = app.test_client(), app.test_client()
    first = _html(visitor, "/search?q=welding")
    assert "/credentials/welding-basics-osu" in first and "Sign out" not in first
    login(staff, "staff@regents.example")
    signed_in = _html(staff, "/search?q=welding")
    assert "/credentials/welding-basics-osu" in signed_in
    assert "Sign out" in signed_in
    assert 'name="csrf_token"' in signed_in
    again = _html(visitor, "/search?q=welding")
    assert "Sign out" not in again and "Robin Staff" not in again


def test_links_on_a_remembered_results_page_follow_its_own_address(index, client):
    """The same search on the home page, the search page and with another parameter in the
    URL: each page's links keep its own address and parameters."""
    for n in range(23):
        publish(title=f"Welding Level {n}")
    search_page = _html(client, "/search?q=welding")
    home = _html(client, "/?q=welding")
    tagged = _html(client, "/search?q=welding&from=newsletter")
    assert 'href="/search?q=welding&amp;page=2#results-count"' in search_page
    assert 'href="/?q=welding&amp;page=2#results-count"' in home
    assert 'href="/search?q=welding&amp;from=newsletter&amp;page=2#results-count"' in tagged


def test_a_publication_shows_at_once_on_a_page_searched_before(index, client):
    publish(title="Orchard Pruning")
    before = _html(client, "/search?q=pruning")
    assert "/credentials/orchard-pruning-osu" in before
    assert "/credentials/vineyard-pruning-osu" not in before
    publish(title="Vineyard Pruning")
    after = _html(client, "/search?q=pruning")
    assert "/credentials/vineyard-pruning-osu" in after
    assert "/credentials/orchard-pruning-osu" in after
