"""Publishing: creating, versioning and retiring inventory entries.

Every change to a published entry writes its search-index task in the same transaction, so the
index can follow the database after the commit and a crash in between loses nothing.
Nothing here commits: the calling use case does, through ``app.services.unit.commit``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.enums import Endorsement, EntryStatus, IndexOp
from app.extensions import db
from app.models import CredentialContent, Entry, EntryVersion, IndexTask, Institution
from app.services import records
from app.text import slugify


def unique_slug(title: str, institution: Institution, taken: set[str] | None = None) -> str:
    """A URL slug for a new entry: its title and institution, made unique with a number.

    ``taken`` is the set of slugs already used, for a caller that publishes many entries at
    once (the import); the new slug is added to it. Without it, the database is asked.
    """
    base = slugify(f"{title} {institution.code}")
    if taken is None:
        taken = set(db.session.scalars(db.select(Entry.slug).where(Entry.slug.like(f"{base}%"))))
    number, slug = 1, base
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def queue_index(entry: Entry) -> None:
    """Write the index task that brings ``entry``'s search document in line (same transaction)."""
    op = IndexOp.UPSERT if entry.status is EntryStatus.ACTIVE else IndexOp.DELETE
    db.session.add(IndexTask(entry=entry, op=op))


def publish_version(
    *,
    institution: Institution,
    external_id: str,
    content: CredentialContent,
    endorsement: Endorsement,
    status: EntryStatus = EntryStatus.ACTIVE,
    published_on: date | None = None,
    request_id: int | None = None,
    source: str = "request",
    note: str | None = None,
    entry: Entry | None = None,
    taken_slugs: set[str] | None = None,
) -> Entry:
    """Publish ``content`` as a new entry, or as the next version of ``entry``.

    Called by approval and by import. Neither flushes nor commits.
    """
    now = datetime.now(UTC)
    if entry is None:
        entry = Entry(
            institution=institution,
            external_id=external_id,
            slug=unique_slug(content.title, institution, taken_slugs),
            version_number=1,
            published_on=published_on or now.date(),
        )
        db.session.add(entry)
    else:
        entry.version_number += 1
    entry.content = content
    entry.title = content.title
    entry.entry_type = content.entry_type
    entry.endorsement = endorsement
    entry.updated_at = now
    if status is EntryStatus.RETIRED and entry.status is not EntryStatus.RETIRED:
        entry.retired_at = now
    elif status is EntryStatus.ACTIVE:
        entry.retired_at = None
    entry.status = status
    db.session.add(
        EntryVersion(
            entry=entry,
            number=entry.version_number,
            content=content,
            endorsement=endorsement,
            status=status,
            request_id=request_id,
            source=source,
            note=note,
            published_at=now,
        )
    )
    queue_index(entry)
    return entry


def find_entry(institution: Institution, external_id: str) -> Entry | None:
    return db.session.scalar(
        db.select(Entry).filter_by(institution_id=institution.id, external_id=external_id)
    )


_LOOK_UP = object()


def upsert_record(
    record: records.ValidRecord,
    *,
    today: date | None = None,
    entry: Entry | None | object = _LOOK_UP,
    taken_slugs: set[str] | None = None,
    note: str | None = None,
) -> str:
    """Publish a validated record: ``"created"``, ``"updated"`` or ``"unchanged"``.

    Keyed by (institution, external_id): importing the same record twice changes nothing.
    A bulk caller passes the ``entry`` it found for the key (or None) and the ``taken_slugs``.
    """
    today = today or datetime.now(UTC).date()
    if entry is _LOOK_UP:
        entry = find_entry(record.institution, record.data["external_id"])
    endorsement = records.record_endorsement(record)
    status = records.record_status(record)
    if entry is not None:
        published_on = record.data.get("published_at") or entry.published_on
        if (
            entry.endorsement is endorsement
            and entry.status is status
            and entry.published_on == published_on
            and records.same_content(entry.content, record)
        ):
            return "unchanged"
        entry.published_on = published_on
        publish_version(
            institution=record.institution,
            external_id=record.data["external_id"],
            content=records.build_content(record),
            endorsement=endorsement,
            status=status,
            source="import",
            note=note,
            entry=entry,
        )
        return "updated"
    publish_version(
        institution=record.institution,
        external_id=record.data["external_id"],
        content=records.build_content(record),
        endorsement=endorsement,
        status=status,
        published_on=records.record_published_on(record, today),
        source="import",
        note=note,
        taken_slugs=taken_slugs,
    )
    return "created"


def publish_new_records(
    valid: list[records.ValidRecord],
    *,
    taken_slugs: set[str],
    note: str | None = None,
    today: date | None = None,
) -> None:
    """Publish records whose entries do not exist yet, as ``upsert_record`` would one by one
    (the same rows: content and its lists, entry, first version, index task), in a few
    statements per table: a bulk import's new entries. Neither flushes nor commits."""
    if not valid:
        return
    now = datetime.now(UTC)
    today = today or now.date()
    contents = [records.content_values(record) for record in valid]
    content_ids = _insert_returning_ids(CredentialContent, contents)
    for name, model in records.CONTENT_LISTS.items():
        rows = []
        for record, content_id in zip(valid, content_ids, strict=True):
            for position, row in enumerate(records.content_lists(record)[name]):
                if "term" in row:
                    row = {"term_id": row["term"].id}
                rows.append({**row, "content_id": content_id, "position": position})
        if rows:
            db.session.execute(sa.insert(model), rows)
    entries = []
    for record, content, content_id in zip(valid, contents, content_ids, strict=True):
        status = records.record_status(record)
        entries.append(
            {
                "institution_id": record.institution.id,
                "external_id": record.data["external_id"],
                "slug": unique_slug(content["title"], record.institution, taken_slugs),
                "version_number": 1,
                "published_on": records.record_published_on(record, today),
                "content_id": content_id,
                "title": content["title"],
                "entry_type": content["entry_type"],
                "endorsement": records.record_endorsement(record),
                "updated_at": now,
                "retired_at": now if status is EntryStatus.RETIRED else None,
                "status": status,
            }
        )
    entry_ids = _insert_returning_ids(Entry, entries)
    versions, tasks = [], []
    for entry, entry_id in zip(entries, entry_ids, strict=True):
        versions.append(
            {
                "entry_id": entry_id,
                "number": 1,
                "content_id": entry["content_id"],
                "endorsement": entry["endorsement"],
                "status": entry["status"],
                "request_id": None,
                "source": "import",
                "note": note,
                "published_at": now,
            }
        )
        active = entry["status"] is EntryStatus.ACTIVE
        tasks.append({"entry_id": entry_id, "op": IndexOp.UPSERT if active else IndexOp.DELETE})
    db.session.execute(sa.insert(EntryVersion), versions)
    db.session.execute(sa.insert(IndexTask), tasks)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` of ``model``; their new ids, in the order of ``rows``."""
    statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))
