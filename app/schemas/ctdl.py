"""CTDL (the Credential Transparency Description Language) JSON-LD, as the national Credential
Registry reads it: an entry as ``ceterms:MicroCredential`` or ``ceterms:DigitalBadge``, each
institution and the State Regents as ``ceterms:CredentialOrganization``.

Only this module knows the CTDL vocabulary. Texts are language maps (``{"en-US": …}``); codes of
public code sets are ``ceterms:CredentialAlignmentObject`` with their framework.
"""

from __future__ import annotations

from typing import Any

from app.enums import BadgeLevel, Delivery, Endorsement, EntryStatus, EntryType
from app.models import Entry, Institution
from app.schemas import frameworks

CONTEXT = "http://credreg.net/ctdl/schema/context/json"
LANGUAGE = "en-US"
CAO = "ceterms:CredentialAlignmentObject"

_STATUS = {EntryStatus.ACTIVE: "Active", EntryStatus.RETIRED: "Deprecated"}
_DELIVERY = {
    Delivery.ONLINE: ("OnlineOnly", "Online Only"),
    Delivery.IN_PERSON: ("InPerson", "In Person Only"),
    Delivery.HYBRID: ("BlendedDelivery", "Blended Delivery"),
}
_LEVEL = {
    BadgeLevel.FOUNDATIONAL: ("BeginnerLevel", "Beginner Level"),
    BadgeLevel.INTERMEDIATE: ("IntermediateLevel", "Intermediate Level"),
    BadgeLevel.ADVANCED: ("AdvancedLevel", "Advanced Level"),
}


def lang(text: str) -> dict[str, str]:
    return {LANGUAGE: text}


# CTDL concept schemes: the prefix of their terms and their name.
_SCHEMES = {
    "CredentialStatus": ("credentialStat", "Credential Status"),
    "DeliveryType": ("deliveryType", "Delivery Type"),
    "AudienceLevel": ("audLevel", "Audience Level"),
    "CostType": ("costType", "Cost Type"),
    "OrganizationType": ("orgType", "Organization Type"),
}


def _concept(scheme: str, term: str, label: str) -> dict[str, Any]:
    """A CTDL concept (``credentialStat:Active``) as an alignment object."""
    prefix, scheme_name = _SCHEMES[scheme]
    return {
        "@type": CAO,
        "ceterms:framework": f"https://credreg.net/ctdl/terms/{scheme}",
        "ceterms:frameworkName": lang(scheme_name),
        "ceterms:targetNode": f"{prefix}:{term}",
        "ceterms:targetNodeName": lang(label),
    }


def _coded(alignment: frameworks.Alignment) -> dict[str, Any]:
    return {
        "@type": CAO,
        "ceterms:framework": alignment.framework.url,
        "ceterms:frameworkName": lang(alignment.framework.name),
        "ceterms:codedNotation": alignment.code,
        "ceterms:targetNode": alignment.url,
        "ceterms:targetNodeName": lang(alignment.title),
    }


def _duration(weeks: float) -> str:
    """ISO 8601: whole weeks as ``P16W``, anything else in days."""
    if float(weeks).is_integer():
        return f"P{int(weeks)}W"
    return f"P{round(weeks * 7)}D"


def _weeks_text(weeks: float) -> str:
    return f"{weeks:g} week" + ("" if weeks == 1 else "s")


def organization(institution: Institution) -> dict[str, Any]:
    """An institution as ``ceterms:CredentialOrganization``, with its own CTID."""
    return {
        "@id": frameworks.institution_ctdl_url(institution),
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": institution.ctid,
        "ceterms:name": lang(institution.name),
        "ceterms:subjectWebpage": institution.website or frameworks.institution_page(institution),
        "ceterms:agentType": [_concept("OrganizationType", "Postsecondary", "Postsecondary")],
    }


def regents_organization() -> dict[str, Any]:
    """The State Regents, who approve (endorse) entries, as ``ceterms:QACredentialOrganization``."""
    regents = frameworks.regents()
    return {
        "@id": frameworks.regents_ctdl_url(),
        "@type": "ceterms:QACredentialOrganization",
        "ceterms:ctid": regents.ctid,
        "ceterms:name": lang(regents.name),
        "ceterms:subjectWebpage": regents.url,
    }


