"""`flask inventory import`: validate every record first, then upsert by (institution, id)."""

from __future__ import annotations

import csv
import json

import sqlalchemy as sa

from app.enums import EntryStatus
from app.extensions import db
from app.models import Entry, EntryVersion, IndexTask
from app.services import importer, records
from tests.factories import record


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_import_creates_entries_with_every_field(app, tmp_path):
    rows = [
        record(),
        record(
            entry_type="digital-badge",
            badge={
                "name": "Cyber Defender",
                "issuer": "Oklahoma State University",
                "criteria": "Pass both labs.",
                "image_url": "https://okstate.edu/b.png",
                "platform": "Credly",
                "expires_months": 24,
            },
        ),
    ]
    report = importer.import_file(write_jsonl(tmp_path / "in.jsonl", rows))
    assert report.ok and report.created == 2
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id=rows[1]["external_id"]))
    assert entry.institution.code == "OSU"
    exported = records.entry_record(entry)
    for key, value in rows[1].items():
        assert exported[key] == value, key
    assert count(IndexTask) >= 0  # drained after the commit or left for `flask search sync`


def test_importing_the_same_file_twice_changes_nothing(app, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [record(), record()])
    importer.import_file(path)
    versions = count(EntryVersion)
    again = importer.import_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert count(EntryVersion) == versions


def test_a_changed_record_updates_its_entry_as_a_new_version(app, tmp_path):
    row = record()
    importer.import_file(write_jsonl(tmp_path / "a.jsonl", [row]))
    row["title"] = "Applied Cybersecurity Foundations II"
    row["status"] = "retired"
    report = importer.import_file(write_jsonl(tmp_path / "b.jsonl", [row]))
    assert report.updated == 1
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id=row["external_id"]))
    assert entry.title.endswith("II")
    assert entry.status is EntryStatus.RETIRED and entry.retired_at is not None
    assert [v.number for v in entry.versions] == [1, 2]
    assert entry.versions[0].content.title == "Applied Cybersecurity Foundations"


def test_a_file_with_one_bad_record_writes_nothing_and_names_line_and_field(app, tmp_path):
    good = record()
    bad = record(credit_hours=12, courses=[])  # endorsed over the 9-hour cap
    unknown = record(institution="Hogwarts")
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(good) + "\n" + json.dumps(bad) + "\n{not json\n" + json.dumps(unknown) + "\n"
    )
    before = count(Entry)
    report = importer.import_file(path)
    assert not report.ok
    assert count(Entry) == before
    found = {(p.line, p.field) for p in report.problems}
    assert (2, "credit_hours") in found
    assert (3, "") in found
    assert (4, "institution") in found
    assert "at most 9" in str(next(p for p in report.problems if p.line == 2))


def test_validation_reports_each_field_problem(app, tmp_path):
    rows = [
        record(skills=[], delivery="by carrier pigeon"),
        record(occupations=["99-9999"], industries=["Space mining"]),
        record(courses=[{"code": "A 1", "title": "One", "credit_hours": 2}]),
        record(entry_type="digital-badge"),
        record(enrollment_url="javascript:alert(1)", surprise="field"),
    ]
    rows.append(dict(rows[0], skills=["SQL"], delivery="online"))  # duplicate key of line 1
    report = importer.import_file(write_jsonl(tmp_path / "in.jsonl", rows))
    found = {(p.line, p.field) for p in report.problems}
    assert {(1, "skills"), (1, "delivery")} <= found
    assert {(2, "occupations[1]"), (2, "industries[1]")} <= found
    assert (3, "courses") in found
    assert (4, "badge") in found
    assert {(5, "enrollment_url"), (5, "surprise")} <= found
    assert (6, "external_id") in found
    assert count(Entry) == 0


def test_dry_run_reports_without_writing(app, tmp_path):
    report = importer.import_file(write_jsonl(tmp_path / "in.jsonl", [record()]), dry_run=True)
    assert report.ok and report.created == 1
    assert count(Entry) == 0


def test_csv_in_the_documented_column_form(app, tmp_path):
    path = tmp_path / "in.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "external_id",
                "institution",
                "entry_type",
                "title",
                "summary",
                "endorsement",
                "credit_bearing",
                "credit_hours",
                "courses",
                "delivery",
                "skills",
                "partners",
                "occupations",
                "industries",
                "badge_level",
                "badge_name",
                "badge_issuer",
                "badge_criteria",
            ]
        )
        writer.writerow(
            [
                "TCC-1",
                "Tulsa Community College",
                "digital-badge",
                "Phlebotomy Basics",
                "Draw blood safely.",
                "not-endorsed",
                "yes",
                "3",
                "PHB 1013: Phlebotomy: Principles: 3",
                "in-person",
                "Phlebotomy|Patient safety",
                "Saint Francis Health System: internship host",
                "31-9097",
                "Health Care and Social Assistance",
                "foundational",
                "Phlebotomy Badge",
                "Tulsa Community College",
                "Complete 50 draws.",
            ]
        )
    report = importer.import_file(path)
    assert report.ok, report.problems
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id="TCC-1"))
    exported = records.entry_record(entry)
    assert exported["courses"] == [
        {"code": "PHB 1013", "title": "Phlebotomy: Principles", "credit_hours": 3}
    ]
    assert exported["partners"] == [
        {"name": "Saint Francis Health System", "role": "internship host"}
    ]
    assert exported["skills"] == ["Phlebotomy", "Patient safety"]
    assert exported["industries"] == ["62"]
    assert exported["badge"]["name"] == "Phlebotomy Badge"
    assert exported["badge_level"] == "foundational"  # an entry field, not the badge's


def test_an_exported_entry_imports_back_unchanged(app, tmp_path):
    importer.import_file(write_jsonl(tmp_path / "a.jsonl", [record()]))
    entry = db.session.scalar(sa.select(Entry))
    exported = records.entry_record(entry)
    report = importer.import_file(write_jsonl(tmp_path / "b.jsonl", [exported]))
    assert report.unchanged == 1
