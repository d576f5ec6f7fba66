"""Settings, read from environment variables with safe defaults.

The embedded default is SQLite (a file in the instance folder) and a Whoosh index in
``search_index/``; set ``DATABASE_URL`` to a PostgreSQL URL in production.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused outside development


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def environment(env) -> str:
    return env.get("APP_ENV", env.get("FLASK_ENV", "development")).lower()


def log_format(env) -> str:
    """``LOG_FORMAT``: ``json`` or ``text``; by default text on a developer's machine
    (``APP_ENV=development``) and JSON everywhere else. Raises ``ConfigError``."""
    value = (env.get("LOG_FORMAT") or "").strip().lower()
    if not value:
        return "text" if environment(env) == "development" else "json"
    if value not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}.")
    return value


def log_level(env) -> str:
    value = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if value not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return value


def _engine_options(url: str, env) -> dict:
    # A pooled connection is tested before use, so the first request after the database
    # restarts succeeds; a database that does not answer is given up on after a few seconds.
    options: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        timeout = int(env.get("DATABASE_CONNECT_TIMEOUT") or 5)
        options["connect_args"] = {"connect_timeout": timeout}
    return options


def from_env(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from ``environ`` (default: ``os.environ``)."""
    env = os.environ if environ is None else environ
    app_env = environment(env)
    secret = env.get("SECRET_KEY")
    if not secret:
        if app_env == "production":
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production.")
        secret = DEV_SECRET_KEY

    db_url = _normalise_db_url(
        env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'inventory.db'}"
    )
    mail_dir = env.get("MAIL_DIR") or str(Path(instance_path) / "mail")

    return {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(db_url, env),
        # whoosh: an index folder per host (the embedded default); postgres: PostgreSQL's own
        # full-text search in the database, shared by every app host.
        "SEARCH_BACKEND": (env.get("SEARCH_BACKEND") or "whoosh").strip().lower(),
        # With the postgres backend: a read replica that answers searches (writes and
        # everything else stay on DATABASE_URL).
        "SEARCH_DATABASE_URL": _normalise_db_url(env["SEARCH_DATABASE_URL"])
        if env.get("SEARCH_DATABASE_URL")
        else "",
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(PROJECT_ROOT / "search_index"),
        # Query matches remembered per index generation and process (0: none).
        "SEARCH_MATCH_CACHE": int(env.get("SEARCH_MATCH_CACHE", "256")),
        "SEED_DATA_DIR": env.get("SEED_DATA_DIR") or str(PROJECT_ROOT / "seed_data"),
        # Policy: the credit-hour cap of a micro-credential (an admin setting; this is its default).
        "CREDIT_HOUR_CAP": float(env.get("CREDIT_HOUR_CAP", "9")),
        "REVIEW_TARGET_DAYS": int(env.get("REVIEW_TARGET_DAYS", "30")),
        # Insights: how often a worker writes the demand counts it gathered (seconds).
        "DEMAND_FLUSH_SECONDS": float(env.get("DEMAND_FLUSH_SECONDS", "10")),
        # Mail: SMTP when MAIL_SERVER is set, otherwise written to MAIL_DIR.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "inventory@regents.example.org"),
        "MAIL_DIR": mail_dir,
        "BADGE_IMAGE_DIR": env.get("BADGE_IMAGE_DIR") or str(Path(instance_path) / "badge_images"),
        # The State Regents as an organisation in the standard exports (CTDL, Open Badges).
        "REGENTS_NAME": env.get("REGENTS_NAME") or "State Regents for Higher Education",
        "REGENTS_URL": env.get("REGENTS_URL", ""),
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL") or "inventory@regents.example.org",
        "REGENTS_CTID": env.get("REGENTS_CTID") or "ce-44c19f61-eb11-48d9-beeb-26f134f5c39b",
        "ATTACHMENT_DIR": env.get("ATTACHMENT_DIR") or str(Path(instance_path) / "attachments"),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),  # seconds
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Cookies travel over HTTPS only, except on a developer's own machine.
        "SESSION_COOKIE_SECURE": app_env != "development",
        # A request form with its badge image (512 KB at most) is far below this; anything
        # larger is refused with 413 before it is read.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "IMPORT_DIR": env.get("IMPORT_DIR") or str(Path(instance_path) / "imports"),
        "IMPORT_MAX_BYTES": int(env.get("IMPORT_MAX_BYTES") or 50 * 1024 * 1024),
        "IMPORT_IN_BACKGROUND": True,
        # Sign-in and API-token throttling counts failures here when set (else in the database).
        "REDIS_URL": env.get("REDIS_URL", ""),
        "REDIS_PREFIX": env.get("REDIS_PREFIX", "mci:"),
        "LOG_FORMAT": log_format(env),
        "LOG_LEVEL": log_level(env),
        # How many proxies (a load balancer, nginx) stand in front of the app: their
        # X-Forwarded-For and X-Forwarded-Proto are then believed, so sign-in throttling counts
        # the visitor's address, not the load balancer's. 0: none are believed.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
    }
