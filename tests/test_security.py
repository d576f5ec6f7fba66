"""Security headers on every kind of response: pages, JSON, errors, static files, downloads."""

from __future__ import annotations

import io

import pytest

from app import create_app
from app.access import access
from app.security import HSTS
from app.services import accounts, badge_images, unit
from app.workflow.states import RequestState
from tests import factories
from tests.conftest import base_config
from tests.services.test_badge_images import PNG
from tests.workflow_helpers import People, request_in

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _check(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp or "sandbox" in csp, where
    assert "'unsafe-inline'" not in _directive(csp, "script-src"), where
    assert "unsafe-eval" not in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in {
        "strict-origin-when-cross-origin",
        "no-referrer",
    }, where
    assert response.headers.get("X-Frame-Options") == "DENY", where


def _directive(csp: str, name: str) -> str:
    for part in csp.split(";"):
        if part.strip().startswith(name):
            return part
    return ""


def test_every_kind_of_response_carries_the_security_headers(app, client, index, login, tmp_path):
    app.config["BADGE_IMAGE_DIR"] = str(tmp_path / "badges")
    people = People()
    entry = factories.publish()
    req = request_in(people, RequestState.DRAFT, kind="badge", badge={"name": "B"})
    badge_images.attach(people.liaison, req.id, req.version, PNG, {"badge": {"name": "B"}})
    unit.commit()
    login(client, people.liaison.email)
    responses = {
        "page": client.get("/"),
        "search": client.get("/search?q=agriculture"),
        "entry": client.get(f"/credentials/{entry.slug}"),
        "json": client.get("/api/v1/institutions"),
        "json error": client.get("/api/v1/credentials/999999"),
        "html 404": client.get("/no/such/page"),
        "405": client.get("/logout"),
        "static css": client.get("/static/css/site.css"),
        "static js": client.get("/static/js/search.js"),
        "csv download": client.get("/search.csv"),
        "atom feed": client.get("/feed.xml"),
        "openapi": client.get("/api/v1/openapi.json"),
        "badge image": client.get(f"/institution/requests/{req.id}/badge-image"),
        "redirect": app.test_client().get("/institution/"),
    }
    for where, response in responses.items():
        assert response.status_code < 500, where
        _check(response, where)
        response.close()


def test_an_unexpected_error_still_carries_the_headers(database_url, tmp_path):
    app = create_app(base_config(database_url, tmp_path))

    @app.get("/boom")
    @access("public")
    def boom():
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        response = app.test_client().get("/boom")
        assert response.status_code == 500
        assert "a bug" not in response.get_data(as_text=True)
        _check(response, "500")
        app.extensions["search_store"].close()


@pytest.mark.parametrize(("env", "hsts"), [("development", False), ("production", True)])
def test_hsts_outside_development(database_url, tmp_path, env, hsts):
    app = create_app({**base_config(database_url, tmp_path), "APP_ENV": env})
    with app.app_context():
        response = app.test_client().get("/static/css/site.css")
        assert (response.headers.get("Strict-Transport-Security") == HSTS) is hsts
        response.close()
        app.extensions["search_store"].close()


def test_an_uploaded_badge_image_is_served_inline_under_its_server_chosen_name(
    app, client, login, tmp_path
):
    app.config["BADGE_IMAGE_DIR"] = str(tmp_path / "badges")
    people = People()
    req = request_in(people, RequestState.DRAFT, kind="badge", badge={"name": "B"})
    req = badge_images.attach(people.liaison, req.id, req.version, PNG, {"badge": {"name": "B"}})
    unit.commit()
    login(client, people.liaison.email)
    response = client.get(f"/institution/requests/{req.id}/badge-image")
    name = badge_images.name_in_url(req.content.badge_image_url)
    assert name and name.endswith(".png") and len(name) == 68
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "image/png"
    response.close()


def test_an_oversized_upload_gets_413_and_a_page_that_says_what_to_do(app, client, login):
    people = People()
    req = request_in(people, RequestState.DRAFT, kind="badge", badge={"name": "B"})
    login(client, people.liaison.email)
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    response = client.post(
        f"/institution/requests/{req.id}/edit?section=badge",
        data={"badge_image": (io.BytesIO(b"\x89PNG" + b"0" * (200 * 1024)), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than the 100 KB" in page and "smaller file" in page
    assert "<!doctype html>" in page.lower()
    _check(response, "413")
    _, raw = accounts.create_token(people.liaison, "script")
    unit.commit()
    api = client.post(
        "/api/v1/requests",
        data=b"x" * (200 * 1024),
        headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
    )
    assert api.status_code == 413 and api.get_json()["status"] == 413
