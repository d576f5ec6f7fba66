"""The request workflow's use cases: drafts, every transition, comments, and publication.

Every transition runs the same steps: load, check permission, check the version the actor saw
is still current, check the edge is legal, change, append the transition record; approval also
publishes; e-mail and index work are written to their outboxes in the same transaction and
sent after the commit. Two people acting at once on one request: exactly one succeeds (the
request's version counter makes the other's UPDATE match no row), the other gets ``Conflict``.
"""

from __future__ import annotations

from datetime import datetime
from sqlite3 import SQLITE_BUSY
from typing import Any

import sqlalchemy as sa
from flask import url_for
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app import clock, compliance
from app.enums import (
    CommentVisibility,
    Endorsement,
    EntryStatus,
    EntryType,
    Recommendation,
    RequestKind,
    Role,
)
from app.extensions import db
from app.inputs import fits_id
from app.models import (
    Comment,
    CredentialContent,
    CredentialRequest,
    Entry,
    MailMessage,
    Notification,
    TransitionRecord,
    User,
)
from app.permissions import REGENTS_ROLES, STAFF_ROLES, can, sees_request
from app.schemas.request import DraftSchema
from app.services import content as content_service
from app.services import mail, policy, publishing, unit
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.services.records import _flatten
from app.services.reference import Resolver
from app.workflow import kinds
from app.workflow.states import FINAL_STATES, Action, RequestState, transition_for

# Transitions that record the rule set and its results at that moment.
RECORDS_COMPLIANCE = frozenset(
    {Action.SUBMIT, Action.RESUBMIT, Action.RECOMMEND, Action.APPROVE, Action.DECLINE}
)

# Transition comments an institution may read; the others are the Regents' internal notes.
INSTITUTION_VISIBLE = frozenset(
    {Action.SUBMIT, Action.WITHDRAW, Action.RESUBMIT, Action.REQUEST_REVISIONS, Action.DECLINE}
)


def _now() -> datetime:
    return clock.now()


