"""The search's synonyms and abbreviations, kept by the Regents' staff."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models._types import UTCDateTime, utcnow


class SynonymGroup(db.Model):
    """Phrases a search treats as one ("CNA, nurse aide, nursing assistant"), comma-separated."""

    __tablename__ = "synonym_groups"
    __table_args__ = (sa.CheckConstraint("length(phrases) > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phrases: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def phrase_list(self) -> list[str]:
        return [p.strip() for p in self.phrases.split(",") if p.strip()]
