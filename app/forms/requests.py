"""The request form, one WTForms form per section. No database writes here.

Each section form reads a request's fields (as ``content_fields`` names them) with
:meth:`SectionForm.load`, turns what was posted into the fields ``DraftSchema`` loads with
:meth:`SectionForm.payload`, and puts a service's field errors back on its controls with
:meth:`SectionForm.apply_errors`. Repeatable rows render what is saved plus one empty row; empty
rows are ignored when saved.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.enums import BadgeLevel, Category, Delivery, EntryType, LearningType, RequestKind

MAX_ROWS = 60


class NumberField(Field):
    """A number typed as text: what was typed is kept, and a typo is a field error."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, integer: bool = False, **kwargs):
        render_kw = kwargs.pop("render_kw", {})
        render_kw = {"inputmode": "numeric" if integer else "decimal", **render_kw}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.integer = integer

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(self.data) if self.integer else f"{self.data:g}"

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip().replace(",", "").removeprefix("$")
        self.data = None
        if not text:
            return
        try:
            value = int(text) if self.integer else float(text)
        except ValueError as exc:
            example = "12" if self.integer else "3 or 1.5"
            raise ValueError(f"Enter a number, such as {example}.") from exc
        if not math.isfinite(value):
            raise ValueError("Enter a number, such as 3 or 1.5.")
        self.data = value


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(enum_cls, blank: str | None = "Not chosen yet") -> list[tuple[str, str]]:
    options = [(m.value, m.label) for m in enum_cls]
    return ([("", blank)] if blank is not None else []) + options


# --- repeatable rows ------------------------------------------------------------------------


class CourseRow(Form):
    code = StringField("Course code")
    title = StringField("Course title")
    credit_hours = NumberField("Credit hours")


class ActivityRow(Form):
    title = StringField("Activity or project")
    clock_hours = NumberField("Clock hours")


class OutcomeRow(Form):
    text = TextAreaField("What a learner will be able to do")
    assessment = StringField("How it is assessed")


class PartnerRow(Form):
    name = StringField("Employer or partner")
    role = StringField(
        "Their role", description="For example: co-designed the curriculum, hires graduates."
    )


def _rows(form_cls, label: str) -> FieldList:
    return FieldList(FormField(form_cls), label=label, max_entries=MAX_ROWS)


def _strings(label: str) -> FieldList:
    return FieldList(StringField(label), label=label, max_entries=MAX_ROWS)


# What the "add another" buttons call each kind of row (for labels, legends and buttons).
ROW_NOUNS = {
    "courses": "course",
    "activities": "activity",
    "learning_outcomes": "outcome",
    "partners": "partner",
    "skills": "skill",
    "industries": "industry",
    "occupations": "occupation",
    "cip_codes": "program",
    "stacks_into": "credential",
}


# --- sections -------------------------------------------------------------------------------


