"""The staff's import page: upload a record file, see its dry run, confirm, and import.

The uploaded file is kept under ``IMPORT_DIR`` with an ``ImportJob`` row between the dry run
and the import. Both run after the response, in a thread with its own application context
(``IMPORT_IN_BACKGROUND``), so a file of 10,000 records never holds a request open; their
progress is written to a small file beside the upload, which any worker can read.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app

from app.extensions import db
from app.models import ImportJob, User
from app.permissions import can
from app.services import importer, unit
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

EXTENSIONS = (".csv", ".jsonl", ".json")
PROGRESS_EVERY = 50


def _require(actor: User) -> None:
    if not can(actor, "review"):
        raise PermissionDenied("Importing is for the Regents' staff and administrators.")


def _folder() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_path(job: ImportJob) -> Path:
    return _folder() / job.stored_name


def _progress_path(job_id: int, stored_name: str) -> Path:
    return _folder() / f"{stored_name}.progress"


def too_big_message() -> str:
    limit = current_app.config["IMPORT_MAX_BYTES"] / (1024 * 1024)
    return f"The file is larger than {limit:g} MB; split it into smaller files."


def upload(actor: User, filename: str, data: bytes) -> ImportJob:
    """Staff or an administrator uploads a CSV or JSON Lines file; its dry run starts.

    Raises ``PermissionDenied``, ``InvalidInput`` (wrong type, empty, too big, not UTF-8).
    """
    _require(actor)
    name = Path(filename or "").name
    problem = None
    if not name:
        problem = "Choose a file to import."
    elif Path(name).suffix.lower() not in EXTENSIONS:
        problem = "Upload a CSV (.csv) or JSON Lines (.jsonl) file."
    elif len(data) > current_app.config["IMPORT_MAX_BYTES"]:
        problem = too_big_message()
    elif not data.strip():
        problem = "The file is empty."
    else:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = "The file is not UTF-8 text; save it as UTF-8 and upload it again."
    if problem:
        raise InvalidInput(problem, {"file": [problem]})
    stored = f"{uuid.uuid4().hex}{Path(name).suffix.lower()}"
    (_folder() / stored).write_bytes(data)
    job = ImportJob(filename=name[:255], stored_name=stored, created_by=actor, state="checking")
    db.session.add(job)
    unit.commit()
    _start(job.id, dry_run=True)
    return job


def get_job(actor: User, job_id: int) -> ImportJob:
    _require(actor)
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("There is no such import.")
    return job


def confirm(actor: User, job_id: int) -> ImportJob:
    """Run the import of a checked file with no problems. Raises ``Conflict`` otherwise."""
    job = get_job(actor, job_id)
    if job.state != "checked" or job.problems:
        raise Conflict("This file cannot be imported: it has problems, or it was imported.")
    job.state = "importing"
    unit.commit()
    _start(job.id, dry_run=False)
    return job


def progress(job: ImportJob) -> dict:
    """How far the job is: ``{"state", "done", "total", "finished"}`` for the status page."""
    done = 0
    path = _progress_path(job.id, job.stored_name)
    if job.state in ("checking", "importing") and path.exists():
        try:
            done = int(path.read_text() or 0)
        except ValueError:
            done = 0
    total = job.records or _count_records(job)
    if job.state not in ("checking", "importing"):
        done = total
    return {
        "state": job.state,
        "done": min(done, total),
        "total": total,
        "finished": job.state not in ("checking", "importing"),
    }


def _count_records(job: ImportJob) -> int:
    path = file_path(job)
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    return max(0, lines - 1) if path.suffix == ".csv" else lines


def _start(job_id: int, *, dry_run: bool) -> None:
    app = current_app._get_current_object()
    if not app.config["IMPORT_IN_BACKGROUND"]:
        _run(app, job_id, dry_run=dry_run)
        return
    thread = threading.Thread(
        target=_run_in_context, args=(app, job_id, dry_run), name=f"import-{job_id}", daemon=True
    )
    thread.start()


def _run_in_context(app: Flask, job_id: int, dry_run: bool) -> None:
    with app.app_context():
        try:
            _run(app, job_id, dry_run=dry_run)
        finally:
            db.session.remove()


def _run(app: Flask, job_id: int, *, dry_run: bool) -> None:
    job = db.session.get(ImportJob, job_id)
    path = file_path(job)
    counter = _progress_path(job.id, job.stored_name)
    who = job.created_by.name if job.created_by else "unknown"
    filename = job.filename
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if done % PROGRESS_EVERY == 0:
            counter.write_text(str(done))

    try:
        report = importer.import_file(
            path, dry_run=dry_run, progress=tick, imported_by=who, filename=filename
        )
    except Exception as exc:  # an unexpected failure must reach the page, not vanish
        db.session.rollback()
        app.logger.exception("Import %s failed", job_id)
        job = db.session.get(ImportJob, job_id)
        job.state, job.message = "failed", f"The import failed: {exc.__class__.__name__}."
        job.finished_at = datetime.now(UTC)
        unit.commit()
        return
    job = db.session.get(ImportJob, job_id)
    job.records = report.records
    job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    job.problems = [
        {"line": p.line, "field": p.field, "message": p.message} for p in report.problems
    ]
    job.state = "checked" if dry_run else "done"
    if not dry_run:
        job.finished_at = datetime.now(UTC)
    unit.commit()
    counter.unlink(missing_ok=True)


def recent_jobs(actor: User, limit: int = 10) -> list[ImportJob]:
    _require(actor)
    return list(db.session.scalars(db.select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))
