"""Request forms, their append-only transition record, and comments."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import CommentVisibility, Recommendation, RequestKind, Role, SignoffRole
from app.extensions import db
from app.models._types import UTCDateTime, enum_type, utcnow
from app.models.content import CredentialContent
from app.models.entry import Entry
from app.models.institution import Institution
from app.models.user import User
from app.workflow.states import Action, RequestState

if TYPE_CHECKING:
    from app.models.policy import RuleOverride


OPEN_CHANGE_WHERE = (
    "kind IN ('change', 'retirement') AND state NOT IN ('approved', 'declined', 'withdrawn')"
)


class CredentialRequest(db.Model):
    """A request form an institution files: endorsement, listing, badge, change or retirement.

    ``version`` is bumped by every write (SQLAlchemy's optimistic version counter), so two
    people acting on the same request at once can never both succeed.
    """

    __tablename__ = "requests"
    __table_args__ = (
        sa.CheckConstraint(
            "kind NOT IN ('change', 'retirement') OR entry_id IS NOT NULL",
            name="change_names_entry",
        ),
        sa.CheckConstraint(
            "state != 'recommended' OR recommendation IS NOT NULL",
            name="recommended_has_recommendation",
        ),
        sa.CheckConstraint(
            "state != 'approved' OR entry_id IS NOT NULL", name="approved_names_entry"
        ),
        # One open change or retirement per published entry: a second one would be based on a
        # version the first may replace, and approving both would silently undo the first.
        sa.Index(
            "ix_requests_one_open_change_per_entry",
            "entry_id",
            unique=True,
            sqlite_where=sa.text(OPEN_CHANGE_WHERE),
            postgresql_where=sa.text(OPEN_CHANGE_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(enum_type(RequestKind, "request_kind"))
    state: Mapped[RequestState] = mapped_column(
        enum_type(RequestState, "request_state"), default=RequestState.DRAFT, index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institutions.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(100))
    content_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_contents.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    recommendation: Mapped[Recommendation | None] = mapped_column(
        enum_type(Recommendation, "recommendation")
    )
    rationale: Mapped[str | None] = mapped_column(sa.Text)
    retirement_reason: Mapped[str | None] = mapped_column(sa.Text)
    retirement_effective_on: Mapped[date | None] = mapped_column(sa.Date)
    retirement_teach_out: Mapped[str | None] = mapped_column(sa.Text)
    # The entry's version number a change, retirement or badge request was filed against.
    base_version: Mapped[int | None] = mapped_column()
    # The liaison's answer to the near-duplicate warning: how this one differs.
    duplicate_explanation: Mapped[str | None] = mapped_column(sa.Text)
    # The policy parameters the request was last submitted under ({"credit_hour_cap": 9.0}).
    policy_settings: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution] = relationship()
    entry: Mapped[Entry | None] = relationship()
    content: Mapped[CredentialContent] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    transitions: Mapped[list[TransitionRecord]] = relationship(
        back_populates="request", order_by="TransitionRecord.id"
    )
    comments: Mapped[list[Comment]] = relationship(back_populates="request", order_by="Comment.id")
    overrides: Mapped[list[RuleOverride]] = relationship(
        back_populates="request", order_by="RuleOverride.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="request", order_by="Attachment.id"
    )
    signoffs: Mapped[list[Signoff]] = relationship(
        back_populates="request", order_by="Signoff.signed_on"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CredentialRequest {self.id} {self.kind} {self.state}>"


class TransitionRecord(db.Model):
    """One workflow transition. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "request_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_role: Mapped[Role | None] = mapped_column(enum_type(Role, "role"))
    action: Mapped[Action] = mapped_column(enum_type(Action, "workflow_action"))
    from_state: Mapped[RequestState] = mapped_column(enum_type(RequestState, "from_state"))
    to_state: Mapped[RequestState] = mapped_column(enum_type(RequestState, "to_state"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    recommendation: Mapped[Recommendation | None] = mapped_column(
        enum_type(Recommendation, "recommendation")
    )
    rule_set_version: Mapped[str | None] = mapped_column(sa.String(40))
    compliance: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CredentialRequest] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class Comment(db.Model):
    """A comment on a request: internal (staff and chancellor) or addressed to the institution."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    visibility: Mapped[CommentVisibility] = mapped_column(
        enum_type(CommentVisibility, "comment_visibility")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CredentialRequest] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """A file filed with a request (a letter of support, a syllabus, the alignment grid).
    Visible only to the institution and the Regents; stored under the instance folder by its
    SHA-256, its type checked by content."""

    __tablename__ = "request_attachments"
    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(300))
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CredentialRequest] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()


class Signoff(db.Model):
    """A campus approval recorded on a request before it reaches the Regents: who approved it
    (chair, dean, provost …), in which role, on what date."""

    __tablename__ = "request_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[SignoffRole] = mapped_column(enum_type(SignoffRole, "signoff_role"))
    signed_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CredentialRequest] = relationship(back_populates="signoffs")
    recorded_by: Mapped[User | None] = relationship()
