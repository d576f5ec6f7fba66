"""The institution liaison's portal: the dashboard, the request form in sections, the request's
page (actions, comments addressed to the institution, timeline), and its badge image.

Every view is for signed-in liaisons only (others: 403). A liaison sees only their own
institution's requests: another institution's request answers 404, exactly like one that does
not exist, because every lookup goes through ``workflow.get_request``.

Also the public ``badges`` blueprint: a badge image, once an active published entry shows it.
"""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from app.enums import RequestKind, Role, SignoffRole
from app.forms.requests import (
    MAX_ROWS,
    ROW_NOUNS,
    SECTIONS,
    ActionForm,
    BadgeForm,
    CreditForm,
    OutcomesForm,
    Section,
    SectionForm,
    WorkforceForm,
    first_section,
    section_of,
    sections_for,
)
from app.permissions import allowed_actions
from app.services import attachments, badge_images, liaison_portal, policy, signoffs, workflow
from app.services.content import content_fields
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.views.files import attachment_response
from app.workflow.states import Action, transition_for

bp = Blueprint("liaison", __name__, url_prefix="/institution")
badges_bp = Blueprint("badges", __name__)

# The kinds a liaison starts from the dashboard's buttons (the others start from an entry).
START_KINDS = (RequestKind.ENDORSEMENT, RequestKind.LISTING, RequestKind.BADGE)
DONE = {
    Action.SUBMIT: "submitted to the State Regents' staff",
    Action.RESUBMIT: "resubmitted to the State Regents' staff",
    Action.WITHDRAW: "withdrawn",
}


def liaison_required(view):
    """Signed in (else to the sign-in page) and a liaison (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role is not Role.LIAISON:
            abort(403, "These pages are for institution liaisons.")
        return view(*args, **kwargs)

    return wrapped


def _actor():
    return current_user._get_current_object()


def _load(request_id: int):
    try:
        return workflow.get_request(_actor(), request_id)
    except NotFound as exc:
        abort(404, exc.message)


def _section_values(req) -> dict:
    values = content_fields(req.content)
    values["external_id"] = req.external_id
    values["retirement_reason"] = req.retirement_reason
    values["retirement_effective_on"] = (
        req.retirement_effective_on.isoformat() if req.retirement_effective_on else None
    )
    values["retirement_teach_out"] = req.retirement_teach_out
    values["duplicate_explanation"] = req.duplicate_explanation
    return values


def _prefill(kind: RequestKind, entry) -> dict:
    """What a new request's first page shows before anything is saved (the service starts the
    draft from the same entry)."""
    if entry is None:
        return {"entry_type": "digital-badge"} if kind is RequestKind.BADGE else {}
    if kind is RequestKind.BADGE:
        return {
            "title": entry.content.title,
            "summary": entry.content.summary,
            "entry_type": "digital-badge",
        }
    return content_fields(entry.content)


def _extra_rows() -> dict[str, int]:
    rows = {}
    for name in ROW_NOUNS:
        value = request.args.get(f"rows_{name}", type=int)
        if value:
            rows[name] = max(0, min(value, MAX_ROWS))
    return rows


def _options(form: SectionForm):
    """The pickers' choices and suggestions, for the sections that have pickers."""
    if not isinstance(form, OutcomesForm | WorkforceForm):
        return None
    options = liaison_portal.form_options()
    if isinstance(form, OutcomesForm):
        form.set_options(options)
    return options


