"""What each kind of request may be recommended, and how each recommendation reads.

Pure Python: the review page, the chancellor's desk, the e-mails and the workflow service all
read these tables, so a retirement never reads as publishing and a change never as endorsing.
"""

from __future__ import annotations

from app.enums import Recommendation, RequestKind

_R = Recommendation

RECOMMENDATIONS: dict[RequestKind, tuple[Recommendation, ...]] = {
    RequestKind.ENDORSEMENT: (_R.ENDORSE, _R.LIST, _R.DECLINE),
    RequestKind.LISTING: (_R.LIST, _R.DECLINE),
    RequestKind.BADGE: (_R.ENDORSE, _R.LIST, _R.DECLINE),
    RequestKind.CHANGE: (_R.APPLY, _R.DECLINE),
    RequestKind.RETIREMENT: (_R.RETIRE, _R.KEEP),
}

# What staff choose, as the review page offers it.
CHOICE_LABELS: dict[Recommendation, str] = {
    _R.ENDORSE: "Endorse (published as “Endorsed by State Regents”)",
    _R.LIST: "List as not endorsed (published as “Not Endorsed by State Regents”)",
    _R.DECLINE: "Decline",
    _R.APPLY: "Apply the change to the published entry",
    _R.RETIRE: "Retire the entry from the inventory",
    _R.KEEP: "Keep the entry listed (decline the retirement)",
}

# What the standing recommendation says, on the desk and in the timeline.
SHORT_LABELS: dict[Recommendation, str] = {
    _R.ENDORSE: "Endorse",
    _R.LIST: "List as not endorsed",
    _R.DECLINE: "Decline",
    _R.APPLY: "Apply the change",
    _R.RETIRE: "Retire the entry",
    _R.KEEP: "Keep the entry",
}

# Recommendations the chancellor can only decline (or return): approving them would do nothing.
NEGATIVE = frozenset({_R.DECLINE, _R.KEEP})


def recommendations_for(kind: RequestKind) -> tuple[Recommendation, ...]:
    return RECOMMENDATIONS[kind]


def choices_sentence(kind: RequestKind) -> str:
    """``"Choose apply the change or decline."``: the error when none (or a wrong one) is chosen."""
    labels = [SHORT_LABELS[r].lower() for r in RECOMMENDATIONS[kind]]
    if len(labels) > 1:
        text = ", ".join(labels[:-1]) + " or " + labels[-1]
    else:
        text = labels[0]
    return f"For a {kind.value} request, choose: {text}."


def approval_effect(kind: RequestKind, recommendation: Recommendation | None) -> str:
    """What approving does, in one phrase for the chancellor's desk."""
    if kind is RequestKind.RETIREMENT:
        return "Retires the entry: it leaves the public inventory at once"
    if kind is RequestKind.CHANGE:
        return "Applies the change: the entry's new version shows at once"
    if recommendation is _R.ENDORSE:
        return "Publishes it at once as “Endorsed by State Regents”"
    return "Publishes it at once as “Not Endorsed by State Regents”"
