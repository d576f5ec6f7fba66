"""notification preferences (immediate or daily digest), gathered notifications, campus
approvers

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("mail_digest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("last_digest_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("campus_approver", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_notifications_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"])
    op.create_index(op.f("ix_notifications_request_id"), "notifications", ["request_id"])
    op.create_index(op.f("ix_notifications_digested_at"), "notifications", ["digested_at"])


def downgrade():
    op.drop_index(op.f("ix_notifications_digested_at"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_request_id"), table_name="notifications")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("campus_approver")
        batch.drop_column("last_digest_on")
        batch.drop_column("mail_digest")
