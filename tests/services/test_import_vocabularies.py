"""Records written the way institutions write them import, and are found by their sector."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app import search
from app.extensions import db
from app.models import Entry
from app.search import SearchParams
from app.services import importer, records
from tests.factories import record


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def as_people_write_it(**overrides):
    return record(
        title="Clinical Documentation for Physician Practices",
        industries=["621111"],
        occupations=["registered nurses"],
        competencies=["Oral/written communications"],
        cip_codes=["51.3801"],
        **overrides,
    )


def test_a_record_as_people_write_it_imports_and_is_found_under_its_sector(index, tmp_path):
    row = as_people_write_it()
    report = importer.import_file(write_jsonl(tmp_path / "in.jsonl", [row]))
    assert report.ok, [str(p) for p in report.problems]
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id=row["external_id"]))
    exported = records.entry_record(entry)
    assert exported["industries"] == ["621111"]
    assert exported["occupations"] == ["29-1141"]
    assert exported["competencies"] == ["Communication"]
    assert exported["cip_codes"] == ["51.3801"]

    def found(**filters):
        results = search.search(SearchParams(filters=filters))
        return [hit.entry_id for hit in results.hits]

    assert found(industry=["62"]) == [entry.id]
    assert found(industry=["6211"]) == [entry.id]
    assert found(occupation=["29-0000"]) == [entry.id]
    assert found(cip=["51"]) == [entry.id]
    assert found(competency=["communication"]) == [entry.id]
    assert found(industry=["54"]) == []


def test_the_sector_facet_is_labelled_and_lists_sectors_only(index, client, tmp_path):
    importer.import_file(write_jsonl(tmp_path / "in.jsonl", [as_people_write_it()]))
    page = client.get("/search?industry=62").get_data(as_text=True)
    assert "Health Care and Social Assistance" in page
    assert "Clinical Documentation for Physician Practices" in page
    assert "Offices of Physicians (except Mental Health Specialists)" not in page
    assert "Health Professions and Related Programs" in page  # the CIP series facet


def test_an_unknown_code_is_refused_by_line_and_field_with_a_suggestion(app, tmp_path):
    rows = [record(), record(occupations=["15-1212", "13-1024"]), record(cip_codes=["51.3817"])]
    report = importer.import_file(write_jsonl(tmp_path / "in.jsonl", rows))
    assert not report.ok and report.created == 0
    problems = {(p.line, p.field): p.message for p in report.problems}
    assert set(problems) == {(2, "occupations[2]"), (3, "cip_codes[1]")}
    assert problems[(2, "occupations[2]")].startswith(
        "Unknown occupation '13-1024'. Did you mean 13-1023 Purchasing Agents"
    )
    assert "51.3818 Nursing Practice" in problems[(3, "cip_codes[1]")]


def test_cip_codes_round_trip_through_csv(app, tmp_path):
    row = as_people_write_it()
    importer.import_file(write_jsonl(tmp_path / "in.jsonl", [row]))
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id=row["external_id"]))
    csv_row = records.record_to_csv_row(records.entry_record(entry))
    assert csv_row["cip_codes"] == "51.3801"
    assert records.csv_row_to_record(csv_row)["cip_codes"] == ["51.3801"]
