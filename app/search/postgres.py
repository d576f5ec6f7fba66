"""The search on PostgreSQL's own full-text search (``SEARCH_BACKEND=postgres``).

Nothing lives outside the database, so every app host sees a publication at once:

- ``search.documents`` holds one row per active published entry, written in the same
  transaction as the publication (a ``before_commit`` hook turns the transaction's index
  tasks into rows; nothing is left to drain). Its ``tsvector`` is weighted: A the title, B the
  skills, C the institution, the summary and the rest of the text, D the taxonomy titles; the
  text search configuration ``search.inventory`` folds accents (``unaccent``) and stems
  English (Snowball). A GIN index answers ``@@``. A second, smaller ``tsvector``, stored in
  the row itself, ranks the matches and answers word beginnings: the title (A), skills (B)
  and summary (C) with their positions, the words of the rest of the text without (which
  rank as D). Ranking with the whole document read it out of line for every match and cost
  three times as much on a word most entries have.
- A query is read by the same code as on Whoosh (``app.search.plan``: filter words,
  institutions, synonyms, compounds, typos, word beginnings) over the vocabulary in
  ``search.words`` (typo candidates through ``pg_trgm``); each unit becomes a
  ``websearch_to_tsquery`` (or ``to_tsquery('simple', 'cyber:*')`` for a word being typed,
  matched against the title and skill words of the smaller vector).
- Each such part is matched and ranked by PostgreSQL once per search generation and process
  (``_Parts``); its ``{entry: rank}`` is kept, and a search combines its parts' sets in
  memory: units must all match (any, as a fallback), filters and facet counts (disjunctive)
  are set operations with each facet value's entries (``_FacetSets``), sorts read each
  entry's place in PostgreSQL's order of the sort. So a word most of 100,000 entries have is
  read once, and each other page, sort or filter of it costs set operations only, as on
  Whoosh. Highlights come from ``ts_headline`` on the page's hits.
- ``search.state.generation`` is raised by every change, so what a process keeps (parts,
  facet sets, orders, rendered pages) is dropped at the next change anywhere.
"""

from __future__ import annotations

import gc
import heapq
import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape

import sqlalchemy as sa
from flask import current_app, g, has_app_context
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.bulk import paused_gc
from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry, IndexTask
from app.models.entry import entries_by_id
from app.search import query as _query
from app.search.analysis import WORDS, fold, stems
from app.search.documents import entry_document
from app.search.plan import Plan, Vocabulary
from app.search.query import (
    FacetCount,
    Hit,
    QueryContext,
    SearchParams,
    SearchResults,
    _merge_filters,
    _plain_snippet,
)
from app.search.schema import FACET_NAMES
from app.search.store import CheckReport, IndexUnavailable, compare

CONFIG = "search.inventory"
# ts_rank's weights of the D, C, B and A parts: taxonomy titles; institution, summary and
# text; skills; title.
WEIGHTS = "{0.02,0.25,0.5,1.0}"
PREFIX_WEIGHT = _query.PREFIX_WEIGHT
SORT_SQL = {
    "newest": "published DESC, title_sort, entry_id",
    "title": "title_sort, entry_id",
    "cost": "cost_sort, title_sort, entry_id",
    "duration": "duration_sort, title_sort, entry_id",
}
# The title and skill words of ``ranked`` (weights A and B; the words without positions are
# left out), GIN-indexed as this very expression: where a word being typed is looked for.
HEADS = "ts_filter(ranked, '{a,b}')"
# Typo candidates: words sharing at least this share of trigrams with the typed word.
TRIGRAM_THRESHOLD = 0.25
# Control characters that never occur in stored text (``_clean``): highlight markers.
_START, _STOP = "\x02", "\x03"
# The SQL below is put together from constants and bind-parameter names only; every value
# (words, filter values, ids) is a bound parameter. Hence the S608/B608 notes.


def _clean(text: str) -> str:
    return "".join(c for c in text if c >= " " or c in "\n\t")


# --- writing: documents in the publication's transaction ----------------------------------


# PostgreSQL's parser reads "HVAC/R" or "a@b" as one file or e-mail token; words they join
# are words of their own here, as on Whoosh.
_JOINERS = re.compile(r"[/\\@]")


def _words(text: str) -> str:
    return _JOINERS.sub(" ", text)


