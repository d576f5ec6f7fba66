"""The account use cases: sign-in, passwords, reset links, sessions, API tokens, administration."""

from __future__ import annotations

import hashlib

import pytest

from app.enums import Role
from app.extensions import db
from app.models import ApiToken, MailMessage, User
from app.services import accounts
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.conftest import PASSWORD


def _mail_to(email):
    return db.session.scalars(db.select(MailMessage).filter_by(recipient=email)).all()


def test_authenticate_returns_the_user_and_records_the_sign_in(make_user):
    user = make_user("ada@regents.example.org")
    assert user.last_login_at is None
    assert accounts.authenticate(" ADA@regents.example.org ", PASSWORD) is user
    assert user.last_login_at is not None


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "disabled", "no password"])
def test_authenticate_refuses_every_failure_with_the_same_message(make_user, case):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("bo@regents.example.org")
    email, password = user.email, PASSWORD
    if case == "wrong password":
        password = "not the password at all"
    elif case == "unknown e-mail":
        email = "nobody@regents.example.org"
    elif case == "disabled":
        accounts.set_active(admin, user.id, False)
    else:
        user.password_hash = None
    with pytest.raises(InvalidInput) as exc:
        accounts.authenticate(email, password)
    assert exc.value.message == accounts.SIGN_IN_FAILED
    assert exc.value.errors == {}


def test_change_password_ends_every_session_and_needs_the_current_password(make_user):
    user = make_user("cy@regents.example.org")
    before = user.session_token
    with pytest.raises(InvalidInput) as exc:
        accounts.change_password(user, "wrong current password", "short")
    assert set(exc.value.errors) == {"current_password", "new_password"}
    assert user.session_token == before
    accounts.change_password(user, PASSWORD, "a brand new long password")
    assert user.session_token != before
    assert accounts.authenticate(user.email, "a brand new long password") is user


def test_end_sessions_gives_a_new_session_token(make_user):
    user = make_user("di@regents.example.org")
    before = user.session_token
    accounts.end_sessions(user)
    assert user.session_token != before


def test_a_reset_link_works_once(make_user):
    user = make_user("ed@regents.example.org")
    token = accounts.reset_token(user)
    assert accounts.user_for_reset_token(token) is user
    accounts.reset_password(token, "the first new password")
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.reset_password(token, "the second new password")
    assert accounts.authenticate(user.email, "the first new password") is user


def test_an_expired_reset_link_is_refused_as_expired(app, make_user):
    user = make_user("fay@regents.example.org")
    token = accounts.reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with pytest.raises(InvalidInput, match="expired"):
        accounts.reset_password(token, "another long password")
    assert accounts.authenticate(user.email, PASSWORD) is user


def test_a_tampered_reset_link_is_refused(make_user):
    user = make_user("gil@regents.example.org")
    token = accounts.reset_token(user)
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.user_for_reset_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_a_reset_link_needs_a_long_enough_password(make_user):
    user = make_user("hal@regents.example.org")
    token = accounts.reset_token(user)
    with pytest.raises(InvalidInput) as exc:
        accounts.reset_password(token, "short")
    assert "password" in exc.value.errors
    # Refusing the password does not use up the link.
    assert accounts.user_for_reset_token(token) is user


def test_a_reset_is_mailed_only_to_an_active_account(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("ivy@regents.example.org")
    accounts.request_password_reset("nobody@regents.example.org")
    assert db.session.scalar(db.select(db.func.count(MailMessage.id))) == 0
    accounts.request_password_reset("IVY@regents.example.org")
    (message,) = _mail_to(user.email)
    assert "/reset-password/" in message.body
    accounts.set_active(admin, user.id, False)
    accounts.request_password_reset(user.email)
    assert len(_mail_to(user.email)) == 1


def test_a_token_is_stored_only_as_its_digest(make_user):
    user = make_user("jo@regents.example.org")
    token, raw = accounts.create_token(user, "Catalog sync")
    assert raw.startswith("mci_") and len(raw) > 40
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    row = db.session.execute(db.select(ApiToken.__table__).filter_by(id=token.id)).one()
    assert raw not in [str(value) for value in row]


def test_a_token_authenticates_its_active_owner_until_revoked(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("kim@regents.example.org")
    token, raw = accounts.create_token(user, "Script")
    assert accounts.authenticate_token(raw) is user
    assert token.last_used_at is not None
    assert accounts.authenticate_token(raw + "x") is None
    assert accounts.authenticate_token(raw.removeprefix("mci_")) is None
    accounts.set_active(admin, user.id, False)
    assert accounts.authenticate_token(raw) is None
    accounts.set_active(admin, user.id, True)
    assert accounts.authenticate_token(raw) is user
    accounts.revoke_token(user, token.id)
    assert accounts.authenticate_token(raw) is None


def test_a_token_of_someone_else_cannot_be_revoked(make_user):
    owner = make_user("lee@regents.example.org")
    other = make_user("max@regents.example.org")
    token, _raw = accounts.create_token(owner, "Mine")
    with pytest.raises(NotFound):
        accounts.revoke_token(other, token.id)
    assert token.active


def test_a_disabled_account_gets_no_new_token(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("ned@regents.example.org")
    accounts.set_active(admin, user.id, False)
    with pytest.raises(Conflict):
        accounts.create_token(user, "Too late")


def test_invite_creates_an_account_without_password_and_mails_a_link(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = accounts.invite_user(
        admin, email="Liz@OSU.example.edu", name="Liz", role="liaison", institution_code="OSU"
    )
    assert user.email == "liz@osu.example.edu"
    assert user.password_hash is None and user.institution.code == "OSU"
    (message,) = _mail_to(user.email)
    assert "choose your password" in message.body and "/reset-password/" in message.body
    token = message.body.split("/reset-password/")[1].split()[0]
    assert accounts.reset_password(token, "liz picks a password") is user


@pytest.mark.parametrize("role", ["liaison", "staff", "chancellor"])
def test_only_administrators_manage_accounts(make_user, role):
    actor = make_user("actor@regents.example.org", role=role)
    other = make_user("other@regents.example.org")
    with pytest.raises(PermissionDenied):
        accounts.list_users(actor)
    with pytest.raises(PermissionDenied):
        accounts.invite_user(actor, email="new@regents.example.org", name="New", role="staff")
    with pytest.raises(PermissionDenied):
        accounts.set_role(actor, other.id, "admin")
    with pytest.raises(PermissionDenied):
        accounts.set_active(actor, other.id, False)
    assert db.session.scalar(db.select(User.id).filter_by(email="new@regents.example.org")) is None


def test_a_liaison_needs_an_institution(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("oz@regents.example.org")
    with pytest.raises(InvalidInput) as exc:
        accounts.set_role(admin, user.id, "liaison")
    assert "institution" in exc.value.errors
    accounts.set_role(admin, user.id, "liaison", "OSU")
    assert user.role is Role.LIAISON and user.institution.code == "OSU"
    accounts.set_role(admin, user.id, "chancellor", "OSU")
    assert user.role is Role.CHANCELLOR and user.institution is None


def test_an_administrator_cannot_demote_or_disable_themselves(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    with pytest.raises(Conflict):
        accounts.set_role(admin, admin.id, "staff")
    with pytest.raises(Conflict):
        accounts.set_active(admin, admin.id, False)
    assert admin.role is Role.ADMIN and admin.active


def test_disabling_an_account_ends_its_sessions(make_user):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("pat@regents.example.org")
    before = user.session_token
    accounts.set_active(admin, user.id, False)
    assert not user.active and user.session_token != before
