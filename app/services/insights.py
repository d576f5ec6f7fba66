"""Insights for the State Regents: how the queue moves, what the inventory covers, and what
learners look for. Read-only; every figure is computed from the database on request.

Who may call: staff, the chancellor and administrators (``can(user, "see_insights")``).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.enums import EntryStatus, TaxonomyKind
from app.extensions import db
from app.models import (
    ContentTerm,
    CredentialContent,
    CredentialRequest,
    DemandCount,
    Entry,
    Institution,
    TaxonomyTerm,
    TransitionRecord,
)
from app.permissions import can
from app.services import policy
from app.services.errors import InvalidInput, PermissionDenied
from app.workflow.states import Action, RequestState

DEFAULT_MONTHS = 12
# The states in which a request waits on the Regents' staff, where the service target applies.
STAFF_STATES = (RequestState.SUBMITTED, RequestState.IN_REVIEW)
DECIDED_STATES = (RequestState.APPROVED, RequestState.DECLINED)


@dataclass
class Table:
    """One figure: a titled table of rows, drawn as a chart beside it when ``chart`` is set."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str | None = None  # "bars" (label and value) or "months" (series by month)
    note: str = ""
    series: list[int] = field(default_factory=lambda: [1])  # the columns a chart draws


@dataclass
class Report:
    start: date
    end: date
    sections: dict[str, list[Table]]

    def table(self, key: str) -> Table:
        for tables in self.sections.values():
            for table in tables:
                if table.key == key:
                    return table
        raise KeyError(key)


def parse_range(start: str | None, end: str | None, today: date | None = None) -> tuple[date, date]:
    """The report's dates from the page's ``from`` and ``to``: the last twelve months by
    default. Raises ``InvalidInput`` for dates that are not dates or in the wrong order."""
    today = today or datetime.now(UTC).date()
    errors: dict[str, list[str]] = {}
    values = {}
    for name, raw, default in (
        ("from", start, _months_back(today, DEFAULT_MONTHS)),
        ("to", end, today),
    ):
        if not raw:
            values[name] = default
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = ["Give a date as YYYY-MM-DD."]
            values[name] = default
    if not errors and values["from"] > values["to"]:
        errors["to"] = ["The end date comes before the start date."]
    if errors:
        raise InvalidInput("Check the dates.", errors, start=values["from"], end=values["to"])
    return values["from"], values["to"]


