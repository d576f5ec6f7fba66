"""A real server with the full seed inventory, driven by Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app, search
from app.extensions import db
from app.services import seeding
from tests.databases import SEARCH_BACKEND, create_database, search_backend

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "axe" / "axe.min.js"


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal served over HTTP from a seeded SQLite database and a built index (PostgreSQL
    and its own search when ``TEST_SEARCH_BACKEND=postgres``)."""
    tmp = tmp_path_factory.mktemp("live")
    engine = "postgresql" if SEARCH_BACKEND == "postgres" else "sqlite"
    url, drop = create_database(engine, tmp)
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_BACKEND": search_backend(url),
            "SEARCH_INDEX_DIR": str(tmp / "index"),
            "MAIL_DIR": str(tmp / "mail"),
        }
    )
    with app.app_context():
        upgrade()
        seeding.seed()
        search.rebuild()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("Live", (), {"url": f"http://127.0.0.1:{server.server_port}", "app": app})
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(params=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(java_script_enabled=request.param == "js")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.js = request.param == "js"
    yield page
    context.close()


@pytest.fixture
def js_page(browser):
    # bypass_csp lets the test inject axe-core; the pages themselves run under the real policy.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.0 to 2.2, A and AA rules) on the page; return the violations that
    matter."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
