"""workflow lifecycle: base versions, one open change per entry, per-kind recommendations,
retirement details, near-duplicate explanations, policy settings history

Revision ID: 0007_workflow_lifecycle
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_workflow_lifecycle"
down_revision = "0010"
branch_labels = None
depends_on = None

OLD = ("endorse", "list", "decline")
NEW = ("endorse", "list", "decline", "apply", "retire", "keep")
OPEN_CHANGE_WHERE = (
    "kind IN ('change', 'retirement') AND state NOT IN ('approved', 'declined', 'withdrawn')"
)
APPEND_ONLY_MESSAGE = "request_transitions is append-only"


def _check(values) -> str:
    return "recommendation IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _drop_guard():
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS request_transitions_no_update")
        op.execute("DROP TRIGGER IF EXISTS request_transitions_no_delete")


def _create_guard():
    if _sqlite():
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER request_transitions_no_{event.lower()} "
                f"BEFORE {event} ON request_transitions "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _recommendation_values(values):
    # The recommendation columns are CHECK-limited strings: the constraint lists the values.
    _drop_guard()
    for table in ("requests", "request_transitions"):
        name = f"ck_{table}_recommendation"
        with op.batch_alter_table(table, recreate="always" if _sqlite() else "auto") as batch:
            batch.drop_constraint(op.f(name), type_="check")
            batch.create_check_constraint(op.f(name), _check(values))
    _create_guard()


def upgrade():
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("retirement_effective_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("retirement_teach_out", sa.Text(), nullable=True))
        batch.add_column(sa.Column("base_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicate_explanation", sa.Text(), nullable=True))
        batch.add_column(sa.Column("policy_settings", sa.JSON(), nullable=True))
    _recommendation_values(NEW)
    op.create_index(
        "ix_requests_one_open_change_per_entry",
        "requests",
        ["entry_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_CHANGE_WHERE),
        postgresql_where=sa.text(OPEN_CHANGE_WHERE),
    )
    op.create_table(
        "setting_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_setting_changes_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting_changes")),
    )
    op.create_index(op.f("ix_setting_changes_key"), "setting_changes", ["key"], unique=False)
    op.create_table(
        "request_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_request_attachments_size_positive")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_attachments_request_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_request_attachments_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_attachments")),
    )
    op.create_index(
        op.f("ix_request_attachments_request_id"),
        "request_attachments",
        ["request_id"],
        unique=False,
    )


    op.create_table(
        "request_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "chair",
                "dean",
                "provost",
                "other",
                name="signoff_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_request_signoffs_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_signoffs_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_signoffs")),
    )
    op.create_index(
        op.f("ix_request_signoffs_request_id"), "request_signoffs", ["request_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_request_signoffs_request_id"), table_name="request_signoffs")
    op.drop_table("request_signoffs")
    op.drop_index(op.f("ix_request_attachments_request_id"), table_name="request_attachments")
    op.drop_table("request_attachments")
    op.drop_index(op.f("ix_setting_changes_key"), table_name="setting_changes")
    op.drop_table("setting_changes")
    op.drop_index("ix_requests_one_open_change_per_entry", table_name="requests")
    op.execute(
        "UPDATE requests SET recommendation = NULL "
        "WHERE recommendation IN ('apply', 'retire', 'keep') AND state != 'recommended'"
    )
    _recommendation_values(OLD)
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("policy_settings")
        batch.drop_column("duplicate_explanation")
        batch.drop_column("base_version")
        batch.drop_column("retirement_teach_out")
        batch.drop_column("retirement_effective_on")
