"""Logs an operator can follow: one JSON object a line, each line written during a request
carrying the request's id, the same id returned in ``X-Request-ID`` and shown on error pages,
and one line per request saying what was asked and answered."""

from __future__ import annotations

import json
import re

import pytest

from app import create_app
from app.access import access
from app.config import ConfigError, from_env
from app.logs import configure
from tests.conftest import base_config

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs(app):
    app.config["LOG_FORMAT"] = "json"
    configure(app)


def lines(capsys) -> list[dict]:
    """Every line logged so far (to standard error), each of which must be a JSON object."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    response.close()  # the request's line is written once the response is sent
    return response


def test_every_response_carries_a_request_id(client):
    first, second = get(client, "/healthz"), get(client, "/healthz")
    assert HEX_ID.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming, kept",
    [
        ("lb-7f3a.42_b", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("two words", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_any_other_replaced(client, incoming, kept):
    response = get(client, "/healthz", headers={"X-Request-ID": incoming})
    if kept:
        assert response.headers["X-Request-ID"] == incoming
    else:
        assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_a_request_is_logged_as_one_json_line_with_its_fields(client, json_logs, capsys):
    capsys.readouterr()
    get(client, "/healthz?q=private+words", headers={"X-Request-ID": "req-1"})
    (line,) = [entry for entry in lines(capsys) if entry["logger"] == "app.request"]
    assert line["request_id"] == "req-1"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["timestamp"].startswith("20")
    assert "private" not in json.dumps(line)  # no query strings


@pytest.mark.whoosh  # a missing index gives the error it logs
def test_what_is_logged_during_a_request_carries_its_id(client, json_logs, capsys):
    capsys.readouterr()
    # No index yet: readiness logs why search is down, inside the request.
    response = get(client, "/readyz", headers={"X-Request-ID": "req-2"})
    assert response.status_code == 503
    logged = lines(capsys)
    warning = next(entry for entry in logged if entry["logger"] == "app.services.health")
    assert warning["level"] == "WARNING"
    assert "search" in warning["message"]
    assert {entry["request_id"] for entry in logged} == {"req-2"}


def test_a_not_found_page_shows_the_reference_of_its_log_line(client, json_logs, capsys):
    capsys.readouterr()
    response = get(client, "/no-such-page")
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 404
    assert f"Reference: <code>{rid}</code>" in response.get_data(as_text=True)
    assert any(entry.get("request_id") == rid for entry in lines(capsys))


def test_a_json_error_names_its_request_id(client):
    response = get(client, "/api/v1/credentials/not-a-number-or-slug-at-all")
    assert response.status_code == 404
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


def test_an_unexpected_error_logs_its_traceback_with_the_id_and_shows_only_the_id(
    database_url, tmp_path, capsys
):
    app = create_app({**base_config(database_url, tmp_path), "LOG_FORMAT": "json"})

    def broken():
        raise RuntimeError("the disk caught fire")

    app.add_url_rule("/broken", "broken", access("public")(broken))
    with app.app_context():
        capsys.readouterr()
        response = get(app.test_client(), "/broken")
        app.extensions["search_store"].close()
    rid = response.headers["X-Request-ID"]
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert rid in page
    assert "fire" not in page and "Traceback" not in page
    error = next(entry for entry in lines(capsys) if entry["level"] == "ERROR")
    assert error["request_id"] == rid
    assert "RuntimeError: the disk caught fire" in error["exception"]
    assert "Traceback" in error["exception"]


def test_a_password_reset_link_is_not_written_to_the_log(client, json_logs, capsys):
    capsys.readouterr()
    get(client, "/reset-password/SECRET-RESET-TOKEN-123")
    out = capsys.readouterr().err
    assert "SECRET-RESET-TOKEN-123" not in out
    request_lines = [json.loads(x) for x in out.splitlines() if '"app.request"' in x]
    assert request_lines[-1]["path"] == "/reset-password/<token>"


def test_text_logs_for_development_carry_the_request_id_too(client, app, capsys):
    app.config["LOG_FORMAT"] = "text"
    configure(app)
    capsys.readouterr()
    get(client, "/healthz", headers={"X-Request-ID": "req-3"})
    out = capsys.readouterr().err
    assert "INFO app.request [req-3] GET /healthz 200 in" in out


def test_logs_are_text_in_development_and_json_elsewhere(tmp_path):
    assert from_env(str(tmp_path), {})["LOG_FORMAT"] == "text"
    production = {"APP_ENV": "production", "SECRET_KEY": "s"}
    assert from_env(str(tmp_path), production)["LOG_FORMAT"] == "json"
    assert from_env(str(tmp_path), {"LOG_FORMAT": "JSON"})["LOG_FORMAT"] == "json"


def test_an_unknown_log_format_or_level_stops_the_start(tmp_path):
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        from_env(str(tmp_path), {"LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        from_env(str(tmp_path), {"LOG_LEVEL": "loud"})
