"""The inventory record format: reading files of records, validating them, and mapping a
record to a credential's content and back. See RECORD-FORMAT.md."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from marshmallow import ValidationError

from app.enums import (
    BadgeLevel,
    Category,
    Delivery,
    Endorsement,
    EntryStatus,
    EntryType,
    LearningType,
    TaxonomyKind,
)
from app.models import (
    ContentTerm,
    Course,
    CredentialContent,
    Entry,
    Institution,
    Outcome,
    Partner,
    Skill,
    StackTarget,
    TaxonomyTerm,
)
from app.schemas.record import RecordSchema
from app.services.reference import Resolver

TERM_FIELDS: dict[str, TaxonomyKind] = {
    "competencies": TaxonomyKind.COMPETENCY,
    "focus_areas": TaxonomyKind.FOCUS_AREA,
    "industries": TaxonomyKind.INDUSTRY,
    "occupations": TaxonomyKind.OCCUPATION,
    "cip_codes": TaxonomyKind.CIP,
}

LIST_FIELDS = (
    "skills",
    "competencies",
    "focus_areas",
    "industries",
    "occupations",
    "cip_codes",
    "learning_outcomes",
    "stacks_into",
)
NUMBER_FIELDS = ("credit_hours", "clock_hours", "duration_weeks", "cost_usd")
BADGE_FIELDS = ("name", "issuer", "criteria", "image_url", "platform", "expires_months")
# The badge's fields as CSV columns ("badge_level" is a field of the entry, not of the badge).
BADGE_COLUMNS = {f"badge_{name}": name for name in BADGE_FIELDS}
CSV_COLUMNS = (
    "external_id",
    "institution",
    "entry_type",
    "title",
    "summary",
    "description",
    "endorsement",
    "category",
    "learning_type",
    "badge_level",
    "credit_bearing",
    "credit_hours",
    "courses",
    "clock_hours",
    "delivery",
    "duration_weeks",
    "cost_usd",
    "skills",
    "competencies",
    "focus_areas",
    "industries",
    "occupations",
    "cip_codes",
    "partners",
    "learning_outcomes",
    "assessment",
    "stacks_into",
    "enrollment_url",
    *BADGE_COLUMNS,
    "published_at",
    "status",
)

# Columns an export adds for people who read it (names beside the codes, the entry's page);
# the import ignores them, so an export still imports back unchanged.
READING_COLUMNS = ("institution_name", "industry_titles", "occupation_titles", "url")


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class ValidRecord:
    """A record that passed validation, with its references resolved."""

    line: int
    data: dict[str, Any]
    institution: Institution
    terms: dict[str, list[TaxonomyTerm]] = field(default_factory=dict)


# --- reading files -----------------------------------------------------------------------


def read_records(path: Path) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Read a JSON Lines (``.jsonl``/``.json``) or CSV (``.csv``) file of records.

    Returns ``(rows, problems)``: each row is ``(line number, raw record)``.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "", "The file is not UTF-8 text.")]
    if path.suffix.lower() == ".csv":
        return _read_csv(text)
    return _read_jsonl(text)


def _read_jsonl(text: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    rows, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(number, "", f"Not valid JSON: {exc.msg} (column {exc.colno})."))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(number, "", "Each line must be one JSON object."))
            continue
        rows.append((number, value))
    return rows, problems


def _read_csv(text: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    rows, problems = [], []
    reader = csv.DictReader(io.StringIO(text))
    unknown = [
        c
        for c in (reader.fieldnames or [])
        if c and c.strip() not in CSV_COLUMNS and c.strip() not in READING_COLUMNS
    ]
    if unknown:
        problems.append(Problem(1, unknown[0], f"Unknown column(s): {', '.join(unknown)}."))
        return rows, problems
    for row in reader:
        line = reader.line_num
        try:
            rows.append((line, csv_row_to_record(row)))
        except ValueError as exc:
            field_name, _, message = str(exc).partition("|")
            problems.append(Problem(line, field_name, message))
    return rows, problems


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading
    apostrophe (``=1+1`` → ``'=1+1``), which ``restore_cell`` removes when importing."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def restore_cell(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def csv_row_to_record(row: dict[str, str | None]) -> dict[str, Any]:
    """One CSV row in the record format's column form → a record (raises ``ValueError``)."""
    record: dict[str, Any] = {}
    badge: dict[str, Any] = {}
    for raw_key, raw_value in row.items():
        if raw_key is None:
            raise ValueError("|More cells than columns.")
        key, value = raw_key.strip(), restore_cell((raw_value or "").strip())
        if not value or key in READING_COLUMNS:
            continue
        if key in BADGE_COLUMNS:
            badge[BADGE_COLUMNS[key]] = value
        elif key in LIST_FIELDS:
            record[key] = _split(value)
        elif key == "courses":
            record[key] = [_course_cell(part) for part in _split(value)]
        elif key == "partners":
            record[key] = [_partner_cell(part) for part in _split(value)]
        elif key == "credit_bearing":
            record[key] = _bool_cell(value)
        else:
            record[key] = value
    if badge:
        record["badge"] = badge
    return record


