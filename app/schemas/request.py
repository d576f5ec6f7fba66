"""A request form's fields, as the liaison's form and the workflow API send them.

Named as in the record format, plus what only the form asks (purpose, audience, activities,
evidence of demand and interest, promotion, badge description and evidence). A draft may be
incomplete, so nothing is required here; each present field must still have the right type.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from app.enums import BadgeLevel, Category, Delivery, EntryType, LearningType
from app.schemas.record import _choice

_opt = {"load_default": None, "allow_none": True}

# Bounds on what a request may hold: generous for real text, small enough that a page stays
# quick to save and to read. Each failure says the limit and how far over it is.
SHORT, LINE, TEXT, LONG = 300, 1_000, 5_000, 20_000
MAX_ITEMS = 60
MAX_WEEKS = 520  # ten years
MAX_COST = 1_000_000
MAX_HOURS = 999


class _Bounded(validate.Length):
    def _format_error(self, value, message):
        text = self.error or message
        return text.format(input_len=f"{len(value):,}", min=self.min, max=self.max)


def _text(limit: int, **kwargs):
    return fields.String(
        validate=_Bounded(
            max=limit, error=f"Keep it to {limit:,} characters or fewer (it has {{input_len}})."
        ),
        **kwargs,
    )


def _items(inner, noun: str = "items"):
    return fields.List(
        inner,
        validate=validate.Length(max=MAX_ITEMS, error=f"List at most {MAX_ITEMS} {noun}."),
    )


_bounded_hours = validate.Range(min=0, max=MAX_HOURS, error=f"Give a number from 0 to {MAX_HOURS}.")


class _Lenient(Schema):
    class Meta:
        unknown = RAISE


class DraftCourseSchema(_Lenient):
    code = _text(50, load_default="")
    title = _text(SHORT, load_default="")
    credit_hours = fields.Float(validate=_bounded_hours, allow_nan=False, **_opt)


class DraftActivitySchema(_Lenient):
    title = _text(SHORT, load_default="")
    clock_hours = fields.Float(validate=_bounded_hours, allow_nan=False, **_opt)


class DraftOutcomeSchema(_Lenient):
    text = _text(LINE, load_default="")
    assessment = _text(LINE, **_opt)


class DraftPartnerSchema(_Lenient):
    name = _text(SHORT, load_default="")
    role = _text(LINE, **_opt)


_URL_ERROR = "Give a web address that starts with https:// (or http://)."


def _url(**kwargs):
    return fields.Url(
        schemes={"http", "https"},
        require_tld=False,
        validate=_Bounded(max=500, error="Keep the address to 500 characters or fewer."),
        error_messages={"invalid": _URL_ERROR},
        **kwargs,
    )


class DraftBadgeSchema(_Lenient):
    name = _text(SHORT, **_opt)
    issuer = _text(SHORT, **_opt)
    description = _text(TEXT, **_opt)
    criteria = _text(TEXT, **_opt)
    evidence = _text(TEXT, **_opt)
    image_url = _url(**_opt)
    platform = _text(200, **_opt)
    expires_months = fields.Integer(
        validate=validate.Range(min=1, max=1200, error="Give a number of months from 1 to 1200."),
        **_opt,
    )


def _strings(limit: int = SHORT, noun: str = "items"):
    return _items(_text(limit), noun)


class DraftSchema(_Lenient):
    """The content fields of a request (every one optional; PATCH changes only those sent)."""

    external_id = _text(100, allow_none=True)
    entry_type = fields.String(validate=_choice(EntryType))
    title = _text(SHORT)
    summary = _text(2_000)
    description = _text(LONG, allow_none=True)
    purpose = _text(TEXT, allow_none=True)
    audience = _text(TEXT, allow_none=True)
    category = fields.String(validate=_choice(Category), allow_none=True)
    learning_type = fields.String(validate=_choice(LearningType), allow_none=True)
    badge_level = fields.String(validate=_choice(BadgeLevel), allow_none=True)
    credit_bearing = fields.Boolean()
    credit_hours = fields.Float(validate=_bounded_hours, allow_nan=False, allow_none=True)
    courses = _items(fields.Nested(DraftCourseSchema), "courses")
    clock_hours = fields.Float(validate=_bounded_hours, allow_nan=False, allow_none=True)
    activities = _items(fields.Nested(DraftActivitySchema), "activities")
    delivery = fields.String(validate=_choice(Delivery), allow_none=True)
    duration_weeks = fields.Float(
        validate=validate.Range(
            min=0,
            max=MAX_WEEKS,
            min_inclusive=False,
            error=f"Give a duration of more than 0 and at most {MAX_WEEKS} weeks.",
        ),
        allow_nan=False,
        allow_none=True,
    )
    cost_usd = fields.Float(
        validate=validate.Range(
            min=0, max=MAX_COST, error=f"Give a cost from 0 to {MAX_COST:,} US dollars."
        ),
        allow_nan=False,
        allow_none=True,
    )
    skills = _strings(200, "skills")
    competencies = _strings(200, "competencies")
    focus_areas = _strings(200, "focus areas")
    industries = _strings(200, "industries")
    occupations = _strings(200, "occupations")
    cip_codes = _strings(200, "CIP codes")
    partners = _items(fields.Nested(DraftPartnerSchema), "partners")
    learning_outcomes = _items(fields.Raw(), "learning outcomes")  # strings or {text, assessment}
    assessment = _text(TEXT, allow_none=True)
    demand_evidence = _text(TEXT, allow_none=True)
    interest_evidence = _text(TEXT, allow_none=True)
    promotion_plan = _text(TEXT, allow_none=True)
    stacks_into = _strings(SHORT, "credentials")
    enrollment_url = _url(allow_none=True)
    badge = fields.Nested(DraftBadgeSchema, allow_none=True)
    retirement_reason = _text(TEXT, allow_none=True)
    retirement_effective_on = fields.Date(
        allow_none=True, error_messages={"invalid": "Give the date as YYYY-MM-DD."}
    )
    retirement_teach_out = _text(TEXT, allow_none=True)
    duplicate_explanation = _text(TEXT, allow_none=True)

    @validates("learning_outcomes")
    def _outcomes_bounded(self, value, **_kwargs):
        for item in value:
            texts = item.values() if isinstance(item, dict) else [item]
            if any(isinstance(t, str) and len(t) > LINE for t in texts):
                raise ValidationError(f"Keep each outcome to {LINE:,} characters or fewer.")
