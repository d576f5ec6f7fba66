"""Writing a whole new index quickly, in one process or several (for ``rebuild``).

Whoosh's own writer spends most of a large rebuild on things that do not change what is
written: it looks each posting's field length up on its own (and, for the facets, which keep
no lengths, asks the file system once per posting whether a lengths file exists), and it
pickles the postings it sorts out to temporary files one at a time. The writer here writes the
same files without that. With several processes, each writes one segment from a contiguous
run of the entries, so that the index lists its documents in the order they were given.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle  # noqa: S403 - between this process and its own children only
import queue
import subprocess  # noqa: S404 - starts this same module in this same interpreter
import sys
import threading
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from app.bulk import paused_gc
from app.search.schema import SCHEMA

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The module an indexing process runs.
WORKER_MODULE = "app.search.index_worker"


class IndexBuilder:
    """Adds documents to a new, empty index in ``path``: ``add(part, documents)`` for each
    run of documents, then ``commit()`` (or ``cancel()``). With ``parts`` > 1, each part is
    written by its own process into its own segment; the segments are listed in part order."""

    def __init__(self, path: str | os.PathLike, *, parts: int = 1, limitmb: int = 256) -> None:
        self.path = str(path)
        ix = whoosh_index.open_dir(self.path, schema=SCHEMA)
        # Holds Whoosh's lock on the index; alone, it writes the documents itself.
        self._writer = BulkWriter(ix, limitmb=limitmb)
        self._workers = [_Worker(self.path, limitmb) for _ in range(parts)] if parts > 1 else []

    def add(self, part: int, documents: list[dict[str, Any]]) -> None:
        if self._workers:
            self._workers[part].send(documents)
        else:
            for document in documents:
                self._writer.add_document(**document)

    def commit(self) -> None:
        if not self._workers:
            self._writer.commit()
            return
        segments = [worker.finish() for worker in self._workers]
        writer = self._writer
        # As Whoosh's multi-process writer does when its own process added nothing.
        writer._close_segment()
        writer._commit_toc([s for s in segments if s is not None])
        writer._finish()

    def cancel(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._writer.cancel()


class _Worker:
    """An indexing process (``python -m app.search.index_worker``): the documents go to it
    pickled on its standard input (written by a thread of this process, so that preparing
    the next documents goes on meanwhile), its segment comes back pickled on its standard
    output."""

    def __init__(self, path: str, limitmb: int) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", WORKER_MODULE, path, str(limitmb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_PROJECT_ROOT,
        )
        self._outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self._broken = False
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.process.stdin
        try:
            while (data := self._outbox.get()) is not None:
                stdin.write(data)
            stdin.close()
        except OSError:  # the process has stopped
            self._broken = True

    def _put(self, data: bytes | None) -> None:
        while True:
            if self._broken or self.process.poll() is not None:
                raise self._failed()
            try:
                self._outbox.put(data, timeout=1.0)
                return
            except queue.Full:
                continue

    def send(self, documents: list[dict[str, Any]]) -> None:
        self._put(pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL))

    def finish(self):
        self._put(None)
        self._feeder.join()
        with self.process.stdout as answers:
            answer = answers.read()
        if self._broken or self.process.wait() != 0 or not answer:
            raise self._failed()
        # Unpickled: the answer of our own child process.
        return pickle.loads(answer)  # noqa: S301  # nosec B301

    def _failed(self) -> RuntimeError:
        self.stop()
        return RuntimeError(
            f"An indexing process stopped (exit code {self.process.returncode}); "
            "its error is above."
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        with contextlib.suppress(queue.Empty):
            while True:
                self._outbox.get_nowait()
        self._outbox.put_nowait(None)  # lets the feeder thread end
        with contextlib.suppress(OSError):
            self.process.stdout.close()


def write_part(path: str, limitmb: int) -> None:
    """In an indexing process: write the document lists that arrive pickled on standard
    input (until it is closed) into a new segment of the index in ``path``; answer with the
    segment, pickled on standard output (``None`` if no document came)."""
    ix = whoosh_index.open_dir(path, schema=SCHEMA)
    writer = BulkWriter(ix, _lk=False, limitmb=limitmb)
    source = sys.stdin.buffer  # only ever the parent process's pipe
    with paused_gc():
        while True:
            try:
                documents = pickle.load(source)  # noqa: S301  # nosec B301
            except EOFError:  # the parent closed the pipe: no more documents
                break
            for document in documents:
                writer.add_document(**document)
        if writer.doc_count():
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
    sys.stdout.buffer.write(pickle.dumps(segment))
    sys.stdout.buffer.flush()


class BulkWriter(SegmentWriter):
    """Whoosh's segment writer, writing the same files, with the field lengths of its new
    segment read once per field when the postings are written, and its postings sorted out
    to temporary files in blocks."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.pool = _BlockPool(self._tempstorage, self.newsegment, limitmb=kwargs["limitmb"])

    def per_document_reader(self):
        return _SegmentLengths(super().per_document_reader())


class _BlockPool(PostingPool):
    """Whoosh's pool of postings, which sorts them out to temporary files when they outgrow
    its memory: here written and read back many postings at a time rather than one."""

    BLOCK = 65536

    def _write_run(self, f, items) -> None:
        block = []
        for item in items:
            block.append(item)
            if len(block) >= self.BLOCK:
                marshal.dump(block, f)
                block = []
        if block:
            marshal.dump(block, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    # A temporary file this pool wrote.
                    block = marshal.load(f)  # noqa: S302  # nosec B302
                except EOFError:
                    return
                yield from block
        finally:
            f.close()
            self._remove_run(path)


class _SegmentLengths:
    """The part of Whoosh's per-document reader that writing postings uses: a document's
    length in a field."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        try:
            lengths = self._lengths[fieldname]
        except KeyError:
            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            # As Whoosh's reader answers: no lengths file, the default; a zero byte, None.
            lengths = None if column is None else [byte_to_length(b) if b else None for b in column]
            self._lengths[fieldname] = lengths
        return default if lengths is None else lengths[docnum]

    def close(self) -> None:
        self._reader.close()
