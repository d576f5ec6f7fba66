"""schema.org JSON-LD for search engines: an entry as ``EducationalOccupationalCredential``.

Only this module knows the schema.org vocabulary. The entry page renders the result with
``|tojson`` inside its ``<script type="application/ld+json">`` element.
"""

from __future__ import annotations

from typing import Any

from app.enums import Endorsement, EntryType
from app.models import Entry
from app.schemas import frameworks

_CREDENTIAL_TYPES = "https://credreg.net/ctdl/terms/Credential"


def _term(name: str, code: str | None = None, term_set: str | None = None) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm", "name": name}
    if code:
        term["termCode"] = code
    if term_set:
        term["inDefinedTermSet"] = term_set
    return term


def credential(entry: Entry) -> dict[str, Any]:
    """``entry`` as a schema.org ``EducationalOccupationalCredential`` (a dict for ``|tojson``)."""
    content = entry.content
    badge = entry.entry_type is EntryType.DIGITAL_BADGE
    regents = frameworks.regents()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "EducationalOccupationalCredential",
        "@id": frameworks.entry_page(entry) + "#credential",
        "name": content.title,
        "description": content.summary,
        "url": frameworks.entry_page(entry),
        "identifier": {"@type": "PropertyValue", "propertyID": "ctid", "value": entry.ctid},
        "inLanguage": "en",
        "credentialCategory": _term(
            entry.entry_type.label,
            "ceterms:DigitalBadge" if badge else "ceterms:MicroCredential",
            _CREDENTIAL_TYPES,
        ),
        "occupationalCredentialType": (
            f"{content.category.label} {entry.entry_type.label.lower()}"
            if content.category
            else entry.entry_type.label
        ),
        "provider": {
            "@type": "CollegeOrUniversity",
            "name": entry.institution.name,
            "url": entry.institution.website or frameworks.institution_page(entry.institution),
        },
        "teaches": [s.name for s in content.skills],
        "competencyRequired": [_term(s.name) for s in content.skills]
        + [o.text for o in content.outcomes],
        "occupationalCategory": [
            {
                "@type": "CategoryCode",
                "codeValue": a.code,
                "name": a.title,
                "inCodeSet": a.framework.url,
            }
            for a in frameworks.occupation_alignments(content)
        ],
        "dateCreated": entry.published_on.isoformat(),
        "dateModified": entry.updated_at.date().isoformat(),
    }
    if content.badge_level:
        data["educationalLevel"] = _term(content.badge_level.label)
    if entry.endorsement is Endorsement.ENDORSED:
        data["recognizedBy"] = {"@type": "Organization", "name": regents.name, "url": regents.url}
    if content.cost_usd is not None:
        offer: dict[str, Any] = {
            "@type": "Offer",
            "price": content.cost_usd,
            "priceCurrency": "USD",
            "category": "Free" if content.cost_usd == 0 else "Paid",
        }
        if content.enrollment_url:
            offer["url"] = content.enrollment_url
        data["offers"] = offer
    if content.duration_weeks:
        data["timeRequired"] = f"P{content.duration_weeks:g}W"
    if content.badge_expires_months:
        data["validFor"] = f"P{content.badge_expires_months}M"
    if content.enrollment_url:
        data["sameAs"] = content.enrollment_url
    return {k: v for k, v in data.items() if v not in (None, [])}
