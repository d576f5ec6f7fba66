"""Error pages: JSON for API clients, HTML for people; never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from app.services.throttle import TooManyAttempts


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
        return error_response(exc.code or 500, exc.name, exc.description)

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
        app.logger.exception("Unhandled error on %s", request.path)
        err = InternalServerError()
        return error_response(500, err.name, "Something went wrong on our side. Please try again.")


def error_response(status: int, title: str, message: str | None, **extra):
    if wants_json():
        body = {"error": title, "message": message, "status": status, **extra}
        return jsonify(body), status
    try:
        return render_template("error.html", status=status, title=title, message=message), status
    except Exception:  # the page layout itself is broken: answer plainly, never a traceback
        current_app.logger.exception("Error page failed to render")
        body = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        return f"{body}<p>{escape(message or '')}</p>", status