def _row(entry: Entry) -> dict:
    doc = entry_document(entry)
    return {
        "entry_id": entry.id,
        "version": doc["version"],
        "a": _words(doc["title"]),
        "b": _words(doc["skills_text"]),
        "c": _words(f"{doc['institution_text']}\n{doc['summary']}\n{doc['body']}"),
        "d": _words(doc["taxonomy_text"]),
        "s": _words(doc["summary"]),
        # Kept escaped: ts_headline drops what looks like a tag, and keeps an entity whole.
        "title": str(escape(_clean(doc["title"]))),
        "summary": str(escape(_clean(doc["summary"]))),
        "facets": [f"{name}:{value}" for name in FACET_NAMES for value in doc[f"f_{name}"]],
        "words": sorted({t.text for t in WORDS(doc["spell"])}),
        "published": doc["published"],
        "title_sort": doc["title_sort"],
        "cost_sort": doc["cost_sort"],
        "duration_sort": doc["duration_sort"],
        "suggest": doc["suggest"],
    }


# Every row of a batch travels as one JSON document: one statement and one round trip for
# 500 entries, not one each.
_UPSERT = sa.text(
    f"""
    INSERT INTO search.documents (entry_id, version, document, ranked, facets, published,
                                  title_sort, cost_sort, duration_sort)
    SELECT r.entry_id, r.version,
           setweight(to_tsvector('{CONFIG}', r.a), 'A')
           || setweight(to_tsvector('{CONFIG}', r.b), 'B')
           || setweight(to_tsvector('{CONFIG}', r.c), 'C')
           || setweight(to_tsvector('{CONFIG}', r.d), 'D'),
           setweight(to_tsvector('{CONFIG}', r.a), 'A')
           || setweight(to_tsvector('{CONFIG}', r.b), 'B')
           || setweight(to_tsvector('{CONFIG}', r.s), 'C')
           || strip(to_tsvector('{CONFIG}', r.c)),
           r.facets, r.published, r.title_sort, r.cost_sort, r.duration_sort
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        entry_id integer, version integer, a text, b text, c text, d text, s text,
        facets text[], published integer, title_sort text, cost_sort bigint,
        duration_sort bigint)
    ON CONFLICT (entry_id) DO UPDATE SET
        version = EXCLUDED.version, document = EXCLUDED.document, ranked = EXCLUDED.ranked,
        facets = EXCLUDED.facets,
        published = EXCLUDED.published, title_sort = EXCLUDED.title_sort,
        cost_sort = EXCLUDED.cost_sort, duration_sort = EXCLUDED.duration_sort
    """  # noqa: S608  # nosec B608
)
_UPSERT_TEXTS = sa.text(
    """
    INSERT INTO search.texts (entry_id, title, summary, words)
    SELECT r.entry_id, r.title, r.summary, r.words
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
         AS r(entry_id integer, title text, summary text, words text[])
    ON CONFLICT (entry_id) DO UPDATE SET
        title = EXCLUDED.title, summary = EXCLUDED.summary, words = EXCLUDED.words
    """
)
_INSERT_SUGGESTIONS = sa.text(
    """
    INSERT INTO search.suggestions (entry_id, key, display)
    SELECT * FROM unnest(CAST(:entry_ids AS integer[]), CAST(:keys AS text[]),
                         CAST(:displays AS text[]))
    """
)


def _write(session: Session, rows: list[dict]) -> None:
    """Insert or replace the documents of ``rows`` and insert their suggestions."""
    if not rows:
        return
    documents = [{k: v for k, v in row.items() if k != "suggest"} for row in rows]
    session.execute(_UPSERT, {"rows": json.dumps(documents)})
    session.execute(_UPSERT_TEXTS, {"rows": json.dumps(documents)})
    entry_ids, keys, displays = [], [], []
    for row in rows:
        for key in row["suggest"]:
            start, display = key.split("|", 1)
            entry_ids.append(row["entry_id"])
            keys.append(start)
            displays.append(display)
    if keys:
        session.execute(
            _INSERT_SUGGESTIONS, {"entry_ids": entry_ids, "keys": keys, "displays": displays}
        )


def _add_word_counts(session: Session, delta: Counter) -> None:
    """Add ``delta`` to the words' entry counts (in word order, so that concurrent
    publications lock shared words in the same order); words no entry has any more go."""
    changed = sorted(w for w, n in delta.items() if n)
    if not changed:
        return
    session.execute(
        sa.text(
            """
            INSERT INTO search.words (word, entries)
            SELECT w, n FROM unnest(CAST(:words AS text[]), CAST(:counts AS integer[])) AS t(w, n)
            ORDER BY w
            ON CONFLICT (word) DO UPDATE SET entries = search.words.entries + EXCLUDED.entries
            """
        ),
        {"words": changed, "counts": [delta[w] for w in changed]},
    )
    gone = [w for w in changed if delta[w] < 0]
    if gone:
        session.execute(
            sa.text("DELETE FROM search.words WHERE word = ANY(:words) AND entries <= 0"),
            {"words": gone},
        )


