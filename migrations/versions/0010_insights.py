"""daily demand counts for the insights page

Revision ID: 0010
Revises: 0009_ctid
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009_ctid'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demand_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('search', 'search_zero', 'view', 'enroll')", name=op.f('ck_demand_counts_known_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_counts')),
    sa.UniqueConstraint('kind', 'day', 'key', name=op.f('uq_demand_counts_kind_day_key'))
    )
    op.create_index('ix_demand_counts_kind_day_key_count', 'demand_counts', ['kind', 'day', 'key', 'count'], unique=False)


def downgrade():
    op.drop_index('ix_demand_counts_kind_day_key_count', table_name='demand_counts')
    op.drop_table('demand_counts')
