"""Fields nobody sets by hand — state, institution, version, publication, authorship — are
ignored or refused, in the request form and in the API."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import CredentialRequest, Institution
from app.services import accounts, unit
from app.workflow.states import RequestState
from tests.workflow_helpers import People, request_in

# What an attacker would try to smuggle in, by every likely name.
PROTECTED = {
    "state": "approved",
    "status": "approved",
    "institution": "TCC",
    "institution_id": 2,
    "institution_code": "TCC",
    "version": 99,
    "entry": 1,
    "entry_id": 1,
    "published": True,
    "published_at": "2020-01-01T00:00:00Z",
    "publication": "published",
    "submitted_at": "2020-01-01T00:00:00Z",
    "decided_at": "2020-01-01T00:00:00Z",
    "recommendation": "endorse",
    "created_by": 1,
    "created_by_id": 1,
    "author": "chancellor@regents.example.org",
    "author_id": 1,
    "submitted_by": 1,
    "assignee_id": 1,
    "id": 4242,
}


@pytest.fixture
def people(app):
    return People()


def _facts(req: CredentialRequest) -> dict:
    db.session.refresh(req)
    return {
        "id": req.id,
        "state": req.state,
        "institution": req.institution_id,
        "entry": req.entry_id,
        "submitted_at": req.submitted_at,
        "decided_at": req.decided_at,
        "recommendation": req.recommendation,
        "transitions": len(req.transitions),
        "created_by": req.created_by_id,
    }


def _token(user) -> dict:
    _, raw = accounts.create_token(user, "script")
    unit.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_update_ignores_or_refuses_every_protected_field(client, people):
    req = request_in(people, RequestState.DRAFT)
    headers = _token(people.liaison)
    before = _facts(req)
    for name, value in PROTECTED.items():
        db.session.refresh(req)
        # ``version`` is sent as last read: the field itself is the concurrency check.
        body = {"title": "Renamed", name: value, "version": req.version}
        response = client.patch(f"/api/v1/requests/{req.id}", json=body, headers=headers)
        assert response.status_code in (200, 422), (name, response.get_json())
        if response.status_code == 422:
            assert name in response.get_json()["errors"], name
        assert _facts(req) == before, name
    shown = client.get(f"/api/v1/requests/{req.id}", headers=headers).get_json()
    assert shown["institution"]["code"] == "OSU" and shown["state"] == "draft"


def test_the_api_create_ignores_or_refuses_every_protected_field(client, people):
    headers = _token(people.liaison)
    tcc = db.session.scalar(db.select(Institution).filter_by(code="TCC"))
    for name, value in PROTECTED.items():
        body = {"kind": "listing", "title": "Welding Basics", name: value}
        response = client.post("/api/v1/requests", json=body, headers=headers)
        # ``entry`` names the entry a change request is about: one of another institution (or
        # none) is 404.
        assert response.status_code in (201, 404, 422), (name, response.get_json())
        if response.status_code == 201:
            shown = response.get_json()
            assert shown["state"] == "draft", name
            assert shown["institution"]["code"] == "OSU", name
            assert shown["version"] == 1, name
            assert shown["entry_id"] is None, name
            assert shown["id"] != 4242 or name != "id"
            assert shown["submitted_at"] is None and shown["decided_at"] is None, name
            assert shown["recommendation"] is None, name
            assert shown["transitions"] == [], name
    assert not db.session.scalars(
        db.select(CredentialRequest).filter_by(institution_id=tcc.id)
    ).all()


def test_the_request_form_ignores_every_protected_field(app, people, login):
    req = request_in(people, RequestState.DRAFT)
    before = _facts(req)
    client = app.test_client()
    login(client, people.liaison.email)
    page = client.get(f"/institution/requests/{req.id}/edit?section=about").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page)
    data = {"version": version.group(1), "go": "stay", "title": "Renamed by the form"}
    data.update({k: str(v) for k, v in PROTECTED.items() if k != "version"})
    response = client.post(f"/institution/requests/{req.id}/edit?section=about", data=data)
    assert response.status_code in (200, 302, 422)
    assert _facts(req) == before
    db.session.refresh(req)
    assert req.content.title == "Renamed by the form"
