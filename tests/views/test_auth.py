"""Signing in and out, the profile page, password reset by e-mail, and API tokens."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import ApiToken, MailMessage
from app.services import accounts
from tests.conftest import PASSWORD

NEW_PASSWORD = "a completely different passphrase"


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https?://\S+/reset-password/\S+", body).group(0)
    return urlsplit(url).path


def _text(response) -> str:
    return response.get_data(as_text=True)


def _signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


# --- Signing in -----------------------------------------------------------------------------


def test_login_signs_in_and_records_the_time(client, make_user, login):
    user = make_user("ada@regents.example.org", name="Ada Lovelace")
    response = login(client, "Ada@Regents.example.org", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/review/"
    assert user.last_login_at is not None
    me = client.get("/api/v1/me").get_json()
    assert me == {
        "id": user.id,
        "email": user.email,
        "name": "Ada Lovelace",
        "role": "staff",
        "institution": None,
    }
    html = _text(client.get("/account"))
    assert "Ada Lovelace" in html and "ada@regents.example.org" in html


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "disabled account"])
def test_login_failures_all_get_the_same_message(client, make_user, login, case):
    admin = make_user("root@regents.example.org", role="admin")
    user = make_user("bo@regents.example.org")
    email, password = user.email, PASSWORD
    if case == "wrong password":
        password = "this is not it at all"
    elif case == "unknown e-mail":
        email = "nobody@regents.example.org"
    else:
        accounts.set_active(admin, user.id, False)
    response = login(client, email, password)
    assert response.status_code == 422
    html = _text(response)
    assert accounts.SIGN_IN_FAILED in html
    # The e-mail is kept; the password never comes back.
    assert f'value="{email}"' in html
    assert password not in html
    assert not _signed_in(client)


def test_login_form_errors_name_the_missing_fields(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    html = _text(response)
    assert "Enter your e-mail address." in html and "Enter your password." in html
    assert 'for="email"' in html and 'for="password"' in html


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/account", "/account"),
        ("/search?q=welding", "/search?q=welding"),
        # Anything else is ignored: a staff member lands on the review queue.
        ("https://evil.example/", "/review/"),
        ("//evil.example/", "/review/"),
        ("/\\evil.example/", "/review/"),
        ("javascript:alert(1)", "/review/"),
    ],
)
def test_login_returns_only_to_a_page_of_this_site(client, make_user, login, next_url, expected):
    make_user("cy@regents.example.org")
    response = login(client, "cy@regents.example.org", PASSWORD, next=next_url)
    assert response.headers["Location"] == expected


def test_a_page_that_needs_an_account_sends_to_login_and_back(client, make_user, login):
    make_user("di@regents.example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    html = _text(client.get(response.headers["Location"]))
    assert 'name="next" type="hidden" value="/account"' in html
    assert (
        login(client, "di@regents.example.org", PASSWORD, next="/account").headers["Location"]
        == "/account"
    )


def test_the_navigation_offers_what_fits_the_visitor(client, make_user, login):
    make_user("eve@regents.example.org", name="Eve Staff")
    make_user("root@regents.example.org", role="admin", name="Root Admin")
    html = _text(client.get("/login"))
    assert ">Sign in<" in html and "Sign out" not in html
    login(client, "eve@regents.example.org")
    html = _text(client.get("/account"))
    assert 'href="/account"><span>Eve Staff</span>' in html
    assert 'action="/logout"' in html and "Administration" not in html
    admin = client.application.test_client()
    login(admin, "root@regents.example.org")
    assert 'href="/admin/users"><span>Administration</span>' in _text(admin.get("/account"))


# --- Sessions end -----------------------------------------------------------------------------


def test_logout_ends_the_other_sessions_of_the_account(app, make_user, login):
    make_user("fay@regents.example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "fay@regents.example.org")
    login(phone, "fay@regents.example.org")
    assert _signed_in(laptop) and _signed_in(phone)
    assert laptop.post("/logout").status_code == 302
    assert not _signed_in(laptop)
    assert not _signed_in(phone)
    assert phone.get("/account").headers["Location"].startswith("/login")


def test_logout_is_a_post(client, make_user, login):
    make_user("gus@regents.example.org")
    login(client, "gus@regents.example.org")
    assert client.get("/logout").status_code == 405
    assert _signed_in(client)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, make_user, login):
    make_user("hal@regents.example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "hal@regents.example.org")
    login(phone, "hal@regents.example.org")
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    assert login(phone, "hal@regents.example.org", PASSWORD).status_code == 422
    assert login(phone, "hal@regents.example.org", NEW_PASSWORD).status_code == 302


def test_a_refused_password_change_explains_and_changes_nothing(app, client, make_user, login):
    user = make_user("ivy@regents.example.org")
    login(client, user.email)
    token = user.session_token
    mismatch = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": "something else entirely",
        },
    )
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "wrong wrong wrong",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert mismatch.status_code == wrong.status_code == 422
    assert "The two passwords are not the same." in _text(mismatch)
    assert "This is not your current password." in _text(wrong)
    for html in (_text(mismatch), _text(wrong)):
        assert NEW_PASSWORD not in html and PASSWORD not in html and "wrong wrong" not in html
        assert 'aria-invalid="true"' in html
    assert user.session_token == token and _signed_in(client)


# --- Password reset by e-mail ---------------------------------------------------------------


def test_password_reset_by_email_end_to_end(client, make_user, login, smtp):
    make_user("jo@regents.example.org", name="Jo")
    page = client.post("/forgot-password", data={"email": "jo@regents.example.org"})
    assert page.status_code == 200
    (message,) = smtp.messages
    assert message["To"] == "jo@regents.example.org"
    assert "Reset your password" in message["Subject"]
    link = _link(message)

    form = client.get(link)
    assert form.status_code == 200 and 'for="password"' in _text(form)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert login(client, "jo@regents.example.org", PASSWORD).status_code == 422
    assert login(client, "jo@regents.example.org", NEW_PASSWORD).status_code == 302

    # The link works once.
    again = client.post(
        link, data={"password": "yet another password", "confirm": "yet another password"}
    )
    assert again.status_code == 400
    assert "not valid" in _text(again) and "used already" in _text(again)
    assert client.get(link).status_code == 400
    assert db.session.scalar(db.select(MailMessage.sent_at)) is not None


def test_an_expired_reset_link_is_refused_with_a_clear_message(app, client, make_user, login, smtp):
    make_user("kim@regents.example.org")
    client.post("/forgot-password", data={"email": "kim@regents.example.org"})
    link = _link(smtp.messages[0])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    html = _text(response)
    assert "This link has expired." in html and 'href="/forgot-password"' in html
    assert login(client, "kim@regents.example.org", PASSWORD).status_code == 302


def test_a_reset_ends_every_session(app, make_user, login, smtp):
    make_user("lee@regents.example.org")
    phone = app.test_client()
    login(phone, "lee@regents.example.org")
    client = app.test_client()
    client.post("/forgot-password", data={"email": "lee@regents.example.org"})
    client.post(_link(smtp.messages[0]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _signed_in(phone)


def test_forgot_password_for_an_unknown_email_looks_the_same_and_sends_nothing(
    client, make_user, smtp
):
    make_user("max@regents.example.org")
    known = client.post("/forgot-password", data={"email": "max@regents.example.org"})
    unknown = client.post("/forgot-password", data={"email": "nobody@regents.example.org"})
    assert known.status_code == unknown.status_code == 200
    assert _text(known) == _text(unknown)
    assert "If an account uses that e-mail address" in _text(unknown)
    assert [m["To"] for m in smtp.messages] == ["max@regents.example.org"]
    assert (
        db.session.scalar(
            db.select(db.func.count(MailMessage.id)).filter_by(
                recipient="nobody@regents.example.org"
            )
        )
        == 0
    )


# --- API tokens -----------------------------------------------------------------------------


def test_a_token_made_on_the_profile_page_is_shown_once_and_works(client, make_user, login):
    user = make_user("ned@regents.example.org")
    login(client, user.email)
    response = client.post("/account/tokens", data={"name": "Catalog sync"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'value="(mci_[^"]+)"', _text(response)).group(1)
    page = _text(client.get("/account"))
    assert raw not in page and "Catalog sync" in page and raw[:8] in page
    (token,) = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id))
    assert raw not in (token.digest, token.prefix, token.name)

    api = client.application.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    assert token.last_used_at is not None


def test_a_token_needs_a_name(client, make_user, login):
    make_user("oz@regents.example.org")
    login(client, "oz@regents.example.org")
    response = client.post("/account/tokens", data={"name": ""})
    assert response.status_code == 422
    assert "Give the token a name." in _text(response)
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_revoked_token_gets_401_json(client, make_user, login):
    user = make_user("pat@regents.example.org")
    token, raw = accounts.create_token(user, "Old script")
    api = client.application.test_client()
    auth = {"Authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/me", headers=auth).status_code == 200
    login(client, user.email)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert token.revoked_at is not None
    response = api.get("/api/v1/me", headers=auth)
    assert response.status_code == 401
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # Any API address refuses a bad token rather than answering as if anonymous.
    assert api.get("/api/v1/credentials", headers=auth).status_code == 401


def test_someone_elses_token_cannot_be_revoked(client, make_user, login):
    owner = make_user("quin@regents.example.org")
    make_user("rae@regents.example.org")
    token, _raw = accounts.create_token(owner, "Mine")
    login(client, "rae@regents.example.org")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.active


def test_the_api_without_credentials_answers_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"] == "Unauthorized"


def test_a_token_does_not_open_the_pages(client, make_user):
    user = make_user("sam@regents.example.org")
    _token, raw = accounts.create_token(user, "Script")
    response = client.get("/account", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_flask_users_token_prints_a_working_token(app, runner, make_user):
    user = make_user("tia@regents.example.org")
    result = runner.invoke(args=["users", "token", "tia@regents.example.org", "--name", "Nightly"])
    assert result.exit_code == 0, result.output
    raw = re.search(r"mci_\S+", result.output).group(0)
    (token,) = db.session.scalars(db.select(ApiToken).filter_by(user_id=user.id))
    assert token.name == "Nightly" and token.digest != raw
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_flask_users_token_refuses_an_unknown_account(runner):
    result = runner.invoke(args=["users", "token", "nobody@regents.example.org"])
    assert result.exit_code != 0 and "no account" in result.output


def test_on_the_api_a_sent_token_decides_over_the_session(client, make_user, login):
    user = make_user("uma@regents.example.org")
    other = make_user("val@regents.example.org")
    _token, raw = accounts.create_token(other, "Other's script")
    login(client, user.email)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.get_json()["id"] == other.id
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer mci_not-a-real-token"})
    assert bad.status_code == 401
    assert client.get("/api/v1/me").get_json()["id"] == user.id


def test_account_pages_label_every_control_and_carry_no_inline_script(client, make_user, login):
    user = make_user("wes@regents.example.org")
    accounts.create_token(user, "Listed")
    link = "/reset-password/" + accounts.reset_token(user)
    pages = ["/login", "/forgot-password", link]
    html_pages = [_text(client.get(url)) for url in pages]
    login(client, user.email)
    html_pages.append(_text(client.get("/account")))
    html_pages.append(_text(client.post("/account/tokens", data={"name": "New"})))
    for html in html_pages:
        for control in re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html
        ):
            assert f'for="{control}"' in html, f"control {control} has no label"
        assert "onclick" not in html.lower()
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs and not body.strip()


def test_with_csrf_on_the_forms_carry_their_token(app, client, make_user):
    make_user("xia@regents.example.org")
    app.config["WTF_CSRF_ENABLED"] = True

    def token(html):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    data = {"email": "xia@regents.example.org", "password": PASSWORD}
    assert client.post("/login", data=data).status_code == 400
    data["csrf_token"] = token(_text(client.get("/login")))
    assert client.post("/login", data=data).status_code == 302
    nav = _text(client.get("/account"))
    logout_token = re.search(
        r'action="/logout">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', nav
    ).group(1)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert not _signed_in(client)


@pytest.mark.parametrize(
    ("role", "desk"),
    [
        ("liaison", "/institution/"),
        ("staff", "/review/"),
        ("admin", "/review/"),
        ("chancellor", "/approvals/"),
    ],
)
def test_each_role_lands_on_its_own_desk(client, make_user, login, role, desk):
    make_user(f"{role}@regents.example.org", role=role)
    assert login(client, f"{role}@regents.example.org", PASSWORD).headers["Location"] == desk
