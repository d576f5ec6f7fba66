from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import InstitutionKind
from app.extensions import db
from app.models._types import enum_type

if TYPE_CHECKING:
    from app.models.user import User


class Institution(db.Model):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[InstitutionKind] = mapped_column(enum_type(InstitutionKind, "institution_kind"))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    # The organisation's CTID in CTDL exports (``ce-`` + UUID), set once and kept. (The column
    # is not called ``ctid``: PostgreSQL reserves that name for a system column.)
    ctid: Mapped[str] = mapped_column(
        "ctdl_id", sa.String(40), unique=True, default=lambda: f"ce-{uuid.uuid4()}"
    )

    users: Mapped[list[User]] = relationship(back_populates="institution")

    def __repr__(self) -> str:
        return f"<Institution {self.code}>"