def _load_fields(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return DraftSchema().load(data, partial=True)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for field, message in _flatten(exc.messages):
            errors.setdefault(field, []).append(message)
        raise InvalidInput("Some fields are not valid.", errors) from exc


# --- reading ------------------------------------------------------------------------------


def get_request(actor: User, request_id: int) -> CredentialRequest:
    """A request the actor may see. Another institution's request raises ``NotFound``, exactly
    like one that does not exist."""
    request = db.session.get(CredentialRequest, request_id) if fits_id(request_id) else None
    if request is None or not sees_request(actor, request):
        raise NotFound("There is no such request.")
    return request


def list_requests(actor: User, state: RequestState | None = None) -> list[CredentialRequest]:
    """The requests the actor may see (a liaison: their institution's), newest first."""
    query = sa.select(CredentialRequest).order_by(CredentialRequest.updated_at.desc())
    if actor.role is Role.LIAISON:
        query = query.where(CredentialRequest.institution_id == actor.institution_id)
    elif actor.role not in REGENTS_ROLES:
        return []
    if state is not None:
        query = query.where(CredentialRequest.state == state)
    return list(db.session.scalars(query))


def visible_comments(actor: User, request: CredentialRequest) -> list[Comment]:
    return [c for c in request.comments if can(actor, "see_comment", c)]


def revision_request(request: CredentialRequest) -> TransitionRecord | None:
    """The staff's standing request for revisions (while the request waits on them)."""
    if request.state is not RequestState.REVISIONS_REQUESTED:
        return None
    asked = [t for t in request.transitions if t.action is Action.REQUEST_REVISIONS]
    return asked[-1] if asked else None


def visible_comment_text(actor: User, record: TransitionRecord) -> str | None:
    """The transition's comment if ``actor`` may read it (institutions never see internal notes)."""
    if actor.role in REGENTS_ROLES or record.action in INSTITUTION_VISIBLE:
        return record.comment
    return None


# --- drafts -------------------------------------------------------------------------------


def create_request(
    actor: User, kind: RequestKind | str, data: dict[str, Any], *, entry_id: int | None = None
) -> CredentialRequest:
    """A liaison starts a request of ``kind`` for their institution (state ``draft``).

    Change, retirement and badge requests may name a published ``entry_id`` of the same
    institution; change and retirement must, and start pre-filled from it. Raises
    ``PermissionDenied``, ``NotFound`` (an entry of another institution), ``InvalidInput``.
    """
    if actor is None or actor.role is not Role.LIAISON or not actor.active:
        raise PermissionDenied("Only an institution's liaisons file requests.")
    try:
        kind = RequestKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in RequestKind)
        raise InvalidInput("Unknown kind.", {"kind": [f"Must be one of: {kinds}."]}) from exc
    fields = _load_fields(data)
    if entry_id is None and not _has_content(fields):
        raise InvalidInput(
            "Nothing to save yet.",
            {"title": ["Give at least the title before saving the draft."]},
        )
    entry = None
    if entry_id is not None:
        entry = db.session.get(Entry, entry_id) if fits_id(entry_id) else None
        if entry is None or entry.institution_id != actor.institution_id:
            raise NotFound("There is no such entry of your institution.")
        if entry.status is not EntryStatus.ACTIVE and kind in (
            RequestKind.CHANGE,
            RequestKind.RETIREMENT,
            RequestKind.BADGE,
        ):
            raise InvalidInput("That entry is retired.", {"entry": ["The entry is retired."]})
        if kind.needs_entry:
            _refuse_second_open_change(entry)
    elif kind.needs_entry:
        raise InvalidInput(
            "Name the published entry.", {"entry": [f"A {kind.value} request names its entry."]}
        )
    if entry is not None and kind in (RequestKind.CHANGE, RequestKind.RETIREMENT):
        content = content_service.copy_content(entry.content)
    else:
        content = CredentialContent(
            entry_type=EntryType.DIGITAL_BADGE if kind is RequestKind.BADGE else None
        )
        if entry is not None:  # a badge for an entry starts from its title and skills
            content.title = entry.content.title
            content.summary = entry.content.summary
    request = CredentialRequest(
        kind=kind,
        state=RequestState.DRAFT,
        institution_id=actor.institution_id,
        entry=entry,
        external_id=entry.external_id if entry is not None else fields.get("external_id"),
        content=content,
        created_by=actor,
        base_version=entry.version_number if entry is not None else None,
    )
    errors = content_service.apply_fields(content, fields, Resolver())
    _apply_request_fields(request, fields)
    if errors:
        raise InvalidInput("Some fields are not valid.", errors)
    db.session.add(request)
    try:
        unit.commit()
    except (IntegrityError, OperationalError) as exc:
        # Another tab filed a change for the same entry in the same instant: the database's
        # one-open-change index (or SQLite's single writer) refused this one.
        db.session.rollback()
        if not _lost_race(exc):
            raise
        if entry is not None and kind.needs_entry:
            _refuse_second_open_change(db.session.get(Entry, entry_id))
        raise Conflict("Another request was saved at the same moment: try again.") from exc
    return request


def _has_content(fields: dict[str, Any]) -> bool:
    """Whether a new request's fields say anything (an empty "Save draft" saves nothing)."""

    def filled(value) -> bool:
        if isinstance(value, str):
            return bool(value.strip())
        if isinstance(value, dict):
            return any(filled(v) for v in value.values())
        if isinstance(value, list):
            return any(filled(v) for v in value)
        return value is not None and value is not False

    return any(filled(v) for k, v in fields.items() if k != "entry_type")


