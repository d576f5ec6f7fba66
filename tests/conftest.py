"""Fixtures: ``app``, ``client``, ``runner`` and ``login`` as in Flask's tutorial.

Every test that uses ``app`` runs once on SQLite and once on PostgreSQL (when
``TEST_DATABASE_URL`` is set), inside a transaction rolled back at its end. Each engine's
database is migrated with Alembic (so triggers and constraints are the real ones) and holds
the reference data (institutions, taxonomies) from ``seed_data/``.
"""

from __future__ import annotations

import socket
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db
from app.services import reference
from tests.databases import ENGINES, SEARCH_BACKEND, create_database, search_backend

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seed_data"


def base_config(db_url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SEARCH_BACKEND": search_backend(db_url),
        "SEARCH_INDEX_DIR": str(tmp / "index"),
        "MAIL_DIR": str(tmp / "mail"),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
    }


def pytest_collection_modifyitems(config, items):
    """With the PostgreSQL search backend there are no index files: their tests are skipped."""
    if SEARCH_BACKEND != "postgres":
        return
    skip = pytest.mark.skip(
        reason="exercises the Whoosh index files (TEST_SEARCH_BACKEND=postgres)"
    )
    for item in items:
        if "whoosh" in item.keywords:
            item.add_marker(skip)


def migrate_and_load_reference(db_url: str, tmp: Path) -> None:
    app = create_app(base_config(db_url, tmp))
    with app.app_context():
        upgrade()
        reference.load_institutions(SEED / "institutions.csv")
        reference.load_taxonomies(SEED / "taxonomy")
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request, tmp_path_factory):
    """A migrated database with the reference data, one per engine for the whole session."""
    url, drop = create_database(request.param, tmp_path_factory.mktemp(request.param))
    migrate_and_load_reference(url, tmp_path_factory.mktemp("setup"))
    yield url
    drop()


class BufferedClient(FlaskClient):
    """A test client that reads every response whole before returning it. A streamed response
    (a CSV export) holds a pushed request context until its generator ends; one a test never
    reads would end it whenever the cycle collector finalizes it, in the middle of a later
    test, taking that test's context with it."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = BufferedClient  # every application the tests make


@pytest.fixture
def app(database_url, tmp_path):
    """The application inside a transaction that is rolled back when the test ends."""
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain Session bound to the test's connection (Flask-SQLAlchemy's own Session picks
        # its engine itself and would escape the transaction); commits release savepoints.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()
            app.extensions["search_store"].close()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def index(app):
    """An empty live search index; entries published afterwards reach it after their commit."""
    from app import search

    search.rebuild()
    return search.store()


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    """``make_user(email, role="staff", password=PASSWORD, institution=None, name="")``: an
    account created through the service and committed (a liaison defaults to OSU)."""
    from app.enums import Role
    from app.models import Institution
    from app.services import unit, users

    def make(email, role="staff", password=PASSWORD, institution=None, name=""):
        role = Role(role)
        if role is Role.LIAISON and institution is None:
            institution = "OSU"
        inst = None
        if institution:
            inst = db.session.scalar(db.select(Institution).filter_by(code=institution))
        user = users.create_user(
            email=email,
            name=name or email.split("@")[0].title(),
            role=role,
            institution=inst,
            password=password,
        )
        unit.commit()
        return user

    return make


@pytest.fixture
def login(app):
    """``login(client, email, password=PASSWORD)``: sign ``client`` in through ``/login``;
    returns the response (a redirect when it worked)."""

    def do_login(client, email, password=PASSWORD, next=None):
        data = {"email": email, "password": password}
        if next is not None:
            data["next"] = next
        return client.post("/login", data=data)

    return do_login


class Mailbox:
    """What a real local SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp(app):
    """A real SMTP server (aiosmtpd) on a free local port; the app's mail goes to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield mailbox
    finally:
        controller.stop()
