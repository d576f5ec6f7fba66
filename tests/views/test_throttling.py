"""Failed sign-ins and API tokens are throttled per account and per client address, in storage
every worker shares: the database, or Redis when ``REDIS_URL`` is set."""

from __future__ import annotations

import uuid

import pytest

from app.services import throttle
from tests.conftest import PASSWORD


@pytest.fixture(params=["database", "redis"])
def storage(request, app):
    """Run each test once with the database counting failures, once with Redis."""
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        url = "redis://127.0.0.1:6379/15"
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        # A prefix of its own: runs on both engines, and any leftovers, never meet.
        app.config.update(REDIS_URL=url, REDIS_PREFIX=f"test-{uuid.uuid4().hex}:")
    return request.param


def attempt(client, email, password="not the password at all", addr="203.0.113.7"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_overrides={"REMOTE_ADDR": addr},
    )


def test_the_sixth_wrong_password_is_refused_with_retry_after(storage, client, make_user):
    make_user("ann@regents.example.org")
    for _ in range(throttle.SIGN_IN_ACCOUNT.attempts):
        assert attempt(client, "ann@regents.example.org").status_code == 422
    response = attempt(client, "ann@regents.example.org")
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= throttle.SIGN_IN_ACCOUNT.window
    assert b"Too many failed attempts" in response.data
    # Even the right password waits: the point is to stop guessing, not to tell when it hit.
    assert attempt(client, "ann@regents.example.org", PASSWORD).status_code == 429


def test_an_unknown_account_is_throttled_with_the_same_answer(storage, client, make_user):
    make_user("ann@regents.example.org")
    answers = {}
    for email in ("ann@regents.example.org", "nobody@regents.example.org"):
        for _ in range(throttle.SIGN_IN_ACCOUNT.attempts):
            attempt(client, email)
        answers[email] = attempt(client, email)
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    # The pages differ only by the address typed into the form.
    assert known.data.replace(b"ann@", b"nobody@") == unknown.data


def test_the_throttle_is_per_account_not_per_site(storage, client, make_user):
    make_user("ann@regents.example.org")
    make_user("bob@regents.example.org")
    for _ in range(throttle.SIGN_IN_ACCOUNT.attempts):
        attempt(client, "ann@regents.example.org")
    assert attempt(client, "ann@regents.example.org", PASSWORD).status_code == 429
    # Another account from another address still signs in.
    response = attempt(client, "bob@regents.example.org", PASSWORD, addr="198.51.100.2")
    assert response.status_code == 302


def test_one_address_trying_many_accounts_is_throttled(storage, client):
    for n in range(throttle.SIGN_IN_ADDRESS.attempts):
        assert attempt(client, f"guess{n}@example.org").status_code == 422
    assert attempt(client, "one-more@example.org").status_code == 429
    # The same accounts from another address are still answered normally.
    assert attempt(client, "one-more@example.org", addr="198.51.100.9").status_code == 422


