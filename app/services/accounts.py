"""Accounts: signing in, passwords, password-reset links, sessions, API tokens, administration.

Sessions are keyed on ``User.session_token`` (Flask-Login's id), so ending every session of a
user is one assignment: a new token. A password-reset link is signed with the application's
secret and carries a fingerprint of the password hash and the session token; resetting changes
both, so a link works once. Invitations use the same link ("set your password").
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.enums import Role
from app.extensions import db
from app.models import ApiToken, Institution, User
from app.models.user import new_session_token
from app.permissions import can
from app.services import mail, throttle, unit, users
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

SIGN_IN_FAILED = "The e-mail address or password is not correct, or the account is disabled."
RESET_SALT = "password-reset"
TOKEN_PREFIX = "mci_"  # noqa: S105 - a marker, not a secret
# Writing ``last_used_at`` on every API call would turn every read into a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verified against when the e-mail is unknown, so that a wrong e-mail takes as long as a
    # wrong password and the timing does not tell which accounts exist.
    return users.hash_password(secrets.token_urlsafe(16))


def _now() -> datetime:
    return datetime.now(UTC)


def _password_errors(password: str, user: User | None = None) -> list[str]:
    inputs = [user.email, user.name] if user is not None else []
    return users.password_problems(password, user_inputs=inputs)


def _set_password(user: User, password: str) -> None:
    user.password_hash = users.hash_password(password)
    user.session_token = new_session_token()


def _require_admin(actor: User) -> None:
    if not can(actor, "administer"):
        raise PermissionDenied("Only administrators may manage accounts.")


# --- Signing in and out ---------------------------------------------------------------------


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """Anyone: check an e-mail and password; record the sign-in and return the user.

    Raises ``InvalidInput`` with one message, the same whether the e-mail is unknown, the
    password wrong or the account disabled, so the answer does not reveal which accounts exist.
    Raises ``throttle.TooManyAttempts`` once the account (known or not) or the client
    ``address`` has failed too often, before the password is even checked.
    """
    limits = ((throttle.SIGN_IN_ACCOUNT, email), (throttle.SIGN_IN_ADDRESS, address))
    throttle.check(*limits)
    user = users.find_user(email) if email else None
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_dummy_hash(), password or "-")
        except VerificationError:  # noqa: S110 - only spends the time a real check would
            pass
        throttle.fail(*limits)
        raise InvalidInput(SIGN_IN_FAILED)
    if not users.check_password(user, password) or not user.active:
        throttle.fail(*limits)
        raise InvalidInput(SIGN_IN_FAILED)
    try:
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = users.hash_password(password)
    except InvalidHashError:  # pragma: no cover - check_password already refused it
        raise InvalidInput(SIGN_IN_FAILED) from None
    user.last_login_at = _now()
    throttle.clear(throttle.SIGN_IN_ACCOUNT, email)
    return user


def end_sessions(user: User) -> None:
    """The user themselves (logging out) or the services below: end every session the user
    has open, on every device, by giving them a new session token. Commits."""
    user.session_token = new_session_token()
    unit.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The signed-in user: replace their password. Ends every session of the user (the caller
    signs the current one in again with the new session token). Commits.

    Raises ``InvalidInput`` (field errors on ``current_password`` / ``new_password``).
    """
    errors: dict[str, list[str]] = {}
    if not users.check_password(user, current_password):
        errors["current_password"] = ["This is not your current password."]
    if problems := _password_errors(new_password, user):
        errors["new_password"] = problems
    if errors:
        raise InvalidInput("The password was not changed.", errors)
    _set_password(user, new_password)
    unit.commit()


# --- Password-reset and invitation links ----------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    material = (user.password_hash or "") + user.session_token
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    """A signed link token for ``user``; it stops working once the password or sessions change."""
    return _serializer().dumps({"id": user.id, "h": _fingerprint(user)})


def _max_age() -> int:
    return int(current_app.config.get("PASSWORD_RESET_MAX_AGE", 3600))


