"""Logs: one JSON object a line (``LOG_FORMAT=json``) or readable text (``text``, the default
in development), on standard error (so a command's own output stays clean; a service
manager or container runtime collects both).

Every request gets an id: the caller's ``X-Request-ID`` when it is sane (at most 64 letters,
digits, ``-``, ``_`` or ``.``), else a new one. Every line logged while the request is handled
carries it, the response returns it in ``X-Request-ID``, and error pages show it as their
reference, so a user's report leads to the log lines of their request. When the response has
been sent, one line says what was asked and answered (``app.request``: method, path, status,
duration). Query strings, client addresses and signed-in users are not logged; a token in a
path (password-reset links) is logged as ``<token>``.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_OURS = "_inventory_handler"
# Kept in the WSGI environ: one app context may serve several requests (tests, CLI).
_ID_KEY = "inventory.request_id"
_STARTED_KEY = "inventory.request_started"

request_log = logging.getLogger("app.request")


def request_id() -> str | None:
    """The id of the request being handled (``None`` outside a request)."""
    if not has_request_context():
        return None
    rid = request.environ.get(_ID_KEY)
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.environ[_ID_KEY] = rid
    return rid


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            rid = request_id()
            if rid is not None:
                record.request_id = rid
        return True


class JsonFormatter(_JsonFormatter):
    """``{"timestamp", "level", "logger", "message", ...}``: the request's fields when there is
    one, ``exception`` (its text with the traceback) for errors."""

    FIRST = ("timestamp", "level", "logger", "message")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "{levelname}{name}{message}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault(
            "rename_fields", {"levelname": "level", "name": "logger", "exc_info": "exception"}
        )
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        first = {key: log_data[key] for key in self.FIRST if key in log_data}
        return {**first, **{k: v for k, v in log_data.items() if k not in first}}


class TextFormatter(logging.Formatter):
    """``2026-05-01 12:00:00,123 INFO app.request [<request id>] GET / 200 in 12 ms``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_ref)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None)
        record.request_ref = f" [{rid}]" if rid else ""
        return super().format(record)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is written (a test may replace it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(app: Flask) -> None:
    """Send every logger's records (the app's, SQLAlchemy's, Werkzeug's) to standard error
    in ``LOG_FORMAT`` at ``LOG_LEVEL``. A later call replaces what an earlier one installed."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    setattr(handler, _OURS, True)
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Flask's own handler would write each of the app's lines a second time, as text.
    app.logger.removeHandler(default_handler)


def _loggable_path() -> str:
    rule, args = request.url_rule, request.view_args or {}
    if rule is not None and any("token" in name for name in args):
        return rule.rule  # e.g. /reset-password/<token>: a reset link is a password
    return request.path


def register_request_logging(app: Flask) -> None:
    """Give each request its id and log one line for it once its response has been sent.
    Register before the other hooks, so that everything they log carries the id."""

    @app.before_request
    def _start() -> None:
        request.environ[_STARTED_KEY] = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        rid = request_id()
        response.headers[REQUEST_ID_HEADER] = rid
        started = request.environ.get(_STARTED_KEY)
        method, path = request.method, _loggable_path()

        def line() -> None:
            # After the last byte, so a streamed export is timed whole.
            duration = round((time.perf_counter() - started) * 1000, 1) if started else None
            request_log.info(
                "%s %s %s in %s ms",
                method,
                path,
                response.status_code,
                duration,
                extra={
                    "request_id": rid,
                    "method": method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration,
                },
            )

        response.call_on_close(line)
        return response


def gunicorn_logconfig(log_format: str, level: str = "INFO") -> dict:
    """gunicorn's ``logconfig_dict``: its own lines (starting, stopping, a worker's timeout)
    in the app's format on standard error. Its access log is off: the app writes one line per
    request itself, with the request's id."""
    formatter = {"()": JsonFormatter if log_format == "json" else TextFormatter}
    handler = {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"app": formatter},
        "handlers": {"stderr": handler},
        "root": {"level": level, "handlers": []},
        "loggers": {
            "gunicorn.error": {
                "level": level,
                "handlers": ["stderr"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "level": level,
                "handlers": [],
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
    }
