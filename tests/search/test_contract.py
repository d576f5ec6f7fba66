"""The contract of the two search backends, on the same data: the seed inventory in one
PostgreSQL database, searched through the Whoosh index and through PostgreSQL's own search.

What a user sees must not depend on the backend where ranking plays no part: which entries
match (the forgiving behaviours included: typos, accents, word beginnings, synonyms,
compounds, filter words), the facet counts, filters, paging in a stated order, the
corrections and fallbacks said above the results; and both reach the relevance target.
"""

from __future__ import annotations

import pytest

from app import search
from app.extensions import db
from app.models.entry import entries_by_id
from app.search import SearchParams
from app.services import discovery
from tests.databases import PG_URL
from tests.search.conftest import seeded_application
from tests.search.relevance_set import QUERIES, recall_at_5

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL"),
]

BACKENDS = ("whoosh", "postgres")
# Beyond the relevance set: the forgiving cases, filter words, institutions, broad words,
# stop words, query syntax and nonsense.
MORE_QUERIES = [
    "cyber",
    "manag",
    "okla",
    "educacion",
    "tecnico",
    "CNA",
    "emt",
    "cdl",
    "HVAC",
    "lpn",
    "IT",
    "healthcare",
    "health care",
    "phlebotmy",
    "welding online",
    "free leadership badge",
    "data analytics under $500",
    "endorsed nursing",
    "non-credit welding",
    "nursing university of oklahoma",
    "university of oklahoma",
    "osu",
    '"patient care"',
    "safety",
    "leadership",
    "communication skills",
    "python sql",
    "the of",
    "title:(",
    "zzzzqqq",
    "",
]
FILTERS = [
    {},
    {"delivery": ["online", "hybrid"]},
    {"endorsement": ["endorsed"], "cost": ["free", "under-500"]},
    {"institution": ["OSU", "OU"], "credit": ["credit"]},
    {"occupation": ["29"], "skill": ["patient care"]},
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The seeded PostgreSQL application with both searches built."""
    app, drop = seeded_application(tmp_path_factory.mktemp("contract"), "postgresql")
    with app.app_context():
        for backend in BACKENDS:
            app.config["SEARCH_BACKEND"] = backend
            search.rebuild()
    yield app
    with app.app_context():
        app.extensions["search_store"].close()
        db.engine.dispose()
    drop()


def ask(app, backend: str, params: SearchParams):
    """What a user sees of a search on ``backend``, ranking aside."""
    with app.app_context():
        app.config["SEARCH_BACKEND"] = backend
        context = discovery.query_context()
        results = search.search(params, context)
        total, ids = search.ordered_ids(
            SearchParams(q=params.q, filters=params.filters, sort="title"), 5000, context
        )
        return {
            "total": results.total,
            "matches": sorted(ids),
            "ordered_total": total,
            "facets": {
                name: sorted((v.value, v.count, v.selected) for v in values)
                for name, values in results.facets.items()
            },
            "corrected": results.corrected,
            "fallback": results.any_word_fallback,
            "only_stop_words": results.only_stop_words,
            "word_filters": [(f.facet, f.values) for f in results.word_filters],
            "offer": results.institution_offer
            and (results.institution_offer[0].code, results.institution_offer[1]),
            "without": results.total_without_word_filters,
        }


@pytest.mark.parametrize("q", [q for _kind, q, _expected in QUERIES] + MORE_QUERIES)
def test_the_same_words_find_the_same_entries_and_counts(both, q):
    whoosh, postgres = (ask(both, b, SearchParams(q=q)) for b in BACKENDS)
    assert whoosh == postgres


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("q", ["", "nursing", "welding online", "leadership"])
def test_filters_give_the_same_entries_and_counts(both, q, filters):
    whoosh, postgres = (ask(both, b, SearchParams(q=q, filters=filters)) for b in BACKENDS)
    assert whoosh == postgres


@pytest.mark.parametrize("sort", ["title", "newest", "cost", "duration"])
def test_a_stated_order_pages_alike(both, sort):
    """Entries tied on the sort key may come in either order; the keys of each page don't."""
    keys = {
        "title": lambda e: e.title.lower(),
        "newest": lambda e: e.published_on,
        "cost": lambda e: (e.content.cost_usd is None, e.content.cost_usd or 0),
        "duration": lambda e: (e.content.duration_weeks is None, e.content.duration_weeks or 0),
    }
    pages = {}
    for backend in BACKENDS:
        with both.app_context():
            both.config["SEARCH_BACKEND"] = backend
            seen = []
            for page in (1, 2, 3):
                params = SearchParams(q="health", sort=sort, page=page, per_page=7)
                results = search.search(params, discovery.query_context())
                entries = entries_by_id([h.entry_id for h in results.hits])
                seen.append([keys[sort](entries[h.entry_id]) for h in results.hits])
            pages[backend] = seen
    assert pages["whoosh"] == pages["postgres"]
    assert all(len(p) == 7 for p in pages["whoosh"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_both_reach_the_relevance_target(both, backend):
    def top5(q: str) -> list[int]:
        params = discovery.parse_params({"q": q, "per_page": "5"})
        return [entry.id for entry, _hit in discovery.search_inventory(params).entries]

    with both.app_context():
        both.config["SEARCH_BACKEND"] = backend
        score, rows = recall_at_5(top5)
    assert score >= 0.95, [(q, r) for q, r, _top in rows if r < 1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_suggestions_and_skill_labels_agree(both, backend):
    with both.app_context():
        both.config["SEARCH_BACKEND"] = backend
        assert "Cybersecurity Fundamentals" in search.suggest("cyber")
        assert search.suggest("x") == []
        assert search.skill_labels(["sql", "python"]) == {"sql": "SQL", "python": "Python"}
        assert (
            sum(search.facet_values("endorsement").values()) == search.search(SearchParams()).total
        )
