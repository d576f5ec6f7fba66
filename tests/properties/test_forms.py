"""Arbitrary text in the site's forms and the search's query string never gives a 500: control
characters, NUL, very long strings and odd Unicode are refused with an explanation (422) or
saved, and a page that shows the form again shows what was typed.

Hypothesis generates the input; the Flask test client sends it as a browser would (UTF-8,
URL-encoded). The examples per test are few on purpose: these run on every ``make test``.
"""

from __future__ import annotations

import html
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.enums import Role
from app.extensions import db
from app.inputs import clean
from app.models import SynonymGroup
from tests.workflow_helpers import People

# Each example reuses the test's app and its rolled-back transaction: what one example saved
# is there for the next, as on a real site. Hypothesis warns about function-scoped fixtures
# for that reason; here it is wanted.
FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Fewer where each example costs a password hash or several pages.
FEWER = settings(FEW, max_examples=20)

# Anything a browser can send: every code point but lone surrogates (which UTF-8 cannot
# carry), NUL and the other control characters included.
CHAR = st.characters(codec="utf-8")
ODD = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\r\n\t\x0b\x0c\x1b[31m",
        "\u202e\u200b\ufeff\u2028\u2029",
        "e\u0301\u0308\u20dd",  # combining marks
        "𝕏🙂👩‍👩‍👧\U0010ffff",  # astral planes, a ZWJ sequence
        "ﷺ" * 50,  # expands 18-fold under NFKC
        "İstanbul ß ǅ ﬃ",  # case mappings that change the length
        "%00%ff%25",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "\\",
        " ",
    ]
)
SHORT = st.one_of(ODD, st.text(CHAR, max_size=80))
LONG = st.builds(
    lambda piece, n: (piece * n)[:n],
    st.text(CHAR, min_size=1, max_size=4),
    st.integers(600, 40_000),
)
TEXT = st.one_of(SHORT, SHORT, LONG)

_addresses = itertools.count(1)


def _fresh_address() -> dict:
    """A client address of its own, so the sign-in throttle does not decide the answer."""
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


def _page(response) -> str:
    return response.get_data(as_text=True)


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if match is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def _textarea(page: str, name: str) -> str | None:
    pattern = rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>'
    match = re.search(pattern, page, re.S)
    if match is None:
        return None
    # HTML drops one newline right after <textarea> (so pages write one, and a newline the
    # user typed first survives).
    text = match.group(1)
    text = text[2:] if text.startswith("\r\n") else text[1:] if text[:1] in "\r\n" else text
    return html.unescape(text)


def _no_password_shown(page: str) -> None:
    for name in re.findall(r'<input[^>]*type="password"[^>]*name="(\w+)"', page):
        assert _input_value(page, name) == "", name


def _no_trace(response) -> None:
    assert response.status_code != 500, _page(response)[:2000]
    assert b"Traceback" not in response.data


# --- signing in -------------------------------------------------------------------------------


@FEWER
@given(email=TEXT, password=TEXT, next_url=SHORT)
def test_the_login_form_takes_any_text(client, email, password, next_url):
    response = client.post(
        "/login",
        data={"email": email, "password": password, "next": next_url},
        environ_base=_fresh_address(),
    )
    _no_trace(response)
    assert response.status_code in (422, 429)
    page = _page(response)
    assert _input_value(page, "email") == clean(email)  # kept, escaped
    _no_password_shown(page)


@FEW
@given(email=TEXT)
def test_the_forgotten_password_form_takes_any_text(client, email):
    response = client.post("/forgot-password", data={"email": email})
    _no_trace(response)
    # (429: this client asked for more links than one address may; the form keeps its text.)
    assert response.status_code in (200, 422, 429)
    if response.status_code in (422, 429):
        assert _input_value(_page(response), "email") == clean(email)


# --- the account page -----------------------------------------------------------------------------


@pytest.fixture
def signed_in(app, make_user, login):
    client = app.test_client()
    make_user("reviewer@regents.example.org", role="staff")
    assert login(client, "reviewer@regents.example.org").status_code == 302
    return client


@FEWER
@given(current=TEXT, new=TEXT, confirm=TEXT)
def test_the_password_form_takes_any_text(signed_in, current, new, confirm):
    response = signed_in.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": confirm},
    )
    _no_trace(response)
    assert response.status_code == 422  # the current password is never guessed
    _no_password_shown(_page(response))
    assert signed_in.get("/account").status_code == 200  # still signed in


@FEW
@given(name=TEXT)
def test_the_token_form_takes_any_text(signed_in, name):
    response = signed_in.post("/account/tokens", data={"name": name})
    _no_trace(response)
    assert response.status_code in (201, 422)
    if response.status_code == 422:
        assert _input_value(_page(response), "name") == clean(name)


# --- the search page ----------------------------------------------------------------------------

SEARCH_KEYS = st.sampled_from(
    [
        "q",
        "page",
        "per_page",
        "sort",
        "as_typed",
        "institution",
        "entry_type",
        "credit",
        "delivery",
        "cost",
        "duration",
        "badge_level",
        "category",
        "skill",
        "stacks_into",
        "occupation",
        "cip",
    ]
)


