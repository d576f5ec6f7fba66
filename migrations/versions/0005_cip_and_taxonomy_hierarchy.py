"""CIP programs and taxonomy hierarchy: the cip kind, a term's level, path and aliases

Revision ID: 0005_cip_and_taxonomy_hierarchy
Revises: 0007_workflow_lifecycle
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_cip_and_taxonomy_hierarchy'
down_revision = '0007_workflow_lifecycle'
branch_labels = None
depends_on = None

OLD_KINDS = ('competency', 'focus_area', 'industry', 'occupation_group', 'occupation')
NEW_KINDS = OLD_KINDS + ('cip',)


def upgrade():
    with op.batch_alter_table('taxonomy_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('path', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f('ck_taxonomy_terms_taxonomy_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_taxonomy_terms_taxonomy_kind'), sa.column('kind').in_(NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM content_terms WHERE term_id IN (SELECT id FROM taxonomy_terms WHERE kind = 'cip')")
    op.execute("DELETE FROM taxonomy_terms WHERE kind = 'cip'")
    with op.batch_alter_table('taxonomy_terms', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_taxonomy_terms_taxonomy_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_taxonomy_terms_taxonomy_kind'), sa.column('kind').in_(OLD_KINDS))
        batch_op.drop_column('aliases')
        batch_op.drop_column('path')
        batch_op.drop_column('level')