class SectionForm(FlaskForm):
    """A section of the request form. Subclasses list their fields; ``version`` is the request
    version the page was opened at (a stale one is refused by the service)."""

    version = HiddenField()
    # The fields DraftSchema knows, by form field name; the rest are controls.
    text_fields: tuple[str, ...] = ()
    choice_fields: tuple[str, ...] = ()
    number_fields: tuple[str, ...] = ()
    row_fields: tuple[str, ...] = ()
    list_fields: tuple[str, ...] = ()

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None

    def load(self, values: dict[str, Any], extra_rows: dict[str, int] | None = None) -> None:
        """Fill the controls from ``values`` (``content_fields`` names); render each list's
        saved rows plus one empty row (or up to ``extra_rows[name]`` rows)."""
        for name in self.text_fields + self.choice_fields + self.number_fields:
            getattr(self, name).data = self._value_of(name, values)
        for name in self.row_fields + self.list_fields:
            fieldlist: FieldList = getattr(self, name)
            while fieldlist.entries:
                fieldlist.pop_entry()
            for item in values.get(name) or []:
                if name == "learning_outcomes" and not isinstance(item, dict):
                    item = {"text": item, "assessment": None}
                fieldlist.append_entry(item)
            wanted = max(len(fieldlist.entries) + 1, (extra_rows or {}).get(name, 0))
            while len(fieldlist.entries) < min(wanted, MAX_ROWS):
                fieldlist.append_entry()

    def _value_of(self, name: str, values: dict[str, Any]) -> Any:
        return values.get(name)

    def payload(self) -> dict[str, Any]:
        """What was posted, as ``DraftSchema`` names it (empty rows included: the service drops
        them, and keeping them keeps error positions aligned with the rows on the page)."""
        data: dict[str, Any] = {}
        for name in self.text_fields:
            value = (getattr(self, name).data or "").strip()
            data[name] = value if value or name in ("title", "summary") else None
        for name in self.choice_fields:
            data[name] = getattr(self, name).data or None
        for name in self.number_fields:
            data[name] = getattr(self, name).data
        for name in self.row_fields:
            rows = []
            for entry in getattr(self, name).entries:
                row = {}
                for sub in entry.form:
                    if isinstance(sub, NumberField):
                        row[sub.short_name] = sub.data
                    else:
                        row[sub.short_name] = (sub.data or "").strip()
                rows.append(row)
            data[name] = rows
        for name in self.list_fields:
            data[name] = [(entry.data or "").strip() for entry in getattr(self, name).entries]
        return data

    def posted_rows(self) -> dict[str, int]:
        """How many rows of each list the page showed."""
        return {
            name: len(getattr(self, name).entries) for name in self.row_fields + self.list_fields
        }

    # --- errors ---

    def control(self, key: str) -> Field | None:
        """The control a service error key names: ``title``, ``courses[2].credit_hours``,
        ``badge.expires_months``, ``occupations[1]``."""
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", key)
        if not match:
            return None
        name, position, sub = match.groups()
        if name == "badge" and sub:
            name, sub = f"badge_{sub}", None
        field = getattr(self, name, None)
        if not isinstance(field, Field):
            return None
        if position is not None and isinstance(field, FieldList):
            index = int(position) - 1
            if not 0 <= index < len(field.entries):
                return field
            field = field.entries[index]
            if isinstance(field, FormField):
                # A whole row's error goes on its first control.
                field = getattr(field.form, sub or "", None) or next(iter(field.form))
        return field

    def apply_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put each of the service's messages on its control; return those with no control."""
        unplaced = []
        for key, messages in errors.items():
            field = self.control(key)
            if field is None:
                unplaced.extend(messages)
                continue
            field.errors = [*list(field.errors or []), *messages]
        return unplaced

    def error_list(self) -> list[tuple[str, str, str]]:
        """Every error on the page as ``(control id, label, message)``, in page order."""
        out = []

        def walk(field: Field, label: str) -> None:
            if isinstance(field, FieldList):
                out.extend((field.id, label, m) for m in field.errors or [] if isinstance(m, str))
                for position, entry in enumerate(field.entries, start=1):
                    walk(entry, f"{label} {position}")
                return
            if isinstance(field, FormField):
                for sub in field.form:
                    walk(sub, f"{label}, {sub.label.text.lower()}")
                return
            for message in field.errors or []:
                if isinstance(message, str):
                    out.append((field.id, label, message))

        for field in self:
            if field.short_name in ("version", "csrf_token"):
                continue
            noun = ROW_NOUNS.get(field.short_name)
            walk(field, noun.capitalize() if noun else field.label.text)
        return out


