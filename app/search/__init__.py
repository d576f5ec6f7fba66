"""The search: schema, document mapping, query, facets, rebuild and check. The rest of the
application calls only what is exported here.

Two backends answer the same calls, chosen by ``SEARCH_BACKEND``: ``whoosh`` (the embedded
default: an index folder per host, kept in line after each commit) and ``postgres``
(``app.search.postgres``: PostgreSQL's own full-text search, rows written in the publishing
transaction, shared by every app host). Reading a query (``app.search.plan``) is common to
both."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from app.config import ConfigError
from app.extensions import db
from app.models import Entry
from app.search import postgres
from app.search import query as _query
from app.search import store as _store
from app.search.analysis import stems
from app.search.plan import AppliedFilter, InstitutionOffer, Synonyms
from app.search.query import (
    SORT_LABELS,
    SORTS,
    FacetCount,
    Hit,
    QueryContext,
    SearchParams,
    SearchResults,
)
from app.search.schema import FACET_NAMES, FACETS, FACETS_BY_NAME, Facet
from app.search.store import (
    CheckReport,
    IndexStore,
    IndexUnavailable,
    WriterBusy,
    store,
)

BACKENDS = ("whoosh", "postgres")


def init_search(app: Flask) -> None:
    backend = app.config.setdefault("SEARCH_BACKEND", "whoosh")
    if backend not in BACKENDS:
        raise ConfigError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    if app.config.get("SEARCH_DATABASE_URL") and backend != "postgres":
        raise ConfigError("SEARCH_DATABASE_URL is read by SEARCH_BACKEND=postgres only.")
    if backend == "postgres":
        if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
            raise ConfigError("SEARCH_BACKEND=postgres needs DATABASE_URL on PostgreSQL.")
        postgres.install_hooks()
        app.teardown_appcontext(postgres.close_reader)
    app.extensions["search_store"] = IndexStore(app.config["SEARCH_INDEX_DIR"])
    _query.configure(int(app.config.get("SEARCH_MATCH_CACHE", _query.MATCH_CACHE_SIZE)))


def _pg() -> bool:
    return current_app.config.get("SEARCH_BACKEND") == "postgres"


def backend() -> str:
    """The search backend of this application: ``whoosh`` or ``postgres``."""
    return current_app.config.get("SEARCH_BACKEND", "whoosh")


def _texts(ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Entry.id, Entry.title, Entry.content_id).where(Entry.id.in_(ids))
    ).all()
    from app.models import CredentialContent

    summaries = dict(
        db.session.execute(
            db.select(CredentialContent.id, CredentialContent.summary).where(
                CredentialContent.id.in_([r.content_id for r in rows])
            )
        ).all()
    )
    return {r.id: (r.title, summaries.get(r.content_id, "")) for r in rows}


def search(params: SearchParams, context: QueryContext | None = None) -> SearchResults:
    """Run a search. Raises ``IndexUnavailable`` if there is no index to search."""
    if _pg():
        return postgres.run(params, context)
    return _query.run(store().searcher(), params, _texts, context)


def ordered_ids(
    params: SearchParams, limit: int, context: QueryContext | None = None
) -> tuple[int, list[int]]:
    """Every match of a search in its order (at most ``limit``), for exports."""
    if _pg():
        return postgres.ordered_ids(params, limit, context)
    return _query.ordered_ids(store().searcher(), params, limit, context)


def remembered_page(key: tuple, compute):
    """``compute()`` (a rendered result page), remembered under ``key`` until the index
    changes (``SEARCH_MATCH_CACHE`` pages per process; 0: never)."""
    if _pg():
        return postgres.remembered_page(key, compute)
    return _query._cache_for(store().searcher()).page(key, compute)


def matching(
    entries: list[Entry], params: SearchParams, context: QueryContext | None = None
) -> list[int]:
    """The ids of those of ``entries`` that the search ``params`` matches, whatever their
    status: the same query and filters run on a throw-away in-memory index of just these
    entries (the live index holds only active ones). For feeds that report retirements."""
    if not entries:
        return []
    from whoosh.filedb.filestore import RamStorage

    from app.search.documents import entry_document
    from app.search.schema import SCHEMA

    ix = RamStorage().create_index(SCHEMA)
    with ix.writer() as writer:
        for entry in entries:
            writer.add_document(**entry_document(entry))
    with ix.searcher() as searcher:
        _total, ids = _query.ordered_ids(searcher, params, len(entries), context)
    return ids


def suggest(prefix: str, limit: int = 8) -> list[str]:
    if _pg():
        return postgres.suggest(prefix, limit)
    return _query.suggest(store().searcher(), prefix, limit)


def skill_labels(keys: list[str]) -> dict[str, str]:
    """How skills are written, for the folded keys of the skill facet (from the index)."""
    if _pg():
        return postgres.skill_labels(keys)
    return _query.skill_labels(store().searcher(), keys)


def facet_values(name: str) -> dict[str, int]:
    """Every value of facet ``name`` in the live index with its number of entries."""
    if _pg():
        return postgres.facet_values(name)
    searcher = store().searcher()
    cache = _query._cache_for(searcher)
    return {value: len(ids) for value, ids in cache.postings(name).items()}


def rebuild(progress: Callable[[int], None] | None = None, *, lock_timeout: float = 120.0) -> int:
    """Rebuild the whole search from the database (``flask search rebuild``); returns the
    number of entries."""
    if _pg():
        return postgres.rebuild(progress, lock_timeout=lock_timeout)
    return _store.rebuild(progress, lock_timeout=lock_timeout)


def sync(*, lock_timeout: float = 2.0, strict: bool = False) -> int:
    """Apply pending index tasks (after every commit, and ``flask search sync``, which is
    ``strict``: it raises ``WriterBusy`` or ``IndexUnavailable`` rather than waiting)."""
    if _pg():
        return postgres.sync(lock_timeout=lock_timeout, strict=strict)
    return _store.sync(lock_timeout=lock_timeout, strict=strict)


def check() -> CheckReport:
    """Compare the search with the database (``flask search check``)."""
    if _pg():
        return postgres.check()
    return _store.check()


def ready() -> bool:
    """Whether search can answer now (an index to read, or the PostgreSQL search tables)."""
    if _pg():
        return postgres.exists()
    try:
        store().searcher()
    except IndexUnavailable:
        return False
    return True


def matched_labels(results: SearchResults, labels: list[tuple[str, str]]) -> list[str]:
    """Which of an entry's taxonomy labels (``(title, kind)``) the search's words matched:
    ``["Leadership competency"]``."""
    if not results.terms:
        return []
    return [f"{title} {kind}" for title, kind in labels if set(stems(title)) & results.terms]


__all__ = [
    "AppliedFilter",
    "InstitutionOffer",
    "QueryContext",
    "Synonyms",
    "matched_labels",
    "remembered_page",
    "FACETS",
    "FACETS_BY_NAME",
    "FACET_NAMES",
    "SORTS",
    "SORT_LABELS",
    "CheckReport",
    "Facet",
    "FacetCount",
    "Hit",
    "IndexStore",
    "IndexUnavailable",
    "SearchParams",
    "SearchResults",
    "WriterBusy",
    "backend",
    "check",
    "ready",
    "facet_values",
    "init_search",
    "ordered_ids",
    "rebuild",
    "search",
    "skill_labels",
    "store",
    "suggest",
    "sync",
]
