"""The seed inventory, imported once and indexed, for tests of what learners find in it."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from app import create_app, search
from app.extensions import db
from app.services import seeding
from tests.conftest import base_config
from tests.databases import SEARCH_BACKEND, create_database


def seeded_application(tmp, engine: str):
    """An application on its own database of ``engine`` holding the whole seed inventory,
    its search built; and the function that drops the database."""
    url, drop = create_database(engine, tmp)
    app = create_app(base_config(url, tmp))
    with app.app_context():
        upgrade()
        seeding.seed()
        search.rebuild()
        db.session.remove()
        db.engine.dispose()
    return app, drop


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory):
    """The seed inventory on SQLite with a Whoosh index (on PostgreSQL with its own search
    when ``TEST_SEARCH_BACKEND=postgres``). Read-only: tests that change data use ``app``."""
    engine = "postgresql" if SEARCH_BACKEND == "postgres" else "sqlite"
    app, drop = seeded_application(tmp_path_factory.mktemp("seeded"), engine)
    yield app
    with app.app_context():
        app.extensions["search_store"].close()
        db.engine.dispose()
    drop()


@pytest.fixture
def seeded(seeded_app):
    """Inside the seeded application; whatever a test changes is rolled back."""
    with seeded_app.app_context():
        yield seeded_app
        db.session.rollback()
        db.session.remove()
