"""Reference data: institutions and taxonomies, and resolving names and codes to them."""

from __future__ import annotations

import csv
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.enums import InstitutionKind, TaxonomyKind
from app.extensions import db
from app.models import Institution, TaxonomyTerm
from app.models.taxonomy import PATH_SEPARATOR
from app.text import slugify

TAXONOMY_FILES = {
    TaxonomyKind.COMPETENCY: "competencies.csv",
    TaxonomyKind.FOCUS_AREA: "focus_areas.csv",
    TaxonomyKind.INDUSTRY: "industries.csv",
    TaxonomyKind.OCCUPATION_GROUP: "occupation_groups.csv",
    TaxonomyKind.OCCUPATION: "occupations.csv",
    TaxonomyKind.CIP: "cip_programs.csv",
}
# Exact-code queries a resolver makes for a vocabulary before it reads the whole of it.
DIRECT_LOOKUPS = 20
# How many close terms an "unknown term" message names.
SUGGESTIONS = 3


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


def _paths(rows: list[dict[str, str]]) -> dict[str, str | None]:
    """Each code's ``/top/.../code/`` path from the rows' ``parent`` column (no column: none)."""
    parents = {row["code"]: row.get("parent") or None for row in rows}
    if not any(parents.values()) and not any(row.get("level") for row in rows):
        return dict.fromkeys(parents)
    paths: dict[str, str | None] = {}
    for code in parents:
        chain, current = [], code
        while current and current not in chain:
            chain.append(current)
            current = parents.get(current)
        paths[code] = PATH_SEPARATOR + PATH_SEPARATOR.join(reversed(chain)) + PATH_SEPARATOR
    return paths


def load_taxonomies(folder: Path) -> LoadCounts:
    """Create or update taxonomy terms from the CSVs in ``folder`` (code, title, and optionally
    level, parent, aliases). New terms go in one bulk insert, so the 6,000 reference terms load
    in well under a second. Flushes, never commits."""
    counts = LoadCounts()
    columns = ("title", "level", "path", "aliases")
    existing = {
        (row.kind, row.code): row
        for row in db.session.execute(
            sa.select(TaxonomyTerm.id, TaxonomyTerm.kind, TaxonomyTerm.code).add_columns(
                *(getattr(TaxonomyTerm, c) for c in columns)
            )
        )
    }
    new_rows: list[dict] = []
    changed_rows: list[dict] = []
    for kind, filename in TAXONOMY_FILES.items():
        rows = _read_csv(folder / filename)
        paths = _paths(rows)
        for row in rows:
            values = {
                "title": row["title"],
                "level": row.get("level") or None,
                "path": paths[row["code"]],
                "aliases": row.get("aliases") or None,
            }
            current = existing.get((kind, row["code"]))
            if current is None:
                new_rows.append({"kind": kind, "code": row["code"], **values})
                counts.created += 1
            elif any(getattr(current, c) != values[c] for c in columns):
                changed_rows.append({"id": current.id, **values})
                counts.updated += 1
            else:
                counts.unchanged += 1
    if new_rows:
        db.session.execute(sa.insert(TaxonomyTerm), new_rows)
    if changed_rows:
        db.session.execute(sa.update(TaxonomyTerm), changed_rows)
    db.session.flush()
    return counts


def _key(value: str) -> str:
    return " ".join(value.lower().replace("&", "and").replace("\u2019", "'").split()).rstrip(".")


def code_keys(kind: TaxonomyKind, value: str) -> list[str]:
    """The forms of a code people write, folded to one key: punctuation and spaces dropped
    (``29-1141``, ``291141``, ``29 1141``), an O*NET suffix (``29-1141.00``) and a leading zero
    lost in a spreadsheet (CIP ``1.0101``) restored. NAICS range sectors keep their hyphen
    (``31-33`` is not the industry group ``3133``). Empty when ``value`` is not code-like."""
    value = value.strip()
    if not value or not re.fullmatch(r"[0-9][0-9 .\-]*", value):
        return []
    if kind is TaxonomyKind.INDUSTRY and re.fullmatch(r"\d\d\s*-\s*\d\d", value):
        return [re.sub(r"\s", "", value)]
    digits = re.sub(r"\D", "", value)
    if kind in (TaxonomyKind.OCCUPATION, TaxonomyKind.OCCUPATION_GROUP):
        if len(digits) == 8 and digits.endswith("00") and "." in value:
            digits = digits[:6]
    if kind is TaxonomyKind.CIP and len(digits) % 2 == 1 and "." in value:
        digits = "0" + digits
    return [digits]


