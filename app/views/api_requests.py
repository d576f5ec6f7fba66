"""The workflow in the JSON API: drafts and transitions, with token authentication.

The same services and permissions as the pages: an institution's catalog system files requests
in bulk with a liaison's personal API token (``Authorization: Bearer <token>``).
"""

from __future__ import annotations

import functools

from flask import jsonify, request, url_for
from flask_login import current_user

from app import compliance
from app.access import access
from app.auth_loader import bearer_token
from app.errors import error_response
from app.permissions import REGENTS_ROLES, allowed_actions
from app.services import policy, workflow
from app.services.content import content_fields
from app.services.errors import InvalidInput, ServiceError
from app.views.api import bp
from app.workflow.states import RequestState

# Fields of the payload that are not content fields.
_CONTROL = {"kind", "entry", "version", "id", "state"}


def _service_error(exc: ServiceError):
    titles = {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        422: "Unprocessable Entity",
    }
    extra = {}
    if isinstance(exc, InvalidInput):
        extra["errors"] = exc.errors
    extra.update(
        {
            k: v
            for k, v in exc.details.items()
            if k
            in ("state", "version", "compliance", "rule_set_version", "open_request_id", "link")
            and v is not None
        }
    )
    return error_response(exc.status, titles.get(exc.status, "Error"), exc.message, **extra)


def _require_token():
    if bearer_token(request) is None or not current_user.is_authenticated:
        return error_response(
            401, "Unauthorized", "Send a personal API token as 'Authorization: Bearer <token>'."
        )
    return None


