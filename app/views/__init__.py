"""Blueprints by audience. Views are thin: parse input, call one service, render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.extensions import csrf
    from app.views.admin import bp as admin_bp
    from app.views.api import bp as api_bp
    from app.views.api_docs import bp as api_docs_bp
    from app.views.approvals import bp as approvals_bp
    from app.views.auth import bp as auth_bp
    from app.views.exports import bp as exports_bp
    from app.views.imports import bp as imports_bp
    from app.views.info import bp as info_bp
    from app.views.insights import bp as insights_bp
    from app.views.liaison import badges_bp
    from app.views.liaison import bp as liaison_bp
    from app.views.policy_admin import bp as policy_admin_bp
    from app.views.public import bp as public_bp
    from app.views.review import bp as review_bp
    from app.views.synonyms_admin import bp as synonyms_admin_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(info_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(liaison_bp)
    app.register_blueprint(badges_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(policy_admin_bp)
    app.register_blueprint(synonyms_admin_bp)
    app.register_blueprint(imports_bp)
    csrf.exempt(api_bp)

    from app.cors import register_cors

    register_cors(app)

    from app.caching import register_caching

    register_caching(app)

    from app.services import demand

    @app.after_request
    def _write_demand_counts(response):
        demand.flush_if_due()
        return response
