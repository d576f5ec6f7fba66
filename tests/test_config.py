from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, from_env


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    config = from_env(str(tmp_path), environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inventory.db'}"
    assert config["SEARCH_INDEX_DIR"].endswith("search_index")
    assert config["CREDIT_HOUR_CAP"] == 9.0


def test_postgres_urls_use_psycopg_3(tmp_path):
    config = from_env(str(tmp_path), environ={"DATABASE_URL": "postgres://u:p@db/inv"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/inv"


def test_postgres_connections_are_tested_before_use_and_give_up_after_a_timeout(tmp_path):
    env = {"DATABASE_URL": "postgresql://u@db/inv"}
    options = from_env(str(tmp_path), env)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    env["DATABASE_CONNECT_TIMEOUT"] = "2"
    options = from_env(str(tmp_path), env)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"connect_timeout": 2}


def test_sqlite_runs_in_wal_mode(app):
    from app.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
