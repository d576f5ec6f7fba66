"""import jobs: the staff import page's uploaded files, dry runs and imports

Revision ID: 0006_import_jobs
Revises: 0005_cip_and_taxonomy_hierarchy
Create Date: 2026-11-29 01:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006_import_jobs"
down_revision = '0005_cip_and_taxonomy_hierarchy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('checking', 'checked', 'importing', 'done', 'failed')",
            name=op.f("ck_import_jobs_import_job_state"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_import_jobs_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_import_jobs_stored_name")),
    )


def downgrade():
    op.drop_table("import_jobs")
