"""The staff's import page: upload, dry-run report, confirm, progress. Staff and
administrators; the service checks it, these views translate its answers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from app.services import import_jobs
from app.services.errors import InvalidInput, ServiceError

bp = Blueprint("imports", __name__, url_prefix="/admin/import")


def _actor():
    return current_user._get_current_object()


def _page(errors=None, status=200):
    try:
        jobs = import_jobs.recent_jobs(_actor())
    except ServiceError as exc:
        abort(exc.status, exc.message)
    return render_template("admin/import.html", jobs=jobs, errors=errors or {}), status


@bp.get("/")
@login_required
def upload_form():
    return _page()


@bp.post("/")
@login_required
def upload():
    # An import file may be larger than other uploads; the form around it adds a little.
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + 1024 * 1024
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        message = import_jobs.too_big_message()
        return _page({"file": [message]}, 413)
    try:
        job = import_jobs.upload(
            _actor(), upload.filename if upload else "", upload.read() if upload else b""
        )
    except InvalidInput as exc:
        return _page(exc.errors, 422)
    except ServiceError as exc:
        abort(exc.status, exc.message)
    return redirect(url_for("imports.job", job_id=job.id), 303)


def _job(job_id: int):
    try:
        return import_jobs.get_job(_actor(), job_id)
    except ServiceError as exc:
        abort(exc.status, exc.message)


@bp.get("/<int:job_id>")
@login_required
def job(job_id: int):
    job = _job(job_id)
    return render_template("admin/import_job.html", job=job, progress=import_jobs.progress(job))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int):
    return jsonify(import_jobs.progress(_job(job_id)))


@bp.post("/<int:job_id>/confirm")
@login_required
def confirm(job_id: int):
    try:
        import_jobs.confirm(_actor(), job_id)
    except ServiceError as exc:
        abort(exc.status, exc.message)
    return redirect(url_for("imports.job", job_id=job_id), 303)
