"""`flask seed` loads the seed data through the import service; a second run changes nothing."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, EntryVersion, User


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_twice_changes_nothing(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    entries, versions, accounts = count(Entry), count(EntryVersion), count(User)
    with open(app.config["SEED_DATA_DIR"] + "/entries.jsonl") as fh:
        # the seed inventory, and the one demo request the chancellor approved
        assert entries == sum(1 for line in fh if line.strip()) + 1 >= 300
    assert accounts >= 4
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert f"0 created, 0 updated, {entries - 1} unchanged" in second.output
    assert "Demo accounts: 0 created." in second.output
    assert (count(Entry), count(EntryVersion), count(User)) == (entries, versions, accounts)


def test_seed_only_reference_loads_no_entries_or_accounts(app, runner):
    result = runner.invoke(args=["seed", "--only", "reference"])
    assert result.exit_code == 0, result.output
    assert "Institutions: 0 created" in result.output  # loaded by the test setup already
    assert count(Entry) == 0 and count(User) == 0


def test_the_cli_import_reports_line_and_field_and_exits_non_zero(app, runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"external_id": "X-1", "institution": "OSU"}) + "\n")
    result = runner.invoke(args=["inventory", "import", str(path)])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "line 1, field title: Missing data for required field." in result.output
    assert count(Entry) == 0


def test_the_cli_import_of_a_file_written_by_someone_else(app, runner, tmp_path):
    """A hand-written file in the documented format, using names rather than codes."""
    path = tmp_path / "catalog.jsonl"
    path.write_text(
        json.dumps(
            {
                "external_id": "RSU-CYBER-1",
                "institution": "Rogers State University",
                "entry_type": "micro-credential",
                "title": "Security Operations Center Analyst",
                "summary": "Monitor, triage and escalate security alerts.",
                "endorsement": "not-endorsed",
                "credit_bearing": False,
                "clock_hours": 60,
                "delivery": "online",
                "skills": ["SIEM", "Log analysis"],
                "industries": ["Information"],
                "occupations": ["15-1212"],
                "competencies": ["Technology"],
                "focus_areas": ["Career Preparation"],
            }
        )
        + "\n"
    )
    dry = runner.invoke(args=["inventory", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "1 created" in dry.output and "dry run" in dry.output
    assert count(Entry) == 0
    result = runner.invoke(args=["inventory", "import", str(path)])
    assert result.exit_code == 0, result.output
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id="RSU-CYBER-1"))
    assert entry.institution.code == "RSU"
    assert entry.versions[0].note == "Imported from catalog.jsonl by command line"
