"""Accounts: creating users and checking passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from app.enums import Role
from app.extensions import db
from app.models import Institution, User
from app.models.user import new_session_token
from app.services.errors import InvalidInput

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
# zxcvbn's 0-4 estimate of how hard a password is to guess; below 3 it is among, or close to,
# the common passwords of its lists (30,000 leaked passwords, names, English words).
MIN_PASSWORD_SCORE = 3


def password_problems(password: str, *, user_inputs: list[str] | None = None) -> list[str]:
    """What is wrong with ``password`` as a new password: too short, too long, or easy to guess
    (a common password, a name, a keyboard pattern, or the user's own e-mail or name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    verdict = zxcvbn(password, user_inputs=[s for s in user_inputs or [] if s])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        warning = verdict["feedback"]["warning"] or "This password is easy to guess."
        return [f"{warning.rstrip('.')}. Choose a password that is harder to guess."]
    return []


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    institution: Institution | None = None,
    password: str | None = None,
) -> User:
    """Create an account (administrators, the CLI, the seed). Flushes; never commits.

    Raises ``InvalidInput`` for a taken e-mail, a liaison without an institution, or a
    password that is too short, too long or easy to guess.
    """
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if "@" not in email:
        errors["email"] = ["Enter an e-mail address."]
    elif db.session.scalar(db.select(User.id).filter_by(email=email)) is not None:
        errors["email"] = [f"An account for {email} already exists."]
    if role is Role.LIAISON and institution is None:
        errors["institution"] = ["A liaison belongs to one institution."]
    if password is not None and (problems := password_problems(password, user_inputs=[email])):
        errors["password"] = problems
    if errors:
        raise InvalidInput("The account could not be created.", errors)
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        institution=institution if role is Role.LIAISON else None,
        password_hash=hash_password(password) if password else None,
        session_token=new_session_token(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).filter_by(email=normalise_email(email)))
