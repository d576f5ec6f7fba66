"""Response headers that protect every response (pages, JSON, errors, static files, downloads):
a Content-Security-Policy without inline scripts (pages carry none), no framing, no MIME
sniffing, a strict referrer policy, and HSTS outside development."""

from __future__ import annotations

from flask import Flask, Response

HSTS = "max-age=31536000; includeSubDomains"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # USWDS and Swagger UI set style attributes from their scripts.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    # A developer's own machine serves plain HTTP; everywhere else browsers must stick to HTTPS.
    hsts = app.config.get("APP_ENV", "development") != "development"

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
