"""stable CTDL identifiers (CTIDs) for entries and institutions

Revision ID: 0009_ctid
Revises: 0004_search_synonyms
Create Date: 2026-11-29 00:40:00

Each entry and institution keeps a Credential Transparency Identifier (``ce-`` + UUID) that
the CTDL export publishes, in column ``ctdl_id`` (PostgreSQL reserves the name ``ctid``);
existing rows get one here, once.
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_ctid"
down_revision = "0004_search_synonyms"
branch_labels = None
depends_on = None

TABLES = ("entries", "institutions")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("ctdl_id", sa.String(length=40), nullable=True))
    bind = op.get_bind()
    for table in TABLES:
        rows = bind.execute(sa.text(f"SELECT id FROM {table}")).scalars().all()  # noqa: S608
        for row_id in rows:
            bind.execute(
                sa.text(f"UPDATE {table} SET ctdl_id = :ctid WHERE id = :id"),  # noqa: S608
                {"ctid": f"ce-{uuid.uuid4()}", "id": row_id},
            )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("ctdl_id", existing_type=sa.String(length=40), nullable=False)
            batch_op.create_unique_constraint(op.f(f"uq_{table}_ctdl_id"), ["ctdl_id"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"uq_{table}_ctdl_id"), type_="unique")
            batch_op.drop_column("ctdl_id")
