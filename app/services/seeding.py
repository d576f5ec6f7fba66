"""Seeding an instance: reference data, the demo inventory and the demo accounts."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from app.enums import Role
from app.services import demo, importer, reference, unit, users
from app.services.errors import ServiceError

ENTRIES_FILE = "entries.jsonl"
ACCOUNTS_FILE = "accounts.csv"


@dataclass
class SeedReport:
    institutions: reference.LoadCounts = field(default_factory=reference.LoadCounts)
    terms: reference.LoadCounts = field(default_factory=reference.LoadCounts)
    entries: importer.ImportReport | None = None
    accounts_created: int = 0
    accounts: list[dict[str, str]] = field(default_factory=list)
    demo: demo.DemoReport | None = None


def seed(
    *,
    only_reference: bool = False,
    folder: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> SeedReport:
    """Load ``seed_data/`` through the same services the app uses. Running it twice changes
    nothing. ``only_reference`` loads institutions and taxonomies alone."""
    folder = folder or Path(current_app.config["SEED_DATA_DIR"])
    report = SeedReport()
    report.institutions = reference.load_institutions(folder / "institutions.csv")
    report.terms = reference.load_taxonomies(folder / "taxonomy")
    unit.commit()
    if only_reference:
        return report

    report.entries = importer.import_file(folder / ENTRIES_FILE, progress=progress)
    if report.entries.problems:
        raise ServiceError(
            "The seed inventory has problems:\n" + "\n".join(map(str, report.entries.problems))
        )
    for row in _accounts(folder / ACCOUNTS_FILE):
        report.accounts.append(row)
        if users.find_user(row["email"]) is not None:
            continue
        institution = None
        if row["institution"]:
            institution = reference.Resolver().institution(row["institution"])
        users.create_user(
            email=row["email"],
            name=row["name"],
            role=Role(row["role"]),
            institution=institution,
            password=row["password"],
        )
        report.accounts_created += 1
    unit.commit()
    report.demo = demo.seed_requests(folder / demo.DEMO_FILE)
    return report


def _accounts(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def demo_logins(folder: Path | None = None) -> list[dict[str, str]]:
    folder = folder or Path(current_app.config["SEED_DATA_DIR"])
    return _accounts(folder / ACCOUNTS_FILE)
