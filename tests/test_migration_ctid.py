"""Upgrading to the CTID revision gives every existing entry and institution its own CTID."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.conftest import base_config
from tests.databases import ENGINES, create_database

CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.mark.parametrize("engine", ENGINES)
def test_upgrade_backfills_a_distinct_ctid_for_existing_rows(engine, tmp_path):
    url, drop = create_database(engine, tmp_path)
    app = create_app(base_config(url, tmp_path))
    try:
        with app.app_context():
            upgrade(revision="0003")
            with db.engine.begin() as conn:
                for code in ("AAA", "BBB"):
                    conn.execute(
                        sa.text(
                            "INSERT INTO institutions (code, name, slug, kind) "
                            "VALUES (:c, :c, :c, 'private')"
                        ),
                        {"c": code},
                    )
            upgrade()
            with db.engine.connect() as conn:
                ctids = conn.execute(sa.text("SELECT ctdl_id FROM institutions")).scalars().all()
            assert len(ctids) == 2 and len(set(ctids)) == 2
            assert all(CTID.match(c) for c in ctids)
            db.engine.dispose()
    finally:
        drop()
