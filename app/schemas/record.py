"""The inventory record format (see RECORD-FORMAT.md): one published entry as a JSON object.

This schema checks a record's shape; references to institutions and taxonomy terms are resolved
by ``app.services.records``, which knows the database.
"""

from __future__ import annotations

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from app.enums import (
    BadgeLevel,
    Category,
    Delivery,
    Endorsement,
    EntryStatus,
    EntryType,
    LearningType,
)

DEFAULT_CREDIT_HOUR_CAP = 9.0


def _choice(enum_cls) -> validate.OneOf:
    values = [m.value for m in enum_cls]
    return validate.OneOf(values, error="Must be one of: " + ", ".join(values) + ".")


_text = validate.Length(min=1, error="Must not be empty.")
_hours = validate.Range(min=0, error="Must be 0 or more.")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class CourseSchema(_Strict):
    code = fields.String(required=True, validate=_text)
    title = fields.String(required=True, validate=_text)
    credit_hours = fields.Float(required=True, validate=_hours, allow_nan=False)


class PartnerSchema(_Strict):
    name = fields.String(required=True, validate=_text)
    role = fields.String(load_default=None, allow_none=True)


class BadgeSchema(_Strict):
    name = fields.String(required=True, validate=_text)
    issuer = fields.String(required=True, validate=_text)
    criteria = fields.String(required=True, validate=_text)
    image_url = fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False
    )
    platform = fields.String(load_default=None, allow_none=True)
    expires_months = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1)
    )


def _strings(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=_text), **kwargs)


class RecordSchema(_Strict):
    """One inventory record. ``credit_hour_cap`` bounds the credit hours of endorsed entries."""

    def __init__(self, *args, credit_hour_cap: float = DEFAULT_CREDIT_HOUR_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.credit_hour_cap = credit_hour_cap

    external_id = fields.String(required=True, validate=[_text, validate.Length(max=100)])
    institution = fields.String(required=True, validate=_text)
    entry_type = fields.String(required=True, validate=_choice(EntryType))
    title = fields.String(required=True, validate=[_text, validate.Length(max=300)])
    summary = fields.String(required=True, validate=_text)
    description = fields.String(load_default=None, allow_none=True)
    endorsement = fields.String(required=True, validate=_choice(Endorsement))
    category = fields.String(load_default=None, allow_none=True, validate=_choice(Category))
    learning_type = fields.String(
        load_default=None, allow_none=True, validate=_choice(LearningType)
    )
    badge_level = fields.String(load_default=None, allow_none=True, validate=_choice(BadgeLevel))
    credit_bearing = fields.Boolean(required=True)
    credit_hours = fields.Float(
        load_default=None, allow_none=True, validate=_hours, allow_nan=False
    )
    courses = fields.List(fields.Nested(CourseSchema), load_default=list)
    clock_hours = fields.Float(load_default=None, allow_none=True, validate=_hours, allow_nan=False)
    delivery = fields.String(required=True, validate=_choice(Delivery))
    duration_weeks = fields.Float(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, error="Must be more than 0."),
    )
    cost_usd = fields.Float(load_default=None, allow_none=True, validate=_hours, allow_nan=False)
    skills = _strings(
        required=True, validate=validate.Length(min=1, error="At least one skill is required.")
    )
    competencies = _strings(load_default=list)
    focus_areas = _strings(load_default=list)
    industries = _strings(load_default=list)
    occupations = _strings(load_default=list)
    cip_codes = _strings(load_default=list)
    partners = fields.List(fields.Nested(PartnerSchema), load_default=list)
    learning_outcomes = _strings(load_default=list)
    assessment = fields.String(load_default=None, allow_none=True)
    stacks_into = _strings(load_default=list)
    enrollment_url = fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False
    )
    badge = fields.Nested(BadgeSchema, load_default=None, allow_none=True)
    published_at = fields.Date(load_default=None, allow_none=True)
    status = fields.String(load_default=EntryStatus.ACTIVE.value, validate=_choice(EntryStatus))

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        cap = float(self.credit_hour_cap)
        hours = data.get("credit_hours")
        if data.get("credit_bearing") is True and hours is None:
            errors["credit_hours"] = ["Required when the entry is credit-bearing."]
        if (
            hours is not None
            and data.get("endorsement") == Endorsement.ENDORSED.value
            and hours > cap
        ):
            errors["credit_hours"] = [
                f"An endorsed micro-credential has at most {cap:g} credit hours; "
                f"this has {hours:g}."
            ]
        if data.get("entry_type") == EntryType.DIGITAL_BADGE.value and not data.get("badge"):
            errors["badge"] = ["Required for a digital badge (name, issuer, criteria)."]
        if errors:
            raise ValidationError(errors)
