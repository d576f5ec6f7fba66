"""Sessions: cookie flags, the session renewed at sign-in, a cookie worth nothing after
sign-out, and CSRF on every request that changes something."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from app.config import from_env
from app.services import accounts
from tests.conftest import PASSWORD

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize(
    ("env", "secure"),
    [("development", False), ("production", True), ("staging", True), ("test", True)],
)
def test_the_session_cookie_is_secure_everywhere_but_development(tmp_path, env, secure):
    config = from_env(str(tmp_path), {"APP_ENV": env, "SECRET_KEY": "k"})
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_redis_url_is_read_from_the_environment(tmp_path):
    config = from_env(str(tmp_path), {"REDIS_URL": "redis://cache:6379/0"})
    assert config["REDIS_URL"] == "redis://cache:6379/0"
    assert from_env(str(tmp_path), {})["REDIS_URL"] == ""


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_when_configured(
    app, client, make_user, login
):
    make_user("ivy@regents.example.org")
    app.config["SESSION_COOKIE_SECURE"] = True
    response = login(client, "ivy@regents.example.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax"} <= flags


def test_a_cookie_captured_before_logout_is_refused_afterwards(app, make_user, login):
    make_user("jon@regents.example.org")
    victim = app.test_client()
    login(victim, "jon@regents.example.org")
    captured = victim.get_cookie("session").value
    assert victim.post("/logout").status_code == 302

    attacker = app.test_client()
    attacker.set_cookie("session", captured, domain="localhost")
    assert attacker.get("/api/v1/me").status_code == 401
    assert attacker.get("/account").headers["Location"].startswith("/login")
    assert attacker.post("/account/tokens", data={"name": "stolen"}).status_code == 302


def test_signing_in_starts_a_new_session(app, client, make_user):
    """The anonymous session (and its CSRF token) does not survive sign-in: a cookie or token
    planted on a victim before they sign in is worth nothing afterwards."""
    make_user("kim@regents.example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    before = _csrf_token(client.get("/login").get_data(as_text=True))
    cookie_before = client.get_cookie("session").value
    data = {"email": "kim@regents.example.org", "password": PASSWORD, "csrf_token": before}
    assert client.post("/login", data=data).status_code == 302
    assert client.get_cookie("session").value != cookie_before
    # The token of the anonymous session no longer passes.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert _signed_in(client)


def _unsafe_rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & UNSAFE):
            yield rule, method


def _sample_url(rule) -> str:
    values = {}
    for name, conv in rule._converters.items():
        values[name] = 1 if isinstance(conv, IntegerConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, make_user, login):
    """Every POST/PUT/PATCH/DELETE of the app, for a signed-in browser (the session cookie),
    answers 400 without the CSRF token. The API's writes answer a session cookie 401: they
    take a personal API token only (and a cookie write to the API would need the token)."""
    make_user("lee@regents.example.org", role="admin")
    client = app.test_client()
    login(client, "lee@regents.example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    checked, missing = 0, []
    for rule, method in _unsafe_rules(app):
        response = client.open(_sample_url(rule), method=method, data={"x": "1"})
        checked += 1
        refused = {400, 401} if rule.rule.startswith("/api/") else {400}
        if response.status_code not in refused:
            missing.append(f"{method} {rule.rule} -> {response.status_code}")
    assert checked >= 20
    assert not missing, "routes that change state without a CSRF token: " + ", ".join(missing)
    assert _signed_in(client)


def test_an_api_call_with_a_token_needs_no_csrf_token(app, client, make_user):
    user = make_user("mia@okstate.example.edu", role="liaison")
    _, raw = accounts.create_token(user, "script")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/api/v1/requests",
        json={"kind": "listing", "title": "Welding Basics"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.get_json()


def test_a_cookie_api_write_needs_the_csrf_header(app, client, make_user, login):
    make_user("ned@okstate.example.edu", role="liaison")
    login(client, "ned@okstate.example.edu")
    app.config["WTF_CSRF_ENABLED"] = True
    body = {"kind": "listing", "title": "Welding Basics"}
    refused = client.post("/api/v1/requests", json=body)
    assert refused.status_code in (400, 401)
    assert refused.get_json()["status"] == refused.status_code
