"""A request form's fields, as the liaison's form and the workflow API send them.

Named as in the record format, plus what only the form asks (purpose, audience, activities,
evidence of demand and interest, promotion, badge description and evidence). A draft may be
incomplete, so nothing is required here; each present field must still have the right type.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.enums import BadgeLevel, Category, Delivery, EntryType, LearningType
from app.schemas.record import _choice, _hours

_opt = {"load_default": None, "allow_none": True}


class _Lenient(Schema):
    class Meta:
        unknown = RAISE


class DraftCourseSchema(_Lenient):
    code = fields.String(load_default="")
    title = fields.String(load_default="")
    credit_hours = fields.Float(validate=_hours, allow_nan=False, **_opt)


class DraftActivitySchema(_Lenient):
    title = fields.String(load_default="")
    clock_hours = fields.Float(validate=_hours, allow_nan=False, **_opt)


class DraftOutcomeSchema(_Lenient):
    text = fields.String(load_default="")
    assessment = fields.String(**_opt)


class DraftPartnerSchema(_Lenient):
    name = fields.String(load_default="")
    role = fields.String(**_opt)


class DraftBadgeSchema(_Lenient):
    name = fields.String(**_opt)
    issuer = fields.String(**_opt)
    description = fields.String(**_opt)
    criteria = fields.String(**_opt)
    evidence = fields.String(**_opt)
    image_url = fields.Url(schemes={"http", "https"}, require_tld=False, **_opt)
    platform = fields.String(**_opt)
    expires_months = fields.Integer(validate=validate.Range(min=1), **_opt)


def _strings():
    return fields.List(fields.String())


class DraftSchema(_Lenient):
    """The content fields of a request (every one optional; PATCH changes only those sent)."""

    external_id = fields.String(validate=validate.Length(max=100), allow_none=True)
    entry_type = fields.String(validate=_choice(EntryType))
    title = fields.String(validate=validate.Length(max=300))
    summary = fields.String()
    description = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    audience = fields.String(allow_none=True)
    category = fields.String(validate=_choice(Category), allow_none=True)
    learning_type = fields.String(validate=_choice(LearningType), allow_none=True)
    badge_level = fields.String(validate=_choice(BadgeLevel), allow_none=True)
    credit_bearing = fields.Boolean()
    credit_hours = fields.Float(validate=_hours, allow_nan=False, allow_none=True)
    courses = fields.List(fields.Nested(DraftCourseSchema))
    clock_hours = fields.Float(validate=_hours, allow_nan=False, allow_none=True)
    activities = fields.List(fields.Nested(DraftActivitySchema))
    delivery = fields.String(validate=_choice(Delivery), allow_none=True)
    duration_weeks = fields.Float(
        validate=validate.Range(min=0, min_inclusive=False), allow_nan=False, allow_none=True
    )
    cost_usd = fields.Float(validate=_hours, allow_nan=False, allow_none=True)
    skills = _strings()
    competencies = _strings()
    focus_areas = _strings()
    industries = _strings()
    occupations = _strings()
    cip_codes = _strings()
    partners = fields.List(fields.Nested(DraftPartnerSchema))
    learning_outcomes = fields.List(fields.Raw())  # strings, or {text, assessment}
    assessment = fields.String(allow_none=True)
    demand_evidence = fields.String(allow_none=True)
    interest_evidence = fields.String(allow_none=True)
    promotion_plan = fields.String(allow_none=True)
    stacks_into = _strings()
    enrollment_url = fields.Url(schemes={"http", "https"}, require_tld=False, allow_none=True)
    badge = fields.Nested(DraftBadgeSchema, allow_none=True)
    retirement_reason = fields.String(allow_none=True)
