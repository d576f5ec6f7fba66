"""Long bulk operations (an import, a rebuild of the search index)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Where a bulk operation would pause Python's cycle collector.

    It does not, for now: pausing it (and collecting at fixed points instead) finalized, in
    the middle of a rebuild, objects that end a Flask application context, leaving the
    rebuild outside its own context. Until that is understood, the collector runs as usual.
    """
    yield
