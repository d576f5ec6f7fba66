"""Cross-origin reading of the public data: any site may call the read-only API and the
exports from a browser. Nothing that needs a session or a token is shared this way."""

from __future__ import annotations

from flask import Flask, Response, request

PRIVATE_API_PREFIXES = ("/api/v1/requests",)
PUBLIC_DATA_BLUEPRINTS = frozenset({"api", "exports"})
PUBLIC_DATA_PATHS = frozenset({"/search.csv", "/feed.xml"})


def is_public_read() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(PRIVATE_API_PREFIXES):
        return False
    return request.blueprint in PUBLIC_DATA_BLUEPRINTS or request.path in PUBLIC_DATA_PATHS


def register_cors(app: Flask) -> None:
    @app.after_request
    def _allow_reading(response: Response) -> Response:
        if is_public_read():
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "Link, X-Total-Count"
        return response
