"""Accounts: creating users and checking passwords (argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.enums import Role
from app.extensions import db
from app.models import Institution, User
from app.models.user import new_session_token
from app.services.errors import InvalidInput

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


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
    password shorter than 12 characters.
    """
    email = normalise_email(email)
    errors: dict[str, list[str]] = {}
    if "@" not in email:
        errors["email"] = ["Enter an e-mail address."]
    elif db.session.scalar(db.select(User.id).filter_by(email=email)) is not None:
        errors["email"] = [f"An account for {email} already exists."]
    if role is Role.LIAISON and institution is None:
        errors["institution"] = ["A liaison belongs to one institution."]
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
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
