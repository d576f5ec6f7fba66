"""Reference data: institutions and taxonomies, and resolving names and codes to them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from app.enums import InstitutionKind, TaxonomyKind
from app.extensions import db
from app.models import Institution, TaxonomyTerm
from app.text import slugify

TAXONOMY_FILES = {
    TaxonomyKind.COMPETENCY: "competencies.csv",
    TaxonomyKind.FOCUS_AREA: "focus_areas.csv",
    TaxonomyKind.INDUSTRY: "industries.csv",
    TaxonomyKind.OCCUPATION_GROUP: "occupation_groups.csv",
    TaxonomyKind.OCCUPATION: "occupations.csv",
}


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: LoadCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _upsert(obj, values: dict, counts: LoadCounts) -> None:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    if changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


def load_institutions(path: Path) -> LoadCounts:
    """Create or update institutions from a CSV (code,name,kind,city,website); keyed by code.

    Flushes, never commits: the caller's unit of work decides.
    """
    counts = LoadCounts()
    existing = {i.code: i for i in db.session.scalars(db.select(Institution))}
    for row in _read_csv(path):
        values = {
            "name": row["name"],
            "kind": InstitutionKind(row["kind"]),
            "city": row.get("city") or None,
            "website": row.get("website") or None,
        }
        inst = existing.get(row["code"])
        if inst is None:
            inst = Institution(code=row["code"], slug=slugify(row["name"]), **values)
            db.session.add(inst)
            existing[inst.code] = inst
            counts.created += 1
        else:
            _upsert(inst, values, counts)
    db.session.flush()
    return counts


def load_taxonomies(folder: Path) -> LoadCounts:
    """Create or update taxonomy terms from the CSVs (code,title) in ``folder``."""
    counts = LoadCounts()
    existing = {(t.kind, t.code): t for t in db.session.scalars(db.select(TaxonomyTerm))}
    for kind, filename in TAXONOMY_FILES.items():
        for row in _read_csv(folder / filename):
            term = existing.get((kind, row["code"]))
            if term is None:
                db.session.add(TaxonomyTerm(kind=kind, code=row["code"], title=row["title"]))
                counts.created += 1
            else:
                _upsert(term, {"title": row["title"]}, counts)
    db.session.flush()
    return counts


def _key(value: str) -> str:
    return " ".join(value.lower().replace("&", "and").split())


class Resolver:
    """Finds institutions and taxonomy terms by the names and codes people write in records.

    Loads the reference tables once; use one resolver per import.
    """

    def __init__(self) -> None:
        self.institutions: dict[str, Institution] = {}
        for inst in db.session.scalars(db.select(Institution)):
            self.institutions[_key(inst.code)] = inst
            self.institutions[_key(inst.name)] = inst
        self.terms: dict[TaxonomyKind, dict[str, TaxonomyTerm]] = {k: {} for k in TaxonomyKind}
        for term in db.session.scalars(db.select(TaxonomyTerm)):
            index = self.terms[term.kind]
            index[_key(term.code)] = term
            index[_key(term.title)] = term
            if term.kind is TaxonomyKind.INDUSTRY and "-" in term.code:
                # NAICS sectors spanning codes (31-33): each two-digit code names the sector.
                low, high = (int(part) for part in term.code.split("-"))
                for code in range(low, high + 1):
                    index[str(code)] = term

    def institution(self, value: str) -> Institution | None:
        return self.institutions.get(_key(value))

    def term(self, kind: TaxonomyKind, value: str) -> TaxonomyTerm | None:
        return self.terms[kind].get(_key(value))
