"""Public discovery: searching the inventory, reading entries and institutions.

One layer for the HTML pages and the JSON API: both parse their input into the same
``SearchParams`` here, get the same results, and label facets the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import search
from app.enums import (
    BadgeLevel,
    Category,
    Delivery,
    Endorsement,
    EntryStatus,
    EntryType,
    LearningType,
    TaxonomyKind,
)
from app.extensions import db
from app.inputs import parse_id
from app.models import (
    ContentTerm,
    CredentialContent,
    Entry,
    Institution,
    StackTarget,
    TaxonomyTerm,
)
from app.models.entry import full_entry_options
from app.search import bands
from app.services import demand, synonyms
from app.services.errors import InvalidInput, NotFound

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_PAGE = 10_000
MAX_FILTER_VALUES = 50

_STATIC_LABELS: dict[str, dict[str, str]] = {
    "endorsement": {e.value: e.label for e in Endorsement},
    "entry_type": {e.value: e.label for e in EntryType},
    "credit": {"credit": "Credit-bearing", "non-credit": "Non-credit"},
    "credit_hours": bands.labels(bands.CREDIT_HOUR_BANDS),
    "cost": bands.labels(bands.COST_BANDS),
    "duration": bands.labels(bands.DURATION_BANDS),
    "delivery": {e.value: e.label for e in Delivery},
    "badge_level": {e.value: e.label for e in BadgeLevel},
    "category": {e.value: e.label for e in Category},
    "learning_type": {e.value: e.label for e in LearningType},
}
# The order of a facet's values when it has a natural one (bands, levels).
_NATURAL_ORDER = {
    name: list(labels) for name, labels in _STATIC_LABELS.items() if name not in {"credit"}
}


def _int(value: str | None, name: str, default: int, low: int, high: int, errors) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [f"{name} must be a whole number from {low} to {high}."]
        return default
    if not low <= number <= high:
        errors[name] = [f"{name} must be from {low} to {high}; got {number}."]
        return default
    return number


def parse_params(args: Mapping, *, per_page_default: int = DEFAULT_PER_PAGE) -> search.SearchParams:
    """Read search parameters from a query string (``werkzeug.MultiDict`` or a dict of lists).

    Raises ``InvalidInput`` naming each bad parameter; the caller may show the errors and
    search with the defaults (``InvalidInput.details['params']``).
    """

    def getlist(name: str) -> list[str]:
        if hasattr(args, "getlist"):
            return args.getlist(name)
        value = args.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]

    errors: dict[str, list[str]] = {}
    q = (args.get("q") or "").strip()[:500]
    page = _int(args.get("page"), "page", 1, 1, MAX_PAGE, errors)
    per_page = _int(args.get("per_page"), "per_page", per_page_default, 1, MAX_PER_PAGE, errors)
    sort = args.get("sort") or "relevance"
    if sort not in search.SORTS:
        errors["sort"] = [f"sort must be one of: {', '.join(search.SORTS)}."]
        sort = "relevance"
    filters: dict[str, list[str]] = {}
    for name in search.FACET_NAMES:
        values = [v.strip() for v in getlist(name) if v and v.strip()]
        if len(values) > MAX_FILTER_VALUES:
            errors[name] = [f"At most {MAX_FILTER_VALUES} values of {name} at once."]
            values = values[:MAX_FILTER_VALUES]
        if name in ("skill", "stacks_into"):
            values = [" ".join(v.lower().split()) for v in values]
        known = _STATIC_LABELS.get(name)
        if known is not None:
            unknown = [v for v in values if v not in known]
            if unknown:
                errors[name] = [
                    f"{search.FACETS_BY_NAME[name].label} has no value "
                    + ", ".join(f"“{v}”" for v in unknown)
                    + "; it can be: "
                    + ", ".join(f"{key} ({label})" for key, label in known.items())
                    + "."
                ]
                values = [v for v in values if v in known]
        if values:
            filters[name] = list(dict.fromkeys(values))
    as_typed = (args.get("as_typed") or "").lower() in ("1", "true", "yes", "on")
    params = search.SearchParams(
        q=q, page=page, per_page=per_page, sort=sort, filters=filters, as_typed=as_typed
    )
    if errors:
        raise InvalidInput("Some search parameters were not understood.", errors, params=params)
    return params


@dataclass
class FacetView:
    name: str
    label: str
    values: list[search.FacetCount]
    show: int

    @property
    def selected(self) -> list[search.FacetCount]:
        return [v for v in self.values if v.selected]


@dataclass
class ResultPage:
    results: search.SearchResults
    entries: list[tuple[Entry, search.Hit]]
    facets: list[FacetView]

    @property
    def params(self) -> search.SearchParams:
        return self.results.params


def _term_titles(kind: TaxonomyKind, codes) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(
        sa.select(TaxonomyTerm.code, TaxonomyTerm.title).where(
            TaxonomyTerm.kind == kind, TaxonomyTerm.code.in_(list(codes))
        )
    )
    return dict(rows.all())


def facet_labels(name: str, values) -> dict[str, str]:
    """Human labels of facet ``name``'s ``values`` (codes and keys as the index holds them)."""
    values = list(values)
    facet = search.FACETS_BY_NAME[name]
    if facet.labels == "static":
        return {v: _STATIC_LABELS.get(name, {}).get(v, v) for v in values}
    if facet.labels == "institution":
        rows = db.session.execute(
            sa.select(Institution.code, Institution.name).where(Institution.code.in_(values))
        )
        return dict(rows.all())
    if facet.labels.startswith("term:"):
        return _term_titles(TaxonomyKind(facet.labels.removeprefix("term:")), values)
    if facet.labels == "occupation_group":
        groups = _term_titles(
            TaxonomyKind.OCCUPATION_GROUP, [v for v in values if v.endswith("-0000")]
        )
        detailed = _term_titles(
            TaxonomyKind.OCCUPATION, [v for v in values if not v.endswith("-0000")]
        )
        return {**detailed, **groups}
    if facet.labels == "stack":
        return stack_names(values)
    if facet.labels == "skill":
        try:
            return search.skill_labels(values)
        except search.IndexUnavailable:
            return {}
    return {}


