"""The employer view: endorsed offerings by industry sector and occupation group."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import search
from app.enums import Endorsement, EntryStatus
from app.extensions import db
from app.models import Entry, Partner
from app.services import discovery


@dataclass
class Group:
    value: str
    label: str
    count: int


@dataclass
class EmployerView:
    total: int
    industries: list[Group]
    occupation_groups: list[Group]
    partners: list[tuple[str, int]]


def employer_view() -> EmployerView:
    """Endorsed, active entries counted by NAICS sector and SOC major group (anyone)."""
    params = search.SearchParams(per_page=1, filters={"endorsement": [Endorsement.ENDORSED.value]})
    results = search.search(params)

    def groups(name: str, keep=lambda v: True) -> list[Group]:
        values = [v for v in results.facets.get(name, []) if v.count and keep(v.value)]
        labels = discovery.facet_labels(name, [v.value for v in values])
        return sorted(
            (Group(v.value, labels.get(v.value, v.value), v.count) for v in values),
            key=lambda g: (-g.count, g.label),
        )

    partners = db.session.execute(
        sa.select(Partner.name, sa.func.count(sa.distinct(Entry.id)).label("n"))
        .join(Entry, Entry.content_id == Partner.content_id)
        .where(Entry.status == EntryStatus.ACTIVE, Entry.endorsement == Endorsement.ENDORSED)
        .group_by(Partner.name)
        .order_by(sa.desc("n"), Partner.name)
    ).all()
    return EmployerView(
        total=results.total,
        industries=groups("industry", lambda v: len(v) == 2 or "-" in v),
        occupation_groups=groups("occupation", lambda v: v.endswith("-0000")),
        partners=[(name, n) for name, n in partners],
    )
