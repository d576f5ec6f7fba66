"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and undo it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import base_config
from tests.databases import ENGINES, create_database


# SQLite's reflection cannot read an index on an expression (lower(name)); alembic then
# leaves that index out of the comparison.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.parametrize("engine", ENGINES)
def test_upgrade_matches_models_and_downgrade_empties(engine, tmp_path):
    url, drop = create_database(engine, tmp_path)
    app = create_app(base_config(url, tmp_path))
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
                assert diff == []
                tables = set(sa.inspect(conn).get_table_names())
            assert {"entries", "requests", "request_transitions", "index_tasks"} <= tables

            downgrade(revision="base")
            with db.engine.connect() as conn:
                left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            assert left == set()
            db.engine.dispose()
    finally:
        drop()