class AboutForm(SectionForm):
    title = StringField("Title", description="As learners will see it in the inventory.")
    summary = TextAreaField("Summary", description="One paragraph: what it is and who it is for.")
    description = TextAreaField("Description (optional)")
    purpose = TextAreaField("Purpose", description="Why the institution offers it.")
    audience = TextAreaField("Audience", description="Who it is for.")
    entry_type = RadioField(
        "What it is",
        choices=[
            (EntryType.MICRO_CREDENTIAL.value, "Micro-credential"),
            (EntryType.DIGITAL_BADGE.value, "Digital badge"),
        ],
        default=EntryType.MICRO_CREDENTIAL.value,
        validate_choice=False,
    )
    category = SelectField("Category", choices=_choices(Category), validate_choice=False)
    learning_type = SelectField(
        "Kind of learning", choices=_choices(LearningType), validate_choice=False
    )
    badge_level = SelectField("Badge level", choices=_choices(BadgeLevel), validate_choice=False)
    delivery = RadioField("Delivery", choices=_choices(Delivery, blank=None), validate_choice=False)
    duration_weeks = NumberField("Duration in weeks")
    cost_usd = NumberField("Cost to the learner, in US dollars", description="0 if it is free.")
    enrollment_url = StringField(
        "Enrollment link", description="The web address where a learner signs up (https://…)."
    )
    external_id = StringField(
        "Your reference (optional)", description="The institution's own identifier for it."
    )
    duplicate_explanation = TextAreaField(
        "How this differs from your existing entries (optional)",
        description="If your institution already lists something similar, say how this one "
        "differs: the Regents' staff read it with the near-duplicate check.",
    )

    text_fields = (
        "title",
        "summary",
        "description",
        "purpose",
        "audience",
        "enrollment_url",
        "external_id",
        "duplicate_explanation",
    )
    choice_fields = ("entry_type", "category", "learning_type", "badge_level", "delivery")
    number_fields = ("duration_weeks", "cost_usd")

    def _value_of(self, name, values):
        if name == "entry_type":
            return values.get(name) or EntryType.MICRO_CREDENTIAL.value
        return super()._value_of(name, values)

    def payload(self) -> dict[str, Any]:
        data = super().payload()
        if data["entry_type"] is None:
            del data["entry_type"]
        return data


class CreditForm(SectionForm):
    credit_bearing = RadioField(
        "Does it carry academic credit?",
        choices=[
            ("yes", "Yes, it is made of credit-bearing courses"),
            ("no", "No, it is made of non-credit activities or projects"),
        ],
        default="no",
        validate_choice=False,
    )
    credit_hours = NumberField(
        "Total credit hours", description="The policy allows up to 9 credit hours."
    )

    def set_cap(self, cap: float) -> None:
        """Say the cap the request is held to (the policy setting, not a number in the code)."""
        self.credit_hours.description = f"The policy allows up to {cap:g} credit hours."

    courses = _rows(CourseRow, "Courses")
    clock_hours = NumberField("Total clock hours of non-credit activities")
    activities = _rows(ActivityRow, "Non-credit activities and projects")

    number_fields = ("credit_hours", "clock_hours")
    row_fields = ("courses", "activities")

    def load(self, values, extra_rows=None):
        super().load(values, extra_rows)
        self.credit_bearing.data = "yes" if values.get("credit_bearing") else "no"

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "credit_bearing": self.credit_bearing.data == "yes"}


class OutcomesForm(SectionForm):
    learning_outcomes = _rows(OutcomeRow, "Learning outcomes")
    assessment = TextAreaField("How learning is assessed overall (optional)")
    skills = _strings("Skills")
    competencies = CheckboxesField("Career readiness competencies (NACE)", choices=[])
    focus_areas = CheckboxesField("State focus areas", choices=[])

    text_fields = ("assessment",)
    row_fields = ("learning_outcomes",)
    list_fields = ("skills",)

    def set_options(self, options) -> None:
        self.competencies.choices = [(title, title) for _, title in options.competencies]
        self.focus_areas.choices = [(title, title) for _, title in options.focus_areas]

    def load(self, values, extra_rows=None):
        super().load(values, extra_rows)
        self.competencies.data = list(values.get("competencies") or [])
        self.focus_areas.data = list(values.get("focus_areas") or [])

    def payload(self) -> dict[str, Any]:
        return {
            **super().payload(),
            "competencies": list(self.competencies.data or []),
            "focus_areas": list(self.focus_areas.data or []),
        }


class WorkforceForm(SectionForm):
    industries = _strings("Industries (NAICS)")
    occupations = _strings("Occupations (SOC 2018)")
    cip_codes = _strings("Programs (CIP 2020)")
    partners = _rows(PartnerRow, "Employer and industry partners")
    demand_evidence = TextAreaField(
        "Evidence of workforce demand",
        description="Labor-market data, employer letters, job postings.",
    )
    interest_evidence = TextAreaField("Evidence of learner interest")
    promotion_plan = TextAreaField("How it will be promoted")
    stacks_into = _strings("Larger credentials it stacks into")

    text_fields = ("demand_evidence", "interest_evidence", "promotion_plan")
    row_fields = ("partners",)
    list_fields = ("industries", "occupations", "cip_codes", "stacks_into")


