"""Machine-readable copies of the public inventory: CSV of any search, a feed of new entries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa

from app import search
from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry
from app.models.entry import entries_by_id, full_entry_options
from app.services import discovery, records

MAX_EXPORT_ROWS = 10_000


def search_csv(params: search.SearchParams) -> tuple[int, Iterator[str]]:
    """Every match of a search (at most 10,000, in the search's order) as CSV in the record
    format's column form, which ``flask inventory import`` reads back. Anyone may call it.

    Returns ``(total matches, lines)``. Raises ``search.IndexUnavailable``.
    """
    total, ids = search.ordered_ids(params, MAX_EXPORT_ROWS, discovery.query_context())

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=records.CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            entries = entries_by_id(chunk)
            for entry_id in chunk:
                entry = entries.get(entry_id)
                if entry is not None and entry.status is EntryStatus.ACTIVE:
                    writer.writerow(records.record_to_csv_row(records.entry_record(entry)))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    return total, lines()


def latest_entries(limit: int = 50) -> list[Entry]:
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
