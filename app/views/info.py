"""The pages a state site owes its visitors: what the inventory's words mean, accessibility,
privacy and how to reach the State Regents."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from app.enums import BadgeLevel, Category, Delivery, LearningType, TaxonomyKind
from app.services import glossary, policy

bp = Blueprint("info", __name__)


@bp.get("/about")
def about():
    """What a micro-credential and a digital badge are, and what every filter value means."""
    return render_template(
        "info/about.html",
        categories=list(Category),
        learning_types=list(LearningType),
        badge_levels=list(BadgeLevel),
        deliveries=list(Delivery),
        competencies=glossary.terms(TaxonomyKind.COMPETENCY),
        focus_areas=glossary.terms(TaxonomyKind.FOCUS_AREA),
        cap=policy.credit_hour_cap(),
    )


@bp.get("/accessibility")
def accessibility():
    return render_template("info/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("info/privacy.html")


@bp.get("/contact")
def contact():
    return render_template("info/contact.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by habit; the icon is an SVG among the static files."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
