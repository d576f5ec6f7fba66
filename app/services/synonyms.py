"""The search's synonym list, kept by the Regents' staff and administrators.

Searches read the list from the database every time, so a change applies to the next search
in every process, with no index rebuild.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import SynonymGroup, User
from app.permissions import can
from app.services import unit
from app.services.errors import InvalidInput, PermissionDenied

MAX_GROUPS = 2000
MAX_LINE = 500


def groups() -> list[list[str]]:
    """Every group's phrases, in the order staff wrote them (anyone; searches call this)."""
    rows = db.session.scalars(sa.select(SynonymGroup.phrases).order_by(SynonymGroup.id))
    return [[p.strip() for p in row.split(",") if p.strip()] for row in rows]


def as_text() -> str:
    """The list as the admin page edits it: one group a line, phrases separated by commas."""
    return "\n".join(", ".join(group) for group in groups())


def parse(text: str) -> list[list[str]]:
    """Lines of comma-separated phrases. Raises ``InvalidInput`` naming each bad line."""
    out: list[list[str]] = []
    problems = []
    lines = text.splitlines()
    if len(lines) > MAX_GROUPS:
        raise InvalidInput(
            "The list was not saved.", {"groups": [f"At most {MAX_GROUPS} lines, please."]}
        )
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            problems.append(f"Line {n} is longer than {MAX_LINE} characters.")
            continue
        phrases = list(dict.fromkeys(p.strip() for p in line.split(",") if p.strip()))
        if len(phrases) < 2:
            problems.append(
                f"Line {n} (“{line.strip()}”) needs at least two phrases separated by a comma."
            )
            continue
        out.append(phrases)
    if problems:
        raise InvalidInput("The list was not saved.", {"groups": problems})
    return out


def replace_all(actor: User, text: str) -> int:
    """Staff or an administrator replaces the whole list; returns the number of groups.
    Raises ``PermissionDenied`` or ``InvalidInput`` (nothing is changed then)."""
    if not (can(actor, "review") or can(actor, "administer")):
        raise PermissionDenied("Only the Regents' staff and administrators keep the synonyms.")
    new = parse(text)
    db.session.execute(sa.delete(SynonymGroup))
    now = datetime.now(UTC)
    for phrases in new:
        db.session.add(
            SynonymGroup(phrases=", ".join(phrases), updated_at=now, updated_by_id=actor.id)
        )
    unit.commit()
    return len(new)
