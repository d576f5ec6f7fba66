"""The Regents' micro-credential policy as named rules: pure functions over a request's data.

``evaluate(facts, kind)`` runs the rules that apply to a request kind and says, for each, whether
it passed, whether a failure blocks submission or only warns, a message a liaison understands,
and the field it concerns. Nothing here knows Flask or the database: the caller gathers the
facts (including near-duplicate candidates found in the database).
"""

from app.compliance.rules import (
    ENDORSEMENT_RULES,
    RULE_SET_VERSION,
    RULES,
    Facts,
    Result,
    Rule,
    candidate_words,
    evaluate,
    profile_for,
)

__all__ = [
    "ENDORSEMENT_RULES",
    "RULES",
    "RULE_SET_VERSION",
    "Facts",
    "Result",
    "Rule",
    "candidate_words",
    "evaluate",
    "profile_for",
]