def test_a_good_sign_in_clears_the_account_failures(storage, client, make_user):
    make_user("ann@regents.example.org")
    for _ in range(throttle.SIGN_IN_ACCOUNT.attempts - 1):
        attempt(client, "ann@regents.example.org")
    assert attempt(client, "ann@regents.example.org", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(throttle.SIGN_IN_ACCOUNT.attempts - 1):
        assert attempt(client, "ann@regents.example.org").status_code == 422


def test_the_count_is_shared_between_app_instances(storage, app, client, make_user):
    """Two workers are two app objects; what one counts, the other sees."""
    make_user("ann@regents.example.org")
    for _ in range(throttle.SIGN_IN_ACCOUNT.attempts):
        attempt(client, "ann@regents.example.org")
    other = app.test_client()  # a new client: no cookie in common with the first
    assert attempt(other, "ann@regents.example.org", PASSWORD).status_code == 429


def test_wrong_api_tokens_are_throttled_per_address(storage, client):
    headers = {"Authorization": "Bearer mci_not-a-real-token"}
    env = {"REMOTE_ADDR": "203.0.113.50"}
    for _ in range(throttle.API_TOKEN_ADDRESS.attempts):
        answer = client.get("/api/v1/requests", headers=headers, environ_overrides=env)
        assert answer.status_code == 401
    answer = client.get("/api/v1/requests", headers=headers, environ_overrides=env)
    assert answer.status_code == 429
    assert answer.json["status"] == 429 and int(answer.headers["Retry-After"]) > 0


# --- Behind a load balancer ------------------------------------------------------------------


@pytest.fixture
def proxies(request, monkeypatch):
    """``TRUSTED_PROXIES`` as the test's parameter says, before the app is built."""
    monkeypatch.setenv("TRUSTED_PROXIES", str(request.param))
    monkeypatch.setattr(throttle, "SIGN_IN_ADDRESS", throttle.Limit("sign-in-address", 3, 900))
    return request.param


def through_balancer(client, email, visitor):
    return client.post(
        "/login",
        data={"email": email, "password": "not the password at all"},
        environ_overrides={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": visitor},
    )


@pytest.mark.parametrize("proxies", [1], indirect=True)
def test_behind_a_trusted_load_balancer_each_visitor_is_counted_apart(proxies, app, client):
    assert app.config["TRUSTED_PROXIES"] == 1
    for n in range(3):
        assert through_balancer(client, f"guess{n}@example.org", "203.0.113.7").status_code == 422
    assert through_balancer(client, "more@example.org", "203.0.113.7").status_code == 429
    # Another visitor behind the same load balancer is not locked out with the guesser.
    assert through_balancer(client, "more@example.org", "198.51.100.9").status_code == 422


@pytest.mark.parametrize("proxies", [0], indirect=True)
def test_a_forwarded_address_is_not_believed_unless_proxies_are_trusted(proxies, app, client):
    assert app.config["TRUSTED_PROXIES"] == 0
    for n in range(3):
        assert (
            through_balancer(client, f"guess{n}@example.org", f"203.0.113.{n}").status_code == 422
        )
    # A guesser cannot dodge the limit by making up X-Forwarded-For.
    assert through_balancer(client, "more@example.org", "198.51.100.9").status_code == 429


def ask_for_link(client, email, addr="203.0.113.7"):
    return client.post(
        "/forgot-password", data={"email": email}, environ_overrides={"REMOTE_ADDR": addr}
    )


def test_one_account_gets_a_few_reset_links_an_hour_with_the_same_answer(
    storage, client, make_user, smtp
):
    """Nobody can flood someone's inbox with reset links; the page never says it held one back."""
    make_user("ann@regents.example.org")
    answers = set()
    for n in range(throttle.PASSWORD_RESET_ACCOUNT.attempts + 2):
        response = ask_for_link(client, "ann@regents.example.org", addr=f"198.51.100.{n}")
        assert response.status_code == 200
        answers.add(response.get_data(as_text=True))
    assert len(answers) == 1 and "If an account uses that e-mail address" in answers.pop()
    assert len(smtp.messages) == throttle.PASSWORD_RESET_ACCOUNT.attempts


def test_one_address_asking_for_many_links_is_told_to_wait_and_keeps_what_it_typed(
    storage, client, make_user, smtp
):
    make_user("bea@regents.example.org")
    for n in range(throttle.PASSWORD_RESET_ADDRESS.attempts):
        assert ask_for_link(client, f"someone-{n}@example.org").status_code == 200
    response = ask_for_link(client, "bea@regents.example.org")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= throttle.PASSWORD_RESET_ADDRESS.window
    html = response.get_data(as_text=True)
    assert "Too many requests for password links. Please wait" in html
    assert 'value="bea@regents.example.org"' in html
    assert smtp.messages == []
    # Another address is not held up by this one.
    assert ask_for_link(client, "bea@regents.example.org", addr="192.0.2.1").status_code == 200
    assert [m["To"] for m in smtp.messages] == ["bea@regents.example.org"]
