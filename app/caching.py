"""HTTP caching of what everyone may read: an ETag on every public page, API answer and
export, so a client that asks again gets 304 Not Modified until the content changes (a new
publication changes the search results, and so their ETag)."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

PUBLIC_BLUEPRINTS = frozenset({"public", "api", "exports", "info"})
PRIVATE_API_PREFIXES = ("/api/v1/requests",)
# Shared data may be kept briefly by browsers and proxies; pages are checked every time.
DATA_MAX_AGE = 60


def _cacheable(response: Response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and request.blueprint in PUBLIC_BLUEPRINTS
        and not request.path.startswith(PRIVATE_API_PREFIXES)
        and not response.is_streamed
        and not response.direct_passthrough
        and "Cache-Control" not in response.headers
    )


def register_caching(app: Flask) -> None:
    @app.after_request
    def _conditional(response: Response) -> Response:
        if not _cacheable(response):
            return response
        if current_user.is_authenticated:
            # The page names who is signed in: only their own browser may keep it.
            response.headers["Cache-Control"] = "private, no-cache"
        elif response.mimetype == "text/html":
            response.headers["Cache-Control"] = "public, no-cache"
        else:
            response.headers["Cache-Control"] = f"public, max-age={DATA_MAX_AGE}"
        response.vary.add("Cookie")
        response.add_etag()
        return response.make_conditional(request)