def _json_body() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def token_required(view):
    """Answer 401 unless a personal API token authenticated the call."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        return _require_token() or view(*args, **kwargs)

    return wrapped


def _body_with_version():
    """The JSON object of a write that must carry the ``version`` last read, or an error."""
    body = _json_body()
    if body is None:
        return None, error_response(400, "Bad Request", "Send a JSON object.")
    if not isinstance(body.get("version"), int) or isinstance(body.get("version"), bool):
        return None, error_response(
            422,
            "Unprocessable Entity",
            "Send the version you last read.",
            errors={"version": ["Required, a whole number."]},
        )
    return body, None


def representation(req) -> dict:
    """A request as the API shows it to the current user (internal notes only to the Regents)."""
    actor = current_user
    return {
        "id": req.id,
        "kind": req.kind.value,
        "state": req.state.value,
        "version": req.version,
        "institution": {"code": req.institution.code, "name": req.institution.name},
        "entry_id": req.entry_id,
        "external_id": req.external_id,
        **content_fields(req.content),
        "retirement_reason": req.retirement_reason,
        "retirement_effective_on": (
            req.retirement_effective_on.isoformat() if req.retirement_effective_on else None
        ),
        "retirement_teach_out": req.retirement_teach_out,
        "duplicate_explanation": req.duplicate_explanation,
        "base_version": req.base_version,
        # Staff's recommendation is the Regents' internal business until the decision.
        "recommendation": (
            req.recommendation.value
            if req.recommendation and (actor.role in REGENTS_ROLES or req.state.is_final)
            else None
        ),
        "created_at": req.created_at.isoformat(),
        "updated_at": req.updated_at.isoformat(),
        "submitted_at": req.submitted_at.isoformat() if req.submitted_at else None,
        "decided_at": req.decided_at.isoformat() if req.decided_at else None,
        "allowed_actions": [a.value for a in allowed_actions(actor, req)],
        "rule_set_version": compliance.RULE_SET_VERSION,
        "compliance": policy.snapshot(policy.evaluate(req)),
        "transitions": [
            {
                "action": t.action.value,
                "from": t.from_state.value,
                "to": t.to_state.value,
                "at": t.created_at.isoformat(),
                "by": {
                    "name": t.actor.name if t.actor else None,
                    "role": t.actor_role.value if t.actor_role else None,
                },
                "comment": workflow.visible_comment_text(actor, t),
            }
            for t in req.transitions
        ],
        "comments": [
            {
                "by": c.author.name if c.author else None,
                "visibility": c.visibility.value,
                "body": c.body,
                "at": c.created_at.isoformat(),
            }
            for c in workflow.visible_comments(actor, req)
        ],
        "url": url_for("api.get_request", request_id=req.id, _external=True),
    }


@bp.post("/requests")
@access("token")
@token_required
def create_request():
    """File a new request (a draft).
    ---
    post:
      summary: Create a draft request for the caller's institution
      description: Fields are named as in the inventory record format; `entry` names the
        published entry of a change or retirement request (and optionally of a badge request).
      security: [{bearerAuth: []}]
      requestBody:
        content:
          application/json:
            schema: RequestCreateSchema
      responses:
        201: {content: {application/json: {schema: RequestSchema}}}
        401: {description: No valid API token.}
        403: {description: Only liaisons file requests.}
        422: {content: {application/json: {schema: ErrorSchema}}}
    """
    body = _json_body()
    if body is None:
        return error_response(400, "Bad Request", "Send a JSON object.")
    fields = {k: v for k, v in body.items() if k not in _CONTROL}
    entry = body.get("entry")
    if entry is not None and not isinstance(entry, int):
        return error_response(
            422,
            "Unprocessable Entity",
            "entry must be an entry id.",
            errors={"entry": ["Must be the id of a published entry."]},
        )
    try:
        req = workflow.create_request(current_user, body.get("kind"), fields, entry_id=entry)
    except ServiceError as exc:
        return _service_error(exc)
    response = jsonify(representation(req))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_request", request_id=req.id)
    return response


@bp.get("/requests")
@access("token")
@token_required
def list_requests():
    """The requests the caller may see.
    ---
    get:
      summary: List requests (a liaison sees their institution's)
      security: [{bearerAuth: []}]
      parameters:
      - {in: query, name: state, schema: {type: string}}
      responses:
        200: {description: "`{\\"requests\\": [...]}`"}
        400: {content: {application/json: {schema: ErrorSchema}}}
    """
    state = request.args.get("state")
    try:
        state = RequestState(state) if state else None
    except ValueError:
        states = ", ".join(s.value for s in RequestState)
        return error_response(
            400,
            "Bad Request",
            f"state must be one of: {states}.",
            errors={"state": [f"Must be one of: {states}."]},
        )
    return jsonify(
        requests=[representation(r) for r in workflow.list_requests(current_user, state)]
    )


@bp.get("/requests/<int:request_id>")
@access("token")
@token_required
def get_request(request_id: int):
    """One request.
    ---
    get:
      summary: One request
      security: [{bearerAuth: []}]
      parameters:
      - {in: path, name: request_id, required: true, schema: {type: integer}}
      responses:
        200: {content: {application/json: {schema: RequestSchema}}}
        404: {content: {application/json: {schema: ErrorSchema}}}
    """
    try:
        return jsonify(representation(workflow.get_request(current_user, request_id)))
    except ServiceError as exc:
        return _service_error(exc)


@bp.patch("/requests/<int:request_id>")
@access("token")
@token_required
def update_request(request_id: int):
    """Save fields of a draft (or of a request sent back for revisions).
    ---
    patch:
      summary: Update a draft
      description: Send `version` as last read; only the fields sent are changed.
      security: [{bearerAuth: []}]
      parameters:
      - {in: path, name: request_id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: RequestUpdateSchema
      responses:
        200: {content: {application/json: {schema: RequestSchema}}}
        404: {content: {application/json: {schema: ErrorSchema}}}
        409: {content: {application/json: {schema: ErrorSchema}}}
        422: {content: {application/json: {schema: ErrorSchema}}}
    """
    body, problem = _body_with_version()
    if problem:
        return problem
    fields = {k: v for k, v in body.items() if k not in _CONTROL}
    try:
        req = workflow.update_request(current_user, request_id, body["version"], fields)
    except ServiceError as exc:
        return _service_error(exc)
    return jsonify(representation(req))


@bp.post("/requests/<int:request_id>/transitions")
@access("token")
@token_required
def transition(request_id: int):
    """Move a request along the workflow.
    ---
    post:
      summary: Take a workflow action
      description: "submit, withdraw, claim, request_revisions, resubmit, recommend, approve,
        decline or return. 409 when `version` is stale or the action is not legal from the
        current state; 422 when a required comment or recommendation is missing."
      security: [{bearerAuth: []}]
      parameters:
      - {in: path, name: request_id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: TransitionSchema
      responses:
        200: {content: {application/json: {schema: RequestSchema}}}
        403: {content: {application/json: {schema: ErrorSchema}}}
        404: {content: {application/json: {schema: ErrorSchema}}}
        409: {content: {application/json: {schema: ErrorSchema}}}
        422: {content: {application/json: {schema: ErrorSchema}}}
    """
    body, problem = _body_with_version()
    if problem:
        return problem
    try:
        req = workflow.transition(
            current_user,
            request_id,
            body.get("action") or "",
            version=body["version"],
            comment=body.get("comment"),
            recommendation=body.get("recommendation"),
        )
    except ServiceError as exc:
        return _service_error(exc)
    return jsonify(representation(req))
