"""Published inventory entries and their version history."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import Endorsement, EntryStatus, EntryType
from app.extensions import db
from app.models._types import UTCDateTime, enum_type, utcnow
from app.models.content import CredentialContent
from app.models.institution import Institution


def new_ctid() -> str:
    """A Credential Transparency Identifier: ``ce-`` and a random UUID."""
    return f"ce-{uuid.uuid4()}"


class Entry(db.Model):
    """An entry of the public inventory. Its current content is its latest version's."""

    __tablename__ = "entries"
    __table_args__ = (
        sa.UniqueConstraint("institution_id", "external_id"),
        sa.CheckConstraint(
            "status != 'retired' OR retired_at IS NOT NULL", name="retired_has_date"
        ),
        sa.CheckConstraint("version_number >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("institutions.id"), index=True)
    external_id: Mapped[str] = mapped_column(sa.String(100))
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The Credential Registry's identifier (CTDL ``ceterms:ctid``): set once, never changed.
    # (The column is not called ``ctid``: PostgreSQL reserves that name for a system column.)
    ctid: Mapped[str] = mapped_column(
        "ctdl_id", sa.String(40), unique=True, default=lambda: new_ctid()
    )
    status: Mapped[EntryStatus] = mapped_column(
        enum_type(EntryStatus, "entry_status"), default=EntryStatus.ACTIVE, index=True
    )
    endorsement: Mapped[Endorsement] = mapped_column(enum_type(Endorsement, "endorsement"))
    entry_type: Mapped[EntryType] = mapped_column(enum_type(EntryType, "entry_type"))
    title: Mapped[str] = mapped_column(sa.String(300))
    content_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_contents.id"))
    version_number: Mapped[int] = mapped_column(default=1)
    published_on: Mapped[date] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution] = relationship()
    content: Mapped[CredentialContent] = relationship()
    versions: Mapped[list[EntryVersion]] = relationship(
        back_populates="entry", order_by="EntryVersion.number"
    )

    @property
    def is_active(self) -> bool:
        return self.status is EntryStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.slug}>"


def full_entry_options() -> tuple:
    """Eager loading of everything an entry's page, record and search document show."""
    from sqlalchemy.orm import joinedload, selectinload

    from app.models.content import ContentTerm

    content = selectinload(Entry.content)
    return (
        selectinload(Entry.institution),
        content.selectinload(CredentialContent.skills),
        content.selectinload(CredentialContent.courses),
        content.selectinload(CredentialContent.activities),
        content.selectinload(CredentialContent.outcomes),
        content.selectinload(CredentialContent.partners),
        content.selectinload(CredentialContent.stacks),
        content.selectinload(CredentialContent.term_links).options(joinedload(ContentTerm.term)),
    )


def entries_by_id(ids) -> dict[int, Entry]:
    """The entries with these ids, fully loaded (for documents, records and exports)."""
    return {
        entry.id: entry
        for entry in db.session.scalars(
            sa.select(Entry).where(Entry.id.in_(list(ids))).options(*full_entry_options())
        )
    }


def entries_in_chunks(chunks: list[list[int]]) -> Iterator[list[Entry]]:
    """For each list of ids in ``chunks``, those entries fully loaded, in its order (for a
    rebuild of the search index). Each chunk is let go of when the next is asked for, so that
    memory stays bounded however many there are: the objects the caller already held stay
    attached, and so do the institutions and taxonomy terms that many entries share (loaded
    once, not once per chunk)."""
    from app.models.taxonomy import TaxonomyTerm

    shared = (Institution, TaxonomyTerm)
    held = set(db.session.identity_map.keys())
    for chunk in chunks:
        found = entries_by_id(chunk)
        yield [found[i] for i in chunk if i in found]
        del found
        for key, obj in list(db.session.identity_map.items()):
            if key not in held and not isinstance(obj, shared) and obj in db.session:
                db.session.expunge(obj)  # (expunge cascades: hence the membership test)
        gc.collect(0)


class EntryVersion(db.Model):
    """One published state of an entry; never changed once written."""

    __tablename__ = "entry_versions"
    __table_args__ = (sa.UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    number: Mapped[int] = mapped_column()
    content_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_contents.id"))
    endorsement: Mapped[Endorsement] = mapped_column(enum_type(Endorsement, "endorsement"))
    status: Mapped[EntryStatus] = mapped_column(enum_type(EntryStatus, "entry_status"))
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("requests.id"))
    source: Mapped[str] = mapped_column(sa.String(40), default="request")
    note: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="versions")
    content: Mapped[CredentialContent] = relationship()
