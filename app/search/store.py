"""Where the index lives, who may write it, and keeping it in line with the database.

Layout of ``SEARCH_INDEX_DIR``::

    CURRENT          the name of the live index folder (replaced atomically by a rebuild)
    writer.lock      held by the one process that writes the index at a time
    index-<stamp>/   Whoosh index folders; a rebuild builds a new one beside the live one
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.searching import Searcher

from app.bulk import paused_gc
from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry, IndexTask
from app.models.entry import entries_by_id, entries_in_chunks
from app.search.builder import IndexBuilder
from app.search.documents import entry_document
from app.search.schema import SCHEMA


class IndexUnavailable(RuntimeError):
    """The search index is missing or unreadable; ``flask search rebuild`` restores it."""


class WriterBusy(RuntimeError):
    """Another process is writing the index."""


class IndexStore:
    """One index folder tree. Shared by the requests of one process."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._searcher_dir: Path | None = None

    # --- reading -------------------------------------------------------------------------

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current_dir(self) -> Path | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if name and path.is_dir() else None

    def exists(self) -> bool:
        return self.current_dir() is not None

    def open(self) -> Index:
        path = self.current_dir()
        if path is None:
            raise IndexUnavailable("The search index has not been built.")
        try:
            return whoosh_index.open_dir(str(path), schema=SCHEMA)
        except Exception as exc:  # Whoosh raises many kinds on a damaged folder
            raise IndexUnavailable(f"The search index cannot be opened: {exc}") from exc

    def searcher(self) -> Searcher:
        """A searcher on the live index, refreshed when the index has changed."""
        with self._lock:
            path = self.current_dir()
            if path is None:
                self._close_searcher()
                raise IndexUnavailable("The search index has not been built.")
            try:
                if (
                    self._searcher is None
                    or self._searcher_dir != path
                    or not self._searcher.up_to_date()
                ):
                    # A fresh searcher, not Searcher.refresh(): Whoosh's refresh fails when
                    # the old reader had no segments.
                    self._close_searcher()
                    self._searcher = self.open().searcher()
                    self._searcher_dir = path
                return self._searcher
            except IndexUnavailable:
                self._close_searcher()
                raise
            except Exception as exc:
                self._close_searcher()
                raise IndexUnavailable(f"The search index cannot be read: {exc}") from exc

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher = None
        self._searcher_dir = None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()

    # --- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self, timeout: float) -> Iterator[None]:
        """Hold the one-writer lock, waiting up to ``timeout`` seconds; else ``WriterBusy``."""
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout
        with open(self.root / "writer.lock", "a+") as fh:
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise WriterBusy("Another process is writing the search index.") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _swap_to(self, path: Path) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(path.name, encoding="utf-8")
        os.replace(tmp, self.pointer)
        for old in self.root.glob("index-*"):
            if old != path and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


@dataclass
class CheckReport:
    indexed: int = 0
    expected: int = 0
    missing: list[int] = field(default_factory=list)
    unexpected: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.stale)


def store() -> IndexStore:
    return current_app.extensions["search_store"]


# Entries loaded from the database at a time by a rebuild.
REBUILD_CHUNK = 1000
# Memory for the postings of a rebuild (per process) before they are sorted out to a
# temporary file: each spill and the merge of the spills cost a third of the time more, so
# it is generous (a process's memory stays near this; 100,000 entries need some 5 GB in all).
REBUILD_LIMIT_MB = 1024
# From this many entries on, a rebuild writes the index with one process per processor
# (at most REBUILD_PROCESSES), each writing a contiguous run of the entries.
REBUILD_PARALLEL_FROM = 5000
REBUILD_PROCESSES = min(4, os.cpu_count() or 1)


def rebuild(progress: Callable[[int], None] | None = None, *, lock_timeout: float = 120.0) -> int:
    """Build a new index from the database beside the live one and swap it in.

    Search keeps answering from the old index until the swap. Index tasks written while the
    rebuild ran are applied to the new index before the lock is released. Returns the number
    of documents. ``progress`` is called with the number of entries added since its last call
    (the index files are written after the last). Raises ``WriterBusy`` if another writer
    holds the lock past ``lock_timeout``.
    """
    st = store()
    with st.writer_lock(lock_timeout):
        last_task = db.session.scalar(sa.select(sa.func.max(IndexTask.id))) or 0
        ids = list(
            db.session.scalars(
                sa.select(Entry.id).where(Entry.status == EntryStatus.ACTIVE).order_by(Entry.id)
            )
        )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = st.root / f"index-{stamp}"
        path.mkdir(parents=True)
        parts = REBUILD_PROCESSES if len(ids) >= REBUILD_PARALLEL_FROM else 1
        chunks = _interleaved_chunks(ids, parts, REBUILD_CHUNK)
        whoosh_index.create_in(str(path), SCHEMA)
        builder = None
        count = 0
        try:
            builder = IndexBuilder(path, parts=parts, limitmb=REBUILD_LIMIT_MB)
            with paused_gc():
                loaded = entries_in_chunks([chunk for _part, chunk in chunks])
                for (part, _chunk), entries in zip(chunks, loaded, strict=True):
                    builder.add(part, [entry_document(entry) for entry in entries])
                    count += len(entries)
                    if progress:
                        progress(len(entries))
                builder.commit()
        except BaseException:
            if builder is not None:
                builder.cancel()
            shutil.rmtree(path, ignore_errors=True)
            raise
        st._swap_to(path)
        db.session.execute(sa.delete(IndexTask).where(IndexTask.id <= last_task))
        db.session.commit()
        _apply_pending(st)
    return count


