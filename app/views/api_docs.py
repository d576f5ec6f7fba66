"""The OpenAPI document of the JSON API and the page that renders it."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, current_app, jsonify, render_template

bp = Blueprint("api_docs", __name__)

DOCUMENTED_BLUEPRINTS = ("api", "exports")
# Exports served among the public pages.
DOCUMENTED_ENDPOINTS = ("public.search_csv", "public.feed")


def build_spec() -> dict:
    """Describe every view of the documented blueprints from their docstrings and schemas."""
    spec = APISpec(
        title="Statewide Micro-Credential Inventory API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[FlaskPlugin(), MarshmallowPlugin()],
        info={
            "description": "Search and read the public inventory of micro-credentials and "
            "digital badges. Entries use the inventory record format.",
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    from app.schemas import api as schemas

    for name in (
        "SearchArgsSchema",
        "SearchResponseSchema",
        "CredentialSchema",
        "SuggestResponseSchema",
        "InstitutionListSchema",
        "FacetsResponseSchema",
        "ErrorSchema",
        "RecordSchema",
    ):
        spec.components.schema(name.removesuffix("Schema"), schema=getattr(schemas, name))
    for rule in current_app.url_map.iter_rules():
        if (
            rule.endpoint.split(".")[0] in DOCUMENTED_BLUEPRINTS
            or rule.endpoint in DOCUMENTED_ENDPOINTS
        ):
            view = current_app.view_functions[rule.endpoint]
            spec.path(view=view, app=current_app)
    return spec.to_dict()


@bp.get("/api/v1/openapi.json")
def openapi():
    return jsonify(build_spec())


@bp.get("/api")
def docs():
    return render_template("api_docs.html")
