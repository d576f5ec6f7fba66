"""The command line: ``flask seed``, ``flask inventory``, ``flask search``, ``flask users``,
``flask workflow``, and ``flask db backup`` beside Flask-Migrate's ``flask db`` commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.enums import Role
from app.extensions import db
from app.services import importer, seeding, unit, users
from app.services.errors import ServiceError
from app.services.reference import Resolver

inventory_cli = AppGroup("inventory", help="Import the inventory from record files.")
search_cli = AppGroup("search", help="Build, update and check the search index.")
users_cli = AppGroup("users", help="Manage accounts.")
workflow_cli = AppGroup("workflow", help="The request workflow's scheduled work.")


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _print_import(report: importer.ImportReport) -> None:
    if report.problems:
        click.secho(
            f"{report.path}: {len(report.problems)} problem(s); nothing was written.",
            fg="red",
            err=True,
        )
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        return
    click.echo(
        f"{report.path}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged"
        + (" (dry run: nothing was written)." if report.dry_run else ".")
    )


@click.command("seed")
@click.option(
    "--only",
    type=click.Choice(["reference"]),
    help="Load only institutions and taxonomies (no entries, no accounts).",
)
def seed_command(only: str | None) -> None:
    """Load the seed data. Running it twice changes nothing."""
    folder = Path(current_app.config["SEED_DATA_DIR"])
    total = 0 if only else _count_lines(folder / seeding.ENTRIES_FILE)
    try:
        with click.progressbar(length=total, label="Seeding the inventory", file=sys.stderr) as bar:
            report = seeding.seed(only_reference=only == "reference", progress=bar.update)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    i, t = report.institutions, report.terms
    click.echo(f"Institutions: {i.created} created, {i.updated} updated, {i.unchanged} unchanged.")
    click.echo(
        f"Taxonomy terms: {t.created} created, {t.updated} updated, {t.unchanged} unchanged."
    )
    if report.entries is not None:
        _print_import(report.entries)
        click.echo(f"Demo accounts: {report.accounts_created} created.")
    if report.demo is not None:
        click.echo(
            f"Demo requests: {report.demo.created} created, {report.demo.unchanged} unchanged."
        )


@inventory_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import a JSON Lines (.jsonl) or CSV (.csv) file of inventory records."""
    total = _count_lines(file)
    with click.progressbar(length=total, label=f"Importing {file.name}", file=sys.stderr) as bar:
        report = importer.import_file(file, dry_run=dry_run, progress=bar.update)
    _print_import(report)
    if report.problems:
        sys.exit(1)


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Build a new index from the database beside the live one, then swap it in."""
    from app import search
    from app.enums import EntryStatus
    from app.models import Entry

    total = db.session.scalar(
        db.select(db.func.count(Entry.id)).where(Entry.status == EntryStatus.ACTIVE)
    )
    with click.progressbar(length=total, label="Indexing entries", file=sys.stderr) as bar:
        count = search.rebuild(progress=bar.update)
    click.echo(f"Search index rebuilt: {count} entries.")


@search_cli.command("sync")
def sync_command() -> None:
    """Apply index tasks left pending (for example by a crash after a commit)."""
    from app import search

    try:
        applied = search.sync(lock_timeout=30.0, strict=True)
    except search.IndexUnavailable as exc:
        raise click.ClickException(
            f"{exc} The pending tasks are kept. Run `flask search rebuild`."
        ) from exc
    except search.WriterBusy as exc:
        raise click.ClickException(f"{exc} Try again when it has finished.") from exc
    click.echo(f"Applied {applied} pending index task(s).")


@search_cli.command("check")
def check_command() -> None:
    """Compare the index with the database; exit 1 listing the differences if they disagree."""
    from app import search

    try:
        report = search.check()
    except search.IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Indexed: {report.indexed}; active entries in the database: {report.expected}.")
    if report.ok:
        click.echo("The index agrees with the database.")
        return
    for label, ids in (
        ("missing from the index", report.missing),
        ("in the index but not active", report.unexpected),
        ("indexed at an old version", report.stale),
    ):
        if ids:
            shown = ", ".join(map(str, ids[:50])) + (" …" if len(ids) > 50 else "")
            click.echo(f"{len(ids)} {label}: {shown}")
    click.echo("Run `flask search rebuild` to fix it.")
    sys.exit(1)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--institution", help="Institution code or name (liaisons only).")
@click.option("--name", default="", help="Display name (defaults to the e-mail).")
@click.password_option(help="Password (asked for when not given).")
def create_user_command(
    email: str, role: str, institution: str | None, name: str, password: str
) -> None:
    """Create an account."""
    inst = None
    if institution:
        inst = Resolver().institution(institution)
        if inst is None:
            raise click.BadParameter(
                f"unknown institution {institution!r}", param_hint="--institution"
            )
    try:
        user = users.create_user(
            email=email, name=name, role=Role(role), institution=inst, password=password
        )
        unit.commit()
    except ServiceError as exc:
        details = "; ".join(m for msgs in getattr(exc, "errors", {}).values() for m in msgs)
        raise click.ClickException(details or exc.message) from exc
    click.echo(f"Created {user.role.value} {user.email}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="Command-line token", show_default=True, help="What it is for.")
def token_command(email: str, name: str) -> None:
    """Create a personal API token for an account and print it (it is shown only this once)."""
    from app.services import accounts

    user = users.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    try:
        _token, raw = accounts.create_token(user, name)
    except ServiceError as exc:
        details = "; ".join(m for msgs in getattr(exc, "errors", {}).values() for m in msgs)
        raise click.ClickException(details or exc.message) from exc
    click.echo(
        f"Created the API token “{name}” for {user.email}. It will not be shown again:", err=True
    )
    click.echo(raw)


@users_cli.command("demo-logins")
@click.option("--port", default=8000, show_default=True, help="The port the portal serves on.")
def demo_logins_command(port: int) -> None:
    """Print the demo accounts of the seed data."""
    click.echo(f"\nThe portal: http://127.0.0.1:{port}/")
    rows = seeding.demo_logins()
    if not rows:
        return
    click.echo("Demo accounts (sign in at /login):")
    for row in rows:
        where = f" ({row['institution']})" if row["institution"] else ""
        click.echo(f"  {row['role']:<11} {row['email']:<40} {row['password']}{where}")
    click.echo("")


@workflow_cli.command("remind")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Count the days as on this date (UTC) instead of now.",
)
def remind_command(as_of) -> None:
    """Send today's reminders: requests past the review target (and the administrators'
    digest of them) and requests waiting on an institution's revisions for over 14 days.
    Meant for cron, once a day; a second run the same day sends nothing more."""
    from datetime import UTC

    from app.services import reminders

    now = as_of.replace(tzinfo=UTC) if as_of is not None else None
    report = reminders.send_reminders(now)
    click.echo(
        f"{len(report.past_target)} request(s) past the review target, "
        f"{len(report.waiting_on_institution)} waiting on an institution for over "
        f"{reminders.LIAISON_WAIT_DAYS} days; {report.sent} reminder(s) sent."
    )


@workflow_cli.command("digest")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Send the digests as on this date (UTC) instead of now.",
)
def digest_command(as_of) -> None:
    """Send the daily digests: one e-mail to each person who chose the digest, with what
    happened since their last one (administrators: with the requests past the review target).
    Meant for cron, once a day; a second run the same day sends nothing more."""
    from datetime import UTC

    from app.services import digest

    now = as_of.replace(tzinfo=UTC) if as_of is not None else None
    report = digest.send_digests(now)
    click.echo(
        f"{len(report.sent_to)} digest(s) sent, with {report.notifications} notification(s)."
    )


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH while the site runs.

    SQLite: a copy of the database file (restore: stop the site, put it back in place of the
    database file). PostgreSQL: a pg_dump archive in custom format (restore:
    pg_restore --clean --if-exists -d DATABASE_URL PATH). Then: flask search rebuild.
    """
    from app.services import backup

    def progress(line: str) -> None:
        click.echo(line, err=True)

    try:
        result = backup.backup(path, force=force, progress=progress)
    except backup.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"Backup of the {result.engine} database written to {result.path} "
        f"({backup.human_size(result.size)}, {result.seconds:.1f} s)."
    )


def register_cli(app: Flask) -> None:
    from flask_migrate.cli import db as db_group

    # Flask-Migrate's `flask db` group (upgrade, downgrade, …) gains `flask db backup`.
    db_group.add_command(backup_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(inventory_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(workflow_cli)