def _interleaved_chunks(ids: list[int], parts: int, size: int) -> list[tuple[int, list[int]]]:
    """``ids`` cut into ``parts`` contiguous runs and each run into chunks of ``size``, as
    ``(part, chunk)`` taking each part in turn, so that every process has work from the start."""
    bounds = [len(ids) * k // parts for k in range(parts + 1)]
    runs = [ids[bounds[k] : bounds[k + 1]] for k in range(parts)]
    per_part = [[run[i : i + size] for i in range(0, len(run), size)] for run in runs]
    out = []
    for step in range(max((len(c) for c in per_part), default=0)):
        for part, chunks in enumerate(per_part):
            if step < len(chunks):
                out.append((part, chunks[step]))
    return out


def sync(*, lock_timeout: float = 2.0, strict: bool = False) -> int:
    """Apply the pending index tasks. Returns how many were applied.

    Called after every commit (``app.services.unit``) and by ``flask search sync``. When there
    is no index at all, it builds one from the database (and returns its size). If another
    process holds the writer lock past ``lock_timeout`` or the index is unavailable (damaged),
    the tasks stay for the next sync and this returns 0; it never raises for those, unless
    ``strict`` (the command line), which raises ``WriterBusy`` or ``IndexUnavailable``.
    """
    st = store()
    if not st.exists():
        if db.session.scalar(sa.select(IndexTask.id).limit(1)) is None:
            return 0
        # A fresh deployment (or a lost index folder): build the whole index from the database
        # now, so what was just published is searchable without anyone running a command.
        try:
            built = rebuild(lock_timeout=lock_timeout)
        except WriterBusy:
            if strict:
                raise
            current_app.logger.info("Search index being built by another process.")
            return 0
        current_app.logger.info("No search index was found; built one with %d entries.", built)
        return built
    try:
        with st.writer_lock(lock_timeout):
            return _apply_pending(st)
    except (WriterBusy, IndexUnavailable) as exc:
        if strict:
            raise
        current_app.logger.warning("Search index not updated now (%s); tasks kept for later.", exc)
        return 0


def _apply_pending(st: IndexStore, batch: int = 500) -> int:
    """Apply every pending task with one Whoosh writer. Caller holds the writer lock."""
    if db.session.scalar(sa.select(IndexTask.id).limit(1)) is None:
        return 0
    ix = st.open()
    try:
        writer = ix.writer(timeout=5.0)
    except Exception as exc:  # a damaged folder fails in many ways
        raise IndexUnavailable(f"The search index cannot be written: {exc!r}") from exc
    done: list[int] = []
    try:
        after = 0
        while True:
            tasks = db.session.execute(
                sa.select(IndexTask.id, IndexTask.entry_id)
                .where(IndexTask.id > after)
                .order_by(IndexTask.id)
                .limit(batch)
            ).all()
            if not tasks:
                break
            after = tasks[-1].id
            entry_ids = {t.entry_id for t in tasks}
            entries = entries_by_id(entry_ids)
            for entry_id in entry_ids:
                entry = entries.get(entry_id)
                if entry is not None and entry.status is EntryStatus.ACTIVE:
                    writer.update_document(**entry_document(entry))
                else:
                    writer.delete_by_term("id", str(entry_id))
            done.extend(t.id for t in tasks)
        writer.commit()
    except sa.exc.SQLAlchemyError:
        writer.cancel()
        raise
    except BaseException as exc:
        with contextlib.suppress(Exception):
            writer.cancel()
        if not isinstance(exc, Exception):
            raise
        # Whoosh reading a damaged segment (KeyError, struct.error, EOFError, …): the tasks
        # stay in the database; `flask search rebuild` builds a sound index.
        raise IndexUnavailable(f"The search index cannot be written: {exc!r}") from exc
    for start in range(0, len(done), 500):
        db.session.execute(sa.delete(IndexTask).where(IndexTask.id.in_(done[start : start + 500])))
    db.session.commit()
    return len(done)


def compare(indexed: dict[int, int]) -> CheckReport:
    """``indexed`` (entry id → version searchable) against the database: every active entry
    at its current version, nothing else."""
    expected = dict(
        db.session.execute(
            sa.select(Entry.id, Entry.version_number).where(Entry.status == EntryStatus.ACTIVE)
        ).all()
    )
    return CheckReport(
        indexed=len(indexed),
        expected=len(expected),
        missing=sorted(set(expected) - set(indexed)),
        unexpected=sorted(set(indexed) - set(expected)),
        stale=sorted(i for i in set(expected) & set(indexed) if expected[i] != indexed[i]),
    )


def check() -> CheckReport:
    """Compare the index with the database."""
    st = store()
    searcher = st.searcher()
    try:
        indexed = {
            int(fields["id"]): fields.get("version", 0) for fields in searcher.all_stored_fields()
        }
    except Exception as exc:  # a damaged segment
        st.close()
        raise IndexUnavailable(f"The search index cannot be read: {exc!r}") from exc
    return compare(indexed)