def _bump(session: Session) -> None:
    session.execute(
        sa.text("UPDATE search.state SET generation = nextval('search.generation') WHERE id = 1")
    )


BATCH = 500


def apply(session: Session, entry_ids: Iterable[int]) -> int:
    """Bring the search rows of these entries in line with the database, in the session's
    transaction: a row for each active one, none for the others (500 entries at a time, so
    that an import of 100,000 records holds only a batch of documents at once)."""
    ids = sorted(set(entry_ids))
    if not ids:
        return 0
    delta: Counter = Counter()
    for start in range(0, len(ids), BATCH):
        _apply_batch(session, ids[start : start + BATCH], delta)
    _add_word_counts(session, delta)
    _bump(session)
    return len(ids)


def _apply_batch(session: Session, ids: list[int], delta: Counter) -> None:
    old = session.execute(
        sa.text(
            "SELECT entry_id, words FROM search.texts WHERE entry_id = ANY(:ids) "
            "ORDER BY entry_id FOR UPDATE"
        ),
        {"ids": ids},
    ).all()
    entries = entries_by_id(ids)
    rows = [_row(e) for e in entries.values() if e.status is EntryStatus.ACTIVE]
    keep = {r["entry_id"] for r in rows}
    for _entry_id, words in old:
        delta.subtract(words)
    for row in rows:
        delta.update(row["words"])
    gone = [i for i in ids if i not in keep]
    if gone:
        session.execute(
            sa.text("DELETE FROM search.documents WHERE entry_id = ANY(:ids)"), {"ids": gone}
        )
    if rows:
        session.execute(
            sa.text("DELETE FROM search.suggestions WHERE entry_id = ANY(:ids)"),
            {"ids": sorted(keep)},
        )
        _write(session, rows)


def _enabled() -> bool:
    return has_app_context() and current_app.config.get("SEARCH_BACKEND") == "postgres"


def _before_commit(session: Session) -> None:
    """Turn the index tasks this transaction wrote (by the ORM or in bulk) into search rows,
    before it commits. Tasks of other transactions are not visible until they commit, and
    each of those applies its own; a task left by a transaction that ran without this backend
    is applied by whichever comes next (the words it replaces are read ``FOR UPDATE``)."""
    if not _enabled():
        return
    session.flush()
    tasks = session.execute(sa.select(IndexTask.id, IndexTask.entry_id)).all()
    if not tasks:
        return
    apply(session, [t.entry_id for t in tasks])
    session.execute(
        sa.delete(IndexTask).where(IndexTask.id.in_([t.id for t in tasks])),
        execution_options={"synchronize_session": False},
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, IndexTask):
            session.expunge(obj)


def install_hooks() -> None:
    """Write search rows in every transaction that publishes, retires or changes an entry."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)


# --- availability, rebuild, sync, check ---------------------------------------------------


def _reader():
    """Where searches read: ``SEARCH_DATABASE_URL`` (a read replica) when set, one
    connection per request; else the application's own session."""
    url = current_app.config.get("SEARCH_DATABASE_URL")
    if not url:
        return db.session
    connection = g.get("search_reader")
    if connection is None:
        engine = current_app.extensions.get("search_reader_engine")
        if engine is None:
            engine = current_app.extensions["search_reader_engine"] = sa.create_engine(
                url, **current_app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
            )
        connection = g.search_reader = engine.connect()
    return connection


def close_reader(_exc=None) -> None:
    connection = g.pop("search_reader", None)
    if connection is not None:
        connection.close()


def _generation(reader=None) -> int:
    reader = reader if reader is not None else db.session
    try:
        return reader.scalar(sa.text("SELECT generation FROM search.state WHERE id = 1"))
    except sa.exc.DBAPIError as exc:
        reader.rollback()
        if isinstance(exc, sa.exc.ProgrammingError):
            raise IndexUnavailable(
                "The PostgreSQL search tables are missing: run `flask db upgrade`."
            ) from exc
        raise IndexUnavailable(f"The search database cannot be read: {exc.orig}") from exc


def exists() -> bool:
    try:
        _generation(_reader())
    except IndexUnavailable:
        return False
    return True


