"""Campus sign-offs: who approved a request on campus (chair, dean, provost …), in which role
and on what date, recorded by the institution's liaison before it reaches the Regents, and shown
to the Regents' staff with the request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.enums import Role, SignoffRole
from app.extensions import db
from app.models import Signoff, User
from app.permissions import can
from app.services import unit, workflow
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

MAX_SIGNOFFS = 10


def add(actor: User, request_id: int, name: str, role: str, signed_on: str | date) -> Signoff:
    """A liaison records a campus sign-off on a request they may edit.

    Raises ``NotFound``, ``PermissionDenied`` (not a liaison), ``Conflict`` (not editable now),
    ``InvalidInput`` (a missing name, an unknown role, a date that is not a date or is ahead)."""
    request = workflow.get_request(actor, request_id)
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons record campus sign-offs.")
    if not can(actor, "edit", request):
        raise Conflict(
            f"This request is {request.state.label.lower()}: sign-offs are recorded while it is "
            "a draft or revisions are requested."
        )
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["signoff_name"] = ["Give the name of the person who signed off."]
    elif len(name) > 200:
        errors["signoff_name"] = ["Keep the name to 200 characters or fewer."]
    try:
        role_value = SignoffRole(role)
    except ValueError:
        errors["signoff_role"] = ["Choose chair, dean, provost or other."]
        role_value = None
    if isinstance(signed_on, date):
        day = signed_on
    else:
        try:
            day = date.fromisoformat((signed_on or "").strip())
        except ValueError:
            day = None
            errors["signoff_date"] = ["Give the date as YYYY-MM-DD."]
    if day is not None and day > datetime.now(UTC).date() + timedelta(days=1):
        errors["signoff_date"] = ["A sign-off cannot be dated in the future."]
    if len(request.signoffs) >= MAX_SIGNOFFS:
        errors["signoff_name"] = [f"A request records at most {MAX_SIGNOFFS} sign-offs."]
    if errors:
        raise InvalidInput("The sign-off was not recorded.", errors)
    signoff = Signoff(request=request, name=name, role=role_value, signed_on=day, recorded_by=actor)
    db.session.add(signoff)
    unit.commit()
    return signoff


def remove(actor: User, request_id: int, signoff_id: int) -> None:
    """A liaison removes a sign-off recorded in error, while the request is editable."""
    request = workflow.get_request(actor, request_id)
    signoff = db.session.get(Signoff, signoff_id)
    if signoff is None or signoff.request_id != request.id:
        raise NotFound("There is no such sign-off.")
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons record campus sign-offs.")
    if not can(actor, "edit", request):
        raise Conflict("The sign-offs of a submitted request can no longer change.")
    db.session.delete(signoff)
    unit.commit()
