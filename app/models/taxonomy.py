from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.enums import TaxonomyKind
from app.extensions import db
from app.models._types import enum_type

PATH_SEPARATOR = "/"


class TaxonomyTerm(db.Model):
    """A term of a controlled vocabulary: NACE competency, focus area, NAICS 2022 code, SOC 2018
    code, CIP 2020 code. Hierarchical vocabularies hold every level; ``level`` names it."""

    __tablename__ = "taxonomy_terms"
    __table_args__ = (sa.UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaxonomyKind] = mapped_column(enum_type(TaxonomyKind, "taxonomy_kind"))
    code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    # sector … national-industry; major … detailed; series, group, program; empty if flat.
    level: Mapped[str | None] = mapped_column(sa.String(20))
    # The codes from the top of the hierarchy down to this one, each between slashes:
    # ``/15-0000/15-1200/15-1210/15-1212/``; a term at or below X has ``/X/`` in its path.
    path: Mapped[str | None] = mapped_column(sa.String(120))
    # Other names people write for it, joined with "|" (a NACE competency's earlier name).
    aliases: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def group_code(self) -> str | None:
        """The SOC major group of an occupation (``15-1212`` → ``15-0000``)."""
        if self.kind is TaxonomyKind.OCCUPATION:
            return self.code[:2] + "-0000"
        return None

    @property
    def lineage(self) -> list[str]:
        """Its code and the codes of every level above it, broadest first."""
        return [c for c in (self.path or "").split(PATH_SEPARATOR) if c] or [self.code]

    @property
    def rollup_code(self) -> str:
        """The top level it belongs to: SOC major group, NAICS sector, CIP series."""
        return self.lineage[0]

    @property
    def alias_list(self) -> list[str]:
        return [a for a in (self.aliases or "").split("|") if a.strip()]

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.kind} {self.code}>"