def delete_draft(actor: User, request_id: int, version: int | None) -> None:
    """A liaison deletes a draft of their institution. A draft was never submitted, so nothing
    of it is on the record; a submitted request is withdrawn instead.

    Raises ``NotFound``, ``PermissionDenied`` (not a liaison), ``Conflict`` (not a draft, or a
    stale ``version``)."""
    request = get_request(actor, request_id)
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons delete a draft.")
    if not can(actor, "delete", request):
        raise Conflict(
            f"This request is {request.state.label.lower()}: only a draft can be deleted. "
            "Withdraw it instead.",
            state=request.state.value,
            version=request.version,
        )
    _check_version(request, version)
    for comment in list(request.comments):
        db.session.delete(comment)
    for attachment in list(request.attachments):
        db.session.delete(attachment)
    for signoff in list(request.signoffs):
        db.session.delete(signoff)
    db.session.execute(
        sa.update(MailMessage).where(MailMessage.request_id == request.id).values(request_id=None)
    )
    db.session.execute(
        sa.update(Notification).where(Notification.request_id == request.id).values(request_id=None)
    )
    content = request.content
    db.session.delete(request)
    db.session.flush()
    db.session.delete(content)
    _commit()


def copy_request(actor: User, request_id: int) -> CredentialRequest:
    """A liaison starts a new draft from a declined or withdrawn request of their institution
    (the closed one stays as it was). A change is copied only while its entry is still at the
    version it was filed against, so the copy never undoes a later change.

    Raises ``NotFound``, ``PermissionDenied``, ``Conflict`` (not closed; the entry changed, is
    retired, or has another open change)."""
    source = get_request(actor, request_id)
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons file requests.")
    if not can(actor, "copy", source):
        raise Conflict(
            f"This request is {source.state.label.lower()}: only a declined or withdrawn "
            "request is copied into a new draft.",
            state=source.state.value,
            version=source.version,
        )
    entry = source.entry if source.kind is not RequestKind.ENDORSEMENT else None
    if source.kind is RequestKind.LISTING:
        entry = None
    if entry is not None:
        if entry.status is not EntryStatus.ACTIVE:
            raise Conflict(f"The entry “{entry.title}” is retired: there is nothing to change.")
        if source.kind.needs_entry:
            _refuse_second_open_change(entry)
        if source.kind is RequestKind.CHANGE and source.base_version != entry.version_number:
            raise Conflict(
                f"The entry “{entry.title}” changed since this request was filed: start a new "
                "change from the entry, so that it shows the current version."
            )
    request = CredentialRequest(
        kind=source.kind,
        state=RequestState.DRAFT,
        institution_id=source.institution_id,
        entry=entry,
        external_id=source.external_id,
        content=content_service.copy_content(source.content),
        created_by=actor,
        base_version=entry.version_number if entry is not None else None,
        retirement_reason=source.retirement_reason,
        retirement_effective_on=source.retirement_effective_on,
        retirement_teach_out=source.retirement_teach_out,
        duplicate_explanation=source.duplicate_explanation,
    )
    db.session.add(request)
    _commit()
    return request


REQUEST_FIELDS = (
    "retirement_reason",
    "retirement_effective_on",
    "retirement_teach_out",
    "duplicate_explanation",
)


def _apply_request_fields(request: CredentialRequest, fields: dict[str, Any]) -> None:
    """The fields that belong to the request rather than to what it would publish."""
    for name in REQUEST_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, str):
            value = value.strip() or None
        if name.startswith("retirement") and request.kind is not RequestKind.RETIREMENT:
            continue
        setattr(request, name, value)


def open_change_for(entry: Entry) -> CredentialRequest | None:
    """The change or retirement request still open on ``entry``, if there is one."""
    return db.session.scalar(
        sa.select(CredentialRequest).where(
            CredentialRequest.entry_id == entry.id,
            CredentialRequest.kind.in_([RequestKind.CHANGE, RequestKind.RETIREMENT]),
            CredentialRequest.state.not_in(list(FINAL_STATES)),
        )
    )


def _refuse_second_open_change(entry: Entry) -> None:
    """One open change or retirement per entry: a second would be based on a version the
    first may replace, and approving both would silently undo the first."""
    current = open_change_for(entry)
    if current is None:
        return
    link = _url("liaison.request_detail", current)
    raise Conflict(
        f"{current.kind.label} request #{current.id} for “{entry.title}” is still open "
        f"({current.state.label.lower()}). Finish, withdraw or delete it before filing another "
        "change or retirement of this entry.",
        open_request_id=current.id,
        link=link,
    )


