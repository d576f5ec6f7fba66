"""Blueprints by audience. Views are thin: parse input, call one service, render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.extensions import csrf
    from app.views.admin import bp as admin_bp
    from app.views.api import bp as api_bp
    from app.views.api_docs import bp as api_docs_bp
    from app.views.auth import bp as auth_bp
    from app.views.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    csrf.exempt(api_bp)