def stack_names(keys) -> dict[str, str]:
    """``{"bs in nursing": "BS in Nursing"}``: how each stacking target's key is written."""
    keys = [k for k in keys if k]
    if not keys:
        return {}
    rows = db.session.scalars(
        sa.select(StackTarget.name).where(sa.func.lower(StackTarget.name).in_(keys)).distinct()
    )
    names: dict[str, str] = {}
    for name in rows:
        names.setdefault(" ".join(name.lower().split()), name)
    return names


# Which values of a hierarchical facet it lists: the documents carry every level of each code.
_TOP_LEVEL = {
    "occupation": lambda code: code.endswith("-0000"),
    "industry": lambda code: len(code) == 2 or "-" in code,
    "cip": lambda code: len(code) == 2,
}


def _facet_views(results: search.SearchResults) -> list[FacetView]:
    views = []
    for facet in search.FACETS:
        values = results.facets.get(facet.name, [])
        top = _TOP_LEVEL.get(facet.name)
        if top:
            # The facet lists the top level (SOC major group, NAICS sector, CIP series); a
            # code at any level below can still be a filter.
            values = [v for v in values if top(v.value) or v.selected]
        order = _NATURAL_ORDER.get(facet.name)
        if order:
            values = sorted(values, key=lambda v: order.index(v.value) if v.value in order else 99)
        else:  # selected first, then by count (the search's order), at most 50 more
            values = [v for v in values if v.selected] + [v for v in values if not v.selected][:50]
        labels = facet_labels(facet.name, [v.value for v in values])
        for v in values:
            v.label = labels.get(v.value, v.value)
        views.append(FacetView(facet.name, facet.label, values, facet.show))
    return views


def card_options():
    """What a result card shows: the institution and the content with its skills."""
    return (
        selectinload(Entry.institution),
        selectinload(Entry.content).selectinload(CredentialContent.skills),
    )


def query_context() -> search.QueryContext:
    """What reading a query needs from the database: the staff's synonym list (read on every
    search, so a change applies at once) and the institutions' names."""
    names = db.session.execute(sa.select(Institution.code, Institution.name)).all()
    return search.QueryContext(
        synonyms=search.Synonyms.of(synonyms.groups()),
        institutions=tuple((code, name) for code, name in names),
    )


_TAXONOMY_KINDS = {
    TaxonomyKind.COMPETENCY: "competency",
    TaxonomyKind.FOCUS_AREA: "focus area",
    TaxonomyKind.INDUSTRY: "industry",
    TaxonomyKind.OCCUPATION: "occupation",
}


def _taxonomy_labels(content_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """``{content id: [(term title, kind), …]}`` in one query (no ORM objects)."""
    rows = db.session.execute(
        sa.select(ContentTerm.content_id, TaxonomyTerm.title, TaxonomyTerm.kind)
        .join(TaxonomyTerm, TaxonomyTerm.id == ContentTerm.term_id)
        .where(ContentTerm.content_id.in_(content_ids))
        .order_by(ContentTerm.content_id, ContentTerm.position)
    )
    labels: dict[int, list[tuple[str, str]]] = {}
    for content_id, title, kind in rows:
        if kind in _TAXONOMY_KINDS:
            labels.setdefault(content_id, []).append((title, _TAXONOMY_KINDS[kind]))
    return labels


def search_inventory(
    params: search.SearchParams, context: search.QueryContext | None = None
) -> ResultPage:
    """Search the public inventory (anyone), counting the search for the insights.
    Raises ``search.IndexUnavailable``."""
    page = _search(params, context)
    _count_search(params, page.results.total)
    return page


def _search(params: search.SearchParams, context: search.QueryContext | None) -> ResultPage:
    results = search.search(params, context or query_context())
    ids = [h.entry_id for h in results.hits]
    by_id = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(ids)).options(*card_options())
        )
    }
    # Hydrated in rank order; an entry retired since the index was written is left out.
    entries = [
        (by_id[h.entry_id], h)
        for h in results.hits
        if h.entry_id in by_id and by_id[h.entry_id].status is EntryStatus.ACTIVE
    ]
    if entries and results.terms:
        labels = _taxonomy_labels([entry.content_id for entry, _hit in entries])
        for entry, hit in entries:
            hit.taxonomy_matches = search.matched_labels(results, labels.get(entry.content_id, []))
    return ResultPage(results, entries, _facet_views(results))


