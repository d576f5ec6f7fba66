"""States of a request and the one table of transitions between them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.enums import Role


class RequestState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REVISIONS_REQUESTED = "revisions_requested"
    RECOMMENDED = "recommended"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def editable(self) -> bool:
        """A liaison may edit the request's content only in these states."""
        return self in (RequestState.DRAFT, RequestState.REVISIONS_REQUESTED)


FINAL_STATES = frozenset({RequestState.APPROVED, RequestState.DECLINED, RequestState.WITHDRAWN})


class Action(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    CLAIM = "claim"
    REQUEST_REVISIONS = "request_revisions"
    RESUBMIT = "resubmit"
    RECOMMEND = "recommend"
    APPROVE = "approve"
    DECLINE = "decline"
    RETURN = "return"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[RequestState]
    target: RequestState
    roles: frozenset[Role]
    comment_required: bool = False
    label: str = ""


_S = RequestState
_STAFF = frozenset({Role.STAFF, Role.ADMIN})
_CHANCELLOR = frozenset({Role.CHANCELLOR})
_LIAISON = frozenset({Role.LIAISON})

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.SUBMIT, frozenset({_S.DRAFT}), _S.SUBMITTED, _LIAISON, label="Submit"),
        Transition(
            Action.WITHDRAW,
            frozenset(
                {_S.DRAFT, _S.SUBMITTED, _S.IN_REVIEW, _S.REVISIONS_REQUESTED, _S.RECOMMENDED}
            ),
            _S.WITHDRAWN,
            _LIAISON,
            label="Withdraw",
        ),
        Transition(Action.CLAIM, frozenset({_S.SUBMITTED}), _S.IN_REVIEW, _STAFF, label="Claim"),
        Transition(
            Action.REQUEST_REVISIONS,
            frozenset({_S.IN_REVIEW}),
            _S.REVISIONS_REQUESTED,
            _STAFF,
            comment_required=True,
            label="Request revisions",
        ),
        # A resubmission goes back to the reviewer who asked for the revisions (the request
        # keeps its assignee), not to the queue to be claimed again.
        Transition(
            Action.RESUBMIT,
            frozenset({_S.REVISIONS_REQUESTED}),
            _S.IN_REVIEW,
            _LIAISON,
            label="Resubmit",
        ),
        Transition(
            Action.RECOMMEND,
            frozenset({_S.IN_REVIEW}),
            _S.RECOMMENDED,
            _STAFF,
            comment_required=True,
            label="Recommend",
        ),
        Transition(
            Action.APPROVE, frozenset({_S.RECOMMENDED}), _S.APPROVED, _CHANCELLOR, label="Approve"
        ),
        Transition(
            Action.DECLINE,
            frozenset({_S.RECOMMENDED}),
            _S.DECLINED,
            _CHANCELLOR,
            comment_required=True,
            label="Decline",
        ),
        Transition(
            Action.RETURN,
            frozenset({_S.RECOMMENDED}),
            _S.IN_REVIEW,
            _CHANCELLOR,
            comment_required=True,
            label="Return to staff",
        ),
    )
}


def transition_for(action: Action | str) -> Transition:
    """The transition of ``action``; raises ``ValueError`` for an unknown action."""
    return TRANSITIONS[Action(action)]
