"""Deny by default: every route declares who may use it, and every route answers every role
as declared. A liaison's world is their own institution: another institution's objects answer
404, exactly like ids that do not exist. No GET changes anything."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from app.access import ROLES, access, declared_level, undeclared_routes
from app.extensions import db
from app.models import Institution
from app.services import accounts, badge_images, unit
from app.workflow.states import RequestState
from tests import factories
from tests.conftest import PASSWORD
from tests.services.test_badge_images import PNG
from tests.workflow_helpers import People, request_in

# Who may use each route: written out here, independently of the declarations in the code, so
# that a change of either shows up as a difference. A route added later must be added here.
EXPECTED_LEVEL = {
    "static": "public",
    "public.home": "public",
    "public.search": "public",
    "public.search_csv": "public",
    "public.entry": "public",
    "public.feed": "public",
    "public.institutions": "public",
    "public.institution": "public",
    "public.employers": "public",
    "badges.image": "public",
    "api_docs.docs": "public",
    "api_docs.openapi": "public",
    "api.credentials": "public",
    "api.credential": "public",
    "api.suggest": "public",
    "api.institutions": "public",
    "api.facets": "public",
    "api.create_request": "token",
    "api.list_requests": "token",
    "api.get_request": "token",
    "api.update_request": "token",
    "api.transition": "token",
    "auth.login": "public",
    "auth.logout": "public",
    "auth.forgot_password": "public",
    "auth.reset_password": "public",
    "auth.account": "signed_in",
    "auth.change_password": "signed_in",
    "auth.create_token": "signed_in",
    "auth.revoke_token": "signed_in",
    "auth.me": "signed_in",
    "auth.set_notifications": "signed_in",
    "admin.set_campus_approver": "admin",
    "liaison.dashboard": "liaison",
    "liaison.new_request": "liaison",
    "liaison.edit_request": "liaison",
    "liaison.request_detail": "liaison",
    "liaison.act": "liaison",
    "liaison.badge_image": "liaison",
    "liaison.taxonomy": "liaison",
    "review.queue": "staff",
    "review.assign": "staff",
    "review.override": "staff",
    "review.detail": "regents",
    "review.act": "regents",
    "review.comment": "regents",
    "approvals.desk": "chancellor",
    "approvals.decide": "chancellor",
    "approvals.approve_selected": "chancellor",
    "admin.users": "admin",
    "admin.invite": "admin",
    "admin.change_role": "admin",
    "admin.set_active": "admin",
    "policy_admin.settings": "admin",
    "exports.achievement": "public",
    "exports.api_credentials_jsonl": "public",
    "exports.api_ctdl": "public",
    "exports.entry_ctdl": "public",
    "exports.entry_record": "public",
    "exports.institution_ctdl": "public",
    "exports.regents_ctdl": "public",
    "exports.robots": "public",
    "exports.search_atom": "public",
    "exports.search_jsonl": "public",
    "exports.sitemap": "public",
    "exports.sitemap_part": "public",
    "info.about": "public",
    "info.accessibility": "public",
    "info.contact": "public",
    "info.favicon": "public",
    "info.privacy": "public",
    "public.enroll": "public",
    "public.healthz": "public",
    "public.readyz": "public",
    "public.industry": "public",
    "public.occupation": "public",
    "imports.confirm": "staff",
    "imports.job": "staff",
    "imports.status": "staff",
    "imports.upload": "staff",
    "imports.upload_form": "staff",
    "synonyms_admin.edit": "staff",
    "review.attachment": "staff",
    "review.audit": "staff",
    "review.badge_image": "staff",
    "review.export_queue": "staff",
    "insights.page": "regents",
    "insights.table_csv": "regents",
    "liaison.add_signoff": "liaison",
    "liaison.attach": "liaison",
    "liaison.attachment": "liaison",
    "liaison.comment": "liaison",
    "liaison.copy": "liaison",
    "liaison.delete_draft": "liaison",
    "liaison.remove_attachment": "liaison",
    "liaison.remove_signoff": "liaison",
}

# Inside a route's level, the services may still refuse a role outright (403).
REFUSED_BY_SERVICE = {"api.create_request": {"staff", "chancellor", "admin"}}
# ... or refuse it depending on the object's state and version (only liaisons edit drafts,
# each workflow action has its roles): 403 or another answer, never a sign-in or a 500.
MAY_BE_REFUSED = {
    "api.update_request": {"staff", "chancellor", "admin"},
    "api.transition": {"liaison_a", "liaison_b", "staff", "chancellor", "admin"},
}

ROLE_NAMES = ["anonymous", "liaison_a", "liaison_b", "staff", "chancellor", "admin"]
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
MISSING_ID = 987654


def test_every_route_declares_who_may_use_it(app):
    missing = undeclared_routes(app)
    assert not missing, (
        "Routes without an access declaration (add @access(...) under the route decorator, "
        "or a blueprint default in app/access.py BLUEPRINT_DEFAULTS):\n  " + "\n  ".join(missing)
    )


def test_every_route_is_in_the_expected_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unlisted = sorted(endpoints - set(EXPECTED_LEVEL))
    assert not unlisted, "Routes missing from EXPECTED_LEVEL in tests/test_access.py: " + ", ".join(
        unlisted
    )
    differing = {
        e: (declared_level(app, e), EXPECTED_LEVEL[e])
        for e in endpoints
        if declared_level(app, e) != EXPECTED_LEVEL[e]
    }
    assert not differing, f"Declared (code, expected): {differing}"


def test_an_undeclared_route_is_refused(database_url, tmp_path):
    from app import create_app
    from tests.conftest import base_config

    app = create_app(base_config(database_url, tmp_path))
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    app.add_url_rule("/declared", "declared", access("public")(lambda: "fine"))
    with app.app_context():
        client = app.test_client()
        assert client.get("/forgotten").status_code == 403
        assert "secret" not in client.get("/forgotten").get_data(as_text=True)
        assert client.get("/declared").status_code == 200
        assert undeclared_routes(app) == ["GET /forgotten (forgotten)"]
        app.extensions["search_store"].close()


def test_an_unknown_level_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown access level"):
        access("everyone")


# --- Every route against every role ---------------------------------------------------------


class World:
    """Institution A (OSU) with a submitted request carrying a badge image, a published entry,
    one account of each role (B is a liaison of TCC), and an API token per account."""

    def __init__(self, app, tmp_path):
        app.config["BADGE_IMAGE_DIR"] = str(tmp_path / "badges")
        self.people = People()
        self.entry = factories.publish()
        req = request_in(self.people, RequestState.DRAFT, kind="badge", badge={"name": "B"})
        req = badge_images.attach(
            self.people.liaison, req.id, req.version, PNG, {"badge": {"name": "B"}}
        )
        unit.commit()
        self.request = req
        self.users = {
            "liaison_a": self.people.liaison,
            "liaison_b": self.people.other,
            "staff": self.people.staff,
            "chancellor": self.people.chancellor,
            "admin": self.people.admin,
        }
        self.tokens = {}
        for role, user in self.users.items():
            _, raw = accounts.create_token(user, "matrix")
            self.tokens[role] = raw
        own_token, _ = accounts.create_token(self.people.liaison, "own")
        unit.commit()
        self.token_id = own_token.id
        self.inst_slug = db.session.scalar(sa.select(Institution.slug).filter_by(code="OSU"))

    def values(self, rule, missing: bool = False) -> dict:
        """URL values naming institution A's objects (or ids that do not exist)."""
        known = {
            "request_id": MISSING_ID if missing else self.request.id,
            "user_id": MISSING_ID if missing else self.people.liaison.id,
            "token_id": MISSING_ID if missing else self.token_id,
            "entry_id": MISSING_ID if missing else self.entry.id,
            "key": self.entry.slug,
            "slug": self.inst_slug,
            "kind": "occupation",
            "action": "submit",
            "filename": "css/site.css",
            "name": badge_images.name_in_url(self.request.content.badge_image_url),
            "token": "not-a-token",
        }
        values = {}
        for arg, conv in rule._converters.items():
            if arg in known:
                values[arg] = known[arg]
            else:  # a route added later: its own ids, or any text
                values[arg] = (
                    (MISSING_ID if missing else self.request.id)
                    if isinstance(conv, IntegerConverter)
                    else "x"
                )
        return values

    def client(self, app, role, login):
        client = app.test_client()
        if role != "anonymous":
            assert login(client, self.users[role].email, PASSWORD).status_code == 302
            client.get("/account").close()  # shows (and so clears) the "Signed in" message
        return client


