"""The seed inventory, imported once and indexed, for tests of what learners find in it."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from app import create_app, search
from app.extensions import db
from app.services import seeding
from tests.conftest import base_config


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory):
    """An application on its own SQLite database holding the whole seed inventory, with its
    index built. Read-only: tests that change data use ``app`` and ``publish``."""
    tmp = tmp_path_factory.mktemp("seeded")
    app = create_app(base_config(f"sqlite:///{tmp}/seeded.db", tmp))
    with app.app_context():
        upgrade()
        seeding.seed()
        search.rebuild()
        db.session.remove()
        db.engine.dispose()
    yield app
    with app.app_context():
        app.extensions["search_store"].close()
        db.engine.dispose()


@pytest.fixture
def seeded(seeded_app):
    """Inside the seeded application; whatever a test changes is rolled back."""
    with seeded_app.app_context():
        yield seeded_app
        db.session.rollback()
        db.session.remove()
