"""An index on ``lower(name)`` of ``content_stacks``: the "Stacks into" filter's labels and an
entry's pathways look targets up by their name in lower case, which read the whole table
(30 ms a search at 100,000 entries).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_content_stacks_lower_name", "content_stacks", [sa.text("lower(name)")])


def downgrade():
    op.drop_index("ix_content_stacks_lower_name", table_name="content_stacks")
