"""The staff's import page: upload, dry-run report, confirm; permissions and bad files."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, EntryVersion, ImportJob
from tests.factories import record


@pytest.fixture
def staff_client(app, make_user, login, tmp_path):
    app.config.update(IMPORT_DIR=str(tmp_path / "imports"), IMPORT_IN_BACKGROUND=False)
    make_user("importer@regents.example.org", "staff", name="Jordan Importer")
    client = app.test_client()
    login(client, "importer@regents.example.org")
    return client


def jsonl(*records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def upload(client, data: bytes, name="catalog.jsonl"):
    return client.post(
        "/admin/import/",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_dry_run_reports_then_confirm_imports_and_records_who_and_which_file(staff_client):
    good = record(title="Wind Turbine Technician Basics")
    response = upload(staff_client, jsonl(good, record()))
    assert response.status_code == 303
    page = staff_client.get(response.location).get_data(as_text=True)
    assert "Dry run: nothing has been written yet" in page
    assert "<strong>2</strong> would be created" in page
    assert count(Entry) == 0

    job = db.session.scalar(sa.select(ImportJob))
    done = staff_client.post(f"/admin/import/{job.id}/confirm")
    assert done.status_code == 303
    page = staff_client.get(done.location).get_data(as_text=True)
    assert "<strong>2</strong> created" in page
    entry = db.session.scalar(sa.select(Entry).filter_by(external_id=good["external_id"]))
    version = db.session.scalar(sa.select(EntryVersion).filter_by(entry_id=entry.id))
    assert version.note == "Imported from catalog.jsonl by Jordan Importer"
    assert "Imported from catalog.jsonl by Jordan Importer" in staff_client.get(
        f"/credentials/{entry.slug}"
    ).get_data(as_text=True)
    # a second confirm of the same file is refused, not repeated
    assert staff_client.post(f"/admin/import/{job.id}/confirm").status_code == 409
    status = staff_client.get(f"/admin/import/{job.id}/status").get_json()
    assert status == {"state": "done", "done": 2, "total": 2, "finished": True}


def test_a_file_with_a_bad_record_lists_problems_by_line_and_field_and_writes_nothing(
    staff_client,
):
    bad = record(occupations=["99-9999"])
    response = upload(staff_client, jsonl(record(), bad))
    page = staff_client.get(response.location).get_data(as_text=True)
    assert "1 problem; nothing can be written" in page
    assert "occupations[1]" in page and "Unknown occupation" in page
    job = db.session.scalar(sa.select(ImportJob))
    assert staff_client.post(f"/admin/import/{job.id}/confirm").status_code == 409
    assert count(Entry) == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("catalog.xlsx", b"PK\x03\x04", "Upload a CSV (.csv) or JSON Lines (.jsonl) file."),
        ("catalog.jsonl", b"  \n", "The file is empty."),
        ("catalog.csv", "título".encode("latin-1"), "The file is not UTF-8 text"),
        ("catalog.jsonl", b"x" * 2048, "The file is larger than"),
    ],
)
def test_a_bad_file_gets_a_clear_message(app, staff_client, name, data, message):
    app.config["IMPORT_MAX_BYTES"] = 1024
    response = upload(staff_client, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(ImportJob) == 0


def test_no_file_chosen_gets_a_clear_message(staff_client):
    response = staff_client.post("/admin/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_liaisons_and_anonymous_visitors_cannot_import(app, make_user, login, staff_client):
    upload(staff_client, jsonl(record()))
    job_id = db.session.scalar(sa.select(ImportJob.id))
    anonymous = app.test_client()
    assert anonymous.get("/admin/import/").status_code == 302  # to the sign-in page
    assert upload(anonymous, jsonl(record())).status_code == 302
    make_user("liaison@okstate.example.edu", "liaison")
    liaison = app.test_client()
    login(liaison, "liaison@okstate.example.edu")
    assert liaison.get("/admin/import/").status_code == 403
    assert upload(liaison, jsonl(record())).status_code == 403
    assert liaison.get(f"/admin/import/{job_id}").status_code == 403
    assert liaison.post(f"/admin/import/{job_id}/confirm").status_code == 403
    assert count(ImportJob) == 1 and count(Entry) == 0
