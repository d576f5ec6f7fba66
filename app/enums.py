"""Enumerations of the domain, defined once. Their values are what the database stores."""

from __future__ import annotations

import enum

# Values that are hyphenated words in their own right, written so in every label.
_HYPHENATED_WORDS = frozenset(
    {"micro-credential", "post-traditional", "co-curricular", "in-person"}
)


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        if self.value in _HYPHENATED_WORDS:
            return self.value.capitalize()
        return self.value.replace("-", " ").replace("_", " ").capitalize()


class Role(_Labelled):
    LIAISON = "liaison"
    STAFF = "staff"
    CHANCELLOR = "chancellor"
    ADMIN = "admin"


class InstitutionKind(_Labelled):
    RESEARCH_UNIVERSITY = "research-university"
    REGIONAL_UNIVERSITY = "regional-university"
    COMMUNITY_COLLEGE = "community-college"
    TECHNOLOGY_CENTER = "technology-center"
    PRIVATE = "private"


class RequestKind(_Labelled):
    ENDORSEMENT = "endorsement"
    LISTING = "listing"
    BADGE = "badge"
    CHANGE = "change"
    RETIREMENT = "retirement"

    @property
    def needs_entry(self) -> bool:
        """Change and retirement requests start from a published entry."""
        return self in (RequestKind.CHANGE, RequestKind.RETIREMENT)


class EntryType(_Labelled):
    MICRO_CREDENTIAL = "micro-credential"
    DIGITAL_BADGE = "digital-badge"


class Endorsement(_Labelled):
    ENDORSED = "endorsed"
    NOT_ENDORSED = "not-endorsed"

    @property
    def label(self) -> str:
        if self is Endorsement.ENDORSED:
            return "Endorsed by State Regents"
        return "Not Endorsed by State Regents"


class Category(_Labelled):
    ACADEMIC = "academic"
    EMERGENT = "emergent"
    ENHANCEMENT = "enhancement"
    POST_TRADITIONAL = "post-traditional"


class LearningType(_Labelled):
    CURRICULAR = "curricular"
    CO_CURRICULAR = "co-curricular"
    EXPERIENTIAL = "experiential"


class BadgeLevel(_Labelled):
    FOUNDATIONAL = "foundational"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    STANDALONE = "standalone"
    EXPERIENTIAL = "experiential"


class Delivery(_Labelled):
    ONLINE = "online"
    IN_PERSON = "in-person"
    HYBRID = "hybrid"


class EntryStatus(_Labelled):
    ACTIVE = "active"
    RETIRED = "retired"


class Recommendation(_Labelled):
    """What staff recommend. Which ones a request may get depends on its kind
    (``app.workflow.kinds.recommendations_for``)."""

    ENDORSE = "endorse"
    LIST = "list"
    DECLINE = "decline"
    APPLY = "apply"  # a change request: apply the change to the published entry
    RETIRE = "retire"  # a retirement request: take the entry out of the inventory
    KEEP = "keep"  # a retirement request: keep the entry listed


class SignoffRole(_Labelled):
    """Who approved a request on campus before it reached the Regents."""

    CHAIR = "chair"
    DEAN = "dean"
    PROVOST = "provost"
    OTHER = "other"


class CommentVisibility(_Labelled):
    INTERNAL = "internal"
    INSTITUTION = "institution"


class TaxonomyKind(_Labelled):
    COMPETENCY = "competency"
    FOCUS_AREA = "focus_area"
    INDUSTRY = "industry"
    OCCUPATION_GROUP = "occupation_group"
    OCCUPATION = "occupation"
    CIP = "cip"

    @property
    def label(self) -> str:
        return _TAXONOMY_LABELS.get(self.value) or super().label


_TAXONOMY_LABELS = {"cip": "CIP program"}


class IndexOp(_Labelled):
    UPSERT = "upsert"
    DELETE = "delete"
