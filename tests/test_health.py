"""``/healthz`` says the process is up; ``/readyz`` says whether it can serve: the database
answers and search can read. A load balancer sends traffic only where ``/readyz`` is 200."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from app import search
from app.extensions import db


def test_ready_when_the_database_and_the_index_answer(client, index):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "search": "ok"},
        "down": [],
    }
    assert "Retry-After" not in response.headers


@pytest.mark.whoosh
def test_not_ready_without_a_search_index_names_search(client, app):
    assert not search.store().exists()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["down"] == ["search"]
    assert body["checks"] == {"database": "ok", "search": "down"}
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.whoosh
def test_not_ready_once_the_index_folder_is_lost_and_ready_after_a_rebuild(client, index):
    assert client.get("/readyz").status_code == 200
    shutil.rmtree(index.root)
    assert client.get("/readyz").get_json()["down"] == ["search"]
    search.rebuild()
    assert client.get("/readyz").status_code == 200


def test_readiness_is_never_kept_by_a_cache(client, index):
    response = client.get("/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_healthz_answers_even_when_search_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"


def test_not_ready_when_the_postgresql_search_tables_are_missing(client, app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL search backend runs on PostgreSQL")
    app.config["SEARCH_BACKEND"] = "postgres"
    assert client.get("/readyz").status_code == 200
    db.session.execute(sa.text("ALTER SCHEMA search RENAME TO search_away"))  # rolled back
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["down"] == ["search"]
