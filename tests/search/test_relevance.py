"""Relevance you can measure: recall@5 over labelled queries on the seed inventory."""

from __future__ import annotations

from app.services import discovery
from tests.search.relevance_set import QUERIES, recall_at_5


def _ids(q: str) -> list[int]:
    page = discovery.search_inventory(discovery.parse_params({"q": q, "per_page": "5"}))
    return [entry.id for entry, _hit in page.entries]


def test_the_set_is_large_and_varied():
    assert len(QUERIES) >= 40
    kinds = {kind for kind, _q, _e in QUERIES}
    assert {"misspelling", "abbreviation", "occupation", "institution", "skill"} <= kinds


def test_recall_at_5_is_at_least_095(seeded):
    score, rows = recall_at_5(_ids)
    misses = [(q, r) for q, r, _top in rows if r < 1]
    assert score >= 0.95, f"recall@5 = {score:.3f}; short of full recall: {misses}"
