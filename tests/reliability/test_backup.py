"""``flask db backup PATH``: a consistent copy taken while the site runs, restored as the README
says, gives back the same inventory."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app, search
from app.extensions import db
from app.models import Entry, SynonymGroup
from app.search import SearchParams
from tests import factories
from tests.conftest import base_config
from tests.databases import create_database
from tests.reliability.conftest import LiveSite


def _inventory() -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(
                Entry.id, Entry.external_id, Entry.version_number, Entry.status, Entry.title
            ).order_by(Entry.id)
        )
    ]


def _found(q: str) -> set[int]:
    return {h.entry_id for h in search.search(SearchParams(q=q, per_page=100)).hits}


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def test_a_backup_taken_while_the_site_writes_restores_the_same_inventory(live, tmp_path):
    for n in range(4):
        factories.publish(title=f"Wind Turbine Technician {n}", external_id=f"WT-{n}")
    factories.publish(title="Wind Turbine Technician 0, revised", external_id="WT-0")
    factories.publish(title="Solar Installer", external_id="SI-1")
    expected = _inventory()
    found = _found("wind turbine")
    assert any(version == 2 for _id, _ext, version, _s, _t in expected)
    db.session.remove()

    # Another worker is in the middle of a write while the backup runs: the backup neither
    # waits for it nor contains it.
    writer = db.engine.connect()
    in_flight = writer.begin()
    writer.execute(
        sa.insert(SynonymGroup).values(phrases="in flight, half done", updated_at=datetime.now(UTC))
    )
    try:
        backup = tmp_path / "inventory.backup"
        result = live.flask("db", "backup", str(backup), timeout=60)
    finally:
        in_flight.commit()
        writer.close()
    assert result.returncode == 0, result.stderr
    assert "Backup of the" in result.stdout and str(backup) in result.stdout
    assert backup.stat().st_size > 0

    # Restore into a fresh database, exactly as the README says.
    (tmp_path / "restored").mkdir()
    if live.engine == "sqlite":
        restored_url = f"sqlite:///{tmp_path / 'restored' / 'inventory.db'}"
        shutil.copyfile(backup, tmp_path / "restored" / "inventory.db")
        drop = None
    else:
        restored_url, drop = create_database("postgresql", tmp_path / "restored")
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "-d", _libpq(restored_url), str(backup)],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    try:
        restored = LiveSite(url=restored_url, tmp=tmp_path / "restored")
        rebuilt = restored.flask("search", "rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        check = restored.flask("search", "check")
        assert check.returncode == 0 and "agrees" in check.stdout, check.stdout + check.stderr

        app = create_app(base_config(restored_url, tmp_path / "restored"))
        try:
            with app.app_context():
                assert _inventory() == expected
                assert _found("wind turbine") == found
                phrases = db.session.scalars(sa.select(SynonymGroup.phrases)).all()
                assert "in flight, half done" not in phrases
                db.session.remove()
                db.engine.dispose()
        finally:
            app.extensions["search_store"].close()
    finally:
        if drop:
            drop()


def test_backup_refuses_to_overwrite_without_force(app, runner, tmp_path):
    target = tmp_path / "inventory.backup"
    target.write_text("yesterday's backup")
    refused = runner.invoke(args=["db", "backup", str(target)])
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "--force" in refused.output
    assert target.read_text() == "yesterday's backup"
    forced = runner.invoke(args=["db", "backup", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() != b"yesterday's backup"
    assert "written to" in forced.output


@pytest.mark.parametrize(
    "where, message",
    [
        ("missing-folder/inventory.backup", "does not exist"),
        ("/proc/inventory.backup", "Cannot write"),
        (".", "is a folder"),
    ],
)
def test_backup_to_a_place_it_cannot_write_says_so(app, runner, tmp_path, where, message):
    path = where if where.startswith("/") else str(tmp_path / where)
    result = runner.invoke(args=["db", "backup", path])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob(".*partial"))


def test_backup_without_pg_dump_says_what_to_install(app, runner, tmp_path, monkeypatch):
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    result = runner.invoke(args=["db", "backup", str(tmp_path / "inventory.backup")])
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "inventory.backup").exists()


def test_flask_db_keeps_its_migration_commands(runner):
    result = runner.invoke(args=["db", "--help"])
    assert result.exit_code == 0
    for command in ("upgrade", "downgrade", "current", "backup"):
        assert command in result.output
    assert runner.invoke(args=["db", "current"]).exit_code == 0


def test_a_pg_dump_of_another_major_version_is_reported_plainly(app, runner, tmp_path, monkeypatch):
    """A pg_dump that fails (here: one that says the server is too new) is quoted, briefly."""
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    fake = tmp_path / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        'echo "pg_dump: error: aborting because of server version mismatch" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(args=["db", "backup", str(tmp_path / "inventory.backup")])
    assert result.exit_code == 1
    assert "server version mismatch" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "inventory.backup").exists()
    assert not list(Path(tmp_path).glob(".*partial"))
