"""The words of the inventory, explained: what the about page lists from the vocabularies."""

from __future__ import annotations

from app.enums import TaxonomyKind
from app.extensions import db
from app.models import TaxonomyTerm


def terms(kind: TaxonomyKind) -> list[str]:
    """Anyone: the titles of one vocabulary (competencies, focus areas), in title order."""
    return list(
        db.session.scalars(
            db.select(TaxonomyTerm.title)
            .where(TaxonomyTerm.kind == kind)
            .order_by(TaxonomyTerm.title)
        )
    )