def rebuild(progress: Callable[[int], None] | None = None, *, lock_timeout: float = 120.0) -> int:
    """Rebuild every search row from the database in one transaction: searches keep reading
    the old rows until it commits. Returns the number of entries."""
    _generation()
    session = db.session
    session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtext('search.rebuild'))"),
    )
    session.execute(sa.text("DELETE FROM search.suggestions"))
    session.execute(sa.text("DELETE FROM search.texts"))
    session.execute(sa.text("DELETE FROM search.documents"))
    session.execute(sa.text("DELETE FROM search.words"))
    ids = list(
        session.scalars(
            sa.select(Entry.id).where(Entry.status == EntryStatus.ACTIVE).order_by(Entry.id)
        )
    )
    held = set(session.identity_map.keys())
    words: Counter = Counter()
    count = 0
    with paused_gc():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = [_row(e) for e in entries_by_id(chunk).values()]
            _write(session, rows)
            for row in rows:
                words.update(row["words"])
            count += len(rows)
            for key, obj in list(session.identity_map.items()):
                if key not in held and obj in session:
                    session.expunge(obj)
            if progress:
                progress(len(rows))
            gc.collect(0)  # what this chunk left in cycles (see paused_gc)
    _add_word_counts(session, words)
    session.execute(sa.delete(IndexTask))
    _bump(session)
    session.commit()
    _vacuum()
    return count


def _vacuum() -> None:
    """After a rebuild every row is new and every old one dead: clean them up and give the
    planner fresh statistics now rather than whenever autovacuum comes (until then a word most
    entries have took twice as long). Not fatal: autovacuum does the same later. Without
    shortening the files, which would wait for every search reading them to end."""
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("documents", "texts", "words", "suggestions"):
                conn.exec_driver_sql(f"VACUUM (ANALYZE, TRUNCATE false) search.{table}")
    except sa.exc.SQLAlchemyError as exc:
        current_app.logger.warning("Search tables not vacuumed after the rebuild: %s", exc)


def sync(*, lock_timeout: float = 2.0, strict: bool = False) -> int:
    """Apply index tasks left by transactions that ran without this backend (rows are
    otherwise written at commit). Returns how many were applied."""
    try:
        _generation()
    except IndexUnavailable as exc:
        if strict:
            raise
        current_app.logger.warning("Search rows not updated now (%s).", exc)
        return 0
    tasks = db.session.execute(sa.select(IndexTask.id, IndexTask.entry_id)).all()
    if not tasks:
        return 0
    apply(db.session, [t.entry_id for t in tasks])
    db.session.execute(sa.delete(IndexTask).where(IndexTask.id.in_([t.id for t in tasks])))
    db.session.commit()
    return len(tasks)


def check() -> CheckReport:
    """Compare the search rows with the database."""
    _generation()
    return compare(
        dict(db.session.execute(sa.text("SELECT entry_id, version FROM search.documents")).all())
    )


# --- per-process memory, dropped when the generation changes ------------------------------


class _Memory:
    """What one process remembers of one database's search generation."""

    def __init__(self, generation: tuple[str, int]) -> None:
        self.generation = generation
        self.lock = threading.Lock()
        self.pages = _query.Remembered()
        self.counts: dict[str, int] = {}
        self.near: dict[tuple[str, int], tuple[str, ...]] = {}
        self.prefixes: dict[str, bool] = {}
        self.facet_sets: _FacetSets | None = None
        self.parts: _Parts | None = None
        self.orders: dict[str, dict[int, int]] = {}
        self.skill_labels: dict[str, str | None] = {}

    def page(self, key: tuple, compute):
        return self.pages.get_or_compute(key, compute)


_memory: _Memory | None = None
_memory_lock = threading.Lock()


def _current() -> _Memory:
    global _memory
    reader = _reader()
    generation = (
        str(db.engine.url if reader is db.session else reader.engine.url),
        _generation(reader),
    )
    with _memory_lock:
        if _memory is None or _memory.generation != generation:
            _memory = _Memory(generation)
        return _memory


def remembered_page(key: tuple, compute):
    return _current().page(key, compute)


def _vocabulary(memory: _Memory) -> Vocabulary:
    session = _reader()

    def count(word: str) -> int:
        found = memory.counts.get(word)
        if found is None:
            found = memory.counts[word] = (
                session.scalar(
                    sa.text("SELECT entries FROM search.words WHERE word = :w"), {"w": word}
                )
                or 0
            )
        return found

    def near(word: str, maxdist: int) -> tuple[str, ...]:
        key = (word, maxdist)
        found = memory.near.get(key)
        if found is None:
            rows = session.execute(
                sa.text(
                    "SELECT word, entries FROM search.words "
                    "WHERE word % :w AND similarity(word, :w) >= :t "
                    "AND length(word) BETWEEN :lo AND :hi"
                ),
                {
                    "w": word,
                    "t": TRIGRAM_THRESHOLD,
                    "lo": len(word) - maxdist,
                    "hi": len(word) + maxdist,
                },
            ).all()
            for w, n in rows:
                memory.counts.setdefault(w, n)
            found = memory.near[key] = tuple(w for w, _n in rows)
        return found

    def has_prefix(word: str) -> bool:
        found = memory.prefixes.get(word)
        if found is None:
            found = memory.prefixes[word] = (
                session.scalar(
                    sa.text("SELECT 1 FROM search.words WHERE word LIKE :p LIMIT 1"),
                    {"p": _like_prefix(word)},
                )
                is not None
            )
        return found

    return Vocabulary(count, lambda _stem: True, near, has_prefix)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- reading a search ---------------------------------------------------------------------


