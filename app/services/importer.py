"""Importing a file of inventory records: validate everything first, then upsert."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.bulk import paused_gc
from app.extensions import db
from app.models import Entry
from app.models.entry import full_entry_options
from app.services import publishing, records, unit
from app.services.reference import Resolver


@dataclass
class ImportReport:
    path: str
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[records.Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and (self.created + self.updated) > 0


def import_file(
    path: Path,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    imported_by: str = "command line",
    filename: str | None = None,
) -> ImportReport:
    """Import a JSON Lines or CSV file of records (anyone with shell access; the seed command).

    Every record is validated before any is written: a file with one bad record writes
    nothing and the report lists each problem with its line and field. ``dry_run`` validates
    and counts what would change without writing. ``progress`` is called with the number of
    records handled since its last call. Each version it writes notes that it was imported,
    from which file (``filename``, the path's name by default) and by whom (``imported_by``).
    """
    with paused_gc():
        return _import(path, dry_run, progress, imported_by, filename)


# Records compared and written at a time: their entries are loaded together, and their rows
# flushed to the database (in the one transaction of the import) before the next chunk, so
# that memory stays bounded however long the file.
CHUNK = 1000


def _import(
    path: Path,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    imported_by: str,
    filename: str | None,
) -> ImportReport:
    note = f"Imported from {filename or path.name} by {imported_by}"
    report = ImportReport(path=str(path), dry_run=dry_run)
    rows, report.problems = records.read_records(path)
    report.records = len(rows) + len({p.line for p in report.problems})
    valid, problems = records.validate_records(
        rows, Resolver(), current_app.config["CREDIT_HOUR_CAP"]
    )
    report.problems.extend(problems)
    report.problems.sort(key=lambda p: p.line)
    if report.problems:
        return report
    taken_slugs = set(db.session.scalars(sa.select(Entry.slug)))
    for start in range(0, len(valid), CHUNK):
        chunk = valid[start : start + CHUNK]
        with db.session.no_autoflush:  # a dry run writes nothing, not even for a while
            existing = _existing_entries(chunk)
        new = []
        for record in chunk:
            entry = existing.pop((record.institution.id, record.data["external_id"]), None)
            if entry is None:
                new.append(record)  # published together, below
                outcome = "created"
            else:
                outcome = publishing.upsert_record(record, entry=entry, note=note)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(1)
        if not dry_run:
            publishing.publish_new_records(new, taken_slugs=taken_slugs, note=note)
            db.session.flush()
            gc.collect(0)  # what this chunk's rows left in cycles (see paused_gc)
    if dry_run:
        db.session.rollback()
    else:
        unit.commit()
    return report


def _existing_entries(valid: list[records.ValidRecord]) -> dict[tuple[int, str], Entry]:
    """The entries the records update, with what their content is compared on, found in a
    few queries rather than several per record."""
    keys: dict[int, list[str]] = {}
    for record in valid:
        keys.setdefault(record.institution.id, []).append(record.data["external_id"])
    found: dict[tuple[int, str], Entry] = {}
    for institution_id, external_ids in keys.items():
        for start in range(0, len(external_ids), 500):
            chunk = external_ids[start : start + 500]
            for entry in db.session.scalars(
                sa.select(Entry)
                .where(Entry.institution_id == institution_id, Entry.external_id.in_(chunk))
                .options(*full_entry_options())
            ):
                found[(entry.institution_id, entry.external_id)] = entry
    return found