def _problems(errors: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """``(section name, message)`` of each problem, to link it to the page that fixes it."""
    return [(section_of(key), message) for key, messages in errors.items() for message in messages]


def _render_section(
    section: Section,
    form: SectionForm,
    *,
    req=None,
    kind: RequestKind,
    entry=None,
    status: int = 200,
    message: str | None = None,
    unplaced: list[str] | None = None,
    options=None,
    open_request_id: int | None = None,
):
    sections = sections_for(kind)
    if isinstance(form, CreditForm):
        form.set_cap(policy.cap_for(req) if req is not None else policy.credit_hour_cap())
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        unplaced = [*(unplaced or []), "The page expired: send it again."]
    problems = []
    checks = policy.evaluate(req) if req is not None else []
    if req is not None and section.name == "review":
        errors = workflow.submission_problems(req)
        for check in policy.blocking(checks):
            messages = errors.setdefault(check.result.field, [])
            if check.result.message not in messages:
                messages.append(check.result.message)
        problems = _problems(errors)
    return (
        render_template(
            "liaison/section.html",
            req=req,
            kind=kind,
            entry=entry or (req.entry if req is not None else None),
            section=section,
            sections=sections,
            form=form,
            options=options,
            message=message,
            unplaced=unplaced or [],
            errors=form.error_list(),
            problems=problems,
            checks=checks,
            rule_set_version=policy.compliance.RULE_SET_VERSION,
            section_of=section_of,
            actions=allowed_actions(_actor(), req) if req is not None else [],
            action_form=ActionForm(formdata=None),
            noun=ROW_NOUNS,
            open_request_id=open_request_id,
            revision_request=workflow.revision_request(req) if req is not None else None,
        ),
        status,
    )


def _after_save(req, section: Section, form: SectionForm):
    """Where a save goes: the same page with one more row, the next section, or the same page."""
    add = request.form.get("add_row")
    if add in form.posted_rows():
        rows = form.posted_rows()[add] + 1
        return redirect(
            url_for(
                "liaison.edit_request",
                request_id=req.id,
                section=section.name,
                _anchor=f"{add}-fieldset",
                **{f"rows_{add}": rows},
            )
        )
    names = [s.name for s in sections_for(req.kind)]
    if request.form.get("go") == "next" and section.name in names:
        following = names[min(names.index(section.name) + 1, len(names) - 1)]
        flash("Saved.", "success")
        return redirect(url_for("liaison.edit_request", request_id=req.id, section=following))
    flash("Your draft has been saved.", "success")
    return redirect(url_for("liaison.edit_request", request_id=req.id, section=section.name))


# --- the dashboard ------------------------------------------------------------------------------


@bp.get("/")
@liaison_required
def dashboard():
    board = liaison_portal.dashboard(_actor())
    return render_template(
        "liaison/dashboard.html",
        board=board,
        start_kinds=START_KINDS,
        waits_on=liaison_portal.waits_on,
    )


# --- the request form ---------------------------------------------------------------------------


@bp.route("/requests/new", methods=["GET", "POST"])
@liaison_required
def new_request():
    try:
        kind = RequestKind(request.args.get("kind", ""))
    except ValueError:
        abort(404, "There is no such kind of request.")
    entry_id = request.args.get("entry", type=int)
    if kind.needs_entry and entry_id is None:
        flash(f"Choose the published entry for the {kind.value} request below.", "info")
        return redirect(url_for("liaison.dashboard", _anchor="entries"))
    entry = None
    if entry_id is not None:
        try:
            entry = liaison_portal.institution_entry(_actor(), entry_id)
        except NotFound as exc:
            abort(404, exc.message)
    section = first_section(kind)
    form = section.form()
    options = _options(form)
    if request.method == "GET":
        form.load(_prefill(kind, entry))
        return _render_section(section, form, kind=kind, entry=entry, options=options)
    if not form.validate_on_submit():
        return _render_section(section, form, kind=kind, entry=entry, options=options, status=422)
    try:
        req = workflow.create_request(_actor(), kind, form.payload(), entry_id=entry_id)
    except NotFound as exc:
        abort(404, exc.message)
    except PermissionDenied as exc:
        abort(403, exc.message)
    except Conflict as exc:
        # Another change or retirement of this entry is open (perhaps from another tab).
        return _render_section(
            section,
            form,
            kind=kind,
            entry=entry,
            options=options,
            status=409,
            message=exc.message,
            open_request_id=exc.details.get("open_request_id"),
        )
    except InvalidInput as exc:
        unplaced = form.apply_errors(exc.errors)
        return _render_section(
            section,
            form,
            kind=kind,
            entry=entry,
            options=options,
            status=422,
            message=exc.message,
            unplaced=unplaced,
        )
    return _after_save(req, section, form)


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@liaison_required
def edit_request(request_id: int):
    req = _load(request_id)
    sections = sections_for(req.kind)
    name = request.args.get("section") or sections[0].name
    if name not in [s.name for s in sections]:
        abort(404, "There is no such section of this request.")
    section = SECTIONS[name]
    if not req.state.editable:
        flash(f"This request is {req.state.label.lower()} and can no longer be edited.", "info")
        return redirect(url_for("liaison.request_detail", request_id=req.id))
    form = section.form()
    options = _options(form)
    if request.method == "GET" or section.name == "review":
        if request.method == "POST":
            abort(405)
        form.load(_section_values(req), extra_rows=_extra_rows())
        form.version.data = str(req.version)
        return _render_section(section, form, req=req, kind=req.kind, options=options)
    render = {"req": req, "kind": req.kind, "options": options}
    if not form.validate_on_submit():
        return _render_section(section, form, status=422, **render)
    upload = form.badge_image.data if isinstance(form, BadgeForm) else None
    try:
        if upload is not None and upload.filename:
            data = upload.stream.read(badge_images.MAX_BYTES + 1)
            req = badge_images.attach(_actor(), req.id, form.version_number, data, form.payload())
        else:
            req = workflow.update_request(_actor(), req.id, form.version_number, form.payload())
    except NotFound as exc:
        abort(404, exc.message)
    except PermissionDenied as exc:
        abort(403, exc.message)
    except Conflict as exc:
        return _render_section(section, form, status=409, message=exc.message, **render)
    except InvalidInput as exc:
        unplaced = form.apply_errors(exc.errors)
        return _render_section(
            section, form, status=422, message=exc.message, unplaced=unplaced, **render
        )
    return _after_save(req, section, form)


# --- the request's page and its actions ----------------------------------------------------------


def _render_detail(
    req,
    *,
    status: int = 200,
    message: str | None = None,
    problems=None,
    comment_error: str | None = None,
    comment_typed: str | None = None,
    attachment_error: str | None = None,
    signoff_errors: dict | None = None,
    signoff_typed: dict | None = None,
):
    actor = _actor()
    return (
        render_template(
            "liaison/request.html",
            req=req,
            sections=sections_for(req.kind),
            actions=allowed_actions(actor, req),
            action_form=ActionForm(formdata=None),
            comments=workflow.visible_comments(actor, req),
            timeline=[(t, workflow.visible_comment_text(actor, t)) for t in req.transitions],
            waits_on=liaison_portal.waits_on(req),
            message=message,
            problems=_problems(problems or {}),
            comment_error=comment_error,
            comment_typed=comment_typed,
            attachment_error=attachment_error,
            max_attachment_kb=attachments.MAX_BYTES // 1024,
            signoff_errors=signoff_errors or {},
            signoff_typed=signoff_typed or {},
            signoff_roles=list(SignoffRole),
            campus_approval=(workflow.missing_campus_approval(req) if req.state.editable else None),
        ),
        status,
    )


@bp.get("/requests/<int:request_id>")
@liaison_required
def request_detail(request_id: int):
    return _render_detail(_load(request_id))


@bp.post("/requests/<int:request_id>/actions/<action>")
@liaison_required
def act(request_id: int, action: str):
    try:
        action = Action(action)
    except ValueError:
        abort(404, "There is no such request.")
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The page expired: go back, reload it and try again.")
    try:
        req = workflow.transition(
            _actor(), request_id, action, version=form.version_number, comment=form.comment.data
        )
    except NotFound as exc:
        abort(404, exc.message)
    except PermissionDenied as exc:
        abort(403, exc.message)
    except Conflict as exc:
        return _render_detail(_load(request_id), status=409, message=exc.message)
    except InvalidInput as exc:
        label = transition_for(action).label
        return _render_detail(
            _load(request_id),
            status=422,
            message=f"{label}: not yet. Fix what is listed below first.",
            problems=exc.errors,
        )
    flash(f"The request has been {DONE.get(action, action.value)}.", "success")
    return redirect(url_for("liaison.request_detail", request_id=req.id))


@bp.post("/requests/<int:request_id>/delete")
@liaison_required
def delete_draft(request_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, "The page expired: go back, reload it and try again.")
    try:
        workflow.delete_draft(_actor(), request_id, form.version_number)
    except NotFound as exc:
        abort(404, exc.message)
    except Conflict as exc:
        return _render_detail(_load(request_id), status=409, message=exc.message)
    flash("The draft has been deleted.", "success")
    return redirect(url_for("liaison.dashboard"))


@bp.post("/requests/<int:request_id>/copy")
@liaison_required
def copy(request_id: int):
    try:
        req = workflow.copy_request(_actor(), request_id)
    except NotFound as exc:
        abort(404, exc.message)
    except Conflict as exc:
        return _render_detail(_load(request_id), status=409, message=exc.message)
    flash(f"A new draft was started from request #{request_id}: revise it and submit.", "success")
    return redirect(url_for("liaison.edit_request", request_id=req.id))


@bp.post("/requests/<int:request_id>/attachments")
@liaison_required
def attach(request_id: int):
    """Attach a letter of support, a syllabus or the alignment grid."""
    upload = request.files.get("file")
    data = upload.stream.read(attachments.MAX_BYTES + 1) if upload is not None else b""
    try:
        attachments.add(
            _actor(),
            request_id,
            upload.filename if upload is not None else "",
            data,
            request.form.get("description"),
        )
    except NotFound as exc:
        abort(404, exc.message)
    except (InvalidInput, Conflict) as exc:
        return _render_detail(
            _load(request_id),
            status=422 if isinstance(exc, InvalidInput) else 409,
            attachment_error=exc.message,
        )
    flash("The file is attached to the request.", "success")
    return redirect(url_for("liaison.request_detail", request_id=request_id, _anchor="files"))


@bp.get("/requests/<int:request_id>/attachments/<int:attachment_id>")
@liaison_required
def attachment(request_id: int, attachment_id: int):
    try:
        found, path = attachments.get(_actor(), request_id, attachment_id)
    except NotFound as exc:
        abort(404, exc.message)
    return attachment_response(found, path)


@bp.post("/requests/<int:request_id>/attachments/<int:attachment_id>/delete")
@liaison_required
def remove_attachment(request_id: int, attachment_id: int):
    try:
        attachments.remove(_actor(), request_id, attachment_id)
    except NotFound as exc:
        abort(404, exc.message)
    except Conflict as exc:
        return _render_detail(_load(request_id), status=409, attachment_error=exc.message)
    flash("The file is removed from the request.", "success")
    return redirect(url_for("liaison.request_detail", request_id=request_id, _anchor="files"))


@bp.post("/requests/<int:request_id>/signoffs")
@liaison_required
def add_signoff(request_id: int):
    """Record who approved the request on campus, in which role, on what date."""
    typed = {k: request.form.get(k, "") for k in ("name", "role", "signed_on")}
    try:
        signoffs.add(_actor(), request_id, typed["name"], typed["role"], typed["signed_on"])
    except NotFound as exc:
        abort(404, exc.message)
    except (InvalidInput, Conflict) as exc:
        errors = getattr(exc, "errors", {}) or {"signoff_name": [exc.message]}
        return _render_detail(
            _load(request_id),
            status=422 if isinstance(exc, InvalidInput) else 409,
            signoff_errors=errors,
            signoff_typed=typed,
        )
    flash("The campus sign-off is recorded.", "success")
    return redirect(url_for("liaison.request_detail", request_id=request_id, _anchor="signoffs"))


@bp.post("/requests/<int:request_id>/signoffs/<int:signoff_id>/delete")
@liaison_required
def remove_signoff(request_id: int, signoff_id: int):
    try:
        signoffs.remove(_actor(), request_id, signoff_id)
    except NotFound as exc:
        abort(404, exc.message)
    except Conflict as exc:
        return _render_detail(
            _load(request_id), status=409, signoff_errors={"signoff_name": [exc.message]}
        )
    flash("The sign-off is removed.", "success")
    return redirect(url_for("liaison.request_detail", request_id=request_id, _anchor="signoffs"))


@bp.post("/requests/<int:request_id>/comments")
@liaison_required
def comment(request_id: int):
    """The liaison writes to the Regents' staff in the request's thread."""
    body = request.form.get("body", "")
    try:
        workflow.add_comment(_actor(), request_id, body, "institution")
    except NotFound as exc:
        abort(404, exc.message)
    except InvalidInput as exc:
        message = " ".join(exc.errors.get("body", [exc.message]))
        return _render_detail(
            _load(request_id), status=422, comment_error=message, comment_typed=body
        )
    flash("Your comment has been sent to the State Regents' staff.", "success")
    return redirect(url_for("liaison.request_detail", request_id=request_id, _anchor="reply"))


# --- badge images and pickers ---------------------------------------------------------------------


def _send_image(path, mimetype: str, *, public: bool):
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=86400 if public else 0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The name is the server's own (the file's SHA-256); shown in place, never as a page.
    response.headers["Content-Disposition"] = f'inline; filename="{path.name}"'
    # Opened directly, an SVG can still do nothing: no script, no fetches.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    if not public:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/requests/<int:request_id>/badge-image")
@liaison_required
def badge_image(request_id: int):
    try:
        path, mimetype = badge_images.request_image(_actor(), request_id)
    except NotFound as exc:
        abort(404, exc.message)
    return _send_image(path, mimetype, public=False)


@bp.get("/taxonomy/<kind>")
@liaison_required
def taxonomy(kind: str):
    """Suggestions for the form's pickers: ``[{code, title}]``, at most 20."""
    try:
        rows = liaison_portal.suggestions(kind, request.args.get("q", ""))
    except InvalidInput:
        abort(404, "There is no such taxonomy.")
    return jsonify(rows)


@badges_bp.get("/badge-images/<name>")
def image(name: str):
    """A badge image, for anyone, once an active published entry shows it."""
    try:
        path, mimetype = badge_images.published_image(name)
    except NotFound as exc:
        abort(404, exc.message)
    return _send_image(path, mimetype, public=True)
