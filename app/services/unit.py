"""One unit of work: commit, then run the side effects that must follow the commit.

Side effects (search index, e-mail) are written to outbox tables inside the transaction; after
the commit they are drained here, best effort. Whatever fails stays in its outbox for the next
drain (``flask search sync``), so a crash between commit and side effect loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from app.extensions import db

_drains: list[Callable[[], object]] = []


def register_drain(fn: Callable[[], object]) -> None:
    """Register ``fn`` to run after every successful commit made through :func:`commit`."""
    if fn not in _drains:
        _drains.append(fn)


def commit() -> None:
    """Commit the session, then drain every outbox. A drain's failure is logged, never raised."""
    db.session.commit()
    for drain in _drains:
        try:
            drain()
        except Exception:  # a side effect must never undo or fail the user's action
            # The drain's own unfinished work is dropped (its outbox rows stay for the next
            # drain) and the session is usable again for the rest of the request.
            db.session.rollback()
            current_app.logger.exception("After-commit drain %s failed", drain.__name__)
