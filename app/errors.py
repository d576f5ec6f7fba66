"""Error pages: JSON for API clients, HTML for people; never a stack trace. Each names the
request's id ("Reference: …" on a page, ``request_id`` in JSON), which its log lines carry."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from markupsafe import escape
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from app.extensions import db
from app.logs import request_id
from app.services.throttle import TooManyAttempts

# Seconds a client is asked to wait when the database does not answer.
DATABASE_RETRY_AFTER = 10
DATABASE_DOWN_TITLE = "Temporarily unavailable"
DATABASE_DOWN_MESSAGE = (
    "The inventory cannot reach its database just now, so nothing was read or saved. "
    "Please try again in a minute."
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached (down, restarting, refusing
    connections, its connection cut, no connection free in the pool) rather than a bug."""
    if isinstance(exc, sa_exc.OperationalError | sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # An error in an after-request hook arrives wrapped in a 500.
        if database_unavailable(getattr(exc, "original_exception", None)):
            return database_down(exc.original_exception)
        return error_response(exc.code or 500, exc.name, exc.description)

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def database_error(exc: sa_exc.SQLAlchemyError):
        if database_unavailable(exc):
            return database_down(exc)
        return unhandled(exc)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
        return error_response(
            413,
            "Too much to send at once",
            f"What you sent is larger than the {size} this site accepts, so nothing was "
            "saved. Go back, shorten the longest texts or choose a smaller file (a badge image "
            "may be at most 512 KB), and send the form again.",
        )

    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(exc: TooManyAttempts):
        response, status = error_response(429, "Too Many Requests", exc.message)
        return response, status, {"Retry-After": str(exc.retry_after)}

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):  # pragma: no cover - exercised only by bugs
        app.logger.error("Unhandled error on %s", request.path, exc_info=exc)
        err = InternalServerError()
        return error_response(500, err.name, "Something went wrong on our side. Please try again.")


def database_down(exc: BaseException):
    """503 with ``Retry-After``, as JSON or as a page drawn without the database (so without
    the account menu). The pool has already dropped the broken connection, so the next
    request connects afresh."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    current_app.logger.warning(
        "Database unavailable (%s: %s)", type(exc).__name__, reason[0] if reason else ""
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: S110 - the connection is gone already; teardown closes the rest
        pass
    response, status = error_response(
        503, DATABASE_DOWN_TITLE, DATABASE_DOWN_MESSAGE, without_account=True
    )
    return response, status, {"Retry-After": str(DATABASE_RETRY_AFTER)}


def error_response(
    status: int, title: str, message: str | None, *, without_account: bool = False, **extra
):
    """The error as JSON (``error``, ``message``, ``status``, ``request_id`` and ``extra``) or
    as a page naming the request's id. ``without_account``: the page does not ask who is
    signed in (the database may be unreachable)."""
    reference = request_id()
    if wants_json():
        body = {"error": title, "message": message, "status": status, **extra}
        body["request_id"] = reference
        return jsonify(body), status
    context = {
        "status": status,
        "title": title,
        "message": message,
        "reference": reference,
        "without_account": without_account,
    }
    try:
        if without_account:
            # Not render_template: its context processors ask the database who is signed in.
            return current_app.jinja_env.get_template("error.html").render(**context), status
        return render_template("error.html", **context), status
    except Exception:  # the page layout itself is broken: answer plainly, never a traceback
        current_app.logger.exception("Error page failed to render")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        body += f"<p>{escape(message or '')}</p>"
        return f"{body}<p>Reference: {escape(reference or '')}</p>", status
