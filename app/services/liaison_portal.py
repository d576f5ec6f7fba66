"""What the institution liaison's pages read: the dashboard, the institution's own published
entries, and the suggestions of the request form's pickers. Writes go through
``app.services.workflow``."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.enums import EntryStatus, Role, TaxonomyKind
from app.extensions import db
from app.inputs import fits_id
from app.models import CredentialRequest, Entry, Skill, TaxonomyTerm, User
from app.services import workflow
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.workflow.states import RequestState

# Whose move it is, in each state (the party the request waits on).
WAITS_ON: dict[RequestState, str] = {
    RequestState.DRAFT: "you: submit when ready",
    RequestState.REVISIONS_REQUESTED: "you: revise and resubmit",
    RequestState.SUBMITTED: "Regents' staff",
    RequestState.IN_REVIEW: "Regents' staff",
    RequestState.RECOMMENDED: "the chancellor",
    RequestState.APPROVED: "nobody: approved and published",
    RequestState.DECLINED: "nobody: declined",
    RequestState.WITHDRAWN: "nobody: withdrawn",
}
NEEDS_ACTION = (RequestState.REVISIONS_REQUESTED,)
# The dashboard's groups, in the order a liaison cares about them.
GROUP_ORDER = (
    RequestState.DRAFT,
    RequestState.SUBMITTED,
    RequestState.IN_REVIEW,
    RequestState.RECOMMENDED,
    RequestState.APPROVED,
    RequestState.DECLINED,
    RequestState.WITHDRAWN,
)
SUGGESTION_KINDS = {
    "competency": TaxonomyKind.COMPETENCY,
    "focus_area": TaxonomyKind.FOCUS_AREA,
    "industry": TaxonomyKind.INDUSTRY,
    "occupation": TaxonomyKind.OCCUPATION,
    "cip": TaxonomyKind.CIP,
}
MAX_SUGGESTIONS = 20


def waits_on(request: CredentialRequest) -> str:
    return WAITS_ON[request.state]


@dataclass
class Dashboard:
    needs_action: list[CredentialRequest] = field(default_factory=list)
    groups: list[tuple[RequestState, list[CredentialRequest]]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    # The change or retirement open on an entry, by entry id: a second one is not offered.
    open_changes: dict[int, CredentialRequest] = field(default_factory=dict)


def _require_liaison(actor: User) -> None:
    if actor is None or actor.role is not Role.LIAISON or not actor.active:
        raise PermissionDenied("This page is for institution liaisons.")


def dashboard(actor: User) -> Dashboard:
    """A liaison's institution at a glance: the requests that need them first, every other
    request grouped by state (newest first), and the published entries (active, then retired).
    Raises ``PermissionDenied`` for anyone but a liaison."""
    _require_liaison(actor)
    requests = workflow.list_requests(actor)
    board = Dashboard()
    board.needs_action = [r for r in requests if r.state in NEEDS_ACTION]
    for state in GROUP_ORDER:
        rows = [r for r in requests if r.state is state]
        if rows:
            board.groups.append((state, rows))
    board.entries = institution_entries(actor)
    board.open_changes = {
        r.entry_id: r
        for r in requests
        if r.kind.needs_entry and r.entry_id is not None and not r.state.is_final
    }
    return board


def institution_entries(actor: User) -> list[Entry]:
    """The published entries of the liaison's institution, active first, by title."""
    _require_liaison(actor)
    query = (
        sa.select(Entry)
        .where(Entry.institution_id == actor.institution_id)
        .options(selectinload(Entry.content))
    )
    entries = list(db.session.scalars(query))
    return sorted(entries, key=lambda e: (e.status is not EntryStatus.ACTIVE, e.title.lower()))


def institution_entry(actor: User, entry_id: int) -> Entry:
    """One published entry of the liaison's institution. Another institution's entry raises
    ``NotFound``, exactly like one that does not exist."""
    _require_liaison(actor)
    entry = db.session.get(Entry, entry_id) if fits_id(entry_id) else None
    if entry is None or entry.institution_id != actor.institution_id:
        raise NotFound("There is no such entry of your institution.")
    return entry


@dataclass
class FormOptions:
    """The choices and suggestions of the request form's pickers."""

    competencies: list[tuple[str, str]]
    focus_areas: list[tuple[str, str]]
    industries: list[tuple[str, str]]
    occupations: list[tuple[str, str]]
    cip_codes: list[tuple[str, str]]
    skills: list[str]


def _terms(kind: TaxonomyKind, levels: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    query = sa.select(TaxonomyTerm.code, TaxonomyTerm.title).where(TaxonomyTerm.kind == kind)
    if levels:
        query = query.where(TaxonomyTerm.level.in_(levels))
    rows = db.session.execute(query.order_by(TaxonomyTerm.code))
    return [(code, title) for code, title in rows]


def form_options(limit_skills: int = 200) -> FormOptions:
    """Taxonomy terms for checkboxes and suggestion lists, and the skills most used by the
    published inventory (never another institution's drafts; a skill may also be anything the
    liaison types)."""
    skill_rows = db.session.execute(
        sa.select(Skill.name, sa.func.count(Skill.id).label("n"))
        .join(Entry, Entry.content_id == Skill.content_id)
        .where(Entry.status == EntryStatus.ACTIVE)
        .group_by(Skill.name)
        .order_by(sa.desc("n"), Skill.name)
        .limit(limit_skills)
    )
    skills = sorted({name for name, _ in skill_rows}, key=str.lower)
    return FormOptions(
        competencies=_terms(TaxonomyKind.COMPETENCY),
        focus_areas=_terms(TaxonomyKind.FOCUS_AREA),
        # The pages' suggestion lists hold the upper levels and the detailed occupations; any
        # code or title of any level may be typed, and the suggestion endpoint finds them all.
        industries=_terms(TaxonomyKind.INDUSTRY, ("sector", "subsector")),
        occupations=_terms(TaxonomyKind.OCCUPATION, ("detailed",)),
        cip_codes=_terms(TaxonomyKind.CIP, ("series", "group")),
        skills=skills,
    )


def suggestions(kind: str, q: str = "", limit: int = MAX_SUGGESTIONS) -> list[dict[str, str]]:
    """Up to ``limit`` terms of ``kind`` (competency, focus_area, industry, occupation) whose
    code starts with, or title contains, ``q``; codes that match first. Raises ``InvalidInput``
    for another kind."""
    try:
        taxonomy = SUGGESTION_KINDS[kind]
    except KeyError as exc:
        kinds = ", ".join(SUGGESTION_KINDS)
        raise InvalidInput("Unknown kind.", {"kind": [f"Must be one of: {kinds}."]}) from exc
    q = " ".join((q or "").split())[:100]
    query = sa.select(TaxonomyTerm).where(TaxonomyTerm.kind == taxonomy)
    if q:
        pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            sa.or_(
                TaxonomyTerm.code.startswith(q, autoescape=True),
                sa.func.lower(TaxonomyTerm.title).like(pattern),
            )
        )
    terms = list(db.session.scalars(query))
    lowered = q.lower()
    terms.sort(
        key=lambda t: (
            not t.code.startswith(q),
            not t.title.lower().startswith(lowered),
            t.code,
        )
    )
    return [{"code": t.code, "title": t.title} for t in terms[:limit]]