def _words_text(words: tuple[str, ...]) -> str | None:
    """The text ``websearch_to_tsquery`` reads for an alternative's words (a phrase when
    there are several); None when none of them is searchable."""
    tokens = [w for w in words if w]
    if not any(stems(w) for w in tokens):
        return None
    text = _words(" ".join(w.replace('"', " ") for w in tokens))
    return f'"{text}"' if len(tokens) > 1 else text


def _prefix_text(prefix: str) -> str | None:
    """The ``to_tsquery('simple', …)`` text of a word being typed: ``cyber:*``."""
    word = "".join(c for c in fold(prefix) if c.isalnum())
    return f"{word}:*" if word else None


# What each kind of query part reads: its words in the whole document, ranked by ``ranked``;
# a word beginning in the title and skill words only (``HEADS``), as on Whoosh.
_PART_SQL = {
    "words": (
        f"websearch_to_tsquery('{CONFIG}', :text)",
        "document @@ q",
        f"ts_rank('{WEIGHTS}', ranked, q)",
    ),
    "prefix": ("to_tsquery('simple', :text)", f"{HEADS} @@ q", f"ts_rank('{WEIGHTS}', {HEADS}, q)"),
}
# At most this many (entry, score) pairs of query parts are kept per process and generation
# (about 100 bytes each): a word most of 100,000 entries have is about 45,000.
PART_CACHE_PAIRS = 1_000_000


class _Parts:
    """Each query part's matches with their rank (``{entry_id: rank}``), read once per search
    generation and process: a word is matched and ranked in PostgreSQL once, and every search
    using it (another page, sort, filter, or other words with it) combines the sets in memory,
    as on Whoosh. The least recently used are let go beyond ``PART_CACHE_PAIRS``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: OrderedDict[tuple, dict[int, float]] = OrderedDict()
        self.pairs = 0

    def scores(self, kind: str, text: str) -> dict[int, float]:
        query, match, rank = _PART_SQL[kind]
        statement = f"SELECT entry_id, {rank} FROM search.documents, {query} AS q WHERE {match}"  # noqa: S608  # nosec B608
        return self.kept((kind, text), lambda: dict(_read_matches(statement, {"text": text})))

    def kept(self, key: tuple, compute) -> dict[int, float]:
        """``compute()``, kept under ``key`` (the least recently used let go first)."""
        with self.lock:
            found = self.values.get(key)
            if found is not None:
                self.values.move_to_end(key)
                return found
        found = compute()
        with self.lock:
            if key not in self.values:
                self.values[key] = found
                self.pairs += len(found)
            while self.pairs > PART_CACHE_PAIRS and len(self.values) > 1:
                _key, gone = self.values.popitem(last=False)
                self.pairs -= len(gone)
        return found


def _parts(memory: _Memory) -> _Parts:
    with memory.lock:
        if memory.parts is None:
            memory.parts = _Parts()
        return memory.parts


def _orders(memory: _Memory, sort: str) -> dict[int, int]:
    """Each entry's place in the order of ``sort`` (PostgreSQL's collation for titles), read
    once per generation and process."""
    with memory.lock:
        found = memory.orders.get(sort)
    if found is None:
        # One row, one array: 100,000 ids as rows took four times as long to read.
        ids = _reader().scalar(
            sa.text(
                f"SELECT array_agg(entry_id ORDER BY {SORT_SQL[sort]}) "  # noqa: S608  # nosec B608
                "FROM search.documents"
            )
        )
        found = {entry_id: n for n, entry_id in enumerate(ids or ())}
        with memory.lock:
            memory.orders[sort] = found
    return found


def _unit_scores(parts: _Parts, unit) -> dict[int, float] | None:
    """``{entry_id: score}`` of one unit: any of its alternatives (each weighted by its
    boost), or its word beginning (weighted ``PREFIX_WEIGHT``); None when nothing in it is
    searchable. Kept with the parts, so that a word and its beginning are summed once."""
    pieces = []
    for alt in unit.alternatives:
        text = _words_text(alt.words)
        if text is not None:
            pieces.append((alt.boost, "words", text))
    if unit.prefix and (text := _prefix_text(unit.prefix)) is not None:
        pieces.append((PREFIX_WEIGHT, "prefix", text))
    if not pieces:
        return None

    def combine() -> dict[int, float]:
        scores: dict[int, float] = {}
        for boost, kind, text in pieces:
            for entry_id, rank in parts.scores(kind, text).items():
                scores[entry_id] = scores.get(entry_id, 0.0) + boost * rank
        return scores

    return parts.kept(("unit", tuple(pieces)), combine)


def _plan_scores(memory: _Memory, plan: Plan, any_unit: bool) -> dict[int, float] | None:
    """``{entry_id: score}`` of the entries matching every unit of ``plan`` (any unit when
    ``any_unit``), their scores summed; None when no unit is searchable."""
    parts = _parts(memory)
    units = [s for s in (_unit_scores(parts, u) for u in plan.units) if s is not None]
    if not units:
        return None
    return units[0] if len(units) == 1 else _query.combine_units(units, any_unit)


def _highlight(sql: _Sql, plan: Plan | None) -> str | None:
    """The ``tsquery`` expression ``ts_headline`` marks: every searchable part of ``plan``."""
    lights = []
    for unit in plan.units if plan else ():
        for alt in unit.alternatives:
            if (text := _words_text(alt.words)) is not None:
                lights.append(f"websearch_to_tsquery('{CONFIG}', {sql.bind(text)})")
        if unit.prefix and (text := _prefix_text(unit.prefix)) is not None:
            lights.append(f"to_tsquery('simple', {sql.bind(text)})")
    return " || ".join(lights) or None


class _Sql:
    """Bind parameters of a statement."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def _read_matches(text: str, params: dict) -> list:
    """The rows of a statement matching words, read through the GIN indexes: the planner does
    not count what reading each document out of line costs, and on a word most entries have
    it would read every row's document instead (about 2.5 times slower)."""
    reader = _reader()
    reader.execute(sa.text("SET LOCAL enable_seqscan = off"))
    rows = reader.execute(sa.text(text), params).all()
    reader.execute(sa.text("SET LOCAL enable_seqscan = on"))  # (after an error: rolled back)
    return rows


