"""Invariants that matter are database constraints, not only Python checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.enums import Role
from app.extensions import db
from app.models import Institution, User
from tests.factories import publish


def _execute_in_savepoint(sql: str, **params):
    with db.session.begin_nested():
        db.session.execute(sa.text(sql), params)


def test_a_liaison_without_an_institution_is_refused_by_the_database(app):
    with pytest.raises(IntegrityError):
        _execute_in_savepoint(
            "INSERT INTO users (email, name, role, active, session_token, created_at) "
            "VALUES ('x@example.edu', 'X', 'liaison', true, 'tok-1', CURRENT_TIMESTAMP)"
        )


def test_an_unknown_state_is_refused_by_the_database(app):
    entry = publish()
    with pytest.raises(IntegrityError):
        _execute_in_savepoint("UPDATE entries SET status = 'archived' WHERE id = :id", id=entry.id)


def test_negative_credit_hours_are_refused_by_the_database(app):
    entry = publish()
    with pytest.raises(IntegrityError):
        _execute_in_savepoint(
            "UPDATE credential_contents SET credit_hours = -1 WHERE id = :id",
            id=entry.content_id,
        )


def test_two_entries_cannot_share_institution_and_external_id(app):
    entry = publish()
    with pytest.raises(IntegrityError):
        _execute_in_savepoint(
            "INSERT INTO entries (institution_id, external_id, slug, status, endorsement, "
            "entry_type, title, content_id, version_number, published_on, updated_at) "
            "VALUES (:inst, :ext, 'other-slug', 'active', 'endorsed', 'micro-credential', "
            "'T', :content, 1, CURRENT_DATE, CURRENT_TIMESTAMP)",
            inst=entry.institution_id,
            ext=entry.external_id,
            content=entry.content_id,
        )


def test_transition_records_cannot_be_updated_or_deleted(app):
    institution = db.session.scalar(sa.select(Institution).filter_by(code="OSU"))
    user = User(email="l@example.edu", name="L", role=Role.LIAISON, institution=institution)
    db.session.add(user)
    entry = publish()
    db.session.flush()
    _execute_in_savepoint(
        "INSERT INTO credential_contents (entry_type, title, summary, credit_bearing, created_at)"
        " VALUES ('micro-credential', 'T', 'S', false, CURRENT_TIMESTAMP)"
    )
    content_id = db.session.execute(sa.text("SELECT max(id) FROM credential_contents")).scalar()
    _execute_in_savepoint(
        "INSERT INTO requests (kind, state, version, institution_id, entry_id, content_id, "
        "created_at, updated_at) VALUES ('change', 'draft', 1, :inst, :entry, :content, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        inst=institution.id,
        entry=entry.id,
        content=content_id,
    )
    request_id = db.session.execute(sa.text("SELECT max(id) FROM requests")).scalar()
    _execute_in_savepoint(
        "INSERT INTO request_transitions (request_id, actor_id, actor_role, action, from_state, "
        "to_state, created_at) VALUES (:r, :u, 'liaison', 'submit', 'draft', 'submitted', "
        "CURRENT_TIMESTAMP)",
        r=request_id,
        u=user.id,
    )
    with pytest.raises(DBAPIError, match="append-only"):
        _execute_in_savepoint("UPDATE request_transitions SET comment = 'changed'")
    with pytest.raises(DBAPIError, match="append-only"):
        _execute_in_savepoint("DELETE FROM request_transitions")
    assert db.session.execute(sa.text("SELECT count(*) FROM request_transitions")).scalar() == 1
