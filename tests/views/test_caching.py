"""Public pages, API answers and exports carry an ETag and Cache-Control; asking again with the
ETag gets 304 until the content changes."""

from __future__ import annotations

import pytest

from tests.factories import publish


@pytest.mark.parametrize(
    "path", ["/search?q=orchard", "/api/v1/credentials?q=orchard", "/about", "/feed.xml"]
)
def test_a_second_request_with_the_etag_is_answered_304(client, index, path):
    publish(title="Orchard Management")
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["ETag"] and first.headers["Cache-Control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_new_publication_changes_the_etag_of_the_search(client, index):
    publish(title="Orchard Management")
    first = client.get("/api/v1/credentials?q=orchard")
    publish(title="Orchard Pruning")
    again = client.get(
        "/api/v1/credentials?q=orchard", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200 and again.json["total"] == 2
    assert again.headers["ETag"] != first.headers["ETag"]


def test_data_may_be_kept_briefly_pages_are_checked_every_time(client, index):
    assert client.get("/api/v1/facets").headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/").headers["Cache-Control"] == "public, no-cache"


def test_pages_of_a_signed_in_user_are_private(client, make_user, login, index):
    make_user("ann@regents.example.org")
    login(client, "ann@regents.example.org")
    assert client.get("/about").headers["Cache-Control"] == "private, no-cache"


def test_nothing_private_is_cached(client, make_user, login):
    make_user("ann@regents.example.org")
    login(client, "ann@regents.example.org")
    for path in ("/review/", "/account"):
        response = client.get(path)
        assert "ETag" not in response.headers, path