@FEW
@given(
    q=TEXT.map(lambda s: s[:3000]),
    others=st.lists(st.tuples(st.one_of(SEARCH_KEYS, SHORT), SHORT), max_size=6),
)
def test_the_search_page_takes_any_query_string(client, index, q, others):
    response = client.get("/search", query_string=[("q", q), *others])
    _no_trace(response)
    assert response.status_code == 200
    assert _input_value(_page(response), "q") == clean(q).strip()[:500]


@FEW
@given(raw=st.binary(max_size=300))
def test_the_search_page_takes_any_bytes_in_its_url(client, index, raw):
    """Not even valid UTF-8 after percent-decoding: still an answer."""
    encoded = "".join(f"%{b:02X}" for b in raw)
    response = client.get(f"/search?q={encoded}&page={encoded[:27]}")
    _no_trace(response)
    assert response.status_code == 200


# --- the request form ---------------------------------------------------------------------------

ABOUT = {
    "title": "Precision Agriculture Technician",
    "summary": "Drones, sensors and data for modern farms.",
    "purpose": "Meet the demand for technicians on Oklahoma farms.",
    "audience": "Working farmers and agronomy students.",
    "entry_type": "micro-credential",
    "delivery": "hybrid",
    "duration_weeks": "16",
    "cost_usd": "1,250",
    "enrollment_url": "https://go.okstate.edu/precision-ag",
}
ABOUT_FIELDS = [
    "title",
    "summary",
    "description",
    "purpose",
    "audience",
    "entry_type",
    "category",
    "learning_type",
    "badge_level",
    "delivery",
    "duration_weeks",
    "cost_usd",
    "enrollment_url",
    "external_id",
    "duplicate_explanation",
]


@pytest.fixture
def liaison(app, login):
    people = People()
    client = app.test_client()
    assert login(client, people.liaison.email).status_code == 302
    return client


@FEW
@given(title=TEXT, changed=st.dictionaries(st.sampled_from(ABOUT_FIELDS), TEXT, max_size=5))
def test_the_request_form_takes_any_text(liaison, title, changed):
    data = {**ABOUT, **changed, "title": title, "go": "next"}
    response = liaison.post("/institution/requests/new?kind=endorsement", data=data)
    _no_trace(response)
    assert response.status_code in (302, 422), _page(response)[:1000]
    if response.status_code == 422:
        shown = _page(response)
    else:
        edit = response.headers["Location"].replace("section=credit", "section=about")
        shown = _page(liaison.get(edit.split("?")[0] + "?section=about"))
    assert _input_value(shown, "title") in (clean(title), clean(title).strip())


@FEWER
@given(rows=st.lists(TEXT, min_size=1, max_size=4), skills=st.lists(TEXT, max_size=3))
def test_the_request_rows_take_any_text(liaison, rows, skills):
    """Course rows and lists of the credit and outcomes sections."""
    start = liaison.post("/institution/requests/new?kind=endorsement", data={**ABOUT, "go": "next"})
    assert start.status_code == 302
    req_id = int(re.search(r"/requests/(\d+)/edit", start.headers["Location"]).group(1))
    edit = f"/institution/requests/{req_id}/edit?section="
    version = re.search(r'name="version"[^>]*value="(\d+)"', _page(liaison.get(edit + "credit")))
    data = {"version": version.group(1), "go": "stay", "credit_bearing": "yes"}
    for i, text in enumerate(rows):
        data[f"courses-{i}-code"] = text[:20]
        data[f"courses-{i}-title"] = text
        data[f"courses-{i}-credit_hours"] = text[:10]
    response = liaison.post(edit + "credit", data=data)
    _no_trace(response)
    assert response.status_code in (302, 409, 422)
    page = _page(liaison.get(edit + "outcomes"))
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    data = {"version": version, "go": "stay"}
    for i, text in enumerate(skills):
        data[f"skills-{i}"] = text
        data[f"learning_outcomes-{i}-text"] = text
    response = liaison.post(edit + "outcomes", data=data)
    _no_trace(response)
    assert response.status_code in (302, 409, 422)


# --- the synonym list -----------------------------------------------------------------------------


@pytest.fixture
def staff(app, make_user, login):
    client = app.test_client()
    make_user("keeper@regents.example.org", role=Role.STAFF.value)
    assert login(client, "keeper@regents.example.org").status_code == 302
    return client


@FEW
@given(
    lines=st.lists(
        st.one_of(TEXT, st.builds(", ".join, st.lists(SHORT, min_size=2, max_size=4))),
        max_size=6,
    )
)
def test_the_synonyms_form_takes_any_text(staff, index, lines):
    text = "\n".join(lines)
    response = staff.post("/admin/synonyms", data={"groups": text})
    _no_trace(response)
    assert response.status_code in (302, 422)
    if response.status_code == 422:
        assert _textarea(_page(response), "groups") == clean(text)
    else:
        saved = db.session.scalars(db.select(SynonymGroup.phrases)).all()
        assert all(p.strip() for p in saved)
        # The search still answers with the new list.
        search = staff.get("/search", query_string={"q": lines[0][:200] if lines else ""})
        assert search.status_code == 200
