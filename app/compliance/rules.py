"""The rules, their profiles per request kind, and evaluation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

RULE_SET_VERSION = "2026.2"


@dataclass(frozen=True)
class Facts:
    """What the rules look at: a request's fields (as ``content_fields`` writes them) and the
    context the service gathered."""

    fields: dict
    credit_hour_cap: float = 9.0
    # Titles of the same institution's active inventory entries that the search index found
    # similar to this request's title: [(entry_id, title)]. The entry a change request changes
    # is not among them.
    similar_titles: list[tuple[int, str]] = field(default_factory=list)
    # The summaries of those entries, by entry id (a near-duplicate may differ in its title's
    # wording and still say the same thing).
    similar_summaries: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    rule: str
    title: str
    passed: bool
    blocking: bool
    message: str
    field: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    field: str
    check: Callable[[Facts], str | None]  # None when it passes, else the failure message


def _num(value) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _text(value) -> bool:
    return bool(value and str(value).strip())


# --- the rules ----------------------------------------------------------------------------


def credit_hour_cap(f: Facts) -> str | None:
    if not f.fields.get("credit_bearing"):
        return None
    hours = _num(f.fields.get("credit_hours"))
    if hours is None:
        return "Give the credit hours of this credit-bearing micro-credential."
    if hours > f.credit_hour_cap:
        return (
            f"{_fmt(hours)} credit hours is over the policy's cap of {_fmt(f.credit_hour_cap)} "
            "credit hours for a micro-credential. Reduce the courses or file it as a "
            "certificate program instead."
        )
    return None


def credit_hours_match_courses(f: Facts) -> str | None:
    if not f.fields.get("credit_bearing"):
        return None
    courses = f.fields.get("courses") or []
    if not courses:
        return "List the courses that make up the credit hours."
    total = sum(_num(c.get("credit_hours")) or 0 for c in courses)
    declared = _num(f.fields.get("credit_hours"))
    if declared is None or abs(total - declared) > 1e-6:
        return (
            f"The courses add up to {_fmt(total)} credit hours, but the request declares "
            f"{_fmt(declared) if declared is not None else 'none'}. Make them agree."
        )
    return None


def workforce_alignment(f: Facts) -> str | None:
    if f.fields.get("occupations") or f.fields.get("industries"):
        return None
    return "Name at least one occupation (SOC code) or industry (NAICS sector) it prepares for."


def workforce_demand(f: Facts) -> str | None:
    if f.fields.get("partners") or _text(f.fields.get("demand_evidence")):
        return None
    return (
        "Name at least one employer or industry partner, or document the evidence of "
        "workforce demand."
    )


def skills_listed(f: Facts) -> str | None:
    if any(_text(s) for s in f.fields.get("skills") or []):
        return None
    return "List at least one skill that completers gain."


def outcomes_assessed(f: Facts) -> str | None:
    outcomes = [o for o in f.fields.get("learning_outcomes") or [] if _text(o.get("text"))]
    if not outcomes:
        return "State at least one measurable learning outcome."
    if any(_text(o.get("assessment")) for o in outcomes) or _text(f.fields.get("assessment")):
        return None
    return "Say how the learning outcomes are assessed."


BADGE_FIELDS = {
    "issuer": "issuer",
    "criteria": "criteria",
    "description": "description",
    "image_url": "image",
}


def badge_metadata(f: Facts) -> str | None:
    badge = f.fields.get("badge") or {}
    missing = [label for key, label in BADGE_FIELDS.items() if not _text(badge.get(key))]
    if not any(_text(s) for s in f.fields.get("skills") or []):
        missing.append("skills")
    if not missing:
        return None
    return "The badge's metadata is incomplete: add its " + _join(missing) + "."


def complete(f: Facts) -> str | None:
    missing = [
        label
        for key, label in (("title", "title"), ("summary", "summary"), ("delivery", "delivery"))
        if not _text(f.fields.get(key))
    ]
    if not missing:
        return None
    return "Complete the " + _join(missing) + "."


_WORDS = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"a", "an", "and", "the", "of", "in", "for", "to", "with", "on"})
# Abbreviations institutions use in titles, read as the word they stand for.
ABBREVIATIONS = {
    "mgmt": "management",
    "mgt": "management",
    "mngmt": "management",
    "admin": "administration",
    "tech": "technology",
    "techn": "technology",
    "intro": "introduction",
    "dev": "development",
    "devel": "development",
    "info": "information",
    "ops": "operations",
    "cert": "certificate",
    "fund": "fundamentals",
    "eng": "engineering",
    "engr": "engineering",
    "bus": "business",
    "acct": "accounting",
    "comm": "communication",
    "mktg": "marketing",
    "svc": "services",
    "svcs": "services",
    "sys": "systems",
    "prog": "programming",
    "adv": "advanced",
    "ai": "artificial intelligence",
}
# Words that say what level or shape a credential is, not what it is about.
_GENERIC = frozenset(
    {
        "fundamentals",
        "fundamental",
        "foundations",
        "foundation",
        "basics",
        "basic",
        "essentials",
        "essential",
        "introduction",
        "introductory",
        "principles",
        "certificate",
        "credential",
        "micro",
        "badge",
        "level",
        "i",
        "ii",
        "iii",
        "1",
        "2",
        "3",
    }
)


def _words(text: str) -> list[str]:
    out = []
    for word in _WORDS.findall((text or "").lower()):
        out.extend(ABBREVIATIONS.get(word, word).split())
    return [w for w in out if w not in _STOP]


def title_words(title: str) -> frozenset[str]:
    return frozenset(_words(title))


def topic_words(title: str) -> frozenset[str]:
    """A title's words without the generic ones ("Fundamentals", "Certificate", "II")."""
    return frozenset(w for w in _words(title) if w not in _GENERIC)


