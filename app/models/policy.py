"""Policy parameters an administrator can change, and staff overrides of failed rules."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._types import UTCDateTime, utcnow
from app.models.request import CredentialRequest
from app.models.user import User


class Setting(db.Model):
    """One policy parameter (for example ``credit_hour_cap``); absent means the default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class RuleOverride(db.Model):
    """Staff accepted a failed rule, with a written justification the chancellor sees."""

    __tablename__ = "rule_overrides"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "rule"),
        sa.CheckConstraint("length(justification) > 0", name="justified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(64))
    justification: Mapped[str] = mapped_column(sa.Text)
    rule_set_version: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CredentialRequest] = relationship(back_populates="overrides")
    actor: Mapped[User | None] = relationship()


class SettingChange(db.Model):
    """One change of a policy parameter: who, when, from which value to which. Append-only."""

    __tablename__ = "setting_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    old_value: Mapped[str | None] = mapped_column(sa.String(200))
    new_value: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