def update_request(
    actor: User, request_id: int, version: int | None, data: dict[str, Any]
) -> CredentialRequest:
    """A liaison saves fields of a request in ``draft`` or ``revisions_requested``.

    Raises ``NotFound``, ``PermissionDenied`` (not editable in its state), ``Conflict`` (stale
    ``version``), ``InvalidInput`` (nothing is saved then).
    """
    request = get_request(actor, request_id)
    if not can(actor, "edit", request):
        if actor.role is Role.LIAISON:
            raise Conflict(
                f"This request is {request.state.label.lower()} and can no longer be edited.",
                state=request.state.value,
                version=request.version,
            )
        raise PermissionDenied("Only the institution's liaisons edit a request.")
    _check_version(request, version)
    fields = _load_fields(data)
    errors = content_service.apply_fields(request.content, fields, Resolver())
    if errors:
        db.session.rollback()
        raise InvalidInput("Some fields are not valid.", errors)
    if "external_id" in fields and request.kind not in (RequestKind.CHANGE, RequestKind.RETIREMENT):
        request.external_id = fields["external_id"]
    _apply_request_fields(request, fields)
    request.updated_at = _now()  # bumps the version: the edit is a change others must see
    _commit()
    return request


# --- transitions --------------------------------------------------------------------------


def _check_version(request: CredentialRequest, version: int | None) -> None:
    if version is not None and int(version) != request.version:
        raise Conflict(
            "This request changed since you opened it "
            f"(it is now {request.state.label.lower()}). Reload it to see what changed.",
            state=request.state.value,
            version=request.version,
        )


def _lost_race(exc: Exception) -> bool:
    """Whether a failed write means someone else changed the request first: the version
    counter matched no row, a unique key was taken, or SQLite refused the write because
    another commit made this transaction's snapshot stale ("database is locked")."""
    if isinstance(exc, (StaleDataError, IntegrityError)):
        return True
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    return isinstance(exc, OperationalError) and code is not None and code & 0xFF == SQLITE_BUSY


def _commit() -> None:
    try:
        unit.commit()
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        db.session.rollback()
        if not _lost_race(exc):
            raise
        raise Conflict(
            "This request changed since you opened it. Reload it to see what changed."
        ) from exc


