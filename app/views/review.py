"""The Regents' staff: the review queue, claiming and assigning, and the review page of one
request (rule results, what changed, comments, the timeline, the staff's actions).

Views parse the form, call one service, render; the services check who may do what.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app import compliance
from app.access import access
from app.enums import CommentVisibility, RequestKind
from app.inputs import parse_id
from app.permissions import can
from app.services import attachments, badge_images, policy, reports, review, workflow
from app.services.errors import Conflict, InvalidInput, ServiceError
from app.views.files import attachment_response
from app.workflow import kinds
from app.workflow.states import Action

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.app_context_processor
def _kinds():
    return {"kinds": kinds}


@bp.app_template_filter("dict_without")
def dict_without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in (mapping or {}).items() if k != key}


# The workflow actions the review page posts; the chancellor's live on the desk.
PAGE_ACTIONS = (Action.CLAIM, Action.REQUEST_REVISIONS, Action.RECOMMEND)
FILTER_KEYS = ("state", "kind", "institution", "assignee", "rule", "min_days", "sort", "q")


def _actor():
    return current_user._get_current_object()


def _fail(exc: ServiceError):
    """Permission and existence errors end the request with their own page."""
    abort(exc.status, exc.message)


def parse_items(values: list[str]) -> list[tuple[int, int]]:
    """``"<id>:<version>"`` values of the selection checkboxes."""
    items = []
    for value in values:
        request_id, _, version = (parse_id(v) for v in value.partition(":"))
        if request_id is None or version is None:
            raise InvalidInput("Select requests from the list.", {"item": ["Not a request."]})
        items.append((request_id, version))
    return items


def _version() -> int | None:
    return parse_id(request.form.get("version", ""))


# --- the queue ----------------------------------------------------------------------------


def _queue_page(args: MultiDict, status: int = 200, assign_error: str | None = None):
    errors: dict[str, list[str]] = {}
    try:
        filters = review.parse_filters(args)
    except InvalidInput as exc:
        errors, filters = exc.errors, exc.details["filters"]
        status = 422
    try:
        queue = review.staff_queue(_actor(), filters)
    except ServiceError as exc:
        _fail(exc)
    return (
        render_template(
            "review/queue.html",
            queue=queue,
            filters=filters,
            errors=errors,
            assign_error=assign_error,
            selected=set(request.form.getlist("item")) if request.method == "POST" else set(),
            filter_query=_filter_query(args),
            rules=compliance.RULES,
            kinds=list(RequestKind),
        ),
        status,
    )


def _filter_query(args: MultiDict) -> str:
    return urlencode([(k, v) for k in FILTER_KEYS for v in args.getlist(k) if v])


def _filters_from(query: str) -> MultiDict:
    """The queue's filters carried through the assign form (known keys only)."""
    pairs = [(k, v) for k, v in parse_qsl(query or "") if k in FILTER_KEYS]
    return MultiDict(pairs)


@bp.get("/")
@login_required
def queue():
    return _queue_page(request.args)


@bp.post("/assign")
@login_required
def assign():
    """Claim the selected requests, or assign them to a colleague; one message per request."""
    filters = _filters_from(request.form.get("filters", ""))
    back = redirect(url_for("review.queue", **filters.to_dict(flat=False)))
    to_colleague = request.form.get("action") == "assign"
    assignee = request.form.get("assignee", "")
    try:
        items = parse_items(request.form.getlist("item"))
        if not items:
            raise InvalidInput(
                "Select at least one request.", {"item": ["Select at least one request."]}
            )
        if to_colleague and parse_id(assignee) is None:
            raise InvalidInput(
                "Choose the colleague to assign them to.", {"assignee": ["Choose a colleague."]}
            )
        result = review.assign(_actor(), items, parse_id(assignee) if to_colleague else None)
    except InvalidInput as exc:
        return _queue_page(filters, 422, assign_error=exc.message)
    except ServiceError as exc:
        _fail(exc)
    for request_id in result.done:
        flash(
            f"Request #{request_id} “{result.title(request_id)}” is assigned to "
            f"{result.assignee.name}.",
            "success",
        )
    for request_id, message in result.failed.items():
        flash(
            f"Request #{request_id} “{result.title(request_id)}” was not changed: {message}",
            "error",
        )
    return back


# --- one request --------------------------------------------------------------------------


def _detail_page(request_id: int, status: int = 200, failed: dict | None = None):
    """The review page; ``failed`` names the form that failed, its errors and what was typed."""
    try:
        view = review.review_view(_actor(), request_id)
    except ServiceError as exc:
        _fail(exc)
    return (
        render_template(
            "review/detail.html",
            view=view,
            r=view.request,
            failed=failed or {},
            labels=review.FIELD_LABELS,
            recommendations=kinds.recommendations_for(view.request.kind),
            visibilities=list(CommentVisibility),
        ),
        status,
    )


def _failed(form: str, exc: ServiceError, **typed) -> dict:
    return {
        "form": form,
        "message": exc.message,
        "errors": getattr(exc, "errors", {}),
        "typed": typed,
        "conflict": isinstance(exc, Conflict),
    }


@bp.get("/<int:request_id>")
@access("regents")
@login_required
def detail(request_id: int):
    return _detail_page(request_id)


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/export.csv")
@login_required
def export_queue():
    """The queue (or the closed requests) with the filters of the URL, as CSV."""
    try:
        filters = review.parse_filters(request.args)
        rows = reports.queue_report(_actor(), filters)
    except InvalidInput as exc:
        abort(422, exc.message)
    except ServiceError as exc:
        _fail(exc)
    return _download(reports.as_csv(rows, reports.QUEUE_COLUMNS), "text/csv", "requests.csv")


