from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.enums import TaxonomyKind
from app.extensions import db
from app.models._types import enum_type


class TaxonomyTerm(db.Model):
    """A term of a controlled vocabulary: NACE competency, focus area, NAICS sector, SOC code."""

    __tablename__ = "taxonomy_terms"
    __table_args__ = (sa.UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaxonomyKind] = mapped_column(enum_type(TaxonomyKind, "taxonomy_kind"))
    code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))

    @property
    def group_code(self) -> str | None:
        """The SOC major group of an occupation (``15-1212`` → ``15-0000``)."""
        if self.kind is TaxonomyKind.OCCUPATION:
            return self.code[:2] + "-0000"
        return None

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.kind} {self.code}>"