def transition(
    actor: User,
    request_id: int,
    action: Action | str,
    *,
    version: int | None,
    comment: str | None = None,
    recommendation: Recommendation | str | None = None,
) -> CredentialRequest:
    """Move a request along one edge of the workflow table.

    Who may: the roles of the transition in ``app.workflow.states.TRANSITIONS``; a liaison only
    for their institution. Raises ``NotFound`` (unseen request), ``PermissionDenied`` (role),
    ``Conflict`` (stale ``version``, or the edge is not legal from the current state: repeating
    a transition that already happened is refused and writes nothing), ``InvalidInput`` (a
    required comment or recommendation is missing).
    """
    try:
        action = Action(action)
    except ValueError as exc:
        actions = ", ".join(a.value for a in Action)
        raise InvalidInput("Unknown action.", {"action": [f"Must be one of: {actions}."]}) from exc
    request = get_request(actor, request_id)
    edge = transition_for(action)
    if actor.role not in edge.roles:
        raise PermissionDenied(f"A {actor.role.value} cannot {edge.label.lower()} a request.")
    _check_version(request, version)
    if request.state not in edge.sources:
        raise Conflict(
            f"A request that is {request.state.label.lower()} cannot be "
            f"{'sent to ' if action is Action.RETURN else ''}{_past(action)}.",
            state=request.state.value,
            version=request.version,
        )
    comment = (comment or "").strip() or None
    errors: dict[str, list[str]] = {}
    if edge.comment_required and not comment:
        errors["comment"] = [_comment_needed(action)]
    rec = None
    if action is Action.RECOMMEND:
        try:
            rec = Recommendation(recommendation) if recommendation else None
        except ValueError:
            rec = None
        if rec is None or rec not in kinds.recommendations_for(request.kind):
            errors["recommendation"] = [kinds.choices_sentence(request.kind)]
            rec = None
    if action is Action.APPROVE:
        if request.recommendation in kinds.NEGATIVE:
            said = kinds.SHORT_LABELS[request.recommendation].lower()
            errors["action"] = [f"Staff recommended: {said}. Decline it, or return it to staff."]
        _check_entry_current(request)
    results = None
    if action in RECORDS_COMPLIANCE:
        results = policy.evaluate(request)
    if action in (Action.SUBMIT, Action.RESUBMIT):
        errors.update(submission_problems(request))
        for r in policy.blocking(results):
            errors.setdefault(r.result.field, []).append(r.result.message)
    if action is Action.RECOMMEND and rec is Recommendation.ENDORSE:
        for r in policy.endorsement_gaps(request, results):
            errors.setdefault(r.result.field, []).append(
                f"{r.result.title}: {r.result.message} Override it with a justification "
                "before recommending endorsement."
            )
    if errors:
        raise InvalidInput(
            "The request cannot move yet.",
            errors,
            compliance=policy.snapshot(results) if results is not None else None,
            rule_set_version=compliance.RULE_SET_VERSION,
        )

    # No autoflush: the request's new state is written only with what it implies (the
    # published entry), so the database's own checks see one consistent change.
    with db.session.no_autoflush:
        source = request.state
        now = _now()
        request.state = edge.target
        request.updated_at = now
        if action in (Action.SUBMIT, Action.RESUBMIT):
            request.submitted_at = now
            # Rule results stay those of the parameters the request was submitted under.
            request.policy_settings = policy.current_settings()
        elif action is Action.CLAIM:
            request.assignee = actor
        elif action is Action.RECOMMEND:
            request.recommendation = rec
            request.rationale = comment
        elif action is Action.RETURN:
            request.recommendation = None
        elif action in (Action.APPROVE, Action.DECLINE, Action.WITHDRAW):
            request.decided_at = now
        if action is Action.REQUEST_REVISIONS:
            db.session.add(
                Comment(
                    request=request,
                    author=actor,
                    visibility=CommentVisibility.INSTITUTION,
                    body=comment,
                )
            )
        snapshot = None
        if action in (Action.SUBMIT, Action.RESUBMIT):
            snapshot = content_service.content_fields(request.content)
        record = TransitionRecord(
            request=request,
            actor=actor,
            actor_role=actor.role,
            action=action,
            from_state=source,
            to_state=edge.target,
            comment=comment,
            recommendation=rec,
            snapshot=snapshot,
            rule_set_version=compliance.RULE_SET_VERSION if results is not None else None,
            compliance=policy.snapshot(results) if results is not None else None,
            created_at=now,
        )
        db.session.add(record)
        if action is Action.APPROVE:
            _publish(request)
        _notify(request, record)
    _commit()
    return request


def _past(action: Action) -> str:
    return {
        Action.SUBMIT: "submitted",
        Action.WITHDRAW: "withdrawn",
        Action.CLAIM: "claimed",
        Action.REQUEST_REVISIONS: "sent back for revisions",
        Action.RESUBMIT: "resubmitted",
        Action.RECOMMEND: "recommended",
        Action.APPROVE: "approved",
        Action.DECLINE: "declined",
        Action.RETURN: "staff",
    }[action]


def _comment_needed(action: Action) -> str:
    return {
        Action.REQUEST_REVISIONS: "Write what the institution should revise.",
        Action.RECOMMEND: "Write the rationale for the recommendation.",
        Action.DECLINE: "Write why the request is declined.",
        Action.RETURN: "Write a note to staff on what to look at again.",
    }.get(action, "A comment is required.")


