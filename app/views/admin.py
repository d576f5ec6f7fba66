"""Administration of accounts: invite, change roles, disable and enable. Administrators only;
the services check it, these views translate their answers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.forms.admin import ActiveForm, InviteForm, RoleForm, institution_choices
from app.services import accounts
from app.services.errors import Conflict, InvalidInput, ServiceError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _actor():
    return current_user._get_current_object()


def _role_form(user, choices, formdata=None) -> RoleForm:
    form = RoleForm(
        formdata=formdata,
        prefix=f"user-{user.id}",
        data={
            "role": user.role.value,
            "institution": user.institution.code if user.institution else "",
        },
    )
    form.institution.choices = choices
    return form


def _users_page(status: int = 200, invite_form: InviteForm | None = None, failed_role=None):
    """Render the list; ``failed_role`` is a ``(user_id, RoleForm)`` to show with its errors."""
    try:
        users = accounts.list_users(_actor())
    except ServiceError as exc:
        abort(exc.status, exc.message)
    choices = institution_choices(accounts.institutions())
    role_forms = {u.id: _role_form(u, choices) for u in users}
    if failed_role is not None:
        role_forms[failed_role[0]] = failed_role[1]
    if invite_form is None:
        invite_form = InviteForm(formdata=None)
    invite_form.institution.choices = choices
    return (
        render_template(
            "admin/users.html",
            users=users,
            invite_form=invite_form,
            role_forms=role_forms,
            active_form=ActiveForm(formdata=None),
        ),
        status,
    )


def _apply_errors(form, exc: InvalidInput) -> None:
    applied = False
    for name, messages in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
            applied = True
    if not applied:
        flash(exc.message, "error")


@bp.get("/users")
@login_required
def users():
    return _users_page()


@bp.post("/users/invite")
@login_required
def invite():
    form = InviteForm()
    form.institution.choices = institution_choices(accounts.institutions())
    if form.validate_on_submit():
        try:
            user = accounts.invite_user(
                _actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                institution_code=form.institution.data or None,
            )
        except InvalidInput as exc:
            _apply_errors(form, exc)
        except ServiceError as exc:
            abort(exc.status, exc.message)
        else:
            flash(f"{user.email} has been invited and sent a link to choose a password.", "success")
            return redirect(url_for("admin.users"))
    return _users_page(422, invite_form=form)


@bp.post("/users/<int:user_id>/role")
@login_required
def change_role(user_id: int):
    form = RoleForm(prefix=f"user-{user_id}")
    form.institution.choices = institution_choices(accounts.institutions())
    if form.validate_on_submit():
        try:
            user = accounts.set_role(
                _actor(), user_id, form.role.data, form.institution.data or None
            )
        except InvalidInput as exc:
            _apply_errors(form, exc)
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("admin.users"))
        except ServiceError as exc:
            abort(exc.status, exc.message)
        else:
            flash(f"{user.email} is now {user.role.label.lower()}.", "success")
            return redirect(url_for("admin.users"))
    return _users_page(422, failed_role=(user_id, form))


@bp.post("/users/<int:user_id>/active")
@login_required
def set_active(user_id: int):
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        user = accounts.set_active(_actor(), user_id, form.active.data == "1")
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    except ServiceError as exc:
        abort(exc.status, exc.message)
    if user.active:
        flash(f"{user.email} has been enabled.", "success")
    else:
        flash(f"{user.email} has been disabled and signed out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/campus-approver")
@login_required
def set_campus_approver(user_id: int):
    form = ActiveForm()  # the CSRF token and "1" (name) or "0" (take back) in ``active``
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    try:
        user = accounts.set_campus_approver(_actor(), user_id, form.active.data == "1")
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    except ServiceError as exc:
        abort(exc.status, exc.message)
    if user.campus_approver:
        flash(
            f"{user.email} is now a campus approver of {user.institution.name}: its requests "
            "are submitted once a campus approver has signed off.",
            "success",
        )
    else:
        flash(f"{user.email} is no longer a campus approver.", "success")
    return redirect(url_for("admin.users"))
