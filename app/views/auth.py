"""Accounts: sign in and out, the profile page (password, API tokens), password reset, and
``GET /api/v1/me``. Views parse input, call one service, render."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.routing import BuildError

from app.access import access
from app.auth_loader import bearer_token, unauthorized_json
from app.enums import Role
from app.forms.auth import (
    ChangePasswordForm,
    CreateTokenForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    RevokeTokenForm,
)
from app.permissions import can
from app.services import accounts
from app.services.errors import InvalidInput, ServiceError
from app.services.throttle import TooManyAttempts

bp = Blueprint("auth", __name__)

FORGOT_SENT = (
    "If an account uses that e-mail address, we have sent it a link to choose a new password. "
    "Check your inbox (and your spam folder); the link works once and expires soon."
)


@bp.before_app_request
def _resolve_user_per_request():
    # Flask-Login caches the user on ``g``, which lives as long as the application context; when
    # a context outlives one request (tests, embedded servers), each request must still be
    # resolved from its own session cookie or token.
    g.pop("_login_user", None)
    # A client that presents a token to the API and is not recognised must hear so, not
    # silently get the anonymous answer.
    if (
        request.path.startswith("/api/")
        and bearer_token(request) is not None
        and not current_user.is_authenticated
    ):
        return unauthorized_json("The API token is not valid, or has been revoked.")
    return None


@bp.app_context_processor
def _permissions():
    return {"can": can}


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else ``None``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _apply_errors(form, exc: InvalidInput) -> None:
    for name, messages in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]


# --- Sign in and out ------------------------------------------------------------------------


_HOME_OF_ROLE = {
    Role.LIAISON: "liaison.dashboard",
    Role.STAFF: "review.queue",
    Role.ADMIN: "review.queue",
    Role.CHANCELLOR: "approvals.desk",
}


def home_for(user) -> str:
    """Where a user starts after signing in: their own desk."""
    try:
        return url_for(_HOME_OF_ROLE[user.role])
    except (KeyError, BuildError):
        return "/"


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or home_for(current_user))
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, address=request.remote_addr
            )
        except TooManyAttempts as exc:
            page = render_template("auth/login.html", form=form, error=exc.message)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        except InvalidInput as exc:
            error = exc.message
        else:
            # A new session at sign-in: nothing of the anonymous one (its CSRF token included)
            # is carried over, so a cookie planted before sign-in is worth nothing after it.
            session.clear()
            g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            login_user(user)
            flash(f"Signed in as {user.name}.", "success")
            return redirect(safe_next(form.next.data) or home_for(user))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@access("public")
def logout():
    """Sign out, ending every session of the account (on every device)."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user._get_current_object())
        logout_user()
        flash("You have signed out.", "info")
    return redirect("/")


# --- The profile page -----------------------------------------------------------------------


def _account_page(status: int = 200, **forms):
    user = current_user._get_current_object()
    response = make_response(
        render_template(
            "auth/account.html",
            password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
            token_form=forms.get("token_form") or CreateTokenForm(formdata=None),
            tokens=accounts.list_tokens(user),
            new_token=forms.get("new_token"),
            notification_error=forms.get("notification_error"),
        ),
        status,
    )
    # The page may show a token in clear once: keep it out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account")
@access("signed_in")
@login_required
def account():
    return _account_page()


@bp.post("/account/password")
@access("signed_in")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        except InvalidInput as exc:
            _apply_errors(form, exc)
        else:
            # Every other session has ended; this one continues under the new session token.
            login_user(user)
            flash(
                "Your password has been changed. You have been signed out everywhere else.",
                "success",
            )
            return redirect(url_for("auth.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/notifications")
@access("signed_in")
@login_required
def set_notifications():
    form = RevokeTokenForm()  # only the CSRF token; the choice is read below
    if not form.validate_on_submit():
        abort(400, "The page expired: go back, reload it and try again.")
    try:
        user = accounts.set_notification_mode(
            current_user._get_current_object(), request.form.get("mode", "")
        )
    except InvalidInput as exc:
        return _account_page(422, notification_error=exc.errors["mode"][0])
    if user.mail_digest:
        flash(
            "You will receive one daily digest of your notifications instead of each e-mail.",
            "success",
        )
    else:
        flash("You will receive each notification by e-mail as it happens.", "success")
    return redirect(url_for("auth.account", _anchor="notifications-heading"))


@bp.post("/account/tokens")
@access("signed_in")
@login_required
def create_token():
    form = CreateTokenForm()
    if form.validate_on_submit():
        try:
            token, raw = accounts.create_token(current_user._get_current_object(), form.name.data)
        except InvalidInput as exc:
            _apply_errors(form, exc)
        else:
            # Shown in this response only (no redirect): the token is never stored in clear.
            return _account_page(201, new_token={"name": token.name, "value": raw})
    return _account_page(422, token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@access("signed_in")
@login_required
def revoke_token(token_id: int):
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        token = accounts.revoke_token(current_user._get_current_object(), token_id)
    except ServiceError as exc:
        abort(exc.status, exc.message)
    flash(f"The token “{token.name}” has been revoked.", "success")
    return redirect(url_for("auth.account"))


# --- Password reset -------------------------------------------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
@access("public")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.request_password_reset(form.email.data, address=request.remote_addr)
        except TooManyAttempts as exc:
            page = render_template(
                "auth/forgot_password.html", form=form, sent=False, error=exc.message
            )
            return page, 429, {"Retry-After": str(exc.retry_after)}
        # The same answer whether or not the account exists.
        return render_template(
            "auth/forgot_password.html", form=form, sent=True, sent_message=FORGOT_SENT
        )
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form, sent=False), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@access("public")
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        accounts.user_for_reset_token(token)
    except InvalidInput as exc:
        return render_template("auth/reset_password.html", form=None, error=exc.message), 400
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except InvalidInput as exc:
            if not exc.errors:
                return render_template(
                    "auth/reset_password.html", form=None, error=exc.message
                ), 400
            _apply_errors(form, exc)
        else:
            if current_user.is_authenticated:
                logout_user()
            flash("Your password has been set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    response = make_response(
        render_template("auth/reset_password.html", form=form, error=None), status
    )
    # Keep the link out of the Referer of any link followed from this page.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- The API's view of the caller -----------------------------------------------------------


@bp.get("/api/v1/me")
@access("signed_in")
@login_required
def me():
    """The account that makes the request (sign in, or send ``Authorization: Bearer <token>``)."""
    user = current_user
    inst = user.institution
    return jsonify(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        institution={"code": inst.code, "name": inst.name} if inst else None,
    )