@dataclass
class _Answer:
    hits: list[tuple[int, float | None]] = field(default_factory=list)
    total: int = 0
    base: int = 0  # the words' own matches, before any filter
    ids: frozenset[int] | None = None  # the words' matches (None: every entry)
    offer: int = 0  # the matches the institution the words named has
    without: int | None = None  # what the given filters alone would find


def _searchable(plan: Plan) -> bool:
    return any(_query._searchable(unit) for unit in plan.units)


@dataclass
class _Run:
    plan: Plan | None
    answer: _Answer
    filters: dict[str, list[str]]
    memory: _Memory
    fallback: bool = False
    only_stop_words: bool = False


def _answer(
    memory: _Memory,
    scores: dict[int, float] | None,
    filters: dict[str, list[str]],
    *,
    order: str,
    limit: int,
    offset: int,
    institution: str | None,
    given_filters: dict[str, list[str]] | None,
) -> _Answer:
    """Filters, totals, counts and the page, from the words' matches and the facet sets."""
    sets = _facet_sets(memory)
    base = sets.all_docs if scores is None else frozenset(scores)
    final = _query._intersect(base, _query._filter_sets(sets, filters).values())
    mine = sets.postings("institution").get(institution, frozenset()) if institution else None
    wanted = offset + limit
    if order == "relevance":
        score = (scores or {}).get
        if mine is not None:
            ranked = heapq.nsmallest(
                wanted, final, key=lambda e: (e not in mine, -score(e, 0.0), e)
            )
        else:
            ranked = heapq.nsmallest(wanted, final, key=lambda e: (-score(e, 0.0), e))
        hits = [(e, score(e, 0.0)) for e in ranked[offset:]]
    else:
        place = _orders(memory, order)
        hits = [(e, None) for e in heapq.nsmallest(wanted, final, key=place.__getitem__)[offset:]]
    without = None
    if given_filters is not None:
        without = len(_query._intersect(base, _query._filter_sets(sets, given_filters).values()))
    return _Answer(
        hits=hits,
        total=len(final),
        base=len(base),
        ids=None if scores is None else base,
        offer=len(final & mine) if mine is not None else 0,
        without=without,
    )


