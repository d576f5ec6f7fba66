"""Throw-away test databases: a SQLite file, and a fresh PostgreSQL database when
``TEST_DATABASE_URL`` names a server (CI always sets it)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

ENGINES = ["sqlite"]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
# TEST_SEARCH_BACKEND=postgres runs the suite again on PostgreSQL only, with the PostgreSQL
# search backend (``make test`` does so when TEST_DATABASE_URL is set).
SEARCH_BACKEND = os.environ.get("TEST_SEARCH_BACKEND", "whoosh")
if PG_URL:
    ENGINES.append("postgresql")
elif os.environ.get("REQUIRE_POSTGRES") == "1" or SEARCH_BACKEND == "postgres":
    raise RuntimeError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set.")
if SEARCH_BACKEND == "postgres":
    ENGINES = ["postgresql"]


def search_backend(db_url: str) -> str:
    """The search backend of the tests' applications on ``db_url``."""
    return SEARCH_BACKEND if db_url.startswith("postgresql") else "whoosh"


def _pg_admin_conninfo() -> str:
    url = make_url(PG_URL.replace("postgresql+psycopg://", "postgresql://"))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(engine: str, tmp_dir: Path) -> tuple[str, callable]:
    """Create an empty database; return its SQLAlchemy URL and a function that drops it."""
    if engine == "sqlite":
        path = tmp_dir / f"test-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    name = f"inventory_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_conninfo()
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:  # pragma: no cover - environment problem
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable at TEST_DATABASE_URL: {exc}")
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.render_as_string(hide_password=False), drop
