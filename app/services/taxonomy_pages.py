"""The taxonomy pages: the active entries aligned to an occupation or industry code or to any
code below it (anyone)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.enums import Endorsement, EntryStatus, TaxonomyKind
from app.extensions import db
from app.models import ContentTerm, Entry, TaxonomyTerm
from app.models.taxonomy import PATH_SEPARATOR
from app.services.errors import NotFound
from app.services.reference import Resolver

NOUNS = {TaxonomyKind.OCCUPATION: "occupation", TaxonomyKind.INDUSTRY: "industry"}


@dataclass
class TaxonomyPage:
    term: TaxonomyTerm
    broader: list[TaxonomyTerm]  # from the top of the hierarchy down to the term's parent
    entries: list[Entry]  # endorsed first, then by title

    @property
    def endorsed(self) -> int:
        return sum(1 for e in self.entries if e.endorsement is Endorsement.ENDORSED)

    @property
    def not_endorsed(self) -> int:
        return len(self.entries) - self.endorsed


def find_term(kind: TaxonomyKind, code: str) -> TaxonomyTerm:
    """The term ``code`` names, written with or without punctuation; ``NotFound`` otherwise."""
    term = Resolver().term(kind, code) if code.strip()[:1].isdigit() else None
    if term is None:
        raise NotFound(f"There is no {NOUNS[kind]} with the code {code!r}.")
    return term


def taxonomy_page(kind: TaxonomyKind, code: str) -> TaxonomyPage:
    """The page of SOC or NAICS code ``code``: its broader codes and the active entries aligned
    to it or to a code below it. Raises ``NotFound`` for an unknown code."""
    term = find_term(kind, code)
    broader_codes = term.lineage[:-1]
    by_code = {
        t.code: t
        for t in db.session.scalars(
            sa.select(TaxonomyTerm).where(
                TaxonomyTerm.kind == kind, TaxonomyTerm.code.in_(broader_codes)
            )
        )
    }
    aligned = (
        sa.select(ContentTerm.content_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == ContentTerm.term_id)
        .where(
            TaxonomyTerm.kind == kind,
            sa.or_(
                TaxonomyTerm.id == term.id,
                TaxonomyTerm.path.contains(f"{PATH_SEPARATOR}{term.code}{PATH_SEPARATOR}"),
            ),
        )
    )
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.status == EntryStatus.ACTIVE, Entry.content_id.in_(aligned))
        .options(selectinload(Entry.institution))
        .order_by(
            sa.case((Entry.endorsement == Endorsement.ENDORSED, 0), else_=1),
            sa.func.lower(Entry.title),
            Entry.id,
        )
    ).all()
    return TaxonomyPage(
        term=term,
        broader=[by_code[c] for c in broader_codes if c in by_code],
        entries=list(entries),
    )
