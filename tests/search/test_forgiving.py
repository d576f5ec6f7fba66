"""What learners type, on the seed inventory: typos, missing accents, word beginnings and
compounds find what they mean; words the index or English knows are never "corrected"."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app import search
from app.extensions import db
from app.models import Entry
from app.services import discovery
from tests.factories import publish


def find(q: str, **args):
    params = discovery.parse_params({"q": q, "per_page": "50", **args})
    return discovery.search_inventory(params)


def ids(page) -> list[str]:
    return [entry.external_id for entry, _hit in page.entries]


def titles(page) -> list[str]:
    return [entry.title for entry, _hit in page.entries]


def test_a_word_with_a_letter_missing_is_corrected_and_said(seeded):
    page = find("phlebotmy")
    assert page.results.corrected == "phlebotomy"
    assert {"NSU-MC-122", "FT-1051"} <= set(ids(page)[:3])
    assert find("phlebotmy", as_typed="1").results.total == 0


def test_two_letters_swapped_are_corrected(seeded):
    page = find("welidng")
    assert page.results.corrected == "welding"
    assert titles(page)[0].endswith("Welding") or "Welding" in titles(page)[0]


def test_the_page_says_what_it_searched_and_offers_the_words_as_typed(seeded):
    html = seeded.test_client().get("/search?q=phlebotmy").get_data(as_text=True)
    assert "Showing results for" in html and "phlebotomy" in html
    assert "Search instead for" in html and "as_typed=1" in html
    assert "Phlebotomy Technician" in re.sub(r"</?mark>", "", html)
    body = seeded.test_client().get("/api/v1/credentials?q=phlebotmy").json
    assert body["interpretation"]["corrected"]["to"] == "phlebotomy"
    assert body["total"] >= 2


def test_words_the_index_or_english_knows_are_never_replaced(seeded):
    for q in ["leadership", "fleet", "submarine", "CNA", "free leadership badge"]:
        assert find(q).results.corrected is None, q
    # "cna" is not an English word, but it is on the staff's synonym list.
    assert "Long-Term Care Nurse Aide" in titles(find("CNA"))


def test_a_word_being_typed_matches_word_beginnings_below_whole_words(seeded):
    page = find("cyber")
    found = titles(page)
    assert "Cybersecurity Fundamentals" in found
    assert "Cybersecurity Operations Analyst" in found
    whole = [i for i, t in enumerate(found) if "Cyber " in t]
    prefix_only = [i for i, t in enumerate(found) if t.startswith("Cybersecurity")]
    assert whole and prefix_only and max(whole) < min(prefix_only)
    assert "Phlebotomy Technician" in titles(find("phlebo"))


def test_suggestions_complete_the_beginning_of_a_word(seeded):
    assert any(s.startswith("Cybersecurity") for s in search.suggest("cyber"))


def test_a_compound_meets_its_spaced_form(seeded):
    joined = set(ids(find("healthcare")))
    spaced = set(ids(find("health care")))
    assert joined == spaced and len(joined) > 20


def test_case_does_not_matter(seeded):
    assert ids(find("WELDING")) == ids(find("welding"))


def test_accents_are_folded_in_the_index_and_the_query(index):
    publish(
        title="Técnico en Educación Bilingüe",
        summary="Para maestros de niños en escuelas públicas.",
        skills=["Enseñanza bilingüe"],
    )
    publish(title="Welding Basics", summary="Arc welding.")
    for q in ["tecnico educacion", "Técnico", "EDUCACIÓN", "ninos", "bilingue"]:
        results = search.search(search.SearchParams(q=q))
        found = db.session.scalars(
            sa.select(Entry.title).where(Entry.id.in_([h.entry_id for h in results.hits]))
        ).all()
        assert found == ["Técnico en Educación Bilingüe"], q
    assert "Técnico en Educación Bilingüe" in search.suggest("tecn")
    hit = search.search(search.SearchParams(q="educacion")).hits[0]
    assert ">Educación</mark>" in str(hit.title_html)
