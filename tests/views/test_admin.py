"""The account administration page: administrators only; invite, change roles, disable."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.enums import Role
from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def admin(app, make_user, login):
    """A client signed in as an administrator (``admin.user`` is the account)."""
    user = make_user("root@regents.example.org", role="admin", name="Root Admin")
    client = app.test_client()
    login(client, user.email)
    client.user = user
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("role", ["liaison", "staff", "chancellor"])
def test_only_administrators_may_open_or_use_the_page(client, make_user, login, role):
    other = make_user("other@regents.example.org")
    make_user("someone@regents.example.org", role=role)
    login(client, "someone@regents.example.org")
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 403
    assert (
        client.post(
            "/admin/users/invite",
            data={"email": "x@regents.example.org", "name": "X", "role": "admin"},
        ).status_code
        == 403
    )
    assert other.active
    assert db.session.scalar(db.select(User.id).filter_by(email="x@regents.example.org")) is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"


def test_the_list_shows_role_institution_and_status(admin, make_user):
    make_user("liaison@osu.example.edu", role="liaison", institution="OSU", name="Lia Son")
    html = _text(admin.get("/admin/users"))
    row = html[html.index("liaison@osu.example.edu") :]
    row = row[: row.index("</tr>")]
    assert '<option selected value="liaison">' in row
    assert '<option selected value="OSU">Oklahoma State University</option>' in row
    assert "Yes" in row and "Disable" in row
    for control in re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html
    ):
        assert f'for="{control}"' in html, f"control {control} has no label"
    assert "onclick" not in html and "<script>" not in html


def test_disabling_an_account_ends_its_session_and_sign_in(app, admin, make_user, login):
    user = make_user("gone@regents.example.org")
    theirs = app.test_client()
    login(theirs, user.email)
    assert _signed_in(theirs)
    response = admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not user.active
    assert not _signed_in(theirs)
    assert login(theirs, user.email).status_code == 422
    admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    # Enabling the account again does not bring the old session back.
    assert user.active and not _signed_in(theirs)
    assert login(theirs, user.email).status_code == 302 and _signed_in(theirs)


def test_an_administrator_cannot_disable_themselves(admin):
    response = admin.post(
        f"/admin/users/{admin.user.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "You cannot change your own role or disable your own account." in _text(response)
    assert admin.user.active and _signed_in(admin)


def test_invite_sends_a_set_password_mail(admin, client, login, smtp):
    response = admin.post(
        "/admin/users/invite",
        data={
            "email": "New.Liaison@osu.example.edu",
            "name": "New Liaison",
            "role": "liaison",
            "institution": "OSU",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).filter_by(email="new.liaison@osu.example.edu"))
    assert user.role is Role.LIAISON and user.institution.code == "OSU"
    assert user.password_hash is None
    (message,) = smtp.messages
    assert message["To"] == "new.liaison@osu.example.edu"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Root Admin" in body and "choose your password" in body
    link = urlsplit(re.search(r"https?://\S+/reset-password/\S+", body).group(0)).path
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert login(client, "new.liaison@osu.example.edu").status_code == 302
    assert client.get("/api/v1/me").get_json()["institution"]["code"] == "OSU"


def test_a_refused_invitation_keeps_what_was_typed(admin):
    response = admin.post(
        "/admin/users/invite",
        data={
            "email": "lia@osu.example.edu",
            "name": "Lia Typed",
            "role": "liaison",
            "institution": "",
        },
    )
    assert response.status_code == 422
    html = _text(response)
    assert "A liaison belongs to one institution." in html
    assert 'value="lia@osu.example.edu"' in html and 'value="Lia Typed"' in html
    assert db.session.scalar(db.select(User.id).filter_by(email="lia@osu.example.edu")) is None


def test_an_invitation_to_a_taken_email_is_refused(admin, make_user):
    make_user("taken@regents.example.org")
    response = admin.post(
        "/admin/users/invite",
        data={
            "email": "taken@regents.example.org",
            "name": "Again",
            "role": "staff",
            "institution": "",
        },
    )
    assert response.status_code == 422
    assert "An account for taken@regents.example.org already exists." in _text(response)


def test_changing_a_role(admin, make_user):
    user = make_user("mover@regents.example.org")
    prefix = f"user-{user.id}-"
    response = admin.post(
        f"/admin/users/{user.id}/role",
        data={prefix + "role": "liaison", prefix + "institution": ""},
    )
    assert response.status_code == 422
    assert "A liaison belongs to one institution: choose it." in _text(response)
    assert user.role is Role.STAFF
    response = admin.post(
        f"/admin/users/{user.id}/role",
        data={prefix + "role": "liaison", prefix + "institution": "OSU"},
    )
    assert response.status_code == 302
    assert user.role is Role.LIAISON and user.institution.code == "OSU"
    admin.post(
        f"/admin/users/{user.id}/role",
        data={prefix + "role": "chancellor", prefix + "institution": "OSU"},
    )
    assert user.role is Role.CHANCELLOR and user.institution is None


def test_with_csrf_on_each_row_form_carries_its_token(app, admin, make_user):
    user = make_user("row@regents.example.org")
    app.config["WTF_CSRF_ENABLED"] = True
    html = _text(admin.get("/admin/users"))
    prefix = f"user-{user.id}-"
    token = re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {prefix + "role": "chancellor", prefix + "institution": ""}
    assert admin.post(f"/admin/users/{user.id}/role", data=data).status_code == 400
    data[prefix + "csrf_token"] = token
    assert admin.post(f"/admin/users/{user.id}/role", data=data).status_code == 302
    assert user.role is Role.CHANCELLOR
