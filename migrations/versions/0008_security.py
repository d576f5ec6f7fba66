"""failed sign-in attempts for throttling

Revision ID: 0008
Revises: 0006_import_jobs
Create Date: 2026-11-29 01:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0006_import_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_events'))
    )
    op.create_index('ix_throttle_events_key_at', 'throttle_events', ['key', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_throttle_events_key_at', table_name='throttle_events')
    op.drop_table('throttle_events')
