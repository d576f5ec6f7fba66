"""Machine-readable copies of the public inventory, for anyone: the record format (JSON, JSON
Lines, CSV), CTDL JSON-LD, Open Badges achievements, Atom feeds and the sitemap.

Only published entries are ever exported. Exports of a search hold only active entries (the
index holds nothing else); an entry asked for by its address is answered retired too, marked
so, since badges already issued and registry records still point at it. No export reads a
request's content: what a change request proposes appears only once it is approved.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app import search
from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry, Institution
from app.models.entry import entries_by_id, full_entry_options
from app.schemas import ctdl, frameworks, open_badges
from app.services import discovery, records
from app.services.errors import NotFound

MAX_EXPORT_ROWS = 10_000
FEED_SIZE = 50
# Retirements a search feed looks at: the most recent ones, enough for any reader that polls.
FEED_RETIRED_WINDOW = 100
CSV_BOM = "\ufeff"
_CHUNK = 500


def _active_entries(ids: list[int]) -> Iterator[Entry]:
    """The active entries of ``ids`` in that order, fully loaded, a chunk of queries at a time."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        entries = entries_by_id(chunk)
        for entry_id in chunk:
            entry = entries.get(entry_id)
            if entry is not None and entry.status is EntryStatus.ACTIVE:
                yield entry


def _reading_cells(entry: Entry, entry_url: Callable[[Entry], str] | None) -> dict[str, str]:
    """The columns for people beside the record's codes: names, titles and the entry's page."""
    content = entry.content
    cells = {
        "institution_name": entry.institution.name,
        "industry_titles": " | ".join(f"{t.code} {t.title}" for t in content.industries),
        "occupation_titles": " | ".join(f"{t.code} {t.title}" for t in content.occupations),
        "url": entry_url(entry) if entry_url else "",
    }
    return {key: records.neutralise_cell(value) for key, value in cells.items()}


def search_csv(
    params: search.SearchParams, entry_url: Callable[[Entry], str] | None = None
) -> tuple[int, Iterator[str]]:
    """Every match of a search (at most 10,000, in the search's order) as CSV in the record
    format's column form, which ``flask inventory import`` reads back: UTF-8 with a byte-order
    mark (so spreadsheets read the accents right), and every cell that would start a formula
    prefixed with an apostrophe. Anyone may call it. After the record's columns come
    ``records.READING_COLUMNS`` (institution name, industry and occupation titles, the
    entry's address from ``entry_url``), which the import ignores.

    Returns ``(total matches, chunks of text)``. Raises ``search.IndexUnavailable``.
    """
    total, ids = search.ordered_ids(params, MAX_EXPORT_ROWS, discovery.query_context())

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        buffer.write(CSV_BOM)
        writer = csv.DictWriter(
            buffer,
            fieldnames=[*records.CSV_COLUMNS, *records.READING_COLUMNS],
            lineterminator="\n",
        )
        writer.writeheader()
        for n, entry in enumerate(_active_entries(ids), start=1):
            row = records.record_to_csv_row(records.entry_record(entry))
            writer.writerow(row | _reading_cells(entry, entry_url))
            if n % _CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    return total, chunks()


def search_jsonl(params: search.SearchParams) -> tuple[int, Iterator[str]]:
    """Every match of a search (at most 10,000, in its order) as JSON Lines in the record format:
    one entry a line, which ``flask inventory import`` reads back unchanged. Anyone may call it.
    Raises ``search.IndexUnavailable``."""
    total, ids = search.ordered_ids(params, MAX_EXPORT_ROWS, discovery.query_context())

    def lines() -> Iterator[str]:
        for entry in _active_entries(ids):
            yield json.dumps(records.entry_record(entry), ensure_ascii=False) + "\n"

    return total, lines()


def entry_record(key: str) -> dict:
    """One published entry (by id or slug) in the record format. Raises ``NotFound``."""
    return records.entry_record(discovery.get_entry(key))


# --- CTDL ----------------------------------------------------------------------------------


def entry_ctdl(key: str) -> dict:
    """One published entry as a CTDL JSON-LD document (a retired one as Deprecated).
    Raises ``NotFound``."""
    return ctdl.document(discovery.get_entry(key))


@dataclass
class CtdlPage:
    total: int
    page: int
    per_page: int
    document: dict

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_ctdl(params: search.SearchParams, graph_id: str) -> CtdlPage:
    """One page of a search's matches as a CTDL ``@graph`` (with the organisations they name).
    Raises ``search.IndexUnavailable``."""
    end = params.page * params.per_page
    total, ids = search.ordered_ids(params, end, discovery.query_context())
    page_ids = ids[end - params.per_page : end]
    entries = list(_active_entries(page_ids))
    return CtdlPage(total, params.page, params.per_page, ctdl.graph(entries, graph_id))