def missing_campus_approval(request: CredentialRequest) -> str | None:
    """Why the request still needs its campus approver's sign-off, or ``None``. Only an
    institution that named campus approvers asks for one; a sign-off counts when one of them
    recorded it."""
    from app.services.accounts import campus_approvers

    approvers = campus_approvers(request.institution_id)
    if not approvers:
        return None
    ids = {u.id for u in approvers}
    if any(s.recorded_by_id in ids for s in request.signoffs):
        return None
    names = ", ".join(f"{u.name} ({u.email})" for u in approvers)
    one = "the campus approver" if len(approvers) == 1 else "a campus approver"
    return (
        f"{request.institution.name} asks for {one}'s sign-off before a request is submitted: "
        f"{names} must record a sign-off on this request (under Campus sign-offs)."
    )


def submission_problems(request: CredentialRequest) -> dict[str, list[str]]:
    """What a request lacks before it can be submitted: what the inventory record needs."""
    c = request.content
    problems: dict[str, list[str]] = {}
    missing = missing_campus_approval(request)
    if missing:
        problems["signoffs"] = [missing]
    if request.kind is RequestKind.RETIREMENT:
        if not request.retirement_reason:
            problems["retirement_reason"] = ["Say why the entry is being retired."]
        if request.retirement_effective_on is None:
            problems["retirement_effective_on"] = [
                "Give the date from which it is no longer offered."
            ]
        if not request.retirement_teach_out:
            problems["retirement_teach_out"] = [
                "Say how current learners will finish (the teach-out), or that none are enrolled."
            ]
        return problems
    if not c.title.strip():
        problems["title"] = ["Give the title."]
    if not c.summary.strip():
        problems["summary"] = ["Give a one-paragraph summary."]
    if c.delivery is None:
        problems["delivery"] = ["Choose online, in person or hybrid."]
    if not c.skills:
        problems["skills"] = ["List at least one skill."]
    if c.credit_bearing and c.credit_hours is None:
        problems["credit_hours"] = ["Give the credit hours of a credit-bearing credential."]
    if (request.kind is RequestKind.BADGE or c.entry_type is EntryType.DIGITAL_BADGE) and not (
        c.badge_name and c.badge_issuer and c.badge_criteria
    ):
        problems["badge"] = ["Give the badge's name, issuer and criteria."]
    return problems


def _check_entry_current(request: CredentialRequest) -> None:
    """Approval acts on the entry as the request saw it: a retired entry is never brought
    back, and a change or retirement filed against an older version is refused."""
    entry = request.entry
    if entry is None or request.kind not in (
        RequestKind.CHANGE,
        RequestKind.RETIREMENT,
        RequestKind.BADGE,
    ):
        return
    if entry.status is EntryStatus.RETIRED:
        raise Conflict(
            f"The entry “{entry.title}” was retired (version {entry.version_number}); this "
            "request cannot bring it back. Decline it, or return it to staff.",
            state=request.state.value,
            version=request.version,
        )
    base = request.base_version
    if request.kind is not RequestKind.BADGE and base is not None and base != entry.version_number:
        raise Conflict(
            f"The entry “{entry.title}” changed since this request was filed: it was filed "
            f"against version {base} and the entry is now at version {entry.version_number}. "
            "Approving it would undo that change. Return it to staff so the institution files "
            "it again on the current version, or decline it.",
            state=request.state.value,
            version=request.version,
        )


def retirement_note(request: CredentialRequest) -> str:
    """The reason, effective date and teach-out of a retirement, as its version records them."""
    parts = [request.retirement_reason or ""]
    if request.retirement_effective_on is not None:
        parts.append(f"Effective {request.retirement_effective_on.isoformat()}.")
    if request.retirement_teach_out:
        parts.append(f"Teach-out: {request.retirement_teach_out}")
    return " ".join(p for p in parts if p)


