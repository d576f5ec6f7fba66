"""What learners look for, counted per day without anything that identifies a visitor."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DemandCount(db.Model):
    """How many times, on ``day``, a public search was made (``search``), found nothing
    (``search_zero``), an entry page was viewed (``view``) or its enrollment link followed
    (``enroll``). ``key`` is the normalised search words or the entry id. No address, cookie
    or account is recorded."""

    __tablename__ = "demand_counts"
    __table_args__ = (
        sa.UniqueConstraint("kind", "day", "key"),
        # The insights page sums counts of one kind over a range of days: read from the index.
        sa.Index("ix_demand_counts_kind_day_key_count", "kind", "day", "key", "count"),
        sa.CheckConstraint(
            "kind IN ('search', 'search_zero', 'view', 'enroll')", name="known_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(200))
    count: Mapped[int] = mapped_column(default=0)