def credential(entry: Entry) -> dict[str, Any]:
    """``entry`` as a CTDL credential node (no ``@context``: see ``document``/``graph``)."""
    content = entry.content
    page = frameworks.entry_page(entry)
    owner = frameworks.institution_ctdl_url(entry.institution)
    description = content.summary
    if content.description:
        description = f"{description}\n\n{content.description}"
    node: dict[str, Any] = {
        "@id": frameworks.entry_ctdl_url(entry),
        "@type": "ceterms:DigitalBadge"
        if entry.entry_type is EntryType.DIGITAL_BADGE
        else "ceterms:MicroCredential",
        "ceterms:ctid": entry.ctid,
        "ceterms:name": lang(content.title),
        "ceterms:description": lang(description),
        "ceterms:inLanguage": [LANGUAGE],
        "ceterms:subjectWebpage": page,
        "ceterms:ownedBy": [owner],
        "ceterms:offeredBy": [owner],
        "ceterms:credentialStatusType": _concept(
            "CredentialStatus", _STATUS[entry.status], _STATUS[entry.status]
        ),
        "ceterms:dateEffective": entry.published_on.isoformat(),
        "ceterms:codedNotation": entry.external_id,
    }
    if entry.endorsement is Endorsement.ENDORSED:
        node["ceterms:approvedBy"] = [frameworks.regents_ctdl_url()]
    skills = [s.name for s in content.skills]
    keywords = [
        *skills,
        *(t.title for t in content.competencies),
        *(t.title for t in content.focus_areas),
    ]
    if keywords:
        # A language map whose value is a list: the current CTDL form of a multi-valued text.
        node["ceterms:keyword"] = {LANGUAGE: list(dict.fromkeys(keywords))}
    if skills or content.outcomes or content.credit_hours:
        requires: dict[str, Any] = {
            "@type": "ceterms:ConditionProfile",
            "ceterms:description": lang(
                content.assessment or "What an earner shows to be awarded this credential."
            ),
        }
        targets = [
            {"@type": CAO, "ceterms:targetNodeName": lang(name), "ceterms:alignmentType": "skill"}
            for name in skills
        ] + [
            {
                "@type": CAO,
                "ceterms:targetNodeName": lang(o.text),
                "ceterms:alignmentType": "learningOutcome",
            }
            for o in content.outcomes
        ]
        if targets:
            requires["ceterms:targetCompetency"] = targets
        if content.credit_bearing and content.credit_hours:
            requires["ceterms:creditHourType"] = lang("Semester credit hours")
            requires["ceterms:creditHourValue"] = float(content.credit_hours)
        node["ceterms:requires"] = [requires]
    for key, alignments in (
        ("ceterms:occupationType", frameworks.occupation_alignments(content)),
        ("ceterms:industryType", frameworks.industry_alignments(content)),
        ("ceterms:instructionalProgramType", frameworks.cip_alignments(content)),
    ):
        if alignments:
            node[key] = [_coded(a) for a in alignments]
    if content.duration_weeks:
        node["ceterms:estimatedDuration"] = [
            {
                "@type": "ceterms:DurationProfile",
                "ceterms:exactDuration": _duration(content.duration_weeks),
                "ceterms:description": lang(_weeks_text(content.duration_weeks)),
            }
        ]
    if content.cost_usd is not None:
        node["ceterms:estimatedCost"] = [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:costDetails": content.enrollment_url or page,
                "ceterms:description": lang(
                    "Free" if content.cost_usd == 0 else "Total cost to the learner"
                ),
                "ceterms:directCostType": _concept("CostType", "AggregateCost", "Aggregate Cost"),
                "ceterms:price": float(content.cost_usd),
                "ceterms:currency": "USD",
            }
        ]
    if content.delivery:
        term, label = _DELIVERY[content.delivery]
        node["ceterms:learningDeliveryType"] = [_concept("DeliveryType", term, label)]
    levels = [_concept("AudienceLevel", "PostSecondaryLevel", "Postsecondary")]
    if content.badge_level in _LEVEL:
        term, label = _LEVEL[content.badge_level]
        levels.append(_concept("AudienceLevel", term, label))
    node["ceterms:audienceLevelType"] = levels
    if content.stacks:
        node["ceterms:isPreparationFor"] = [
            {
                "@type": "ceterms:ConditionProfile",
                "ceterms:name": lang(stack.name),
                "ceterms:description": lang(f"Counts toward {stack.name}."),
            }
            for stack in content.stacks
        ]
    if content.badge_image_url:
        node["ceterms:image"] = content.badge_image_url
    if content.enrollment_url:
        node["ceterms:availableOnlineAt"] = [content.enrollment_url]
    return node


def document(entry: Entry) -> dict[str, Any]:
    """One entry as a JSON-LD document: the credential node with the context."""
    return {"@context": CONTEXT, **credential(entry)}


def graph(entries: list[Entry], graph_id: str) -> dict[str, Any]:
    """Several entries as one ``@graph``: each credential, then every organisation they name
    (institutions, and the State Regents when an entry is endorsed), once each."""
    nodes = [credential(e) for e in entries]
    institutions: dict[int, Institution] = {}
    for entry in entries:
        institutions.setdefault(entry.institution.id, entry.institution)
    nodes.extend(organization(i) for i in institutions.values())
    if any(e.endorsement is Endorsement.ENDORSED for e in entries):
        nodes.append(regents_organization())
    return {"@context": CONTEXT, "@id": graph_id, "@graph": nodes}