def _execute(params: SearchParams, context: QueryContext, *, limit: int, offset: int) -> _Run:
    """Read the query and run it (once more with any word when all words find nothing)."""
    memory = _current()
    q = params.q.strip()[: _query.MAX_QUERY_LENGTH]
    plan = _query.read_query(q, params, context, _vocabulary(memory)) if q else None
    filters = _merge_filters(params.filters, plan)
    order = params.sort if params.sort in SORT_SQL or params.sort == "relevance" else "title"
    institution = plan.institution.code if plan and plan.institution else None
    searched = plan if plan is not None and _searchable(plan) else None
    if plan is not None and searched is None and not (plan.filters or plan.institution):
        nothing = _Answer(ids=frozenset())
        return _Run(plan, nothing, filters, memory, False, True)
    given = params.filters if plan is not None and plan.filters else None

    def run(any_unit: bool) -> _Run:
        scores = _plan_scores(memory, searched, any_unit) if searched is not None else None
        answer = _answer(
            memory,
            scores,
            filters,
            order=order,
            limit=limit,
            offset=offset,
            institution=institution,
            given_filters=given,
        )
        return _Run(plan, answer, filters, memory, any_unit)

    found = run(False)
    if searched is not None and found.answer.base == 0 and len(searched.units) > 1:
        loose = run(True)
        if loose.answer.base:
            return loose
    return found