@bp.get("/audit.<fmt>")
@login_required
def audit(fmt: str):
    """The audit trail of ``request=N``, or of ``from=YYYY-MM-DD&to=YYYY-MM-DD``, as CSV
    (``audit.csv``) or JSON Lines (``audit.jsonl``)."""
    if fmt not in ("csv", "jsonl"):
        abort(404)
    try:
        rows = reports.audit_report(
            _actor(),
            request_id=_int_arg("request"),
            since=_date_arg("from"),
            until=_date_arg("to"),
        )
    except InvalidInput as exc:
        abort(422, " ".join([exc.message, *(m for ms in exc.errors.values() for m in ms)]))
    except ServiceError as exc:
        _fail(exc)
    if fmt == "csv":
        return _download(reports.as_csv(rows, reports.AUDIT_COLUMNS), "text/csv", "audit.csv")
    return _download(reports.as_jsonl(rows), "application/x-ndjson", "audit.jsonl")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip().removeprefix("#")
    if not value:
        return None
    if parse_id(value) is None:
        raise_invalid(name, "Give a request number.")
    return parse_id(value)


def _date_arg(name: str):
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise_invalid(name, "Give the date as YYYY-MM-DD.")


def raise_invalid(name: str, message: str):
    abort(422, f"{name}: {message}")


@bp.get("/<int:request_id>/attachments/<int:attachment_id>")
@login_required
def attachment(request_id: int, attachment_id: int):
    """A file the institution attached, for the Regents who review it."""
    if not (can(_actor(), "review") or can(_actor(), "decide")):
        abort(403, "This page is for the Regents' staff.")
    try:
        found, path = attachments.get(_actor(), request_id, attachment_id)
    except ServiceError as exc:
        _fail(exc)
    return attachment_response(found, path)


@bp.get("/<int:request_id>/badge-image")
@login_required
def badge_image(request_id: int):
    """The badge image uploaded with a request, for the Regents who review it."""
    if not (can(_actor(), "review") or can(_actor(), "decide")):
        abort(403, "This page is for the Regents' staff.")
    try:
        path, mimetype = badge_images.request_image(_actor(), request_id)
    except ServiceError as exc:
        _fail(exc)
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/<int:request_id>/actions/<action>")
@access("regents")
@login_required
def act(request_id: int, action: str):
    """Claim, request revisions, or recommend (with the version the page showed)."""
    try:
        action = Action(action)
    except ValueError:
        abort(404)
    if action not in PAGE_ACTIONS:
        abort(404)
    comment = request.form.get("comment", "")
    recommendation = request.form.get("recommendation") or None
    try:
        req = workflow.transition(
            _actor(),
            request_id,
            action,
            version=_version(),
            comment=comment,
            recommendation=recommendation,
        )
    except (InvalidInput, Conflict) as exc:
        status = 422 if isinstance(exc, InvalidInput) else 409
        typed = {"comment": comment, "recommendation": recommendation}
        return _detail_page(request_id, status, _failed(action.value, exc, **typed))
    except ServiceError as exc:
        _fail(exc)
    flash(_done_message(action, req), "success")
    return redirect(url_for("review.detail", request_id=request_id))


def _done_message(action: Action, req) -> str:
    if action is Action.CLAIM:
        return "You claimed this request: it is in review and assigned to you."
    if action is Action.REQUEST_REVISIONS:
        return "Revisions requested: the institution has been told what to revise."
    said = kinds.SHORT_LABELS[req.recommendation].lower()
    return f"Recommended: {said}. It now waits on the chancellor."


@bp.post("/<int:request_id>/overrides")
@login_required
def override(request_id: int):
    """Set aside a failed rule with a written justification."""
    rule = request.form.get("rule", "")
    justification = request.form.get("justification", "")
    try:
        policy.override_rule(_actor(), request_id, rule, justification, version=_version())
    except (InvalidInput, Conflict) as exc:
        status = 422 if isinstance(exc, InvalidInput) else 409
        failed = _failed(f"override-{rule}", exc, justification=justification)
        return _detail_page(request_id, status, failed)
    except ServiceError as exc:
        _fail(exc)
    title = compliance.RULES[rule].title if rule in compliance.RULES else rule
    flash(f"The rule “{title}” is overridden; your justification is recorded.", "success")
    return redirect(url_for("review.detail", request_id=request_id, _anchor="compliance"))


@bp.post("/<int:request_id>/comments")
@access("regents")
@login_required
def comment(request_id: int):
    body = request.form.get("body", "")
    visibility = request.form.get("visibility", "")
    if visibility not in {v.value for v in CommentVisibility}:
        exc = InvalidInput(
            "Choose who may read the comment.",
            {"visibility": ["Choose internal or to the institution."]},
        )
        return _detail_page(request_id, 422, _failed("comment", exc, body=body))
    try:
        workflow.add_comment(_actor(), request_id, body, visibility)
    except InvalidInput as exc:
        failed = _failed("comment", exc, body=body, visibility=visibility)
        return _detail_page(request_id, 422, failed)
    except ServiceError as exc:
        _fail(exc)
    if visibility == CommentVisibility.INTERNAL.value:
        flash(
            "Internal comment added: only the Regents' staff and the chancellor see it.", "success"
        )
    else:
        flash("Comment sent to the institution.", "success")
    return redirect(url_for("review.detail", request_id=request_id, _anchor="comments"))