def record_to_csv_row(record: dict[str, Any]) -> dict[str, str]:
    """A record → one CSV row in the column form that ``csv_row_to_record`` reads back."""

    def num(value) -> str:
        return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    row: dict[str, str] = {}
    for key in CSV_COLUMNS:
        if key in BADGE_COLUMNS:
            value = (record.get("badge") or {}).get(BADGE_COLUMNS[key])
            row[key] = num(value)
            continue
        value = record.get(key)
        if key in LIST_FIELDS:
            row[key] = " | ".join(value or [])
        elif key == "courses":
            row[key] = " | ".join(
                f"{c['code']}: {c['title']}: {num(c['credit_hours'])}" for c in value or []
            )
        elif key == "partners":
            row[key] = " | ".join(
                f"{p['name']}: {p['role']}" if p.get("role") else p["name"] for p in value or []
            )
        elif key == "credit_bearing":
            row[key] = "true" if value else "false"
        else:
            row[key] = num(value)
    return {key: neutralise_cell(value) for key, value in row.items()}


def _bool_cell(value: str) -> bool | str:
    lowered = value.lower()
    if lowered in {"true", "yes", "1", "y"}:
        return True
    if lowered in {"false", "no", "0", "n"}:
        return False
    return value  # the schema reports it


def _course_cell(value: str) -> dict[str, str]:
    parts = [p.strip() for p in value.split(":")]
    if len(parts) < 3:
        raise ValueError(f"courses|Write each course as 'code: title: hours', not {value!r}.")
    return {"code": parts[0], "title": ": ".join(parts[1:-1]), "credit_hours": parts[-1]}


def _partner_cell(value: str) -> dict[str, str | None]:
    name, sep, role = value.rpartition(":")
    if not sep:
        return {"name": value.strip(), "role": None}
    return {"name": name.strip(), "role": role.strip() or None}


# --- validating --------------------------------------------------------------------------


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Marshmallow's nested error dict → ``[(field path, message)]``."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key + 1}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, path))
        return out
    if isinstance(messages, list):
        out = []
        for item in messages:
            out.extend(_flatten(item, prefix))
        return out
    return [(prefix, str(messages))]