def _open(world, client, role, rule, method, missing=False):
    url = rule.build(world.values(rule, missing), append_unknown=False)[1]
    headers = {}
    if url.startswith("/api/") and role != "anonymous":
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    body = {"version": 1, "action": "submit", "title": "Renamed"}
    kwargs = {"json": body} if url.startswith("/api/") and method != "GET" else {"data": {}}
    response = client.open(url, method=method, headers=headers, **kwargs)
    response.close()
    return url, response


def _outcome(response) -> str:
    status = response.status_code
    if status == 401 or (
        status == 302 and response.headers.get("Location", "").startswith("/login")
    ):
        return "login"
    if status == 403:
        return "forbidden"
    if status >= 500:
        return "error"
    return "allowed"


def _role_of(role: str) -> str | None:
    return None if role == "anonymous" else role.removesuffix("_a").removesuffix("_b")


def _expected(endpoint: str, role: str) -> set[str]:
    if role in REFUSED_BY_SERVICE.get(endpoint, ()):
        return {"forbidden"}
    if role in MAY_BE_REFUSED.get(endpoint, ()):
        return {"forbidden", "allowed"}
    return {_by_level(endpoint, role)}


def _by_level(endpoint: str, role: str) -> str:
    level = EXPECTED_LEVEL[endpoint]
    allowed = ROLES[level]
    if allowed is None:
        return "allowed"
    if role == "anonymous":
        return "login"
    return "allowed" if _role_of(role) in {r.value for r in allowed} else "forbidden"