def _months_back(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _month(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _months(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report(actor, start: date, end: date, *, now: datetime | None = None) -> Report:
    """Staff, chancellor, admin: every figure of the insights page for ``start``..``end``.
    Raises ``PermissionDenied`` for anyone else."""
    if not can(actor, "see_insights"):
        raise PermissionDenied("Insights are for the State Regents' staff and the chancellor.")
    now = now or datetime.now(UTC)
    return Report(
        start=start,
        end=end,
        sections={
            "queue": _queue(start, end, now),
            "inventory": _inventory(start, end),
            "demand": _demand(start, end),
        },
    )


# --- the queue ------------------------------------------------------------------------------


def _queue(start: date, end: date, now: datetime) -> list[Table]:
    lo, hi = _bounds(start, end)
    by_state = Table("requests-by-state", "Requests by state today", ["State", "Requests"])
    counts = dict(
        db.session.execute(
            sa.select(CredentialRequest.state, sa.func.count()).group_by(CredentialRequest.state)
        ).all()
    )
    by_state.rows = [[state.label, counts.get(state, 0)] for state in RequestState]
    by_state.chart = "bars"

    # First submission and decision of every request decided in the range.
    first_submit = (
        sa.select(
            TransitionRecord.request_id.label("request_id"),
            sa.func.min(TransitionRecord.created_at).label("submitted"),
        )
        .where(TransitionRecord.action == Action.SUBMIT)
        .group_by(TransitionRecord.request_id)
        .subquery()
    )
    rounds = (
        sa.select(
            TransitionRecord.request_id.label("request_id"),
            sa.func.count().label("rounds"),
        )
        .where(TransitionRecord.action == Action.REQUEST_REVISIONS)
        .group_by(TransitionRecord.request_id)
        .subquery()
    )
    decided = db.session.execute(
        sa.select(
            CredentialRequest.decided_at,
            first_submit.c.submitted,
            sa.func.coalesce(rounds.c.rounds, 0),
        )
        .join(first_submit, first_submit.c.request_id == CredentialRequest.id)
        .outerjoin(rounds, rounds.c.request_id == CredentialRequest.id)
        .where(
            CredentialRequest.state.in_(DECIDED_STATES),
            CredentialRequest.decided_at >= lo,
            CredentialRequest.decided_at < hi,
        )
    ).all()
    days_by_month: dict[str, list[float]] = defaultdict(list)
    round_counts: Counter[str] = Counter()
    for decided_at, submitted, n_rounds in decided:
        decided_at, submitted = _aware(decided_at), _aware(submitted)
        days_by_month[_month(decided_at)].append((decided_at - submitted).total_seconds() / 86400)
        round_counts["3 or more" if n_rounds >= 3 else str(n_rounds)] += 1
    timing = Table(
        "days-to-decision",
        "Days from submission to decision, by month of decision",
        ["Month", "Decisions", "Median days", "90th percentile days"],
        chart="months",
        note="Counted from a request's first submission to the chancellor's decision.",
        series=[2, 3],
    )
    for month in _months(start, end):
        values = days_by_month.get(month, [])
        if values:
            timing.rows.append(
                [
                    month,
                    len(values),
                    round(statistics.median(values), 1),
                    round(_percentile(values, 0.9), 1),
                ]
            )
        else:
            timing.rows.append([month, 0, None, None])
    round_trips = Table(
        "revision-rounds",
        "Rounds of revisions before a decision",
        ["Rounds of revisions", "Decided requests"],
        [[label, round_counts.get(label, 0)] for label in ("0", "1", "2", "3 or more")],
        chart="bars",
    )

    target = policy.review_target_days()
    cutoff = now - timedelta(days=target)
    late = db.session.execute(
        sa.select(CredentialRequest.id, Institution.name, CredentialRequest.kind)
        .join(Institution, Institution.id == CredentialRequest.institution_id)
        .where(
            CredentialRequest.state.in_(STAFF_STATES),
            CredentialRequest.submitted_at < cutoff,
        )
        .order_by(CredentialRequest.submitted_at, CredentialRequest.id)
    ).all()
    past_target = Table(
        "past-target",
        f"Requests waiting on staff past the {target}-day service target",
        ["Request", "Institution", "Kind"],
        [[f"#{rid}", inst, kind.label] for rid, inst, kind in late],
    )

    rows = db.session.execute(
        sa.select(
            Institution.name,
            CredentialRequest.kind,
            CredentialRequest.state,
            sa.func.count(),
        )
        .join(Institution, Institution.id == CredentialRequest.institution_id)
        .where(CredentialRequest.state != RequestState.DRAFT)
        .group_by(Institution.name, CredentialRequest.kind, CredentialRequest.state)
    ).all()
    by_inst: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for inst, kind, state, n in rows:
        bucket = _bucket(state)
        by_inst[inst][bucket] += n
        by_kind[kind.label][bucket] += n
    columns = ["Open", "Approved", "Declined", "Withdrawn"]
    institutions = Table(
        "requests-by-institution",
        "Filed requests by institution",
        ["Institution", *columns],
        [[name, *(c[col] for col in columns)] for name, c in sorted(by_inst.items())],
        chart="bars",
    )
    kinds = Table(
        "requests-by-kind",
        "Filed requests by kind",
        ["Kind", *columns],
        [[name, *(c[col] for col in columns)] for name, c in sorted(by_kind.items())],
        chart="bars",
    )
    return [by_state, timing, round_trips, past_target, institutions, kinds]


def _bucket(state: RequestState) -> str:
    if state is RequestState.APPROVED:
        return "Approved"
    if state is RequestState.DECLINED:
        return "Declined"
    if state is RequestState.WITHDRAWN:
        return "Withdrawn"
    return "Open"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- the inventory --------------------------------------------------------------------------


def _inventory(start: date, end: date) -> list[Table]:
    active = Entry.status == EntryStatus.ACTIVE

    def grouped(key: str, title: str, label: str, column, *joins, label_of=None) -> Table:
        query = sa.select(column, sa.func.count(sa.distinct(Entry.id))).where(active)
        for target, on in joins:
            query = query.join(target, on)
        rows = db.session.execute(query.group_by(column)).all()
        out = [[label_of(v) if label_of else v, n] for v, n in rows if v is not None]
        out.sort(key=lambda row: (-row[1], str(row[0])))
        return Table(key, title, [label, "Active entries"], out, chart="bars")

    content_join = (CredentialContent, CredentialContent.id == Entry.content_id)

    def by_term(kind: TaxonomyKind, key: str, title: str, label: str) -> Table:
        return grouped(
            key,
            title,
            label,
            TaxonomyTerm.title,
            (ContentTerm, ContentTerm.content_id == Entry.content_id),
            (
                TaxonomyTerm,
                sa.and_(TaxonomyTerm.id == ContentTerm.term_id, TaxonomyTerm.kind == kind),
            ),
        )

    tables = [
        grouped(
            "entries-by-institution",
            "Active entries by institution",
            "Institution",
            Institution.name,
            (Institution, Institution.id == Entry.institution_id),
        ),
        grouped(
            "entries-by-endorsement",
            "Active entries by endorsement",
            "Endorsement",
            Entry.endorsement,
            label_of=lambda v: v.label,
        ),
        by_term(
            TaxonomyKind.FOCUS_AREA,
            "entries-by-focus-area",
            "Active entries by state focus area",
            "Focus area",
        ),
        _by_sector(),
        grouped(
            "entries-by-delivery",
            "Active entries by delivery",
            "Delivery",
            CredentialContent.delivery,
            content_join,
            label_of=lambda v: v.label,
        ),
        grouped(
            "entries-by-credit",
            "Active entries, credit or non-credit",
            "Credit",
            CredentialContent.credit_bearing,
            content_join,
            label_of=lambda v: "Credit-bearing" if v else "Non-credit",
        ),
    ]

    lo, hi = _bounds(start, end)
    published = Counter(
        _month(d)
        for (d,) in db.session.execute(
            sa.select(Entry.published_on).where(
                Entry.published_on >= start, Entry.published_on <= end
            )
        )
    )
    retired = Counter(
        _month(_aware(d))
        for (d,) in db.session.execute(
            sa.select(Entry.retired_at).where(Entry.retired_at >= lo, Entry.retired_at < hi)
        )
    )
    tables.append(
        Table(
            "published-retired",
            "Entries published and retired, by month",
            ["Month", "Published", "Retired"],
            [[m, published.get(m, 0), retired.get(m, 0)] for m in _months(start, end)],
            chart="months",
            series=[1, 2],
        )
    )
    return tables


def _by_sector() -> Table:
    """Active entries by NAICS sector: an entry aligned to ``621111`` counts under 62."""
    rows = db.session.execute(
        sa.select(Entry.id, TaxonomyTerm.code, TaxonomyTerm.path)
        .join(ContentTerm, ContentTerm.content_id == Entry.content_id)
        .join(
            TaxonomyTerm,
            sa.and_(
                TaxonomyTerm.id == ContentTerm.term_id,
                TaxonomyTerm.kind == TaxonomyKind.INDUSTRY,
            ),
        )
        .where(Entry.status == EntryStatus.ACTIVE)
    ).all()
    entries: dict[str, set[int]] = defaultdict(set)
    for entry_id, code, path in rows:
        top = next((c for c in (path or "").split("/") if c), code)
        entries[top].add(entry_id)
    titles = dict(
        db.session.execute(
            sa.select(TaxonomyTerm.code, TaxonomyTerm.title).where(
                TaxonomyTerm.kind == TaxonomyKind.INDUSTRY, TaxonomyTerm.code.in_(list(entries))
            )
        ).all()
    )
    out = [[titles.get(code, code), len(ids)] for code, ids in entries.items()]
    out.sort(key=lambda row: (-row[1], str(row[0])))
    return Table(
        "entries-by-industry",
        "Active entries by industry (NAICS sector)",
        ["Industry", "Active entries"],
        out,
        chart="bars",
    )


# --- demand ---------------------------------------------------------------------------------


def _demand(start: date, end: date) -> list[Table]:
    def top(kind: str, limit: int = 20) -> list[tuple[str, int]]:
        total = sa.func.sum(DemandCount.count)
        return [
            (key, int(n))
            for key, n in db.session.execute(
                sa.select(DemandCount.key, total)
                .where(DemandCount.kind == kind, DemandCount.day >= start, DemandCount.day <= end)
                .group_by(DemandCount.key)
                .order_by(total.desc(), DemandCount.key)
                .limit(limit)
            )
        ]

    searches = Table(
        "top-searches",
        "Most frequent searches",
        ["Search", "Times"],
        [list(r) for r in top("search")],
    )
    searches.chart = "bars"
    gaps = Table(
        "zero-result-searches",
        "Searches that found nothing: what learners want that no one offers",
        ["Search", "Times"],
        [list(r) for r in top("search_zero")],
        chart="bars",
    )
    viewed = _entry_table("most-viewed", "Most viewed entries", "Views", top("view"))
    clicks = _entry_table(
        "enrollment-clicks", "Click-throughs to enrollment", "Click-throughs", top("enroll")
    )
    return [searches, gaps, viewed, clicks]


def _entry_table(key: str, title: str, label: str, counts: list[tuple[str, int]]) -> Table:
    ids = [int(k) for k, _ in counts if k.isdigit()]
    names = dict(
        db.session.execute(
            sa.select(Entry.id, Entry.title + " · " + Institution.code)
            .join(Institution, Institution.id == Entry.institution_id)
            .where(Entry.id.in_(ids))
        ).all()
    )
    rows = [[names.get(int(k), f"Entry {k}"), n] for k, n in counts if k.isdigit()]
    return Table(key, title, ["Entry", label], rows, chart="bars")