def candidate_words(title: str) -> frozenset[str]:
    """The words to look for other entries by: as typed and with abbreviations read out."""
    raw = _WORDS.findall((title or "").lower())
    return frozenset(w for w in (*raw, *_words(title)) if len(w) > 3 and w not in _GENERIC)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two titles' significant words."""
    x, y = title_words(a), title_words(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' words (for summaries)."""
    x, y = frozenset(_words(a)), frozenset(_words(b))
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


NEAR_DUPLICATE = 0.8
SAME_SUMMARY = 0.6


def near_duplicate(title: str, summary: str, other_title: str, other_summary: str) -> bool:
    """Whether two credentials look like the same thing: nearly the same title words (with
    abbreviations read out), the same topic words once "Fundamentals" and the like are set
    aside (one extra topic word at most), or overlapping titles over nearly the same summary."""
    if similarity(title, other_title) >= NEAR_DUPLICATE:
        return True
    mine, theirs = topic_words(title), topic_words(other_title)
    if (
        mine
        and theirs
        and (mine == theirs or (min(len(mine), len(theirs)) >= 2 and len(mine ^ theirs) <= 1))
    ):
        return True
    overlap = len(mine & theirs) / len(mine | theirs) if mine and theirs else 0.0
    return overlap >= 0.3 and text_similarity(summary, other_summary) >= SAME_SUMMARY


def no_near_duplicate(f: Facts) -> str | None:
    title = f.fields.get("title") or ""
    summary = f.fields.get("summary") or ""
    for entry_id, other in f.similar_titles:
        if near_duplicate(title, summary, other, f.similar_summaries.get(entry_id, "")):
            message = (
                f"Your institution already has “{other}” in the inventory (entry {entry_id}). "
                "File a change request for it instead, or explain how this one differs in "
                "“How this differs from your existing entries”; staff will read it."
            )
            explanation = (f.fields.get("duplicate_explanation") or "").strip()
            if explanation:
                message += f" The institution explains: {explanation}"
            return message
    return None


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("complete", "Required fields", "title", complete),
        Rule("credit_hour_cap", "Credit-hour cap", "credit_hours", credit_hour_cap),
        Rule(
            "credit_hours_match_courses",
            "Credit hours match the courses",
            "courses",
            credit_hours_match_courses,
        ),
        Rule(
            "workforce_alignment",
            "Aligned with occupations or industries",
            "occupations",
            workforce_alignment,
        ),
        Rule(
            "workforce_demand",
            "Employer partner or evidence of demand",
            "partners",
            workforce_demand,
        ),
        Rule("skills_listed", "Skills", "skills", skills_listed),
        Rule(
            "outcomes_assessed",
            "Learning outcomes and assessment",
            "learning_outcomes",
            outcomes_assessed,
        ),
        Rule("badge_metadata", "Complete badge metadata", "badge", badge_metadata),
        Rule("no_near_duplicate", "Not a near-duplicate", "title", no_near_duplicate),
    )
}

