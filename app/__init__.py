"""The Statewide Micro-Credential Inventory: a Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import from_env
from app.extensions import csrf, db, login_manager, migrate
from app.logs import configure as configure_logging
from app.logs import register_request_logging

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``test_config`` overrides settings read from the environment."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(from_env(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    configure_logging(app)
    register_request_logging(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    from app import auth_loader  # noqa: F401  (registers the user loader)
    from app.access import init_access
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.inputs import init_inputs
    from app.search import init_search
    from app.security import register_security_headers
    from app.templating import register_templating
    from app.views import register_blueprints

    init_inputs(app)
    init_search(app)
    _register_outbox_drains()
    register_templating(app)
    register_blueprints(app)
    init_access(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_cli(app)
    return app


def _register_outbox_drains() -> None:
    """After every commit: bring the search index in line, then send queued mail."""
    from app import search
    from app.services import mail, unit

    unit.register_drain(search.sync)
    unit.register_drain(mail.send_pending)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - engine hook
    """SQLite: enforce foreign keys, write-ahead log, and wait for a busy database."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):  # pragma: no cover - engine hook
    """SQLite: a web request that may write (POST, PUT, PATCH, DELETE) takes the write lock at
    the start of its transaction, waiting up to ``busy_timeout`` for another's to end. Begun
    lazily, a transaction that read and then writes is refused outright ("database is
    locked") whenever another process wrote in between: two workers approving two different
    requests would see one fail. GET requests never write, so they read without the lock, as
    do the command line and scripts (a long ``flask search rebuild`` blocks no one)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


def _writing_request() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
