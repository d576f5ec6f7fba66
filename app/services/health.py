"""Whether this process can serve: for load balancers and orchestrators (``/readyz``).

Ready means the database answers a query and search can read its index. Being up at all is
``/healthz``, which touches neither.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from app import search
from app.extensions import db

log = logging.getLogger(__name__)

# Seconds a load balancer is asked to wait before asking again when something is down.
RETRY_AFTER = 10


@dataclass(frozen=True)
class Readiness:
    """Each check's name and whether it passed."""

    checks: dict[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.checks.values())

    @property
    def down(self) -> list[str]:
        return [name for name, ok in self.checks.items() if not ok]

    def as_dict(self) -> dict:
        return {
            "status": "ready" if self.ready else "unavailable",
            "checks": {name: "ok" if ok else "down" for name, ok in self.checks.items()},
            "down": self.down,
        }


def _reason(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.debug("Rollback after a failed readiness check failed too", exc_info=True)


def database_ready() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("Not ready: the database does not answer (%s)", _reason(exc))
        _rollback()
        return False
    return True


def search_ready() -> bool:
    try:
        search.facet_values("endorsement")
    except search.IndexUnavailable as exc:
        log.warning("Not ready: search cannot read its index (%s)", _reason(exc))
        return False
    except SQLAlchemyError as exc:  # a search kept in the database
        log.warning("Not ready: search cannot read (%s)", _reason(exc))
        _rollback()
        return False
    return True


def readiness() -> Readiness:
    """Anyone: check the database, then search. Changes nothing, raises nothing."""
    return Readiness({"database": database_ready(), "search": search_ready()})
