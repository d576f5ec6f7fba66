"""Open Badges 3.0: each badge of the inventory as an ``Achievement`` a badge platform imports.

Only this module knows the Open Badges vocabulary. The endorsement of an endorsed badge is an
``EndorsementCredential`` of the State Regents naming the achievement; it carries no proof
(it is not signed), so a verifier learns it from this inventory, not from a signature.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from flask import url_for

from app.enums import Endorsement, EntryType
from app.models import Entry, Institution
from app.schemas import frameworks

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
LANGUAGE = "en"


def _profile(institution: Institution) -> dict[str, Any]:
    profile = {
        "id": frameworks.institution_page(institution),
        "type": ["Profile"],
        "name": institution.name,
    }
    if institution.website:
        profile["url"] = institution.website
    return profile


def _alignments(entry: Entry) -> list[dict[str, Any]]:
    content = entry.content
    out = [
        {
            "type": ["Alignment"],
            "targetName": skill.name,
            "targetUrl": url_for("public.search", skill=skill.name.lower(), _external=True),
            "targetType": "ext:Skill",
        }
        for skill in content.skills
    ]
    for alignment in [
        *frameworks.occupation_alignments(content),
        *frameworks.cip_alignments(content),
    ]:
        out.append(
            {
                "type": ["Alignment"],
                "targetName": alignment.title,
                "targetCode": alignment.code,
                "targetFramework": alignment.framework.name,
                "targetUrl": alignment.url,
            }
        )
    return out


def _endorsement(entry: Entry, achievement_id: str) -> dict[str, Any]:
    regents = frameworks.regents()
    valid_from = datetime.combine(entry.published_on, time(0, 0), tzinfo=UTC)
    return {
        "@context": CONTEXT,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "id": f"{achievement_id}#endorsement",
        "name": f"{Endorsement.ENDORSED.label}: {entry.content.badge_name or entry.title}",
        "issuer": {
            "id": regents.url,
            "type": ["Profile"],
            "name": regents.name,
            "url": regents.url,
        },
        "validFrom": valid_from.isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": achievement_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": (
                f"{regents.name} endorse {entry.title} of {entry.institution.name} as a "
                "micro-credential that meets the state's policy."
            ),
        },
    }


def achievement(entry: Entry) -> dict[str, Any]:
    """``entry``'s badge as an Open Badges 3.0 ``Achievement`` (call only when
    ``frameworks.has_badge(entry)``)."""
    content = entry.content
    achievement_id = frameworks.achievement_url(entry)
    name = content.badge_name or content.title
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Badge"
        if entry.entry_type is EntryType.DIGITAL_BADGE
        else "MicroCredential",
        "name": name,
        "description": content.badge_description or content.summary,
        "criteria": {"id": frameworks.entry_page(entry)},
        "creator": _profile(entry.institution),
        "humanCode": entry.external_id,
        "inLanguage": LANGUAGE,
        "version": str(entry.version_number),
    }
    if content.badge_criteria:
        data["criteria"]["narrative"] = content.badge_criteria
    if content.badge_image_url:
        data["image"] = {
            "id": content.badge_image_url,
            "type": "Image",
            "caption": f"Badge image: {name}",
        }
    alignment = _alignments(entry)
    if alignment:
        data["alignment"] = alignment
    tags = [s.name for s in content.skills]
    if tags:
        data["tag"] = tags
    if content.credit_bearing and content.credit_hours:
        data["creditsAvailable"] = float(content.credit_hours)
    if entry.endorsement is Endorsement.ENDORSED:
        data["endorsement"] = [_endorsement(entry, achievement_id)]
    return data
