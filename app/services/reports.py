"""Reports for the Regents' staff: the queue (or the closed requests) with every filter, and the
audit trail of a request or of a date range, as CSV and JSON Lines. Read-only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import TransitionRecord
from app.permissions import can
from app.services import review, workflow
from app.services.errors import InvalidInput, PermissionDenied
from app.workflow import kinds

QUEUE_COLUMNS = (
    "id",
    "kind",
    "state",
    "title",
    "institution",
    "assignee",
    "submitted_at",
    "decided_at",
    "days_waiting",
    "past_target",
    "failing_rules",
    "recommendation",
)
AUDIT_COLUMNS = (
    "request_id",
    "at",
    "actor",
    "actor_role",
    "action",
    "from_state",
    "to_state",
    "recommendation",
    "rule_set_version",
    "comment",
)
MAX_AUDIT_DAYS = 366


def _require_staff(actor) -> None:
    if not can(actor, "review"):
        raise PermissionDenied("Reports are for the Regents' staff.")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def queue_report(actor, filters: review.QueueFilters) -> list[dict]:
    """The rows of the queue page for these filters (staff and administrators)."""
    _require_staff(actor)
    queue = review.staff_queue(actor, filters)
    return [
        {
            "id": row.request.id,
            "kind": row.request.kind.value,
            "state": row.request.state.value,
            "title": row.request.content.title,
            "institution": row.request.institution.code,
            "assignee": row.request.assignee.name if row.request.assignee else "",
            "submitted_at": _iso(row.request.submitted_at),
            "decided_at": _iso(row.request.decided_at),
            "days_waiting": row.days_waiting,
            "past_target": row.overdue,
            "failing_rules": " ".join(row.failing),
            "recommendation": (
                kinds.SHORT_LABELS[row.request.recommendation] if row.request.recommendation else ""
            ),
        }
        for row in queue.rows
    ]


def audit_report(
    actor,
    *,
    request_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[dict]:
    """Every transition of one request, or of the requests in a date range (at most a year),
    oldest first: who, what, when, from which state to which, under which rule-set version.

    Raises ``PermissionDenied`` (not staff), ``NotFound`` (no such request), ``InvalidInput``
    (neither a request nor a range, or a range over a year)."""
    _require_staff(actor)
    query = (
        sa.select(TransitionRecord)
        .options(selectinload(TransitionRecord.actor))
        .order_by(TransitionRecord.created_at, TransitionRecord.id)
    )
    if request_id is not None:
        workflow.get_request(actor, request_id)
        query = query.where(TransitionRecord.request_id == request_id)
    elif since is None or until is None:
        raise InvalidInput(
            "Name a request, or a date range.",
            {"from": ["Give a request number, or both dates of the range."]},
        )
    if since is not None and until is not None:
        if until < since:
            raise InvalidInput("The range ends before it starts.", {"to": ["End after start."]})
        if (until - since).days > MAX_AUDIT_DAYS:
            raise InvalidInput(
                "The range is too long.", {"to": [f"Give at most {MAX_AUDIT_DAYS} days."]}
            )
        start = datetime.combine(since, time.min, tzinfo=UTC)
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(TransitionRecord.created_at >= start, TransitionRecord.created_at < end)
    return [
        {
            "request_id": t.request_id,
            "at": _iso(t.created_at),
            "actor": t.actor.name if t.actor else "",
            "actor_role": t.actor_role.value if t.actor_role else "",
            "action": t.action.value,
            "from_state": t.from_state.value,
            "to_state": t.to_state.value,
            "recommendation": t.recommendation.value if t.recommendation else "",
            "rule_set_version": t.rule_set_version or "",
            "comment": t.comment or "",
        }
        for t in db.session.scalars(query)
    ]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def as_csv(rows: Iterable[dict], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def as_jsonl(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
