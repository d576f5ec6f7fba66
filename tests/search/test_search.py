"""Full-text search: ranking, analysis, fallback, "did you mean", facets, paging, highlights."""

from __future__ import annotations

import sqlalchemy as sa

from app import search
from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry, Skill
from app.search import SearchParams
from tests.factories import publish


def titles(results) -> list[str]:
    ids = [h.entry_id for h in results.hits]
    by_id = {e.id: e.title for e in db.session.scalars(sa.select(Entry).where(Entry.id.in_(ids)))}
    return [by_id[i] for i in ids]


def run(q="", **kwargs):
    return search.search(SearchParams(q=q, **kwargs))


def test_a_title_match_outranks_a_summary_match(index):
    publish(title="Welding Safety", summary="Covers drones in passing.")
    publish(title="Drone Piloting Part 107", summary="Fly safely for agriculture.")
    assert titles(run("drone")) == ["Drone Piloting Part 107", "Welding Safety"]


def test_a_skill_match_outranks_a_summary_match(index):
    publish(title="Farm Tech A", summary="Some photogrammetry.", skills=["Soil testing"])
    publish(title="Farm Tech B", summary="Field work.", skills=["Photogrammetry"])
    assert titles(run("photogrammetry"))[0] == "Farm Tech B"


def test_stemming_finds_other_forms_of_a_word(index):
    publish(title="Nursing Leadership", summary="For charge nurses.")
    assert titles(run("nurse")) == ["Nursing Leadership"]
    assert titles(run("nursed")) == ["Nursing Leadership"]


def test_a_phrase_matches_only_the_words_in_order(index):
    publish(title="Data Analytics Essentials", summary="Spreadsheets and dashboards.")
    publish(title="Analytics for Data Stewards", summary="Governance.")
    assert titles(run('"data analytics"')) == ["Data Analytics Essentials"]
    assert len(run("data analytics").hits) == 2


def test_when_all_words_find_nothing_any_word_is_used_and_said(index):
    publish(title="Solar Installation", summary="Photovoltaic arrays.")
    results = run("solar submarine")
    assert results.any_word_fallback is True
    assert titles(results) == ["Solar Installation"]
    assert run("solar installation").any_word_fallback is False


def test_a_misspelling_is_corrected_from_public_words_and_said(index):
    publish(title="Cybersecurity Analyst", summary="Defend networks.")
    results = run("cybersecurty")
    assert results.total == 1
    assert results.suggestion == results.corrected == "cybersecurity"
    as_typed = run("cybersecurty", as_typed=True)
    assert as_typed.total == 0 and as_typed.corrected is None


def test_stop_words_alone_find_nothing_and_say_why(index):
    publish(title="The Art of Welding")
    results = run("the of")
    assert results.total == 0 and results.only_stop_words


def test_query_syntax_is_read_as_words_and_never_fails(index):
    publish(title="Title Page Design")
    for q in ["title:(", "***", "a AND", '"unclosed', "(((", "NOT", "x^3", "[a TO b]"]:
        results = run(q)
        assert results.total >= 0


def test_facet_counts_match_the_database(index):
    for i in range(3):
        publish(title=f"Online {i}", delivery="online")
    publish(title="Hybrid", delivery="hybrid", endorsement="not-endorsed")
    publish(title="Retired one", delivery="online", status="retired")
    results = run()
    counts = {v.value: v.count for v in results.facets["delivery"]}
    for delivery in ("online", "hybrid"):
        expected = db.session.scalar(
            sa.select(sa.func.count(Entry.id))
            .join(Entry.content)
            .where(Entry.status == EntryStatus.ACTIVE)
            .where(sa.text("credential_contents.delivery = :d").bindparams(d=delivery))
        )
        assert counts[delivery] == expected
    assert counts == {"online": 3, "hybrid": 1}
    skill_count = {v.value: v.count for v in results.facets["skill"]}
    expected = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Entry.id)))
        .join(Skill, Skill.content_id == Entry.content_id)
        .where(Entry.status == EntryStatus.ACTIVE, sa.func.lower(Skill.name) == "network security")
    )
    assert skill_count["network security"] == expected == 4


