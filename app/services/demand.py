"""Counting what learners look for: searches, searches that found nothing, entry views and
click-throughs to enrollment. Nothing that identifies a visitor is kept: no address, no cookie,
no account; only a count per day and per search (or entry).

Counts gather in the worker's memory and are written together at most every
``DEMAND_FLUSH_SECONDS`` (after the response of the request that crosses it), so a busy search
costs no write of its own. A worker that dies loses at most those seconds of counts.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import DemandCount

KINDS = frozenset({"search", "search_zero", "view", "enroll"})
MAX_KEY = 200


class _Buffer:
    """The counts one app (one worker) gathered since it last wrote them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Counter[tuple[date, str, str]] = Counter()
        self.last_flush = time.monotonic()


def _buffer() -> _Buffer:
    return current_app.extensions.setdefault("demand_counts", _Buffer())


def normalise_query(words: str) -> str:
    """The form a search is counted under: lower case, single spaces, at most 200 characters."""
    return " ".join(words.lower().split())[:MAX_KEY]


def record(kind: str, key: str | int) -> None:
    """Anyone: count one event of ``kind`` for ``key`` today. Writes nothing yet."""
    if kind not in KINDS:
        raise ValueError(f"unknown demand kind {kind!r}")
    key = str(key)[:MAX_KEY]
    if not key:
        return
    buffer = _buffer()
    with buffer.lock:
        buffer.pending[(datetime.now(UTC).date(), kind, key)] += 1


def record_search(words: str, total: int) -> None:
    """Anyone: count a public search by its words, and as a gap when it found nothing."""
    key = normalise_query(words)
    if not key:
        return
    record("search", key)
    if total == 0:
        record("search_zero", key)


def flush_if_due() -> int:
    """After a response: write the gathered counts when the interval has passed. Commits."""
    interval = current_app.config.get("DEMAND_FLUSH_SECONDS", 10)
    buffer = _buffer()
    if not buffer.pending or time.monotonic() - buffer.last_flush < interval:
        return 0
    return flush()


def flush() -> int:
    """Write every gathered count (one statement) and commit. Returns how many rows."""
    buffer = _buffer()
    with buffer.lock:
        batch = dict(buffer.pending)
        buffer.pending.clear()
        buffer.last_flush = time.monotonic()
    if not batch:
        return 0
    rows = [
        {"day": day, "kind": kind, "key": key, "count": n} for (day, kind, key), n in batch.items()
    ]
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(DemandCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "day", "key"],
        set_={"count": DemandCount.count + statement.excluded["count"]},
    )
    try:
        db.session.execute(statement)
        db.session.commit()
    except Exception:  # counting must never fail a learner's page
        db.session.rollback()
        current_app.logger.exception("Demand counts not written; %d dropped", len(rows))
        return 0
    return len(rows)