def _publish(request: CredentialRequest) -> None:
    """Approval publishes in the same transaction (called by ``transition`` only)."""
    endorsement = (
        Endorsement.ENDORSED
        if request.recommendation is Recommendation.ENDORSE
        else Endorsement.NOT_ENDORSED
    )
    entry = request.entry
    if request.kind is RequestKind.RETIREMENT:
        publishing.publish_version(
            institution=request.institution,
            external_id=entry.external_id,
            content=entry.content,
            endorsement=entry.endorsement,
            status=EntryStatus.RETIRED,
            request_id=request.id,
            note=retirement_note(request),
            entry=entry,
        )
        return
    if request.kind is RequestKind.BADGE and entry is not None:
        if entry.endorsement is Endorsement.ENDORSED:
            endorsement = Endorsement.ENDORSED
        content = content_service.copy_content(entry.content)
        for name in content_service.CONTENT_BADGE_FIELDS:
            setattr(content, f"badge_{name}", getattr(request.content, f"badge_{name}"))
        db.session.add(content)
        publishing.publish_version(
            institution=request.institution,
            external_id=entry.external_id,
            content=content,
            endorsement=endorsement,
            request_id=request.id,
            entry=entry,
            note="Badge added",
        )
        return
    if request.kind is RequestKind.CHANGE:
        # A change keeps the entry's endorsement: endorsing is a request of its own.
        publishing.publish_version(
            institution=request.institution,
            external_id=entry.external_id,
            content=request.content,
            endorsement=entry.endorsement,
            request_id=request.id,
            entry=entry,
        )
        return
    external_id = request.external_id or f"REQ-{request.id}"
    if publishing.find_entry(request.institution, external_id) is not None:
        external_id = f"{external_id}-REQ-{request.id}"
    request.entry = publishing.publish_version(
        institution=request.institution,
        external_id=external_id,
        content=request.content,
        endorsement=endorsement,
        request_id=request.id,
    )


# --- comments -----------------------------------------------------------------------------

MAX_COMMENT = 20_000


def add_comment(
    actor: User, request_id: int, body: str, visibility: CommentVisibility | str
) -> Comment:
    """Staff and the chancellor comment internally or to the institution; a liaison comments to
    the Regents (their comments are visible to the institution). Raises ``InvalidInput``."""
    request = get_request(actor, request_id)
    visibility = CommentVisibility(visibility)
    if visibility is CommentVisibility.INTERNAL and not can(actor, "comment_internal"):
        raise PermissionDenied("Internal comments are for the Regents' staff.")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write a comment.", {"body": ["Write a comment."]})
    if len(body) > MAX_COMMENT:
        raise InvalidInput(
            "The comment is too long.",
            {"body": [f"Keep a comment under {MAX_COMMENT:,} characters ({len(body):,} now)."]},
        )
    comment = Comment(request=request, author=actor, visibility=visibility, body=body)
    db.session.add(comment)
    if actor.role is Role.LIAISON:
        title = request.content.title or "untitled"
        for reviewer in _reviewers(request):
            mail.queue(
                reviewer.email,
                f"New comment from {request.institution.name} on request #{request.id}: {title}",
                f"{actor.name} ({request.institution.name}) wrote on request #{request.id}:\n\n"
                f"{body}\n\n{link_for(reviewer, request)}\n",
                request_id=request.id,
            )
    if visibility is CommentVisibility.INSTITUTION and actor.role in STAFF_ROLES | {
        Role.CHANCELLOR
    }:
        for liaison in _liaisons(request):
            mail.queue(
                liaison.email,
                f"New comment on your request: {request.content.title or 'untitled'}",
                f"{actor.name} wrote on request #{request.id}:\n\n{body}\n\n"
                f"{link_for(liaison, request)}\n",
                request_id=request.id,
            )
    unit.commit()
    return comment


# --- notifications ------------------------------------------------------------------------


def _liaisons(request: CredentialRequest) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(
                User.role == Role.LIAISON,
                User.institution_id == request.institution_id,
                User.active.is_(True),
            )
        )
    )


def _staff() -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.role == Role.STAFF, User.active.is_(True)))
    )


def _reviewers(request: CredentialRequest) -> list[User]:
    """Who on the staff hears of the institution's move: the assignee, or every reviewer."""
    assignee = request.assignee
    if assignee is not None and assignee.active:
        return [assignee]
    return _staff()


def _chancellors() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.role == Role.CHANCELLOR, User.active.is_(True))
        )
    )


