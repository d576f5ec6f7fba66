"""Failed sign-in attempts, kept briefly so every app worker and host sees the same count."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models._types import UTCDateTime, utcnow


class ThrottleEvent(db.Model):
    """One failure counted against a key (a digest of an account or client address, never the
    address itself). Rows older than the longest window are deleted as new ones arrive."""

    __tablename__ = "throttle_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_throttle_events_key_at", "key", "at"),)
