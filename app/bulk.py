"""Long bulk operations (an import, a rebuild of the search index)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector off for a bulk operation, then back as it was.

    A bulk operation makes millions of objects that live until it ends (the session's new
    rows, the index's postings); the collector would walk them all again and again, which
    costs a third of an import's time. What a bulk operation lets go of in cycles it frees
    itself with ``gc.collect(0)`` between chunks (objects made since the last collection
    only; nothing older is walked).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
