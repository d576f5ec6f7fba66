"""The Whoosh schema and the facets, declared as data. Only ``app.search`` knows these names."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import fields

from app.search.analysis import text_analyzer, word_analyzer


def _text(boost: float = 1.0) -> fields.TEXT:
    return fields.TEXT(analyzer=text_analyzer(), field_boost=boost)


def _facet() -> fields.KEYWORD:
    # Values arrive as lists and are indexed whole, case kept; they are never scored.
    return fields.KEYWORD(lowercase=False, scorable=False)


@dataclass(frozen=True)
class Facet:
    """A facet: its URL/API parameter name, its heading, and how its values are labelled."""

    name: str
    label: str
    labels: str = "static"  # static | institution | term:<kind> | skill | stack | occupation_group
    show: int = 10  # values shown before "more"


FACETS: tuple[Facet, ...] = (
    Facet("endorsement", "Endorsement"),
    Facet("institution", "Institution", labels="institution", show=8),
    Facet("entry_type", "Type"),
    Facet("credit", "Credit"),
    Facet("credit_hours", "Credit hours"),
    Facet("delivery", "Delivery"),
    Facet("cost", "Cost"),
    Facet("duration", "Duration"),
    Facet("badge_level", "Badge level"),
    Facet("category", "Category"),
    Facet("learning_type", "Learning type"),
    # The degree or larger credential an entry counts toward, keyed like a skill.
    Facet("stacks_into", "Stacks into", labels="stack", show=8),
    Facet("focus_area", "State focus area", labels="term:focus_area"),
    Facet("competency", "Career competency (NACE)", labels="term:competency"),
    Facet("industry", "Industry (NAICS)", labels="term:industry", show=8),
    Facet("occupation", "Occupation group (SOC)", labels="occupation_group", show=8),
    Facet("cip", "Program area (CIP)", labels="term:cip", show=8),
    Facet("skill", "Skill", labels="skill", show=10),
)
FACET_NAMES = tuple(f.name for f in FACETS)
FACETS_BY_NAME = {f.name: f for f in FACETS}

# Fields searched by a free-text query, and how much a match in each weighs.
TEXT_FIELDS: dict[str, float] = {
    "title": 5.0,
    "skills_text": 3.0,
    "institution_text": 1.5,
    "summary": 1.0,
    "body": 0.7,
    # Competency, focus-area, industry and occupation titles: attached to many entries, so a
    # match there says little; it only breaks ties and is shown ("matched: … competency").
    "taxonomy_text": 0.1,
}


def build_schema() -> fields.Schema:
    facet_fields = {f"f_{facet.name}": _facet() for facet in FACETS}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        version=fields.STORED(),
        title=_text(),
        skills_text=_text(),
        institution_text=_text(),
        summary=_text(),
        body=_text(),
        taxonomy_text=_text(),
        # Unstemmed, accent-folded words for spelling correction, from public entries only.
        spell=fields.TEXT(analyzer=word_analyzer(), spelling=True),
        # "word-start|Display phrase" keys for suggestions as one types.
        suggest=fields.KEYWORD(lowercase=False, scorable=False),
        published=fields.NUMERIC(int, sortable=True),
        title_sort=fields.ID(sortable=True),
        # Hundredths (cents, hundredths of a week): Whoosh sorts integer columns reliably.
        cost_sort=fields.NUMERIC(int, bits=64, sortable=True),
        duration_sort=fields.NUMERIC(int, bits=64, sortable=True),
        **facet_fields,
    )


SCHEMA = build_schema()
