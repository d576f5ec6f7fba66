"""The reference vocabularies: complete, against the totals their publishers give, and matched
the way people write codes and titles."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.enums import TaxonomyKind
from app.extensions import db
from app.models import TaxonomyTerm
from app.services import reference
from tests.conftest import SEED


def levels(kind: TaxonomyKind) -> Counter:
    rows = db.session.execute(
        sa.select(TaxonomyTerm.level, sa.func.count())
        .where(TaxonomyTerm.kind == kind)
        .group_by(TaxonomyTerm.level)
    )
    return Counter(dict(rows.all()))


def test_soc_2018_has_every_occupation_and_group(app):
    # BLS: 23 major groups, 98 minor groups, 459 broad occupations, 867 detailed occupations.
    assert levels(TaxonomyKind.OCCUPATION) == {
        "major": 23,
        "minor": 98,
        "broad": 459,
        "detailed": 867,
    }
    assert sum(levels(TaxonomyKind.OCCUPATION_GROUP).values()) == 23


def test_naics_2022_has_every_level(app):
    # Census: 20 sectors, 96 subsectors, 308 industry groups, 1,012 national industries; the
    # five-digit count is that of every copy of the 2022 file found (see taxonomy/README.md).
    assert levels(TaxonomyKind.INDUSTRY) == {
        "sector": 20,
        "subsector": 96,
        "industry-group": 308,
        "naics-industry": 689,
        "national-industry": 1012,
    }
    sectors = set(
        db.session.scalars(
            sa.select(TaxonomyTerm.code).where(
                TaxonomyTerm.kind == TaxonomyKind.INDUSTRY, TaxonomyTerm.level == "sector"
            )
        )
    )
    assert {"31-33", "44-45", "48-49", "62"} <= sectors


def test_cip_2020_has_every_program_in_use(app):
    # NCES CIPCode2020.csv: 2,325 six-digit rows, less 145 moved, 7 deleted and 30 reserved.
    assert levels(TaxonomyKind.CIP) == {"series": 50, "group": 457, "program": 2143}


@pytest.mark.parametrize("kind", [TaxonomyKind.OCCUPATION, TaxonomyKind.INDUSTRY, TaxonomyKind.CIP])
def test_every_code_hangs_from_its_parents(app, kind):
    terms = db.session.scalars(sa.select(TaxonomyTerm).where(TaxonomyTerm.kind == kind)).all()
    codes = {t.code for t in terms}
    for term in terms:
        assert term.lineage[-1] == term.code
        assert set(term.lineage) <= codes, term.code


def test_nace_competencies_are_the_current_eight_with_the_earlier_names(app):
    resolver = reference.Resolver()
    assert sum(levels(TaxonomyKind.COMPETENCY).values()) == 8
    earlier = {
        "Critical thinking/problem solving": "Critical Thinking",
        "Oral/written communications": "Communication",
        "Teamwork/collaboration": "Teamwork",
        "Digital technology": "Technology",
        "Leadership": "Leadership",
        "Professionalism/work ethic": "Professionalism",
        "Career management": "Career & Self-Development",
        "Global/intercultural fluency": "Equity & Inclusion",
    }
    for name, current in earlier.items():
        assert resolver.term(TaxonomyKind.COMPETENCY, name).title == current
        assert resolver.term(TaxonomyKind.COMPETENCY, name.upper()).title == current


@pytest.mark.parametrize(
    "kind, written, code",
    [
        (TaxonomyKind.OCCUPATION, "29-1141", "29-1141"),
        (TaxonomyKind.OCCUPATION, "291141", "29-1141"),
        (TaxonomyKind.OCCUPATION, "29-1141.00", "29-1141"),
        (TaxonomyKind.OCCUPATION, "registered nurses", "29-1141"),
        (TaxonomyKind.OCCUPATION, "13-1023", "13-1023"),
        (TaxonomyKind.OCCUPATION, "15-0000", "15-0000"),
        (TaxonomyKind.OCCUPATION, "chief executives", "11-1011"),
        (TaxonomyKind.INDUSTRY, "621111", "621111"),
        (TaxonomyKind.INDUSTRY, "2381", "2381"),
        (TaxonomyKind.INDUSTRY, "32", "31-33"),
        (TaxonomyKind.INDUSTRY, "31-33", "31-33"),
        (
            TaxonomyKind.INDUSTRY,
            "OFFICES OF PHYSICIANS (EXCEPT MENTAL HEALTH SPECIALISTS)",
            "621111",
        ),
        (TaxonomyKind.CIP, "51.3801", "51.3801"),
        (TaxonomyKind.CIP, "513801", "51.3801"),
        (TaxonomyKind.CIP, "1.0101", "01.0101"),
        (TaxonomyKind.CIP, "51.38", "51.38"),
        (TaxonomyKind.CIP, "51", "51"),
        (TaxonomyKind.CIP, "registered nursing/registered nurse.", "51.3801"),
    ],
)
def test_codes_and_titles_match_as_people_write_them(app, kind, written, code):
    term = reference.Resolver().term(kind, written)
    assert term is not None and term.code == code


def test_an_unknown_code_names_the_closest_known_ones(app):
    message = reference.Resolver().unknown_message(TaxonomyKind.OCCUPATION, "13-1024")
    assert message.startswith("Unknown occupation '13-1024'. Did you mean ")
    assert "13-1023 Purchasing Agents, Except Wholesale, Retail, and Farm Products" in message


def test_an_unknown_title_names_the_closest_known_ones(app):
    message = reference.Resolver().unknown_message(TaxonomyKind.OCCUPATION, "Registered Nurse")
    assert "29-1141 Registered Nurses" in message


def test_loading_the_vocabularies_again_changes_nothing(app):
    counts = reference.load_taxonomies(SEED / "taxonomy")
    assert counts.created == 0 and counts.updated == 0 and counts.unchanged > 6000