def test_filters_combine_and_within_a_facet_or_across(index):
    publish(title="A", delivery="online", endorsement="endorsed")
    publish(title="B", delivery="hybrid", endorsement="endorsed")
    publish(title="C", delivery="online", endorsement="not-endorsed")
    both = run(
        filters={"delivery": ["online", "hybrid"], "endorsement": ["endorsed"]}, sort="title"
    )
    assert titles(both) == ["A", "B"]
    # A facet's own counts ignore its own filter, so a second value can be added.
    delivery = {v.value: v.count for v in both.facets["delivery"]}
    assert delivery == {"online": 1, "hybrid": 1}
    endorsement = {v.value: v.count for v in both.facets["endorsement"]}
    assert endorsement == {"endorsed": 2, "not-endorsed": 1}


def test_an_unknown_facet_value_finds_nothing_but_is_shown_selected(index):
    publish()
    results = run(filters={"delivery": ["by-pigeon"]})
    assert results.total == 0
    assert [(v.value, v.count, v.selected) for v in results.facets["delivery"]][0] == (
        "by-pigeon",
        0,
        True,
    )


def test_paging_edges(index):
    for i in range(5):
        publish(title=f"Course {i}")
    assert titles(run(sort="title", per_page=2, page=3)) == ["Course 4"]
    assert run(sort="title", per_page=2, page=4).hits == []
    assert run(sort="title", per_page=2, page=4).total == 5
    assert run(per_page=2).pages == 3


def test_sorts(index):
    publish(title="Bravo", cost_usd=50, duration_weeks=8, published_at="2024-01-01")
    publish(title="Alpha", cost_usd=None, duration_weeks=2, published_at="2025-01-01")
    publish(title="Charlie", cost_usd=0, duration_weeks=None, published_at="2023-01-01")
    assert titles(run(sort="title")) == ["Alpha", "Bravo", "Charlie"]
    assert titles(run(sort="newest")) == ["Alpha", "Bravo", "Charlie"]
    assert titles(run(sort="cost")) == ["Charlie", "Bravo", "Alpha"]
    assert titles(run(sort="duration")) == ["Alpha", "Bravo", "Charlie"]


def test_highlights_mark_matches_and_escape_markup(index):
    publish(title="<script>alert(1)</script> Welding", summary="Learn <b>welding</b> & safety.")
    hit = run("welding").hits[0]
    assert "<mark" in str(hit.snippet_html)
    assert "<b>" not in str(hit.snippet_html) and "&lt;b&gt;" in str(hit.snippet_html)
    assert "<script>" not in str(hit.title_html) and "&lt;script&gt;" in str(hit.title_html)


def test_suggestions_complete_titles_skills_and_institutions(index):
    publish(title="Geospatial Mapping", skills=["GIS", "Remote sensing"])
    assert "Geospatial Mapping" in search.suggest("geos")
    assert "Remote sensing" in search.suggest("sens")
    assert "Oklahoma State University" in search.suggest("oklahoma st")


def test_retiring_an_entry_removes_it_from_search(index, tmp_path):
    entry = publish(title="Vanishing Act", external_id="GONE-1")
    assert run("vanishing").total == 1
    publish(title="Vanishing Act", external_id="GONE-1", status="retired")
    assert run("vanishing").total == 0
    assert entry.status is EntryStatus.RETIRED


def test_nothing_unpublished_is_ever_findable(index, client):
    """A unique word placed only in a draft (and in a request under review) is found by no
    search, suggestion, facet or highlight; published entries around it stay findable."""
    from app.services import workflow
    from tests.workflow_helpers import People

    people = People()
    publish(title="Published Neighbour", skills=["Soldering"])
    secret = "zanzibarquux"
    draft = workflow.create_request(
        people.liaison,
        "endorsement",
        {
            "title": f"{secret.title()} Credential",
            "summary": f"All about {secret}.",
            "skills": [f"{secret} skill"],
            "delivery": "online",
        },
    )
    assert draft.id
    search.rebuild()  # even a full rebuild from the database must leave drafts out

    assert run(secret).total == 0
    assert run(secret).suggestion is None
    assert search.suggest(secret[:5]) == []
    assert all(secret not in v.value for v in run().facets["skill"])
    body = client.get(f"/api/v1/credentials?q={secret}").json
    body.pop("interpretation")  # echoes the words that were searched
    assert body["total"] == 0 and secret not in str(body)
    html = client.get(f"/search?q={secret[:6]}").get_data(as_text=True)
    assert secret.title() not in html
    assert run("neighbour").total == 1
