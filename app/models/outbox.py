"""Work to do after a commit, written in the same transaction as the change that needs it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import IndexOp
from app.extensions import db
from app.models._types import UTCDateTime, enum_type, utcnow
from app.models.entry import Entry


class IndexTask(db.Model):
    """Bring one entry's search document in line with the database (upsert or delete)."""

    __tablename__ = "index_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    op: Mapped[IndexOp] = mapped_column(enum_type(IndexOp, "index_op"))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship()
