"""``can(user, action, obj)``: the one place that decides who may do what.

Services enforce these answers; templates only display them. A liaison's world is their own
institution: anything of another institution is treated as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from app.enums import CommentVisibility, Role
from app.workflow.states import Action, transition_for

STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN})
_ACTIONS = frozenset(a.value for a in Action)
REGENTS_ROLES = frozenset({Role.STAFF, Role.ADMIN, Role.CHANCELLOR})


def _role(user) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return None
    return user.role


def sees_request(user, request) -> bool:
    role = _role(user)
    if role is None:
        return False
    if role is Role.LIAISON:
        return request.institution_id == user.institution_id
    return role in REGENTS_ROLES


def can(user, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``obj``).

    Actions: ``view``, ``edit``, ``delete`` (a draft) and ``copy`` (a closed one) a request,
    ``create_request`` for an institution, any workflow ``Action`` on a request,
    ``comment_internal``, ``see_comment`` (a comment),
    ``review`` (the staff queue), ``decide`` (the chancellor's desk), ``see_insights``,
    ``administer``.
    """
    role = _role(user)
    if role is None:
        return False
    if action == "view":
        return sees_request(user, obj)
    if action == "edit":
        return role is Role.LIAISON and sees_request(user, obj) and obj.state.editable
    if action == "delete":  # a draft: nothing of it is on record yet
        return role is Role.LIAISON and sees_request(user, obj) and obj.state.value == "draft"
    if action == "copy":  # a closed request starts a new draft
        return (
            role is Role.LIAISON
            and sees_request(user, obj)
            and obj.state.value in ("declined", "withdrawn")
        )
    if action == "create_request":
        return role is Role.LIAISON and (obj is None or obj.id == user.institution_id)
    if action == "review":
        return role in STAFF_ROLES
    if action == "see_insights":
        return role in REGENTS_ROLES
    if action == "decide":
        return role is Role.CHANCELLOR
    if action == "administer":
        return role is Role.ADMIN
    if action == "comment_internal":
        return role in REGENTS_ROLES
    if action == "see_comment":
        return role in REGENTS_ROLES or (
            obj.visibility is CommentVisibility.INSTITUTION and sees_request(user, obj.request)
        )
    if action in _ACTIONS:
        transition = transition_for(action)
        if role not in transition.roles or not sees_request(user, obj):
            return False
        return obj.state in transition.sources
    return False


def allowed_actions(user, request) -> list[Action]:
    """The workflow actions ``user`` may take on ``request`` now, in table order."""
    return [a for a in Action if can(user, a.value, request)]
