"""The one function that maps a published entry to its search document."""

from __future__ import annotations

from typing import Any

from app.models import Entry
from app.search import bands
from app.search.analysis import fold

# Sorts entries with no cost or duration after every entry that states one.
MISSING_LAST = 10**15


def _hundredths(value: float | None) -> int:
    return MISSING_LAST if value is None else round(value * 100)


def facet_key(value: str) -> str:
    """How a free-text facet value (a skill) is keyed: case and spacing folded."""
    return " ".join(value.lower().split())


def _suggest_keys(phrases: list[str]) -> list[str]:
    """``"Data Analytics"`` → ``["data analytics|Data Analytics", "analytics|Data Analytics"]``:
    a suggestion matches from the start of any of its words."""
    keys = []
    for phrase in phrases:
        words = phrase.split()
        for i in range(len(words)):
            start = fold(" ".join(words[i:]))
            if len(start) >= 2:
                keys.append(f"{start}|{phrase}")
    return keys


def entry_document(entry: Entry) -> dict[str, Any]:
    """The search document of an active published entry (nothing unpublished ever gets one)."""
    content = entry.content
    institution = entry.institution
    skills = [s.name for s in content.skills]
    occupations = content.occupations
    industries = content.industries
    competencies = content.competencies
    focus_areas = content.focus_areas
    programs = content.cip_codes

    body = "\n".join(
        filter(
            None,
            [
                content.description,
                content.assessment,
                *(o.text for o in content.outcomes),
                *(f"{p.name} {p.role or ''}" for p in content.partners),
                *(t.code for t in occupations),
                *(t.code for t in programs),
                *(s.name for s in content.stacks),
                *(f"{c.code} {c.title}" for c in content.courses),
                content.badge_name,
                content.badge_criteria,
            ],
        )
    )
    if content.credit_bearing:
        credit_band = bands.band(content.credit_hours, bands.CREDIT_HOUR_BANDS)
    else:
        credit_band = None

    def lineages(terms) -> list[str]:
        # Every level above each code too: a filter on a sector, group or series finds the
        # entries aligned to any code below it (621111 is found under 62).
        return sorted({code for t in terms for code in t.lineage})

    def listed(*values: str | None) -> list[str]:
        return [v for v in values if v]

    return {
        "id": str(entry.id),
        "version": entry.version_number,
        "title": content.title,
        "skills_text": "\n".join(skills),
        "institution_text": f"{institution.name} {institution.code}",
        "summary": content.summary,
        "body": body,
        "taxonomy_text": "\n".join(
            t.title for t in [*occupations, *industries, *programs, *competencies, *focus_areas]
        ),
        "spell": " ".join(
            [
                content.title,
                content.summary,
                *skills,
                institution.name,
                *(t.title for t in occupations),
                body,
            ]
        ),
        "suggest": _suggest_keys([content.title, *skills, institution.name]),
        "published": entry.published_on.toordinal(),
        "title_sort": content.title.lower(),
        "cost_sort": _hundredths(content.cost_usd),
        "duration_sort": _hundredths(content.duration_weeks),
        "f_endorsement": [entry.endorsement.value],
        "f_institution": [institution.code],
        "f_entry_type": [entry.entry_type.value],
        "f_credit": ["credit" if content.credit_bearing else "non-credit"],
        "f_credit_hours": listed(credit_band),
        "f_delivery": listed(content.delivery.value if content.delivery else None),
        "f_cost": [bands.band(content.cost_usd, bands.COST_BANDS) or bands.UNKNOWN[0]],
        "f_duration": [
            bands.band(content.duration_weeks, bands.DURATION_BANDS) or bands.UNKNOWN[0]
        ],
        "f_badge_level": listed(content.badge_level.value if content.badge_level else None),
        "f_category": listed(content.category.value if content.category else None),
        "f_learning_type": listed(content.learning_type.value if content.learning_type else None),
        "f_stacks_into": sorted({facet_key(s.name) for s in content.stacks}),
        "f_focus_area": [t.code for t in focus_areas],
        "f_competency": [t.code for t in competencies],
        "f_industry": lineages(industries),
        "f_occupation": lineages(occupations),
        "f_cip": lineages(programs),
        "f_skill": sorted({facet_key(s) for s in skills}),
    }