def _expiry_words() -> str:
    minutes = max(_max_age() // 60, 1)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def user_for_reset_token(token: str) -> User:
    """Anyone holding a link: the active user the link was made for.

    Raises ``InvalidInput`` with a message for people: the link expired, or it is not valid
    (mistyped, already used, or the account is disabled).
    """
    try:
        data = _serializer().loads(token, max_age=_max_age())
    except SignatureExpired:
        raise InvalidInput(
            f"This link has expired. Ask for a new one below; links work for {_expiry_words()}."
        ) from None
    except BadSignature:
        data = None
    user = None
    if isinstance(data, dict) and isinstance(data.get("id"), int):
        user = db.session.get(User, data["id"])
    if (
        user is None
        or not user.active
        or not secrets.compare_digest(str(data.get("h", "")), _fingerprint(user))
    ):
        raise InvalidInput(
            "This link is not valid: it may have been used already, or copied incompletely. "
            "Ask for a new one below."
        )
    return user


def _queue_link_mail(user: User, *, invited_by: User | None = None) -> None:
    link = url_for("auth.reset_password", token=reset_token(user), _external=True)
    forgot = url_for("auth.forgot_password", _external=True)
    expiry = _expiry_words()
    if invited_by is None:
        subject = "Reset your password for the Statewide Micro-Credential Inventory"
        body = (
            f"Hello {user.name},\n\n"
            "Someone (we hope you) asked to reset the password of your account on the "
            "Statewide Micro-Credential Inventory. To choose a new password, open this link:\n\n"
            f"{link}\n\n"
            f"The link works once, for {expiry}. If you did not ask for it, ignore this message: "
            "your password has not changed.\n"
        )
    else:
        where = f" for {user.institution.name}" if user.institution else ""
        subject = "Your account on the Statewide Micro-Credential Inventory"
        body = (
            f"Hello {user.name},\n\n"
            f"{invited_by.name} has created a {user.role.label.lower()} account{where} for you on "
            "the Statewide Micro-Credential Inventory. To choose your password, open this link:\n\n"
            f"{link}\n\n"
            f"The link works once, for {expiry}. After that, ask for a new one at {forgot}\n"
        )
    mail.queue(user.email, subject, body)


def request_password_reset(email: str, address: str | None = None) -> None:
    """Anyone: e-mail a reset link to the account with this e-mail address, if there is an
    active one. Answers nothing either way, so the caller cannot learn whether it exists.
    The mail is sent after the commit.

    Raises ``throttle.TooManyAttempts`` when the client ``address`` has asked too often (for
    any accounts). An account that was sent ``PASSWORD_RESET_ACCOUNT`` links within its window
    is sent no more until the window moves on, with the same silent answer."""
    address_limit = (throttle.PASSWORD_RESET_ADDRESS, address)
    throttle.check(address_limit, what="requests for password links")
    throttle.fail(address_limit)
    user = users.find_user(email) if email else None
    if user is None or not user.active:
        return
    account_limit = (throttle.PASSWORD_RESET_ACCOUNT, user.email)
    try:
        throttle.check(account_limit)
    except throttle.TooManyAttempts:
        current_app.logger.info("Password-reset mail withheld: too many for one account.")
        return
    throttle.fail(account_limit)
    _queue_link_mail(user)
    unit.commit()


def reset_password(token: str, new_password: str) -> User:
    """Anyone holding a valid link: set the password of its user. Ends every session of the
    user, which also makes the link unusable. Commits.

    Raises ``InvalidInput``: the link is expired or not valid (message only), or the password
    is too short, too long or easy to guess (field error on ``password``).
    """
    user = user_for_reset_token(token)
    if problems := _password_errors(new_password, user):
        raise InvalidInput("The password was not changed.", {"password": problems})
    _set_password(user, new_password)
    unit.commit()
    return user


# --- Personal API tokens --------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """The user themselves (profile page, ``flask users token``): a new API token. Returns the
    stored row and the token itself, which is shown once and stored only as a digest. Commits.

    Raises ``InvalidInput`` for a missing name, ``Conflict`` for a disabled account.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidInput("The token was not created.", {"name": ["Give the token a name."]})
    if not user.active:
        raise Conflict(f"The account {user.email} is disabled.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], digest=_digest(raw), prefix=raw[:8])
    db.session.add(token)
    unit.commit()
    return token, raw


def list_tokens(user: User) -> list[ApiToken]:
    """The user themselves: their tokens, newest first, revoked ones included."""
    return list(
        db.session.scalars(
            db.select(ApiToken)
            .filter_by(user_id=user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken:
    """The token's owner: revoke it (at once; revoking twice changes nothing). Commits.

    Raises ``NotFound`` for a token that does not exist or belongs to someone else.
    """
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = _now()
        unit.commit()
    return token


def authenticate_token(raw: str, address: str | None = None) -> User | None:
    """The request loader: the active user owning this unrevoked token, or ``None``.
    Records when the token was last used (at most once a minute). Refused tokens count
    against the client ``address``; past the limit ``throttle.TooManyAttempts`` is raised
    before the token is looked up."""
    limit = (throttle.API_TOKEN_ADDRESS, address)
    throttle.check(limit)
    token = None
    if raw.startswith(TOKEN_PREFIX):
        token = db.session.scalar(db.select(ApiToken).filter_by(digest=_digest(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        throttle.fail(limit)
        return None
    now = _now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        token.last_used_at = now
        unit.commit()
    return token.user


# --- Administration -------------------------------------------------------------------------


def list_users(actor: User) -> list[User]:
    """Administrators: every account, by e-mail. Raises ``PermissionDenied``."""
    _require_admin(actor)
    return list(db.session.scalars(db.select(User).order_by(User.email)))


def institutions() -> list[Institution]:
    """Institutions a liaison may belong to, by name (for choosing one)."""
    return list(db.session.scalars(db.select(Institution).order_by(Institution.name)))


def _institution(code: str | None) -> Institution | None:
    if not code:
        return None
    return db.session.scalar(db.select(Institution).filter_by(code=code))


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Unknown role.", {"role": ["Choose a role."]}) from None


def invite_user(
    actor: User, *, email: str, name: str, role: Role | str, institution_code: str | None = None
) -> User:
    """Administrators: create an account without a password and e-mail its user a link to
    choose one (sent after the commit). Commits.

    Raises ``PermissionDenied``, or ``InvalidInput`` (field errors) for a taken or malformed
    e-mail, an unknown role or institution, or a liaison without an institution.
    """
    _require_admin(actor)
    role = _role(role)
    institution = _institution(institution_code)
    if institution_code and institution is None:
        raise InvalidInput(
            "The account could not be created.", {"institution": ["Unknown institution."]}
        )
    user = users.create_user(email=email, name=name, role=role, institution=institution)
    _queue_link_mail(user, invited_by=actor)
    unit.commit()
    return user


def _managed_user(actor: User, user_id: int) -> User:
    _require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    if user.id == actor.id:
        # An administrator who demotes or disables themselves may leave nobody to undo it.
        raise Conflict("You cannot change your own role or disable your own account.")
    return user


def set_role(
    actor: User, user_id: int, role: Role | str, institution_code: str | None = None
) -> User:
    """Administrators: give another account a role (a liaison needs an institution; other
    roles have none). The change applies from the user's next request. Commits.

    Raises ``PermissionDenied``, ``NotFound``, ``Conflict`` (one's own account) or
    ``InvalidInput`` (field errors on ``role`` / ``institution``).
    """
    user = _managed_user(actor, user_id)
    role = _role(role)
    institution = _institution(institution_code)
    if role is Role.LIAISON and institution is None:
        raise InvalidInput(
            "The role was not changed.",
            {"institution": ["A liaison belongs to one institution: choose it."]},
        )
    if role is not Role.LIAISON or institution is not user.institution:
        user.campus_approver = False  # the approver of one institution only, as a liaison
    user.role = role
    user.institution = institution if role is Role.LIAISON else None
    unit.commit()
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Administrators: disable another account (ending its sessions; its API tokens stop
    working) or enable it again. Commits.

    Raises ``PermissionDenied``, ``NotFound`` or ``Conflict`` (one's own account).
    """
    user = _managed_user(actor, user_id)
    if user.active != active:
        user.active = active
        if not active:
            user.session_token = new_session_token()
        unit.commit()
    return user


# --- Notifications and campus approvers --------------------------------------------------------

NOTIFICATION_MODES = {"immediate": False, "digest": True}


def set_notification_mode(user: User, mode: str) -> User:
    """The user chooses how notifications about requests reach them: ``immediate`` (each one
    by e-mail as it happens) or ``digest`` (gathered, and sent once a day by
    ``flask workflow digest``). Commits. Raises ``InvalidInput``."""
    if mode not in NOTIFICATION_MODES:
        raise InvalidInput(
            "Your choice was not saved.",
            {"mode": ["Choose immediate e-mail or a daily digest."]},
        )
    user.mail_digest = NOTIFICATION_MODES[mode]
    unit.commit()
    return user


def set_campus_approver(actor: User, user_id: int, approver: bool) -> User:
    """Administrators: name a liaison their institution's campus approver, or take it back.
    While an institution has an active campus approver, its requests are submitted only after
    one of them has recorded a sign-off. Commits.

    Raises ``PermissionDenied``, ``NotFound``, ``Conflict`` (one's own account, or not a
    liaison)."""
    user = _managed_user(actor, user_id)
    if approver and user.role is not Role.LIAISON:
        raise Conflict(
            f"{user.email} is not a liaison: only an institution's liaison can be its campus "
            "approver."
        )
    user.campus_approver = approver
    unit.commit()
    return user


def campus_approvers(institution_id: int | None) -> list[User]:
    """The active campus approvers of an institution."""
    if institution_id is None:
        return []
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.institution_id == institution_id,
                User.role == Role.LIAISON,
                User.campus_approver.is_(True),
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )
