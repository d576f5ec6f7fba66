"""Test data built through the real services: records go through validation and publishing
exactly as an import does."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from flask import current_app

from app.extensions import db
from app.models import Entry
from app.services import publishing, records, unit
from app.services.reference import Resolver

_counter = itertools.count(1)

BASE_RECORD: dict[str, Any] = {
    "institution": "OSU",
    "entry_type": "micro-credential",
    "title": "Applied Cybersecurity Foundations",
    "summary": "Hands-on network defense for entry-level security analysts.",
    "endorsement": "endorsed",
    "category": "emergent",
    "learning_type": "curricular",
    "badge_level": "foundational",
    "credit_bearing": True,
    "credit_hours": 6,
    "courses": [
        {"code": "CS 2113", "title": "Network Defense", "credit_hours": 3},
        {"code": "CS 2213", "title": "Incident Response", "credit_hours": 3},
    ],
    "delivery": "online",
    "duration_weeks": 16,
    "cost_usd": 1200,
    "skills": ["Network security", "Incident response"],
    "competencies": ["Critical Thinking"],
    "focus_areas": ["Career Preparation"],
    "industries": ["54"],
    "occupations": ["15-1212"],
    "partners": [{"name": "Tinker Air Force Base", "role": "hiring partner"}],
    "learning_outcomes": ["Configure a firewall to segment a small network."],
    "assessment": "Graded lab practicals.",
    "enrollment_url": "https://go.okstate.edu/cyber",
}


def record(**overrides: Any) -> dict[str, Any]:
    """A valid record in the record format; every call gets a new external_id."""
    data = copy.deepcopy(BASE_RECORD)
    data["external_id"] = f"TEST-{next(_counter):05d}"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def publish(**overrides: Any) -> Entry:
    """Validate and publish one record, commit, and return its entry."""
    data = record(**overrides)
    valid, problems = records.validate_records(
        [(1, data)], Resolver(), current_app.config["CREDIT_HOUR_CAP"]
    )
    assert not problems, problems
    publishing.upsert_record(valid[0])
    unit.commit()
    return db.session.scalar(
        db.select(Entry).filter_by(
            institution_id=valid[0].institution.id, external_id=data["external_id"]
        )
    )