class _FacetSets:
    """Each facet value's entries as a set and a bitset, read in one pass over the rows (one
    ``GROUP BY`` of every ``facet:value`` key; one per facet took six times as long at 100,000
    entries) once per search generation and process: counting a facet within a query's
    matches is then an AND and a popcount per value, whatever the number of matches (as on
    Whoosh)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.all_docs = frozenset(
            _reader().scalars(sa.text("SELECT entry_id FROM search.documents"))
        )
        self.all_mask = _query.to_mask(self.all_docs)
        self._postings: dict[str, dict[str, frozenset[int]]] | None = None
        self._masks: dict[str, dict[str, int]] = {}

    def postings(self, facet: str) -> dict[str, frozenset[int]]:
        if self._postings is None:
            rows = _reader().execute(
                sa.text(
                    "SELECT v, array_agg(entry_id) "
                    "FROM search.documents, unnest(facets) AS v GROUP BY v"
                )
            )
            postings: dict[str, dict[str, frozenset[int]]] = {}
            for key, ids in rows:
                name, _sep, value = key.partition(":")
                postings.setdefault(name, {})[value] = frozenset(ids)
            self._postings = postings
        return self._postings.get(facet, {})

    def masks(self, facet: str) -> dict[str, int]:
        cached = self._masks.get(facet)
        if cached is None:
            postings = self.postings(facet)
            cached = self._masks[facet] = {v: _query.to_mask(ids) for v, ids in postings.items()}
        return cached


def _facet_sets(memory: _Memory) -> _FacetSets:
    with memory.lock:
        if memory.facet_sets is None:
            memory.facet_sets = _FacetSets()
        return memory.facet_sets


def _facet_counts(
    memory: _Memory, answer: _Answer, filters: dict[str, list[str]]
) -> dict[str, list[FacetCount]]:
    sets = _facet_sets(memory)
    base = sets.all_docs if answer.ids is None else answer.ids
    return _query.facet_counts(sets, base, _query._filter_sets(sets, filters), filters)


def _headlines(ids: list[int], highlight: str | None, sql: _Sql) -> dict[int, tuple]:
    if not ids:
        return {}
    ids_param = sql.bind(ids)
    if highlight:
        marks = f"StartSel={_START}, StopSel={_STOP}"
        select = f"""
            SELECT entry_id, title, summary,
                   ts_headline('{CONFIG}', title, {highlight}, '{marks}, HighlightAll=true'),
                   ts_headline('{CONFIG}', summary, {highlight},
                               '{marks}, MaxFragments=2, MaxWords=30, MinWords=12,
                               FragmentDelimiter=" … "')
            FROM search.texts WHERE entry_id = ANY({ids_param})
        """  # noqa: S608  # nosec B608
    else:
        select = f"""SELECT entry_id, title, summary, NULL, NULL FROM search.texts
                     WHERE entry_id = ANY({ids_param})"""  # noqa: S608  # nosec B608
    rows = _reader().execute(sa.text(select), sql.params).all()
    return {r[0]: r[1:] for r in rows}


def _marked(text: str | None) -> Markup | None:
    """A headline (of escaped text) with its markers turned into ``<mark>``: unescaped and
    escaped again, so that nothing but the marks can ever be markup."""
    if not text or _START not in text:
        return None
    html = str(escape(unescape(text))).replace(_START, "<mark>").replace(_STOP, "</mark>")
    # Safe: the text was escaped just above; only the markers became tags.
    return Markup(html)  # noqa: S704  # nosec B704


def _plan_terms(plan: Plan | None) -> frozenset[str]:
    terms: set[str] = set()
    if plan is None:
        return frozenset()
    for unit in plan.units:
        for alt in unit.alternatives:
            for word in alt.words:
                terms.update(stems(word))
        if unit.prefix:
            rows = _reader().scalars(
                sa.text("SELECT word FROM search.words WHERE word LIKE :p LIMIT 40"),
                {"p": _like_prefix(unit.prefix)},
            )
            for word in rows:
                terms.update(stems(word))
    return frozenset(terms)


def run(params: SearchParams, context: QueryContext | None = None) -> SearchResults:
    context = context or QueryContext()
    start = (params.page - 1) * params.per_page
    r = _execute(params, context, limit=params.per_page, offset=start)
    plan, answer = r.plan, r.answer
    facets = _facet_counts(r.memory, answer, r.filters)
    _query.mark_word_filters(facets, plan, params)
    sql = _Sql()
    texts = _headlines([entry_id for entry_id, _s in answer.hits], _highlight(sql, plan), sql)
    relevance = params.sort == "relevance"
    hits = []
    for entry_id, score in answer.hits:
        title, summary, title_hl, summary_hl = texts.get(entry_id, ("", "", None, None))
        hits.append(
            Hit(
                entry_id,
                float(score) if relevance and score is not None else None,
                _marked(title_hl) or escape(unescape(title)),
                _marked(summary_hl) or _plain_snippet(unescape(summary)),
            )
        )
    offer = None
    if plan is not None and plan.institution is not None:
        if plan.institution.code not in r.filters.get("institution", []):
            offer = (plan.institution, answer.offer)
    without = answer.without if plan is not None and plan.filters and not answer.total else None
    return SearchResults(
        params=params,
        total=answer.total,
        hits=hits,
        facets=facets,
        suggestion=plan.corrected_text if plan else None,
        any_word_fallback=r.fallback,
        only_stop_words=r.only_stop_words,
        plan=plan,
        terms=_plan_terms(plan),
        institution_offer=offer,
        total_without_word_filters=without,
    )


def ordered_ids(
    params: SearchParams, limit: int, context: QueryContext | None = None
) -> tuple[int, list[int]]:
    """Every match of a search in its order (at most ``limit`` ids), for exports."""
    if params.sort not in SORT_SQL and params.sort != "relevance":
        params = SearchParams(**{**params.__dict__, "sort": "title"})
    r = _execute(params, context or QueryContext(), limit=limit, offset=0)
    return r.answer.total, [entry_id for entry_id, _s in r.answer.hits]


def suggest(prefix: str, limit: int = 8) -> list[str]:
    """Titles, skills and institutions having a word that starts with ``prefix``."""
    prefix = fold(prefix)
    if len(prefix) < 2:
        return []
    reader = _reader()
    _generation(reader)
    rows = reader.execute(
        sa.text(
            """
            SELECT display, count(*) AS n FROM (
                SELECT display FROM search.suggestions WHERE key LIKE :p LIMIT 2000
            ) AS found
            GROUP BY display ORDER BY n DESC, length(display), lower(display) LIMIT :limit
            """
        ),
        {"p": _like_prefix(prefix), "limit": limit * 4},
    ).all()
    seen: set[str] = set()
    out = []
    for display, _n in rows:
        if display.lower() not in seen:
            seen.add(display.lower())
            out.append(display)
        if len(out) >= limit:
            break
    return out


def skill_labels(keys: list[str]) -> dict[str, str]:
    """``{"sql": "SQL"}``: the written form of each folded skill key (each key read once per
    generation and process: a common skill's key has a row for every entry with it)."""
    if not keys:
        return {}
    memory = _current()
    known = memory.skill_labels
    folded = {fold(k): k for k in keys}
    missing = sorted(f for f in folded if f not in known)
    if missing:
        rows = (
            _reader()
            .execute(
                sa.text(
                    "SELECT DISTINCT key, display FROM search.suggestions WHERE key = ANY(:keys)"
                ),
                {"keys": missing},
            )
            .all()
        )
        found: dict[str, str] = {}
        for key, display in sorted(rows):
            if key not in found and fold(" ".join(display.lower().split())) == key:
                found[key] = display
        with memory.lock:
            for key in missing:
                known[key] = found.get(key)
    labels: dict[str, str] = {}
    for key, original in folded.items():
        display = known.get(key)
        if display is not None and original not in labels:
            labels[original] = display
    return labels


def facet_values(name: str) -> dict[str, int]:
    reader = _reader()
    _generation(reader)
    rows = reader.execute(
        sa.text(
            "SELECT v, count(*) FROM search.documents, unnest(facets) AS v "
            "WHERE v LIKE :p GROUP BY v"
        ),
        {"p": _like_prefix(f"{name}:")},
    ).all()
    return {key.partition(":")[2]: n for key, n in rows}
