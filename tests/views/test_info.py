"""The pages a state site owes its visitors, its identity on every page, and open data rules."""

from __future__ import annotations

import pytest

from app.enums import Category, Delivery, EntryType, LearningType
from tests.factories import publish


def test_the_about_page_defines_every_value_a_filter_offers(client):
    html = client.get("/about").get_data(as_text=True)
    for enum, prefix in (
        (Category, "category"),
        (LearningType, "learning-type"),
        (Delivery, "delivery"),
        (EntryType, "entry-type"),
    ):
        for member in enum:
            assert f'id="{prefix}-{member.value}"' in html, member
    assert "Post-traditional" in html and "Co-curricular" in html
    assert "Career &amp; Self-Development" in html  # from the competency vocabulary
    assert "Innovation and Leadership" in html  # a state focus area
    assert "up to 9 credit hours" in html


@pytest.mark.parametrize("path", ["/", "/about", "/institutions", "/login", "/nope"])
def test_every_page_carries_the_banner_and_the_required_links(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "An official website of the State Regents for Higher Education" in html
    for target in ("/about", "/accessibility", "/privacy", "/contact"):
        assert f'href="{target}"' in html, target


@pytest.mark.parametrize("path", ["/accessibility", "/privacy", "/contact"])
def test_the_footer_pages_answer(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"<h1>" in response.data


def test_hyphenated_words_keep_their_hyphens():
    assert EntryType.MICRO_CREDENTIAL.label == "Micro-credential"
    assert Category.POST_TRADITIONAL.label == "Post-traditional"
    assert LearningType.CO_CURRICULAR.label == "Co-curricular"
    assert Delivery.IN_PERSON.label == "In-person"
    assert EntryType.DIGITAL_BADGE.label == "Digital badge"


def test_an_entry_is_reachable_by_slug_in_the_api(client, index):
    entry = publish(title="Orchard Management")
    by_slug = client.get(f"/api/v1/credentials/{entry.slug}")
    by_id = client.get(f"/api/v1/credentials/{entry.id}")
    assert by_slug.status_code == 200 and by_slug.json == by_id.json
    assert client.get("/api/v1/credentials/no-such-entry").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/credentials", "/api/v1/facets", "/api/v1/institutions", "/search.csv"]
)
def test_the_public_read_only_api_may_be_called_from_any_site(client, index, path):
    publish(title="Orchard Management")
    response = client.get(path, headers={"Origin": "https://jobs.example.com"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_nothing_that_needs_a_session_or_token_is_shared_across_sites(client, index):
    answers = [
        client.get("/api/v1/requests", headers={"Origin": "https://evil.example"}),
        client.post("/api/v1/requests", json={}, headers={"Origin": "https://evil.example"}),
        client.get("/", headers={"Origin": "https://evil.example"}),
        client.get("/account", headers={"Origin": "https://evil.example"}),
    ]
    for response in answers:
        assert "Access-Control-Allow-Origin" not in response.headers


def test_there_is_a_favicon(client):
    with client.get("/favicon.ico", follow_redirects=True) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"


def test_each_filter_of_defined_values_links_to_their_definitions(client, index):
    publish(title="Orchard Management", category="emergent", badge_level="foundational")
    html = client.get("/search").get_data(as_text=True)
    for anchor in ("category", "delivery", "endorsement", "kinds"):
        assert f'href="/about#{anchor}"' in html, anchor
    about = client.get("/about").get_data(as_text=True)
    for anchor in ("category", "delivery", "endorsement", "kinds", "badge-level", "learning-type"):
        assert f'id="{anchor}"' in about, anchor
