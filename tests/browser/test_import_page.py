"""The staff's import page in Chromium: a file with one bad record writes nothing and lists
the problem; a good file is written after the dry run, with its history; axe finds nothing
serious."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Entry
from tests.browser.conftest import axe_violations
from tests.factories import record

pytestmark = pytest.mark.browser

STAFF = "staff@regents.example.org"
PASSWORD = "demo-password-2026"


def test_import_a_bad_file_then_a_good_one(live_server, browser, tmp_path):
    live_server.app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    tag = uuid.uuid4().hex[:8]
    good = record(external_id=f"BROWSER-{tag}-1", title=f"Lineworker Safety {tag}")
    bad = record(external_id=f"BROWSER-{tag}-2", occupations=["99-9999"])
    bad_file = tmp_path / "bad.jsonl"
    bad_file.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    good_file = tmp_path / "good.jsonl"
    good_file.write_text(json.dumps(good) + "\n")

    # bypass_csp only so that axe can be injected; the page's own script is a static file.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/login")
    page.fill("#email", STAFF)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]", has_text="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server.url}/admin/import/")
    assert axe_violations(page) == []

    page.set_input_files("#file", str(bad_file))
    page.click("text=Check the file")
    page.wait_for_selector("#problems")
    assert "occupations[1]" in page.inner_text("#problems")
    assert "Unknown occupation '99-9999'" in page.inner_text("#problems")
    assert page.locator("text=Import 2 records").count() == 0
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/admin/import/")
    page.set_input_files("#file", str(good_file))
    page.click("text=Check the file")
    page.wait_for_selector("text=would be created")
    with live_server.app.app_context():
        assert (
            db.session.scalar(sa.select(Entry).filter_by(external_id=good["external_id"])) is None
        )
    assert axe_violations(page) == []
    page.click("text=Import 1 record")
    page.wait_for_selector("text=The import is done")
    assert "1 created" in page.inner_text("#counts")

    with live_server.app.app_context():
        entry = db.session.scalar(sa.select(Entry).filter_by(external_id=good["external_id"]))
        assert entry is not None
        assert entry.versions[0].note == "Imported from good.jsonl by Jordan Castillo"
        db.session.remove()
    context.close()
