"""The chancellor's desk: the recommendations waiting, each approved, declined or returned to
staff, and routine ones approved several at once. An approval publishes at once."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.inputs import parse_id
from app.services import review, workflow
from app.services.errors import Conflict, InvalidInput, ServiceError
from app.views.review import parse_items
from app.workflow.states import Action

bp = Blueprint("approvals", __name__, url_prefix="/approvals")

DESK_ACTIONS = (Action.APPROVE, Action.DECLINE, Action.RETURN)


def _actor():
    return current_user._get_current_object()


def _desk(status: int = 200, failed: dict | None = None):
    """The desk; ``failed`` names the request and form that failed, its errors and the note."""
    try:
        views = review.approvals_queue(_actor())
    except ServiceError as exc:
        abort(exc.status, exc.message)
    return render_template("approvals/desk.html", views=views, failed=failed or {}), status


@bp.get("/")
@login_required
def desk():
    return _desk()


@bp.post("/<int:request_id>/<action>")
@login_required
def decide(request_id: int, action: str):
    """Approve, decline (a note is required) or return to staff (a note is required)."""
    try:
        action = Action(action)
    except ValueError:
        abort(404)
    if action not in DESK_ACTIONS:
        abort(404)
    note = request.form.get("comment", "")
    version = request.form.get("version", "")
    try:
        req = workflow.transition(
            _actor(),
            request_id,
            action,
            version=parse_id(version),
            comment=note,
        )
    except (InvalidInput, Conflict) as exc:
        failed = {
            "id": request_id,
            "form": action.value,
            "message": exc.message,
            "errors": getattr(exc, "errors", {}),
            "note": note,
            "conflict": isinstance(exc, Conflict),
        }
        return _desk(422 if isinstance(exc, InvalidInput) else 409, failed)
    except ServiceError as exc:
        abort(exc.status, exc.message)
    title = req.content.title or "Untitled"
    if action is Action.APPROVE:
        flash(f"Approved “{title}”. {workflow.approval_sentence(req)}", "success")
    elif action is Action.DECLINE:
        flash(f"Declined “{title}”. The institution has been told why.", "success")
    else:
        flash(f"Returned “{title}” to staff with your note.", "success")
    return redirect(url_for("approvals.desk"))


@bp.post("/approve-selected")
@login_required
def approve_selected():
    """Approve the selected recommendations; each succeeds or fails on its own."""
    try:
        items = parse_items(request.form.getlist("item"))
        if not items:
            raise InvalidInput(
                "Select at least one recommendation.", {"item": ["Select at least one."]}
            )
        result = review.decide_many(_actor(), items, Action.APPROVE)
    except InvalidInput as exc:
        return _desk(422, {"id": None, "form": "bulk", "message": exc.message, "errors": {}})
    except ServiceError as exc:
        abort(exc.status, exc.message)
    for request_id in result.done:
        flash(f"Approved “{result.title(request_id)}”.", "success")
    for request_id, message in result.failed.items():
        flash(f"“{result.title(request_id)}” was not approved: {message}", "error")
    return redirect(url_for("approvals.desk"))