class BadgeForm(SectionForm):
    badge_name = StringField("Badge name")
    badge_issuer = StringField("Issuer", description="Who issues the badge.")
    badge_description = TextAreaField("Badge description")
    badge_criteria = TextAreaField("Criteria", description="What an earner must do to earn it.")
    badge_evidence = TextAreaField("Evidence an earner must show")
    badge_platform = StringField("Where it is issued", description="For example: Credly.")
    badge_expires_months = NumberField(
        "Expires after (months)", integer=True, description="Leave empty if it does not expire."
    )
    badge_image = FileField("Badge image", description="A PNG or SVG file of at most 512 KB.")
    badge_image_url = StringField(
        "Or the address of the badge image", description="Leave as it is to keep the current image."
    )

    BADGE_KEYS = (
        "name",
        "issuer",
        "description",
        "criteria",
        "evidence",
        "platform",
        "expires_months",
        "image_url",
    )

    def load(self, values, extra_rows=None):
        super().load(values, extra_rows)
        badge = values.get("badge") or {}
        for key in self.BADGE_KEYS:
            getattr(self, f"badge_{key}").data = badge.get(key)

    def payload(self) -> dict[str, Any]:
        badge: dict[str, Any] = {}
        for key in self.BADGE_KEYS:
            value = getattr(self, f"badge_{key}").data
            if isinstance(value, str):
                value = value.strip() or None
            badge[key] = value
        return {"badge": badge}


class RetirementForm(SectionForm):
    retirement_reason = TextAreaField(
        "Why is it being retired?",
        description="For example: no longer offered, replaced by a new credential.",
    )
    retirement_effective_on = StringField(
        "Effective date",
        description="The first day it is no longer offered to new learners (YYYY-MM-DD).",
    )
    retirement_teach_out = TextAreaField(
        "Teach-out for current learners",
        description="How learners already enrolled will finish, and by when; or say that none "
        "are enrolled.",
    )

    text_fields = ("retirement_reason", "retirement_effective_on", "retirement_teach_out")


class ReviewForm(SectionForm):
    """The last section shows everything and submits; it saves nothing itself."""


class ActionForm(FlaskForm):
    """Submit, resubmit or withdraw: the version the page showed, and an optional note."""

    version = HiddenField()
    comment = TextAreaField("Note to the State Regents' staff (optional)")

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    form: type[SectionForm]


SECTIONS = {
    s.name: s
    for s in (
        Section("about", "About", AboutForm),
        Section("credit", "Credit and courses", CreditForm),
        Section("outcomes", "Outcomes and skills", OutcomesForm),
        Section("workforce", "Workforce alignment", WorkforceForm),
        Section("badge", "Badge", BadgeForm),
        Section("retirement", "Retirement", RetirementForm),
        Section("review", "Review and submit", ReviewForm),
    )
}

_FULL = ("about", "credit", "outcomes", "workforce", "badge", "review")
_BY_KIND = {
    RequestKind.ENDORSEMENT: _FULL,
    RequestKind.LISTING: _FULL,
    RequestKind.CHANGE: _FULL,
    RequestKind.BADGE: ("about", "badge", "outcomes", "credit", "workforce", "review"),
    RequestKind.RETIREMENT: ("retirement", "review"),
}

# The section where each field is asked (to link a problem to the page that fixes it).
FIELD_SECTION = {
    name: section
    for section, form in (
        ("about", AboutForm),
        ("credit", CreditForm),
        ("outcomes", OutcomesForm),
        ("workforce", WorkforceForm),
        ("retirement", RetirementForm),
    )
    for name, value in vars(form).items()
    if isinstance(value, UnboundField)
}
FIELD_SECTION["badge"] = "badge"


def sections_for(kind: RequestKind) -> list[Section]:
    return [SECTIONS[name] for name in _BY_KIND[kind]]


def section_of(field_key: str) -> str | None:
    """The section that asks the field an error key names (``courses[2].title`` → credit)."""
    name = re.split(r"[\[.]", field_key, maxsplit=1)[0]
    if name.startswith("badge"):
        return "badge"
    return FIELD_SECTION.get(name)


def first_section(kind: RequestKind) -> Section:
    return sections_for(kind)[0]