class Resolver:
    """Finds institutions and taxonomy terms by the names and codes people write in records:
    codes with or without punctuation, titles in any case, known aliases.

    Reads each vocabulary once, when first asked; use one resolver per import or save.
    """

    def __init__(self) -> None:
        self.institutions: dict[str, Institution] = {}
        for inst in db.session.scalars(db.select(Institution)):
            self.institutions[_key(inst.code)] = inst
            self.institutions[_key(inst.name)] = inst
        self._ids: dict[TaxonomyKind, dict[str, int]] = {}
        self._labels: dict[TaxonomyKind, dict[str, str]] = {}
        self._direct: dict[TaxonomyKind, int] = {}

    def _index(self, kind: TaxonomyKind) -> dict[str, int]:
        index = self._ids.get(kind)
        if index is not None:
            return index
        index, titles, labels = {}, {}, {}
        rows = db.session.execute(
            sa.select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.title, TaxonomyTerm.aliases)
            .where(TaxonomyTerm.kind == kind)
            # Shorter codes first, so that where a title repeats at several levels (a broad
            # occupation named like its one detailed occupation) the most detailed one wins.
            .order_by(sa.func.length(TaxonomyTerm.code), TaxonomyTerm.code)
        ).all()
        for term_id, code, title, aliases in rows:
            index[_key(code)] = term_id
            for key in code_keys(kind, code):
                index[key] = term_id
            titles[_key(title)] = term_id
            for alias in (aliases or "").split("|"):
                if alias.strip():
                    titles.setdefault(_key(alias), term_id)
            labels[code] = f"{code} {title}" if code != title and code[:1].isdigit() else title
            if kind is TaxonomyKind.INDUSTRY and "-" in code:
                # A NAICS range sector (31-33): each of its two-digit codes names it.
                low, high = (int(part) for part in code.split("-"))
                for number in range(low, high + 1):
                    index[str(number)] = term_id
        for key, term_id in titles.items():
            index.setdefault(key, term_id)
        self._ids[kind] = index
        self._labels[kind] = labels
        return index

    def institution(self, value: str) -> Institution | None:
        return self.institutions.get(_key(value))

    def term(self, kind: TaxonomyKind, value: str) -> TaxonomyTerm | None:
        if kind not in self._ids and self._direct.get(kind, 0) < DIRECT_LOOKUPS:
            # A form save names a few codes exactly: ask for them before reading a vocabulary.
            self._direct[kind] = self._direct.get(kind, 0) + 1
            found = db.session.scalar(
                sa.select(TaxonomyTerm).where(
                    TaxonomyTerm.kind == kind, TaxonomyTerm.code == value.strip()
                )
            )
            if found is not None:
                return found
        index = self._index(kind)
        term_id = index.get(_key(value))
        if term_id is None:
            for key in code_keys(kind, value):
                term_id = index.get(key)
                if term_id is not None:
                    break
        return None if term_id is None else db.session.get(TaxonomyTerm, term_id)

    def closest(self, kind: TaxonomyKind, value: str, n: int = SUGGESTIONS) -> list[str]:
        """Up to ``n`` known terms closest to ``value``, as ``code title`` (for messages)."""
        self._index(kind)
        labels = self._labels[kind]
        keys = code_keys(kind, value)
        if keys:  # a code: the codes sharing the longest start with it, then the nearest
            wanted = keys[0]

            def score(code: str) -> tuple[int, int, int]:
                key = (code_keys(kind, code) or [code])[0]
                shared = len(os.path.commonprefix([key, wanted]))
                same_length = len(key) == len(wanted)
                distance = (
                    abs(int(key) - int(wanted))
                    if same_length and (key + wanted).isdigit()
                    else 10**9
                )
                return (-shared, not same_length, distance)

            ranked = sorted(labels, key=score)
            return [labels[code] for code in ranked[:n] if score(code)[0] < -1]
        by_title = {
            _key(label.partition(" ")[2] if label[:1].isdigit() else label): code
            for code, label in labels.items()
        }
        found = difflib.get_close_matches(_key(value), list(by_title), n=n, cutoff=0.5)
        return [labels[by_title[k]] for k in found]

    def unknown_message(self, kind: TaxonomyKind, value: str) -> str:
        """``Unknown occupation '13-1099'. Did you mean 13-1199 Business …?``"""
        noun = kind.label if kind.label[:3].isupper() else kind.label.lower()  # CIP program
        message = f"Unknown {noun} {value!r}."
        close = self.closest(kind, value)
        if close:
            message += " Did you mean " + "; ".join(close) + "?"
        return message
