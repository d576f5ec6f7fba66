from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import Role
from app.extensions import db
from app.models._types import UTCDateTime, enum_type, utcnow
from app.models.institution import Institution


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role != 'liaison' OR institution_id IS NOT NULL", name="liaison_has_institution"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    institution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("institutions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login's session id: replacing it ends every session the user has open.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Notifications: False = each one by e-mail at once; True = gathered into a daily digest.
    mail_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The day the last digest was sent (one digest a day at most).
    last_digest_on: Mapped[date | None] = mapped_column(sa.Date)
    # A liaison an administrator named as their institution's campus approver.
    campus_approver: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    institution: Mapped[Institution | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