def _url(endpoint: str, request: CredentialRequest, **kwargs) -> str:
    try:
        return url_for(endpoint, request_id=request.id, _external=True, **kwargs)
    except Exception:  # outside a request, or the page is not registered
        return f"Request #{request.id}"


def link_for(user: User, request: CredentialRequest) -> str:
    """The page of ``request`` that ``user`` can open: a liaison's request page, the staff's
    review page, or the chancellor's desk while a recommendation waits there."""
    if user.role is Role.LIAISON:
        return _url("liaison.request_detail", request)
    if user.role is Role.CHANCELLOR and request.state is RequestState.RECOMMENDED:
        try:
            return url_for("approvals.desk", _external=True, _anchor=f"recommendation-{request.id}")
        except Exception:
            return f"Request #{request.id}"
    return _url("review.detail", request)


def approval_sentence(request: CredentialRequest) -> str | None:
    """What an approval did, in the words of its kind (a retirement never says published)."""
    entry = request.entry
    if entry is None:
        return None
    if request.kind is RequestKind.RETIREMENT:
        text = f"The entry “{entry.title}” is retired from the inventory"
        if request.retirement_effective_on is not None:
            text += f" (effective {request.retirement_effective_on.isoformat()})"
        text += "."
        if request.retirement_teach_out:
            text += f" Teach-out for current learners: {request.retirement_teach_out}"
        return text
    if request.kind is RequestKind.CHANGE:
        return f"The change is applied: “{entry.title}” now shows version {entry.version_number}."
    return f"It is published as “{entry.title}”, {entry.endorsement.label}."


# How the first line of a notification reads, by the state the request moved to.
STATE_SENTENCES = {
    RequestState.SUBMITTED: "was submitted to the State Regents' staff",
    RequestState.IN_REVIEW: "is in review with the State Regents' staff",
    RequestState.REVISIONS_REQUESTED: "is waiting for your revisions",
    RequestState.RECOMMENDED: "was recommended to the chancellor",
    RequestState.APPROVED: "was approved",
    RequestState.DECLINED: "was declined",
    RequestState.WITHDRAWN: "was withdrawn",
}


def notify_assignment(request: CredentialRequest, assignee: User, by: User) -> None:
    """Tell a reviewer that a colleague assigned them a request (queued; sent after commit)."""
    if assignee.id == by.id:
        return
    title = request.content.title or "Untitled request"
    mail.queue(
        assignee.email,
        f"{request.kind.label} request #{request.id} “{title}” is assigned to you",
        f"{by.name} assigned you request #{request.id} “{title}” from "
        f"{request.institution.name}.\n\n{link_for(assignee, request)}\n",
        request_id=request.id,
    )


def _notify(request: CredentialRequest, record: TransitionRecord) -> None:
    title = request.content.title or "Untitled request"
    headline = f"{request.kind.label} request #{request.id} “{title}”"
    state = record.to_state.label.lower()
    lines = [f"{headline} {STATE_SENTENCES.get(record.to_state, 'is now ' + state)}.", ""]
    if record.action in INSTITUTION_VISIBLE and record.comment:
        lines += [f"{record.actor.name} wrote:", record.comment, ""]
    if record.action is Action.APPROVE:
        sentence = approval_sentence(request)
        if sentence:
            lines.append(sentence)
    users = {u.email: u for u in _liaisons(request)}
    if record.action is Action.SUBMIT:
        users.update((u.email, u) for u in _staff())
    if record.action is Action.RESUBMIT:
        users.update((u.email, u) for u in _reviewers(request))
    if record.action is Action.WITHDRAW and request.assignee is not None:
        # The reviewer who was working on it should stop.
        users[request.assignee.email] = request.assignee
    if record.action is Action.RECOMMEND:
        users.update((u.email, u) for u in _chancellors())
    users.pop(record.actor.email, None)
    for email in sorted(users):
        body = "\n".join([*lines, link_for(users[email], request)]) + "\n"
        mail.queue(email, f"{headline}: {state}", body, request_id=request.id)