def validate_records(
    rows: list[tuple[int, dict]], resolver: Resolver, credit_hour_cap: float
) -> tuple[list[ValidRecord], list[Problem]]:
    """Check every row; resolve institution and taxonomy references. Writes nothing."""
    schema = RecordSchema(credit_hour_cap=credit_hour_cap)
    valid: list[ValidRecord] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str], int] = {}
    for line, raw in rows:
        if _duplicate(line, raw, resolver, seen, problems):
            continue
        try:
            data = schema.load(raw)
        except ValidationError as exc:
            problems.extend(Problem(line, f, m) for f, m in _flatten(exc.messages))
            continue
        institution = resolver.institution(data["institution"])
        if institution is None:
            problems.append(
                Problem(line, "institution", f"Unknown institution {data['institution']!r}.")
            )
            continue
        terms: dict[str, list[TaxonomyTerm]] = {}
        bad = False
        for field_name, kind in TERM_FIELDS.items():
            terms[field_name] = []
            for position, value in enumerate(data[field_name], start=1):
                term = resolver.term(kind, value)
                if term is None:
                    bad = True
                    problems.append(
                        Problem(
                            line,
                            f"{field_name}[{position}]",
                            resolver.unknown_message(kind, value),
                        )
                    )
                elif term not in terms[field_name]:
                    terms[field_name].append(term)
        if data["credit_bearing"] and data["courses"]:
            total = sum(c["credit_hours"] for c in data["courses"])
            if data["credit_hours"] is not None and abs(total - data["credit_hours"]) > 1e-6:
                bad = True
                problems.append(
                    Problem(
                        line,
                        "courses",
                        f"The courses add up to {total:g} credit hours, "
                        f"but credit_hours says {data['credit_hours']:g}.",
                    )
                )
        if not bad:
            valid.append(ValidRecord(line, data, institution, terms))
    return valid, problems


def _duplicate(line: int, raw: dict, resolver: Resolver, seen: dict, problems: list) -> bool:
    """Whether ``raw`` repeats the (institution, external_id) of an earlier line of the file."""
    institution = resolver.institution(str(raw.get("institution") or ""))
    external_id = raw.get("external_id")
    if institution is None or not isinstance(external_id, str):
        return False
    key = (institution.id, external_id.strip())
    if key in seen:
        problems.append(
            Problem(
                line,
                "external_id",
                f"{external_id!r} of {institution.code} also appears on line {seen[key]}.",
            )
        )
        return True
    seen[key] = line
    return False


# --- record ↔ content --------------------------------------------------------------------


def _opt(enum_cls, value):
    return enum_cls(value) if value else None


def content_values(record: ValidRecord) -> dict[str, Any]:
    """The columns of the content ``record`` describes (``build_content`` without the lists)."""
    data = record.data
    badge = data.get("badge") or {}
    return {
        "entry_type": EntryType(data["entry_type"]),
        "title": data["title"].strip(),
        "summary": data["summary"].strip(),
        "description": data.get("description"),
        "category": _opt(Category, data.get("category")),
        "learning_type": _opt(LearningType, data.get("learning_type")),
        "badge_level": _opt(BadgeLevel, data.get("badge_level")),
        "credit_bearing": data["credit_bearing"],
        "credit_hours": data.get("credit_hours"),
        "clock_hours": data.get("clock_hours"),
        "delivery": Delivery(data["delivery"]),
        "duration_weeks": data.get("duration_weeks"),
        "cost_usd": data.get("cost_usd"),
        "assessment": data.get("assessment"),
        "enrollment_url": data.get("enrollment_url"),
        "badge_name": badge.get("name"),
        "badge_issuer": badge.get("issuer"),
        "badge_criteria": badge.get("criteria"),
        "badge_image_url": badge.get("image_url"),
        "badge_platform": badge.get("platform"),
        "badge_expires_months": badge.get("expires_months"),
    }


# The ordered lists of a content: its relationship, and the model of their rows.
CONTENT_LISTS = {
    "courses": Course,
    "outcomes": Outcome,
    "partners": Partner,
    "skills": Skill,
    "stacks": StackTarget,
    "term_links": ContentTerm,
}


def content_lists(record: ValidRecord) -> dict[str, list[dict[str, Any]]]:
    """The rows of each ordered list of the content ``record`` describes, in order (a
    taxonomy link as ``{"term": term}``)."""
    data = record.data
    return {
        "courses": [
            {"code": c["code"], "title": c["title"], "credit_hours": c["credit_hours"]}
            for c in data["courses"]
        ],
        "outcomes": [{"text": text} for text in data["learning_outcomes"]],
        "partners": [{"name": p["name"], "role": p.get("role")} for p in data["partners"]],
        "skills": [{"name": name} for name in _unique(data["skills"])],
        "stacks": [{"name": name} for name in _unique(data["stacks_into"])],
        "term_links": [
            {"term": term} for field_name in TERM_FIELDS for term in record.terms[field_name]
        ],
    }