def institution_ctdl(slug: str) -> dict:
    """An institution as a CTDL organisation. Raises ``NotFound``."""
    institution = discovery.get_institution(slug)
    return {"@context": ctdl.CONTEXT, **ctdl.organization(institution)}


def regents_ctdl() -> dict:
    return {"@context": ctdl.CONTEXT, **ctdl.regents_organization()}


# --- Open Badges -----------------------------------------------------------------------------


def achievement(key: str) -> dict:
    """The Open Badges 3.0 achievement of a published entry's badge. Raises ``NotFound`` when
    there is no such entry or it has no badge."""
    entry = discovery.get_entry(key)
    if not frameworks.has_badge(entry):
        raise NotFound("This inventory entry has no digital badge.")
    return open_badges.achievement(entry)


# --- feeds ----------------------------------------------------------------------------------


def latest_entries(limit: int = FEED_SIZE) -> list[Entry]:
    """The most recently published or updated active entries, newest first (the feed)."""
    return list(
        db.session.scalars(
            sa.select(Entry)
            .where(Entry.status == EntryStatus.ACTIVE)
            .order_by(Entry.updated_at.desc(), Entry.id.desc())
            .limit(limit)
            .options(*full_entry_options())
        )
    )


def search_feed(params: search.SearchParams, limit: int = FEED_SIZE) -> list[Entry]:
    """The entries of a search's feed, most recently changed first: active matches that were
    published or changed, and matching entries that were retired (they come as an update of
    the same feed entry). Raises ``search.IndexUnavailable``."""
    _total, ids = search.ordered_ids(params, MAX_EXPORT_ROWS, discovery.query_context())
    active: list[Entry] = []
    if ids:
        newest = list(
            db.session.scalars(
                sa.select(Entry.id)
                .where(Entry.id.in_(ids), Entry.status == EntryStatus.ACTIVE)
                .order_by(Entry.updated_at.desc(), Entry.id.desc())
                .limit(limit)
            )
        )
        loaded = entries_by_id(newest)
        active = [loaded[i] for i in newest if i in loaded]
    # Only a retirement newer than the oldest active item can make it into the feed.
    query = sa.select(Entry).where(Entry.status == EntryStatus.RETIRED)
    if len(active) >= limit:
        query = query.where(Entry.updated_at >= active[-1].updated_at)
    retired_candidates = list(
        db.session.scalars(
            query.order_by(Entry.updated_at.desc(), Entry.id.desc())
            .limit(FEED_RETIRED_WINDOW)
            .options(*full_entry_options())
        )
    )
    matched = set(search.matching(retired_candidates, params, discovery.query_context()))
    retired = [e for e in retired_candidates if e.id in matched]
    both = sorted(active + retired, key=lambda e: (e.updated_at, e.id), reverse=True)
    return both[:limit]


# --- sitemap --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapUrl:
    endpoint: str
    values: dict
    lastmod: date | datetime | None = None


# The sitemaps protocol's limit of addresses in one file; past it, a sitemap index of parts.
SITEMAP_LIMIT = 50_000


def sitemap_parts() -> int:
    """How many sitemap files the public pages need (1 up to ``SITEMAP_LIMIT`` addresses)."""
    institutions = db.session.scalar(sa.select(sa.func.count(Institution.id))) or 0
    entries = (
        db.session.scalar(
            sa.select(sa.func.count(Entry.id)).where(Entry.status == EntryStatus.ACTIVE)
        )
        or 0
    )
    return max(1, -(-(3 + institutions + entries) // SITEMAP_LIMIT))


def sitemap_part(part: int) -> Iterator[SitemapUrl]:
    """The addresses of sitemap file ``part`` (from 1). Raises ``NotFound`` past the last."""
    if not 1 <= part <= sitemap_parts():
        raise NotFound("There is no such sitemap.")
    start = (part - 1) * SITEMAP_LIMIT
    return itertools.islice(sitemap_urls(), start, start + SITEMAP_LIMIT)


def sitemap_urls() -> Iterator[SitemapUrl]:
    """Every public page a search engine should know: the search, institution list and employer
    view, each institution, and each active entry (with its last change)."""
    yield SitemapUrl("public.home", {})
    yield SitemapUrl("public.institutions", {})
    yield SitemapUrl("public.employers", {})
    for slug in db.session.scalars(sa.select(Institution.slug).order_by(Institution.name)):
        yield SitemapUrl("public.institution", {"slug": slug})
    rows = db.session.execute(
        sa.select(Entry.slug, Entry.updated_at)
        .where(Entry.status == EntryStatus.ACTIVE)
        .order_by(Entry.id)
        .execution_options(yield_per=1000)
    )
    for slug, updated_at in rows:
        yield SitemapUrl("public.entry", {"key": slug}, updated_at)
