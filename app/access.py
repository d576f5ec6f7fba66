"""Deny by default: every route declares who may use it.

A route is declared either by its blueprint's default (``BLUEPRINT_DEFAULTS`` below, or
``access_default(bp, level)``) or, to differ from it, by the ``@access(level)`` decorator on
the view::

    @bp.get("/exports/<int:export_id>")
    @access("staff")
    def download(export_id): ...

A request to a route with no declaration is refused (403, and an error in the log); the test
``tests/test_access.py`` walks the URL map and names every such route. The declared level is
the first gate, checked before the view runs; the services still decide, through
``permissions.can``, what each user may do with each object (a liaison's request of another
institution answers 404 there, whatever the level of the route).

Levels:

``public``      anyone, signed in or not
``signed_in``   any active account
``token``       the JSON API with a personal API token (``Authorization: Bearer``)
``liaison``     institution liaisons
``staff``       the Regents' staff (staff and administrators)
``regents``     staff, administrators and the chancellor
``chancellor``  the chancellor
``admin``       administrators
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user

from app.enums import Role

F = TypeVar("F", bound=Callable)

ATTRIBUTE = "access_level"

ROLES: dict[str, frozenset[Role] | None] = {
    "public": None,
    "signed_in": frozenset(Role),
    "token": frozenset(Role),
    "liaison": frozenset({Role.LIAISON}),
    "staff": frozenset({Role.STAFF, Role.ADMIN}),
    "regents": frozenset({Role.STAFF, Role.ADMIN, Role.CHANCELLOR}),
    "chancellor": frozenset({Role.CHANCELLOR}),
    "admin": frozenset({Role.ADMIN}),
}
LEVELS = frozenset(ROLES)

# Who may use a blueprint's routes unless a route says otherwise with ``@access``.
BLUEPRINT_DEFAULTS: dict[str, str] = {
    "public": "public",
    "api_docs": "public",
    "badges": "public",
    "liaison": "liaison",
    "review": "staff",
    "approvals": "chancellor",
    "admin": "admin",
    "policy_admin": "admin",
    "info": "public",
    "exports": "public",
    "insights": "regents",
    "imports": "staff",
    "synonyms_admin": "staff",
}
# Endpoints that belong to no blueprint.
ENDPOINT_DEFAULTS: dict[str, str] = {"static": "public"}

_MESSAGES = {
    "liaison": "These pages are for institution liaisons.",
    "staff": "This page is for the Regents' staff.",
    "regents": "This page is for the Regents' staff.",
    "chancellor": "This page is for the Chancellor.",
    "admin": "This page is for administrators.",
}


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"Unknown access level {level!r}; use one of {sorted(LEVELS)}.")
    return level


def access(level: str) -> Callable[[F], F]:
    """Declare who may use the decorated view (put it under ``@bp.route``)."""
    _check_level(level)

    def decorate(view: F) -> F:
        setattr(view, ATTRIBUTE, level)
        return view

    return decorate


def access_default(bp: Blueprint, level: str) -> None:
    """Declare who may use every route of ``bp`` that does not declare itself."""
    BLUEPRINT_DEFAULTS[bp.name] = _check_level(level)


def declared_level(app: Flask, endpoint: str) -> str | None:
    """The access level ``endpoint`` declares, or ``None`` when it declares none."""
    view = app.view_functions.get(endpoint)
    level = getattr(view, ATTRIBUTE, None)
    if level is not None:
        return level
    if endpoint in ENDPOINT_DEFAULTS:
        return ENDPOINT_DEFAULTS[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return BLUEPRINT_DEFAULTS.get(blueprint) if blueprint else None


def undeclared_routes(app: Flask) -> list[str]:
    """``"METHODS /rule (endpoint)"`` for every route without a declaration."""
    missing = []
    for rule in app.url_map.iter_rules():
        if declared_level(app, rule.endpoint) is None:
            methods = ",".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
            missing.append(f"{methods} {rule.rule} ({rule.endpoint})")
    return sorted(missing)


def init_access(app: Flask) -> None:
    """Check every request against its route's declaration before the view runs. Register
    after the blueprints, so the user is resolved first."""

    @app.before_request
    def _enforce():
        endpoint = request.endpoint
        if endpoint is None:  # no route matched: the 404/405 answer follows
            return None
        level = declared_level(current_app, endpoint)
        if level is None:
            current_app.logger.error("Route %s declares no access level: refused.", endpoint)
            abort(403, "This address is not open to anyone yet.")
        allowed = ROLES[level]
        if allowed is None:
            return None
        if level == "token":
            from app.auth_loader import bearer_token, unauthorized_json

            if bearer_token(request) is None or not current_user.is_authenticated:
                return unauthorized_json(
                    "Send a personal API token as 'Authorization: Bearer <token>'."
                )
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if current_user.role not in allowed:
            abort(403, _MESSAGES.get(level, "You may not use this page."))
        return None