def _snapshot() -> str:
    """A digest of every row of every table, but for when a token was last used and the
    anonymous demand counts of the insights (bookkeeping that a GET rightly updates)."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name == "demand_counts":
            continue
        columns = [c for c in table.columns if c.name != "last_used_at"]
        rows = db.session.execute(sa.select(*columns)).all()
        digest.update(repr(sorted(map(repr, rows))).encode())
    return digest.hexdigest()


def _rules(app, methods):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) & set(methods)):
            yield rule, method


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_route_answers_every_role_as_declared(app, index, tmp_path, login, role):
    """Each GET of every route changes nothing in the database; each route (GET and POST)
    answers the role as its declaration says: allowed, sent to sign in, or 403."""
    world = World(app, tmp_path)
    client = world.client(app, role, login)
    wrong = []

    before = _snapshot()
    for rule, method in _rules(app, ["GET"]):
        url, response = _open(world, client, role, rule, method)
        expected = _expected(rule.endpoint, role)
        got = _outcome(response)
        if got not in expected:
            wrong.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert _snapshot() == before, f"a GET changed the database (as {role})"

    for rule, method in _rules(app, ["POST", "PATCH", "PUT", "DELETE"]):
        if rule.endpoint == "auth.logout":
            continue  # signs the client out: checked in tests/views/test_auth.py
        url, response = _open(world, client, role, rule, method)
        expected = _expected(rule.endpoint, role)
        got = _outcome(response)
        if got not in expected:
            wrong.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert not wrong, f"as {role}:\n  " + "\n  ".join(wrong)


ISOLATED = [
    ("GET", "liaison.request_detail"),
    ("GET", "liaison.edit_request"),
    ("POST", "liaison.edit_request"),
    ("POST", "liaison.act"),
    ("GET", "liaison.badge_image"),
    ("GET", "api.get_request"),
    ("PATCH", "api.update_request"),
    ("POST", "api.transition"),
]


def test_another_institutions_objects_answer_like_ids_that_do_not_exist(
    app, index, tmp_path, login
):
    world = World(app, tmp_path)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    owner = world.client(app, "liaison_a", login)
    other = world.client(app, "liaison_b", login)
    for method, endpoint in ISOLATED:
        rule = rules[endpoint]
        _, theirs = _open(world, other, "liaison_b", rule, method)
        _, missing = _open(world, other, "liaison_b", rule, method, missing=True)
        assert theirs.status_code == missing.status_code == 404, (method, endpoint)
        assert _message(theirs) == _message(missing), (method, endpoint)
        if method == "GET":
            _, own = _open(world, owner, "liaison_a", rule, method)
            assert own.status_code == 200, (method, endpoint)

    # Lists never show them, whatever the filter.
    other_api = {"Authorization": f"Bearer {world.tokens['liaison_b']}"}
    for query in ["", "?state=draft", "?institution=OSU", "?kind=badge", "?q=Precision"]:
        listed = other.get(f"/api/v1/requests{query}", headers=other_api).get_json()
        assert world.request.id not in _ids(listed), query
        page = other.get(f"/institution/{query}").get_data(as_text=True)
        assert f"/institution/requests/{world.request.id}" not in page, query


def _message(response) -> str:
    """What the answer says, but for the request's own id (which every answer has)."""
    if response.is_json:
        return response.get_json().get("message", "")
    rid = response.headers["X-Request-ID"]
    return response.get_data(as_text=True).replace(rid, "<request id>")


def _ids(listed) -> set[int]:
    items = listed.get("items", listed.get("requests", [])) if isinstance(listed, dict) else listed
    return {item.get("id") for item in items}