BLOCK, WARN = True, False

# Which rules apply to a kind, and whether each failure blocks submission or warns.
PROFILES: dict[str, dict[str, bool]] = {
    "endorsement": {
        "complete": BLOCK,
        "credit_hour_cap": BLOCK,
        "credit_hours_match_courses": BLOCK,
        "workforce_alignment": BLOCK,
        "workforce_demand": BLOCK,
        "skills_listed": BLOCK,
        "outcomes_assessed": BLOCK,
        "badge_metadata": BLOCK,
        # A warning: staff see it with the institution's explanation and may override it.
        "no_near_duplicate": WARN,
    },
    # A listing is on the institution's own authority: completeness and accuracy only.
    "listing": {
        "complete": BLOCK,
        "credit_hours_match_courses": BLOCK,
        "skills_listed": BLOCK,
        "badge_metadata": BLOCK,
        "no_near_duplicate": WARN,
        "workforce_alignment": WARN,
    },
    # A badge is complete with its metadata; the endorsement policy's other rules warn here
    # and must pass (or be overridden) before staff may recommend endorsing it.
    "badge": {
        "complete": BLOCK,
        "credit_hour_cap": WARN,
        "credit_hours_match_courses": WARN,
        "workforce_alignment": WARN,
        "workforce_demand": WARN,
        "skills_listed": BLOCK,
        "outcomes_assessed": WARN,
        "badge_metadata": BLOCK,
        "no_near_duplicate": WARN,
    },
    "retirement": {},
}

# What an endorsement needs, whatever the kind of request: every rule of the endorsement
# profile except the near-duplicate warning.
ENDORSEMENT_RULES = frozenset(PROFILES["endorsement"]) - {"no_near_duplicate"}


def profile_for(kind: str, *, endorsed: bool = False) -> dict[str, bool]:
    """The rules of a request kind. A change request is held to the policy of what it changes:
    the full policy for an endorsed entry, a listing's otherwise."""
    if kind == "change":
        profile = dict(PROFILES["endorsement" if endorsed else "listing"])
        profile.pop("no_near_duplicate", None)
        return profile
    return PROFILES[kind]


def _applies_to_badge(fields: dict) -> bool:
    badge = fields.get("badge") or {}
    return fields.get("entry_type") == "digital-badge" or any(_text(v) for v in badge.values())


def evaluate(facts: Facts, kind: str, *, endorsed: bool = False) -> list[Result]:
    """Run the rules of ``kind`` on ``facts``; results in the rules' order."""
    profile = profile_for(kind, endorsed=endorsed)
    results = []
    for name, rule in RULES.items():
        if name not in profile:
            continue
        if name == "badge_metadata" and kind != "badge" and not _applies_to_badge(facts.fields):
            continue
        message = rule.check(facts)
        results.append(
            Result(
                rule=name,
                title=rule.title,
                passed=message is None,
                blocking=profile[name],
                message=message or "",
                field=rule.field,
            )
        )
    return results