def build_content(record: ValidRecord) -> CredentialContent:
    """A new content holding what ``record`` says (not added to the session)."""
    content = CredentialContent(**content_values(record))
    for name, rows in content_lists(record).items():
        model = CONTENT_LISTS[name]
        setattr(content, name, [model(**row) for row in rows])
    return content


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.strip().lower(), value.strip())
    return list(seen.values())


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def content_record(content: CredentialContent) -> dict[str, Any]:
    """The record-format fields that describe ``content`` (no key, endorsement or status)."""
    record: dict[str, Any] = {
        "entry_type": content.entry_type.value,
        "title": content.title,
        "summary": content.summary,
        "description": content.description,
        "category": content.category.value if content.category else None,
        "learning_type": content.learning_type.value if content.learning_type else None,
        "badge_level": content.badge_level.value if content.badge_level else None,
        "credit_bearing": content.credit_bearing,
        "credit_hours": _num(content.credit_hours),
        "courses": [
            {"code": c.code, "title": c.title, "credit_hours": _num(c.credit_hours)}
            for c in content.courses
        ],
        "clock_hours": _num(content.clock_hours),
        "delivery": content.delivery.value if content.delivery else None,
        "duration_weeks": _num(content.duration_weeks),
        "cost_usd": _num(content.cost_usd),
        "skills": [s.name for s in content.skills],
        "competencies": [t.title for t in content.competencies],
        "focus_areas": [t.title for t in content.focus_areas],
        "industries": [t.code for t in content.industries],
        "occupations": [t.code for t in content.occupations],
        "cip_codes": [t.code for t in content.cip_codes],
        "partners": [{"name": p.name, "role": p.role} for p in content.partners],
        "learning_outcomes": [o.text for o in content.outcomes],
        "assessment": content.assessment,
        "stacks_into": [s.name for s in content.stacks],
        "enrollment_url": content.enrollment_url,
        "badge": None,
    }
    if content.badge_name or content.badge_issuer or content.badge_criteria:
        record["badge"] = {
            "name": content.badge_name,
            "issuer": content.badge_issuer,
            "criteria": content.badge_criteria,
            "image_url": content.badge_image_url,
            "platform": content.badge_platform,
            "expires_months": content.badge_expires_months,
        }
    return record


def entry_record(entry: Entry) -> dict[str, Any]:
    """``entry`` in the record format, with empty optional fields left out."""
    record = {
        "external_id": entry.external_id,
        "institution": entry.institution.code,
        "endorsement": entry.endorsement.value,
        **content_record(entry.content),
        "published_at": entry.published_on.isoformat(),
        "status": entry.status.value,
    }
    return _compact(record)


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if value is None or value == []:
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        out[key] = value
    return out


def same_content(content: CredentialContent, record: ValidRecord) -> bool:
    """Whether ``content`` already says exactly what ``record`` says."""
    return _compact(content_record(content)) == _compact(content_record(_Described(record)))


class _Described:
    """What ``build_content(record)`` would hold, as plain objects, for ``content_record``
    (comparing a record with an entry builds no mapped objects)."""

    terms = CredentialContent.terms
    competencies = CredentialContent.competencies
    focus_areas = CredentialContent.focus_areas
    industries = CredentialContent.industries
    occupations = CredentialContent.occupations
    cip_codes = CredentialContent.cip_codes

    def __init__(self, record: ValidRecord) -> None:
        self.__dict__.update(content_values(record))
        for name, rows in content_lists(record).items():
            setattr(self, name, [SimpleNamespace(**row) for row in rows])


def record_status(record: ValidRecord) -> EntryStatus:
    return EntryStatus(record.data["status"])


def record_endorsement(record: ValidRecord) -> Endorsement:
    return Endorsement(record.data["endorsement"])


def record_published_on(record: ValidRecord, default: date) -> date:
    return record.data.get("published_at") or default
