"""An import of a record file from the staff's import page: its dry run, then the import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime, utcnow
from app.models.user import User

# checking → checked → importing → done; failed when the file could not be read or written.
JOB_STATES = ("checking", "checked", "importing", "done", "failed")


class ImportJob(db.Model):
    """One uploaded file, kept under ``IMPORT_DIR`` between its dry run and its import."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('checking', 'checked', 'importing', 'done', 'failed')",
            name="import_job_state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(sa.String(20), default="checking")
    records: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
