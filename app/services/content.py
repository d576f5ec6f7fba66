"""A request's content fields: reading them from a form or API payload, writing them back out,
copying a published entry's content into a new request."""

from __future__ import annotations

from typing import Any

from app.enums import BadgeLevel, Category, Delivery, EntryType, LearningType, TaxonomyKind
from app.models import (
    Activity,
    ContentTerm,
    Course,
    CredentialContent,
    Outcome,
    Partner,
    Skill,
    StackTarget,
)
from app.services.records import TERM_FIELDS, content_record
from app.services.reference import Resolver

_ENUMS = {
    "entry_type": EntryType,
    "category": Category,
    "learning_type": LearningType,
    "badge_level": BadgeLevel,
    "delivery": Delivery,
}
_SCALARS = (
    "title",
    "summary",
    "description",
    "purpose",
    "audience",
    "credit_bearing",
    "credit_hours",
    "clock_hours",
    "duration_weeks",
    "cost_usd",
    "assessment",
    "enrollment_url",
    "demand_evidence",
    "interest_evidence",
    "promotion_plan",
)
CONTENT_BADGE_FIELDS = (
    "name",
    "issuer",
    "description",
    "criteria",
    "evidence",
    "image_url",
    "platform",
    "expires_months",
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def apply_fields(content: CredentialContent, data: dict[str, Any], resolver: Resolver) -> dict:
    """Set the fields present in ``data`` (loaded by ``DraftSchema``) on ``content``.

    Returns ``{field: [messages]}`` for references that do not resolve (unknown SOC code …);
    those values are left out, the rest is applied.
    """
    errors: dict[str, list[str]] = {}
    for name, enum_cls in _ENUMS.items():
        if name in data:
            value = _clean(data[name])
            if name == "entry_type":
                content.entry_type = enum_cls(value) if value else EntryType.MICRO_CREDENTIAL
            else:
                setattr(content, name, enum_cls(value) if value else None)
    for name in _SCALARS:
        if name in data:
            value = _clean(data[name])
            if name in ("title", "summary"):
                value = value or ""
            if name == "credit_bearing":
                value = bool(value)
            setattr(content, name, value)
    if "courses" in data:
        content.courses = [
            Course(
                code=_clean(c.get("code")) or "",
                title=_clean(c.get("title")) or "",
                credit_hours=c.get("credit_hours"),
            )
            for c in data["courses"]
            if _clean(c.get("code")) or _clean(c.get("title")) or c.get("credit_hours") is not None
        ]
    if "activities" in data:
        content.activities = [
            Activity(title=_clean(a.get("title")) or "", clock_hours=a.get("clock_hours"))
            for a in data["activities"]
            if _clean(a.get("title")) or a.get("clock_hours") is not None
        ]
    if "learning_outcomes" in data:
        outcomes = []
        for item in data["learning_outcomes"]:
            if isinstance(item, dict):
                text, assessment = _clean(item.get("text")), _clean(item.get("assessment"))
            else:
                text, assessment = _clean(str(item)), None
            if text or assessment:
                outcomes.append(Outcome(text=text or "", assessment=assessment))
        content.outcomes = outcomes
    if "partners" in data:
        content.partners = [
            Partner(name=_clean(p.get("name")), role=_clean(p.get("role")))
            for p in data["partners"]
            if _clean(p.get("name"))
        ]
    if "skills" in data:
        names = list(dict.fromkeys(s for s in map(_clean, data["skills"]) if s))
        content.skills = [Skill(name=name) for name in names]
    if "stacks_into" in data:
        names = list(dict.fromkeys(s for s in map(_clean, data["stacks_into"]) if s))
        content.stacks = [StackTarget(name=name) for name in names]
    if "badge" in data:
        badge = data["badge"] or {}
        for name in CONTENT_BADGE_FIELDS:
            setattr(content, f"badge_{name}", _clean(badge.get(name)))
    if any(name in data for name in TERM_FIELDS):
        # Keep the link rows that stay, so an unchanged term is never deleted and re-inserted.
        existing = {link.term.id: link for link in content.term_links}
        links = []
        for field_name, kind in TERM_FIELDS.items():
            if field_name not in data:
                links.extend(link for link in content.term_links if link.term.kind is kind)
                continue
            seen = set()
            for position, value in enumerate(data[field_name], start=1):
                value = _clean(value)
                if not value:
                    continue
                term = resolver.term(kind, value)
                if term is None:
                    errors.setdefault(f"{field_name}[{position}]", []).append(
                        resolver.unknown_message(kind, value)
                    )
                elif term.id not in seen:
                    seen.add(term.id)
                    links.append(existing.get(term.id) or ContentTerm(term=term))
        content.term_links = links
    return errors


def content_fields(content: CredentialContent) -> dict[str, Any]:
    """Every field of ``content`` as the form and the API name them."""
    fields = content_record(content)
    fields.update(
        purpose=content.purpose,
        audience=content.audience,
        activities=[{"title": a.title, "clock_hours": a.clock_hours} for a in content.activities],
        learning_outcomes=[{"text": o.text, "assessment": o.assessment} for o in content.outcomes],
        demand_evidence=content.demand_evidence,
        interest_evidence=content.interest_evidence,
        promotion_plan=content.promotion_plan,
        badge={name: getattr(content, f"badge_{name}") for name in CONTENT_BADGE_FIELDS},
    )
    return fields


def copy_content(content: CredentialContent) -> CredentialContent:
    """A new, independent content saying the same as ``content`` (a change request's start)."""
    fresh = CredentialContent()
    data = content_fields(content)
    data["industries"] = [t.code for t in content.industries]
    apply_fields(fresh, data, _PassThroughResolver(content))
    return fresh


class _PassThroughResolver:
    """Resolves exactly the terms ``content`` already links (no database round trip)."""

    def __init__(self, content: CredentialContent) -> None:
        self._terms = {}
        for link in content.term_links:
            term = link.term
            self._terms[(term.kind, term.code)] = term
            self._terms[(term.kind, term.title)] = term

    def term(self, kind: TaxonomyKind, value: str):
        return self._terms.get((kind, value))

    def unknown_message(self, kind: TaxonomyKind, value: str) -> str:
        return f"Unknown {kind.label.lower()} {value!r}."
