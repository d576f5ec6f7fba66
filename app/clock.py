"""The workflow's clock: the current time, which the demo seed may set back.

``flask seed`` walks its demo requests through the real workflow at the dates the demo
story needs (one request waiting past the review target); nothing else moves the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


def now() -> datetime:
    """The current time in UTC (set back inside :func:`set_back`)."""
    return datetime.now(UTC) - _offset.get()


@contextmanager
def set_back(days: float) -> Iterator[None]:
    """Within the block, :func:`now` answers ``days`` days earlier than the real time."""
    token = _offset.set(timedelta(days=days))
    try:
        yield
    finally:
        _offset.reset(token)
