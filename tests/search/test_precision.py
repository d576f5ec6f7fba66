"""Precision on the seed inventory: taxonomy labels weigh little and are shown, words that
name a filter become that filter, an institution's name is offered as its filter."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from app.services import discovery


def find(q: str, **args):
    params = discovery.parse_params({"q": q, "per_page": "100", **args})
    return discovery.search_inventory(params)


def html_of(app, url: str) -> str:
    return re.sub(r"</?mark[^>]*>", "", app.test_client().get(url).get_data(as_text=True))


def _says_leadership(entry) -> bool:
    c = entry.content
    text = " ".join([c.title, c.summary, *(s.name for s in c.skills)]).lower()
    return "leader" in text


def test_a_taxonomy_label_match_ranks_below_title_skill_and_summary_matches(seeded):
    page = find("leadership")
    entries = [entry for entry, _hit in page.entries]
    direct = [i for i, e in enumerate(entries) if _says_leadership(e)]
    label_only = [i for i, e in enumerate(entries) if not _says_leadership(e)]
    assert direct and label_only
    assert max(direct[:10]) < min(label_only)
    assert entries[0].title.lower().count("leadership")


def test_a_taxonomy_label_match_is_shown(seeded):
    page = find("leadership")
    shown = {
        m
        for entry, hit in page.entries
        if not _says_leadership(entry)
        for m in hit.taxonomy_matches
    }
    assert "Leadership competency" in shown or "Innovation and Leadership focus area" in shown
    html = html_of(seeded, "/search?q=leadership&per_page=100")
    assert "Matched: " in html and "Leadership competency" in html


def test_filter_words_become_removable_filters_and_the_rest_is_searched(seeded):
    page = find("short online cybersecurity credential under $500")
    r = page.results
    assert r.plan.text == "short cybersecurity credential"
    applied = {(f.facet, f.values) for f in r.word_filters}
    assert ("delivery", ("online",)) in applied
    assert ("cost", ("free", "under-500")) in applied
    assert not r.any_word_fallback
    for entry, _hit in page.entries:
        assert entry.content.delivery.value == "online"
        assert entry.content.cost_usd is not None and entry.content.cost_usd <= 500
    html = (
        seeded.test_client()
        .get("/search?q=short+online+cybersecurity+credential+under+%24500")
        .get_data(as_text=True)
    )
    chips = re.findall(r'<a class="chip chip--from-words" href="([^"]+)"', html)
    assert len(chips) == 3  # Online; Free and $1 to $500
    removed = [parse_qs(urlsplit(c.replace("&amp;", "&")).query)["q"][0] for c in chips]
    assert "short cybersecurity credential under $500" in removed
    clear = re.search(r'<a class="chips__clear" href="([^"]+)"', html).group(1)
    assert parse_qs(urlsplit(clear.replace("&amp;", "&")).query)["q"] == [
        "short cybersecurity credential"
    ]


def test_free_leadership_badge_is_two_filters_and_a_word(seeded):
    r = find("free leadership badge").results
    assert r.corrected is None  # never "fleet"
    assert {f.facet for f in r.word_filters} == {"cost", "entry_type"}
    assert r.plan.text == "leadership"


def test_endorsed_credit_and_badge_level_words_are_filters(seeded):
    page = find("endorsed cybersecurity")
    assert page.entries and all(e.endorsement.value == "endorsed" for e, _ in page.entries)
    page = find("hybrid nursing for credit")
    assert page.entries
    assert all(
        e.content.credit_bearing and e.content.delivery.value == "hybrid" for e, _ in page.entries
    )
    page = find("advanced level")
    assert page.entries and all(e.content.badge_level.value == "advanced" for e, _ in page.entries)


def test_when_filter_words_leave_nothing_the_page_says_so_plainly(seeded):
    r = find("welding online free").results
    assert r.total == 0 and r.total_without_word_filters > 0
    html = html_of(seeded, "/search?q=welding+online+free")
    assert "No entry matching “welding” is also “online” and “free”" in html
    assert f"{r.total_without_word_filters} entries match without those filters" in html


def test_an_institution_named_in_the_query_is_offered_not_matched_as_words(seeded):
    page = find("nursing university of oklahoma")
    r = page.results
    offer, n = r.institution_offer
    assert offer.name == "University of Oklahoma" and n == 0
    assert r.plan.text == "nursing"
    assert all("nurs" in (e.title + e.content.summary).lower() for e, _ in page.entries[:5])
    html = html_of(seeded, "/search?q=nursing+university+of+oklahoma")
    assert "University of Oklahoma has no entries for “nursing”" in html

    r = find("OSU welding").results
    offer, n = r.institution_offer
    assert offer.code == "OSU" and n >= 1
    html = html_of(seeded, "/search?q=OSU+welding")
    link = re.search(r'Only <a class="usa-link" href="([^"]+)">Oklahoma State University</a>', html)
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query == {"q": ["welding"], "institution": ["OSU"]}


def test_the_name_alone_chooses_the_institution(seeded):
    page = find("University of Oklahoma")
    assert page.results.total == 23 or page.results.total > 10
    assert all(e.institution.code == "OU" for e, _ in page.entries)


def test_the_api_says_what_it_read(seeded):
    body = (
        seeded.test_client()
        .get("/api/v1/credentials?q=free+leadership+badge")
        .json["interpretation"]
    )
    assert body["searched"] == "leadership"
    assert {f["facet"] for f in body["filters_from_words"]} == {"cost", "entry_type"}
    assert any(f["labels"] == ["Free"] for f in body["filters_from_words"])
    offer = (
        seeded.test_client()
        .get("/api/v1/credentials?q=nursing+university+of+oklahoma")
        .json["interpretation"]["institution_offer"]
    )
    assert offer == {
        "code": "OU",
        "name": "University of Oklahoma",
        "words": "university of oklahoma",
        "matches": 0,
    }
