"""The Regents' side of the workflow: the staff queue, assignment, what changed, the
chancellor's desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.enums import RequestKind, Role, TaxonomyKind
from app.extensions import db
from app.inputs import parse_id
from app.models import (
    Comment,
    CredentialContent,
    CredentialRequest,
    Institution,
    TaxonomyTerm,
    TransitionRecord,
    User,
)
from app.permissions import can
from app.services import policy, workflow
from app.services.content import content_fields
from app.services.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from app.workflow.states import Action, RequestState

QUEUE_STATES = (RequestState.SUBMITTED, RequestState.IN_REVIEW)
# The states the queue counts and may be filtered by: waiting on staff, on the institution
# after staff asked for revisions, and on the chancellor. Drafts and decided requests are not
# the queue's business.
COUNTED_STATES = (
    *QUEUE_STATES,
    RequestState.REVISIONS_REQUESTED,
    RequestState.RECOMMENDED,
)
# Decided requests, findable from the queue page (only those that reached the Regents: a
# draft withdrawn before it was ever submitted is the institution's business).
CLOSED_STATES = (RequestState.APPROVED, RequestState.DECLINED, RequestState.WITHDRAWN)
FILTER_STATES = (*COUNTED_STATES, *CLOSED_STATES)
MAX_QUERY = 200


@dataclass
class QueueFilters:
    states: list[RequestState] = field(default_factory=lambda: list(QUEUE_STATES))
    kinds: list[RequestKind] = field(default_factory=list)
    institution: str | None = None  # code
    assignee: str | None = None  # "me", "none" or a user id
    failing_rule: str | None = None
    min_days: int | None = None
    sort: str = "oldest"
    q: str = ""  # words of the title, the institution, or a request number


@dataclass
class QueueRow:
    request: CredentialRequest
    days_waiting: int
    overdue: bool
    failing: list[str]


@dataclass
class Queue:
    rows: list[QueueRow]
    counts: dict[RequestState, int]
    target_days: int
    staff: list[User]
    institutions: list[Institution] = field(default_factory=list)
    closed_counts: dict[RequestState, int] = field(default_factory=dict)


def _require(actor: User, action: str) -> None:
    if not can(actor, action):
        raise PermissionDenied(
            "This page is for the Regents' staff."
            if action == "review"
            else "This page is for the chancellor."
        )


def parse_filters(args) -> QueueFilters:
    """Queue filters from a query string; unknown values raise ``InvalidInput``."""
    errors: dict[str, list[str]] = {}
    f = QueueFilters()
    states = args.getlist("state") if hasattr(args, "getlist") else args.get("state", [])
    try:
        chosen = [RequestState(s) for s in states if s]
    except ValueError:
        chosen = []
        errors["state"] = ["Unknown state."]
    if any(s not in FILTER_STATES for s in chosen):
        # Without this, ?state=draft listed other institutions' unsubmitted drafts.
        errors["state"] = ["Choose among the states of the queue."]
    elif chosen:
        f.states = chosen
    kinds = args.getlist("kind") if hasattr(args, "getlist") else args.get("kind", [])
    try:
        f.kinds = [RequestKind(k) for k in kinds if k]
    except ValueError:
        errors["kind"] = ["Unknown kind."]
    f.institution = args.get("institution") or None
    f.assignee = args.get("assignee") or None
    if f.assignee and f.assignee not in ("me", "none") and parse_id(f.assignee) is None:
        errors["assignee"] = ["Choose me, nobody or a colleague."]
        f.assignee = None
    f.failing_rule = args.get("rule") or None
    if f.failing_rule and f.failing_rule not in policy.compliance.RULES:
        errors["rule"] = ["Unknown rule."]
    days = args.get("min_days")
    if days:
        try:
            f.min_days = max(0, int(days))
        except ValueError:
            errors["min_days"] = ["Give a whole number of days."]
    f.q = " ".join((args.get("q") or "").split())
    if len(f.q) > MAX_QUERY:
        errors["q"] = [f"Search with at most {MAX_QUERY} characters."]
        f.q = ""
    f.sort = args.get("sort") or "oldest"
    if f.sort not in ("oldest", "newest"):
        errors["sort"] = ["Sort oldest or newest first."]
    if errors:
        raise InvalidInput("Some filters were not understood.", errors, filters=f)
    return f


def days_waiting(request: CredentialRequest, now: datetime) -> int:
    since = request.submitted_at or request.created_at
    return max(0, (now - since).days)


def staff_queue(actor: User, f: QueueFilters, *, now: datetime | None = None) -> Queue:
    """Requests waiting on staff (staff and administrators), oldest first by default."""
    _require(actor, "review")
    now = now or datetime.now(UTC)
    target = policy.review_target_days()
    counts = dict.fromkeys(COUNTED_STATES, 0)
    closed_counts = dict.fromkeys(CLOSED_STATES, 0)
    for state, n in db.session.execute(
        sa.select(CredentialRequest.state, sa.func.count(CredentialRequest.id))
        .where(
            CredentialRequest.state.in_(FILTER_STATES),
            CredentialRequest.submitted_at.is_not(None),
        )
        .group_by(CredentialRequest.state)
    ).all():
        (counts if state in counts else closed_counts)[state] = n
    query = sa.select(CredentialRequest).options(
        selectinload(CredentialRequest.institution),
        selectinload(CredentialRequest.assignee),
        selectinload(CredentialRequest.overrides),
    )
    if f.states:
        query = query.where(CredentialRequest.state.in_(f.states))
    query = query.where(CredentialRequest.submitted_at.is_not(None))
    if f.q:
        query = query.where(_matches(f.q))
    if f.kinds:
        query = query.where(CredentialRequest.kind.in_(f.kinds))
    if f.institution:
        query = query.join(Institution).where(Institution.code == f.institution)
    if f.assignee == "me":
        query = query.where(CredentialRequest.assignee_id == actor.id)
    elif f.assignee == "none":
        query = query.where(CredentialRequest.assignee_id.is_(None))
    elif f.assignee and parse_id(f.assignee) is not None:
        query = query.where(CredentialRequest.assignee_id == parse_id(f.assignee))
    if f.min_days is not None:
        cutoff = now - timedelta(days=f.min_days)
        query = query.where(
            sa.func.coalesce(CredentialRequest.submitted_at, CredentialRequest.created_at) <= cutoff
        )
    order = sa.func.coalesce(CredentialRequest.submitted_at, CredentialRequest.created_at)
    query = query.order_by(
        order.asc() if f.sort == "oldest" else order.desc(), CredentialRequest.id
    )
    rows = []
    for request in db.session.scalars(query):
        failing = []
        if not request.state.is_final or f.failing_rule:
            # A decided request's rule results are history (its transitions record them).
            failing = [r.result.rule for r in policy.evaluate(request) if not r.result.passed]
        if f.failing_rule and f.failing_rule not in failing:
            continue
        waited = days_waiting(request, now)
        # Only a request waiting on staff can be past the staff's service target.
        overdue = request.state in QUEUE_STATES and waited > target
        rows.append(QueueRow(request, waited, overdue, failing))
    staff = list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_([Role.STAFF, Role.ADMIN]), User.active.is_(True))
            .order_by(User.name)
        )
    )
    institutions = list(db.session.scalars(sa.select(Institution).order_by(Institution.name)))
    return Queue(rows, counts, target, staff, institutions, closed_counts)


def _matches(q: str):
    """Requests whose number is ``q`` ("12" or "#12"), or whose title or institution (name or
    code) contains every word of ``q``."""
    number = q.removeprefix("#")
    conditions = []
    for word in q.lower().split():
        conditions.append(
            sa.or_(
                sa.func.lower(CredentialContent.title).contains(word, autoescape=True),
                sa.func.lower(Institution.name).contains(word, autoescape=True),
                sa.func.lower(Institution.code) == word,
            )
        )
    words = (
        sa.select(CredentialRequest.id)
        .join(CredentialContent, CredentialContent.id == CredentialRequest.content_id)
        .join(Institution, Institution.id == CredentialRequest.institution_id)
        .where(*conditions)
    )
    by_words = CredentialRequest.id.in_(words)
    if parse_id(number) is not None:
        return sa.or_(CredentialRequest.id == parse_id(number), by_words)
    return by_words


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)  # of the requests that exist
    assignee: User | None = None

    def title(self, request_id: int) -> str:
        return self.titles.get(request_id, "unknown request")


def assign(actor: User, items: list[tuple[int, int]], assignee_id: int | None = None) -> BulkResult:
    """Claim requests (``assignee_id`` None: the actor) or assign them to a colleague.

    ``items`` are (request id, version seen). A submitted request is claimed (it moves to
    in review); one already in review changes hands. Each request succeeds or fails alone.
    """
    _require(actor, "review")
    assignee = actor if assignee_id is None else db.session.get(User, assignee_id)
    if assignee is None or assignee.role not in (Role.STAFF, Role.ADMIN) or not assignee.active:
        raise InvalidInput("Choose a colleague on the staff.", {"assignee": ["Not on the staff."]})
    result = BulkResult(assignee=assignee)
    for request_id, version in items:
        try:
            request = workflow.get_request(actor, request_id)
            result.titles[request_id] = request.content.title or "Untitled"
            if request.state is RequestState.SUBMITTED:
                workflow.transition(
                    actor,
                    request_id,
                    Action.CLAIM,
                    version=version,
                    comment=None if assignee is actor else f"Assigned to {assignee.name}.",
                )
                request = workflow.get_request(actor, request_id)
            elif request.state is not RequestState.IN_REVIEW:
                raise Conflict(f"It is {request.state.label.lower()}, not waiting on staff.")
            else:
                workflow._check_version(request, version)
            if request.assignee_id != assignee.id:
                request.assignee = assignee
                request.updated_at = datetime.now(UTC)
                workflow.notify_assignment(request, assignee, actor)
                workflow._commit()
            result.done.append(request_id)
        except ServiceError as exc:
            db.session.rollback()
            result.failed[request_id] = exc.message
    return result


# --- what changed ---------------------------------------------------------------------------

FIELD_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "description": "Description",
    "purpose": "Purpose",
    "audience": "Audience",
    "entry_type": "Type",
    "category": "Category",
    "learning_type": "Kind of learning",
    "badge_level": "Badge level",
    "credit_bearing": "Credit-bearing",
    "credit_hours": "Credit hours",
    "courses": "Courses",
    "clock_hours": "Clock hours",
    "activities": "Non-credit activities",
    "delivery": "Delivery",
    "duration_weeks": "Duration (weeks)",
    "cost_usd": "Cost (USD)",
    "skills": "Skills",
    "competencies": "Competencies",
    "focus_areas": "Focus areas",
    "industries": "Industries",
    "occupations": "Occupations",
    "partners": "Partners",
    "learning_outcomes": "Learning outcomes",
    "assessment": "Assessment",
    "demand_evidence": "Evidence of demand",
    "interest_evidence": "Evidence of interest",
    "promotion_plan": "Promotion",
    "stacks_into": "Stacks into",
    "enrollment_url": "Enrollment link",
    "badge": "Badge",
}


@dataclass
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any
    # For a list: its items added, removed and kept (None for a single value).
    added: list | None = None
    removed: list | None = None
    kept: list | None = None


def diff(before: dict, after: dict) -> list[FieldChange]:
    """Field-by-field differences between two sets of request fields; a list's change says
    which items were added and which removed."""
    changes = []
    for name, label in FIELD_LABELS.items():
        a, b = _norm(before.get(name)), _norm(after.get(name))
        if a == b:
            continue
        change = FieldChange(name, label, before.get(name), after.get(name))
        if isinstance(a or b, list):
            old, new = list(a or []), list(b or [])
            change.added = [item for item in new if item not in old]
            change.removed = [item for item in old if item not in new]
            change.kept = [item for item in new if item in old]
        changes.append(change)
    return changes


def _norm(value):
    if value in (None, "", [], {}):
        return None
    if isinstance(value, dict):
        cleaned = {k: _norm(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None} or None
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changes_since_last_submission(request: CredentialRequest) -> list[FieldChange] | None:
    """For a resubmission: what changed since the submission before it (None if there is
    no earlier submission)."""
    snapshots = [
        t.snapshot
        for t in request.transitions
        if t.action in (Action.SUBMIT, Action.RESUBMIT) and t.snapshot
    ]
    if len(snapshots) < 2:
        return None
    # The two submissions, not the live content: while the institution revises again, the
    # live content is a draft nobody has submitted yet.
    return diff(snapshots[-2], snapshots[-1])


def changes_to_entry(request: CredentialRequest) -> list[FieldChange] | None:
    """For a change request: what it changes against the published entry."""
    if request.kind is not RequestKind.CHANGE or request.entry is None:
        return None
    return diff(content_fields(request.entry.content), content_fields(request.content))


@dataclass
class ReviewView:
    request: CredentialRequest
    compliance: list[policy.RuleResult]
    since_last_submission: list[FieldChange] | None
    against_entry: list[FieldChange] | None
    fields: dict
    transitions: list[TransitionRecord]
    comments: list[Comment] = field(default_factory=list)
    days_waiting: int = 0
    target_days: int = 30
    overdue: bool = False

    @property
    def recommended(self) -> TransitionRecord | None:
        """The transition that made the standing recommendation, if there is one."""
        if self.request.state is not RequestState.RECOMMENDED:
            return None
        records = [t for t in self.transitions if t.action is Action.RECOMMEND]
        return records[-1] if records else None

    @property
    def overrides(self) -> list[policy.RuleResult]:
        return [r for r in self.compliance if r.override is not None]


CODED_FIELDS = ("industries", "occupations")


def _term_titles(request: CredentialRequest) -> dict[str, str]:
    """``code → "Title (code)"`` for the industries and occupations the request and its entry
    name, so the review page shows names rather than raw codes."""
    codes = set()
    for content in (request.content, request.entry.content if request.entry else None):
        if content is not None:
            codes |= {link.term.code for link in content.term_links}
    for t in request.transitions:
        for name in CODED_FIELDS:
            codes |= set((t.snapshot or {}).get(name) or [])
    if not codes:
        return {}
    rows = db.session.scalars(
        sa.select(TaxonomyTerm).where(
            TaxonomyTerm.code.in_(codes),
            TaxonomyTerm.kind.in_([TaxonomyKind.INDUSTRY, TaxonomyKind.OCCUPATION]),
        )
    )
    return {t.code: f"{t.title} ({t.code})" for t in rows}


def _named(fields: dict, titles: dict[str, str]) -> dict:
    named = dict(fields)
    for name in CODED_FIELDS:
        if named.get(name):
            named[name] = [titles.get(code, code) for code in named[name]]
    return named


def _named_changes(changes: list[FieldChange] | None, titles: dict[str, str]):
    if not changes:
        return changes
    for change in changes:
        if change.field in CODED_FIELDS:
            for attr in ("before", "after", "added", "removed", "kept"):
                value = getattr(change, attr)
                if value:
                    setattr(change, attr, [titles.get(c, c) for c in value])
    return changes


def review_view(actor: User, request_id: int, *, now: datetime | None = None) -> ReviewView:
    """Everything the review page shows (staff, administrators and the chancellor).

    Raises ``PermissionDenied`` (anyone else) and ``NotFound``."""
    if not (can(actor, "review") or can(actor, "decide")):
        raise PermissionDenied("This page is for the Regents' staff.")
    request = workflow.get_request(actor, request_id)
    waited = days_waiting(request, now or datetime.now(UTC))
    target = policy.review_target_days()
    titles = _term_titles(request)
    return ReviewView(
        request=request,
        compliance=policy.evaluate(request),
        since_last_submission=_named_changes(changes_since_last_submission(request), titles),
        against_entry=_named_changes(changes_to_entry(request), titles),
        fields=_named(content_fields(request.content), titles),
        transitions=list(request.transitions),
        comments=workflow.visible_comments(actor, request),
        days_waiting=waited,
        target_days=target,
        overdue=request.state in QUEUE_STATES and waited > target,
    )


def approvals_queue(actor: User) -> list[ReviewView]:
    """The recommendations waiting on the chancellor, oldest first."""
    _require(actor, "decide")
    ids = db.session.scalars(
        sa.select(CredentialRequest.id)
        .where(CredentialRequest.state == RequestState.RECOMMENDED)
        .order_by(CredentialRequest.updated_at)
    ).all()
    return [review_view(actor, i) for i in ids]


def decide_many(
    actor: User, items: list[tuple[int, int]], action: Action | str, comment: str | None = None
) -> BulkResult:
    """The chancellor approves (or declines) several recommendations at once; each one
    succeeds or fails alone, with its own version check."""
    _require(actor, "decide")
    result = BulkResult()
    for request_id, version in items:
        try:
            request = workflow.get_request(actor, request_id)
            result.titles[request_id] = request.content.title or "Untitled"
            workflow.transition(actor, request_id, action, version=version, comment=comment)
            result.done.append(request_id)
        except ServiceError as exc:
            db.session.rollback()
            result.failed[request_id] = exc.message
    return result