def search_rendered(params: search.SearchParams, render, *, variant: tuple = ()):
    """``render(page)`` of a search, remembered until the index changes: the same search
    (normalised query, filters, sort, page) with the same synonym list is rendered once per
    index generation and process. ``render`` must return plain data (no database objects);
    ``variant`` tells apart renderings that differ otherwise (the host of absolute links).
    Raises ``search.IndexUnavailable``."""
    context = query_context()
    key = (
        " ".join(params.q.split()),
        params.page,
        params.per_page,
        params.sort,
        params.as_typed,
        tuple(sorted((k, tuple(sorted(v))) for k, v in params.filters.items() if v)),
        context.key(),
        variant,
    )
    total, body = search.remembered_page(key, lambda: _rendered(params, context, render))
    _count_search(params, total)
    return body


def _rendered(params: search.SearchParams, context, render) -> tuple[int, object]:
    page = _search(params, context)
    return page.results.total, render(page)


def _count_search(params: search.SearchParams, total: int) -> None:
    # A search counts once, on its first page; paging through it is not another search.
    if params.page == 1:
        demand.record_search(params.q, total)


def view_entry(key: str) -> Entry:
    """Anyone opening an entry's page: the entry, with the view counted for the insights."""
    entry = get_entry(key)
    demand.record("view", entry.id)
    return entry


@dataclass
class StackPath:
    """A target an entry stacks into, and the other active entries that stack into it."""

    key: str  # the "Stacks into" filter's value
    name: str
    others: list[Entry]
    total: int  # every other active entry stacking into it (``others`` shows at most a few)


def stack_paths(entry: Entry, limit: int = 10) -> list[StackPath]:
    """For each target of ``entry``, the other active entries that count toward it too."""
    paths = []
    for target in entry.content.stacks:
        key = " ".join(target.name.lower().split())
        ids = (
            sa.select(Entry.id)
            .join(StackTarget, StackTarget.content_id == Entry.content_id)
            .where(
                sa.func.lower(StackTarget.name) == key,
                Entry.status == EntryStatus.ACTIVE,
                Entry.id != entry.id,
            )
            .distinct()
        )
        total = db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))
        others = list(
            db.session.scalars(
                sa.select(Entry)
                .options(selectinload(Entry.institution))
                .where(Entry.id.in_(ids))
                .order_by(Entry.title, Entry.id)
                .limit(limit)
            )
        )
        paths.append(StackPath(key, target.name, others, total or 0))
    return paths


def enrollment_link(key: str) -> str:
    """Anyone following an entry's enrollment link: where it goes, with the click-through
    counted. Raises ``NotFound`` for an unknown or retired entry, or one without a link."""
    entry = get_entry(key)
    url = entry.content.enrollment_url
    if not url or entry.status is not EntryStatus.ACTIVE:
        raise NotFound("This entry has no enrollment link.")
    demand.record("enroll", entry.id)
    return url


def get_entry(key: str) -> Entry:
    """A published entry by id or slug (anyone; retired entries too). Raises ``NotFound``."""
    query = sa.select(Entry).options(*full_entry_options())
    if key.isdigit():
        number = parse_id(key)
        entry = db.session.scalar(query.where(Entry.id == number)) if number else None
    else:
        entry = db.session.scalar(query.where(Entry.slug == key))
    if entry is None:
        raise NotFound("There is no inventory entry at this address.")
    return entry


def get_institution(slug: str) -> Institution:
    inst = db.session.scalar(sa.select(Institution).where(Institution.slug == slug))
    if inst is None:
        raise NotFound("There is no institution at this address.")
    return inst


def institutions_with_counts() -> list[tuple[Institution, int]]:
    counts = (
        sa.select(Entry.institution_id, sa.func.count(Entry.id).label("n"))
        .where(Entry.status == EntryStatus.ACTIVE)
        .group_by(Entry.institution_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Institution, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.institution_id == Institution.id)
        .order_by(Institution.name)
    )
    return [(inst, n) for inst, n in rows]


def schema_org(entry: Entry) -> dict:
    """The entry as schema.org ``EducationalOccupationalCredential`` JSON-LD (a dict; the page
    renders it with ``|tojson``)."""
    from app.schemas import schema_org

    return schema_org.credential(entry)
