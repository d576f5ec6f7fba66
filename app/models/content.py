"""The content of a credential: what a request proposes and what an entry version publishes.

A request owns one ``CredentialContent`` that the liaison edits; each published version of an
entry owns its own frozen copy. Drafts may be incomplete, so the columns here are mostly
nullable: completeness is the compliance rules' business, ranges are the database's.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import (
    BadgeLevel,
    Category,
    Delivery,
    EntryType,
    LearningType,
    TaxonomyKind,
)
from app.extensions import db
from app.models._types import UTCDateTime, enum_type, utcnow
from app.models.taxonomy import TaxonomyTerm

_HOURS = sa.Numeric(6, 2, asdecimal=False)
_MONEY = sa.Numeric(10, 2, asdecimal=False)


class CredentialContent(db.Model):
    __tablename__ = "credential_contents"
    __table_args__ = (
        sa.CheckConstraint("credit_hours IS NULL OR credit_hours >= 0", name="credit_hours_range"),
        sa.CheckConstraint("clock_hours IS NULL OR clock_hours >= 0", name="clock_hours_range"),
        sa.CheckConstraint("cost_usd IS NULL OR cost_usd >= 0", name="cost_range"),
        sa.CheckConstraint("duration_weeks IS NULL OR duration_weeks > 0", name="duration_range"),
        sa.CheckConstraint(
            "badge_expires_months IS NULL OR badge_expires_months > 0", name="expiry_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_type: Mapped[EntryType] = mapped_column(
        enum_type(EntryType, "entry_type"), default=EntryType.MICRO_CREDENTIAL
    )
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str | None] = mapped_column(sa.Text)
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    audience: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[Category | None] = mapped_column(enum_type(Category, "category"))
    learning_type: Mapped[LearningType | None] = mapped_column(
        enum_type(LearningType, "learning_type")
    )
    badge_level: Mapped[BadgeLevel | None] = mapped_column(enum_type(BadgeLevel, "badge_level"))
    credit_bearing: Mapped[bool] = mapped_column(default=False)
    credit_hours: Mapped[float | None] = mapped_column(_HOURS)
    clock_hours: Mapped[float | None] = mapped_column(_HOURS)
    delivery: Mapped[Delivery | None] = mapped_column(enum_type(Delivery, "delivery"))
    duration_weeks: Mapped[float | None] = mapped_column(_HOURS)
    cost_usd: Mapped[float | None] = mapped_column(_MONEY)
    assessment: Mapped[str | None] = mapped_column(sa.Text)
    enrollment_url: Mapped[str | None] = mapped_column(sa.String(500))
    demand_evidence: Mapped[str | None] = mapped_column(sa.Text)
    interest_evidence: Mapped[str | None] = mapped_column(sa.Text)
    promotion_plan: Mapped[str | None] = mapped_column(sa.Text)

    badge_name: Mapped[str | None] = mapped_column(sa.String(300))
    badge_issuer: Mapped[str | None] = mapped_column(sa.String(300))
    badge_description: Mapped[str | None] = mapped_column(sa.Text)
    badge_criteria: Mapped[str | None] = mapped_column(sa.Text)
    badge_evidence: Mapped[str | None] = mapped_column(sa.Text)
    badge_image_url: Mapped[str | None] = mapped_column(sa.String(500))
    badge_platform: Mapped[str | None] = mapped_column(sa.String(200))
    badge_expires_months: Mapped[int | None] = mapped_column()

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courses: Mapped[list[Course]] = relationship(
        order_by="Course.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    activities: Mapped[list[Activity]] = relationship(
        order_by="Activity.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        order_by="Outcome.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    partners: Mapped[list[Partner]] = relationship(
        order_by="Partner.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    skills: Mapped[list[Skill]] = relationship(
        order_by="Skill.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    stacks: Mapped[list[StackTarget]] = relationship(
        order_by="StackTarget.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    term_links: Mapped[list[ContentTerm]] = relationship(
        order_by="ContentTerm.position",
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )

    def terms(self, kind: TaxonomyKind) -> list[TaxonomyTerm]:
        return [link.term for link in self.term_links if link.term.kind is kind]

    @property
    def competencies(self) -> list[TaxonomyTerm]:
        return self.terms(TaxonomyKind.COMPETENCY)

    @property
    def focus_areas(self) -> list[TaxonomyTerm]:
        return self.terms(TaxonomyKind.FOCUS_AREA)

    @property
    def industries(self) -> list[TaxonomyTerm]:
        return self.terms(TaxonomyKind.INDUSTRY)

    @property
    def occupations(self) -> list[TaxonomyTerm]:
        return self.terms(TaxonomyKind.OCCUPATION)

    @property
    def cip_codes(self) -> list[TaxonomyTerm]:
        return self.terms(TaxonomyKind.CIP)

    @property
    def course_hours(self) -> float:
        return float(sum(c.credit_hours or 0 for c in self.courses))


class _Child:
    """Columns every ordered child row of a content has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class Course(_Child, db.Model):
    __tablename__ = "content_courses"
    __table_args__ = (
        sa.CheckConstraint("credit_hours IS NULL OR credit_hours >= 0", name="credit_hours_range"),
    )
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(40), default="")
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    credit_hours: Mapped[float | None] = mapped_column(_HOURS)


class Activity(_Child, db.Model):
    """A non-credit activity or project, with its clock hours."""

    __tablename__ = "content_activities"
    __table_args__ = (
        sa.CheckConstraint("clock_hours IS NULL OR clock_hours >= 0", name="clock_hours_range"),
    )
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    clock_hours: Mapped[float | None] = mapped_column(_HOURS)


class Outcome(_Child, db.Model):
    """A learning outcome and how it is assessed."""

    __tablename__ = "content_outcomes"
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text, default="")
    assessment: Mapped[str | None] = mapped_column(sa.Text)


class Partner(_Child, db.Model):
    """An employer or industry partner and its role."""

    __tablename__ = "content_partners"
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[str | None] = mapped_column(sa.String(300))


class Skill(_Child, db.Model):
    __tablename__ = "content_skills"
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))


class StackTarget(_Child, db.Model):
    """A larger credential this one counts toward."""

    __tablename__ = "content_stacks"
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))


# The "Stacks into" filter finds targets by their name in lower case (``lower(name)``).
sa.Index("ix_content_stacks_lower_name", sa.func.lower(StackTarget.name))


class ContentTerm(_Child, db.Model):
    """A taxonomy term (competency, focus area, industry, occupation) the content aligns with."""

    __tablename__ = "content_terms"
    __table_args__ = (sa.UniqueConstraint("content_id", "term_id"),)
    content_id: Mapped[int] = mapped_column(
        sa.ForeignKey("credential_contents.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    term: Mapped[TaxonomyTerm] = relationship(lazy="joined")
