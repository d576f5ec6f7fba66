"""The workflow JSON API: editing only while editable, errors a client can act on, lists scoped
to the caller, internal notes kept from institutions, and the OpenAPI document."""

from __future__ import annotations

import pytest

from app.services import accounts, workflow
from app.workflow.states import RequestState
from tests.workflow_helpers import People, request_in


@pytest.fixture
def people(app):
    return People()


@pytest.fixture
def bearer(people):
    """``bearer("liaison")``: the Authorization header of that person's new API token."""

    def make(who: str) -> dict[str, str]:
        _, token = accounts.create_token(getattr(people, who), "test client")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.mark.parametrize("state", list(RequestState), ids=[s.value for s in RequestState])
def test_patch_only_while_the_request_is_editable(client, people, bearer, state):
    req = request_in(people, state)
    before = (req.version, req.content.title)
    response = client.patch(
        f"/api/v1/requests/{req.id}",
        headers=bearer("liaison"),
        json={"title": "Renamed Later", "version": req.version},
    )
    if state in (RequestState.DRAFT, RequestState.REVISIONS_REQUESTED):
        assert response.status_code == 200, response.json
        assert response.json["title"] == "Renamed Later"
        assert response.json["version"] > before[0]
    else:
        assert response.status_code == 409
        assert response.json["state"] == state.value
        again = client.get(f"/api/v1/requests/{req.id}", headers=bearer("liaison")).json
        assert (again["version"], again["title"]) == before


def test_staff_cannot_edit_an_institutions_draft(client, people, bearer):
    req = request_in(people, RequestState.DRAFT)
    response = client.patch(
        f"/api/v1/requests/{req.id}",
        headers=bearer("staff"),
        json={"title": "Edited by staff", "version": req.version},
    )
    assert response.status_code == 403
    assert workflow.get_request(people.liaison, req.id).content.title != "Edited by staff"


def test_an_unknown_action_is_422_and_changes_nothing(client, people, bearer):
    req = request_in(people, RequestState.DRAFT)
    response = client.post(
        f"/api/v1/requests/{req.id}/transitions",
        headers=bearer("liaison"),
        json={"action": "publish", "version": req.version},
    )
    assert response.status_code == 422
    assert "submit" in response.json["errors"]["action"][0]
    seen = client.get(f"/api/v1/requests/{req.id}", headers=bearer("liaison")).json
    assert seen["state"] == "draft" and seen["version"] == req.version


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/requests"),
        ("patch", "/api/v1/requests/{id}"),
        ("post", "/api/v1/requests/{id}/transitions"),
    ],
)
@pytest.mark.parametrize("body", ['{"kind": "endorsement",', "[1, 2]", "plain text"])
def test_a_body_that_is_not_a_json_object_is_400(client, people, bearer, method, path, body):
    req = request_in(people, RequestState.DRAFT)
    response = getattr(client, method)(
        path.format(id=req.id),
        headers=bearer("liaison"),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json["message"] == "Send a JSON object."


def test_the_list_filters_by_state(client, people, bearer):
    draft = request_in(people, RequestState.DRAFT, title="Still a Draft")
    submitted = request_in(people, RequestState.SUBMITTED, title="Sent In")
    staff = bearer("staff")
    listed = client.get("/api/v1/requests?state=submitted", headers=staff).json["requests"]
    assert [r["id"] for r in listed] == [submitted.id]
    everything = client.get("/api/v1/requests", headers=staff).json["requests"]
    assert {r["id"] for r in everything} == {draft.id, submitted.id}
    wrong = client.get("/api/v1/requests?state=pending", headers=staff)
    assert wrong.status_code == 400 and "state" in wrong.json["errors"]


def test_a_liaison_never_lists_another_institutions_requests(client, people, bearer):
    ours = request_in(people, RequestState.SUBMITTED)
    theirs = workflow.create_request(people.other, "endorsement", {"title": "Tulsa's Own"})
    for state in ("", "?state=draft", "?state=submitted"):
        mine = client.get(f"/api/v1/requests{state}", headers=bearer("liaison")).json
        assert theirs.id not in {r["id"] for r in mine["requests"]}
    listed = client.get("/api/v1/requests", headers=bearer("other")).json["requests"]
    assert [r["id"] for r in listed] == [theirs.id]
    assert {
        r["id"] for r in client.get("/api/v1/requests", headers=bearer("staff")).json["requests"]
    } == {ours.id, theirs.id}


def test_an_approved_request_names_its_entry(index, client, people, bearer):
    req = request_in(people, RequestState.APPROVED)
    body = client.get(f"/api/v1/requests/{req.id}", headers=bearer("liaison")).json
    assert body["state"] == "approved" and body["entry_id"] == req.entry_id is not None
    entry = client.get(f"/api/v1/credentials/{body['entry_id']}")
    assert entry.status_code == 200 and entry.json["title"] == req.content.title
    assert body["allowed_actions"] == []


def test_internal_notes_are_for_the_regents_only(client, people, bearer):
    rationale = "Rationale: enrollment projections look thin."
    internal = "Internal: call the dean before deciding."
    return_note = "Return note: verify the partner letter."
    req = request_in(people, RequestState.IN_REVIEW)
    workflow.add_comment(people.staff, req.id, internal, "internal")
    workflow.add_comment(people.staff, req.id, "Please confirm the cost.", "institution")
    req = workflow.transition(
        people.staff,
        req.id,
        "recommend",
        version=req.version,
        recommendation="endorse",
        comment=rationale,
    )
    req = workflow.transition(
        people.chancellor, req.id, "return", version=req.version, comment=return_note
    )

    as_liaison = client.get(f"/api/v1/requests/{req.id}", headers=bearer("liaison"))
    text = as_liaison.get_data(as_text=True)
    for secret in (rationale, internal, return_note):
        assert secret not in text
    assert "Please confirm the cost." in text
    assert [t["action"] for t in as_liaison.json["transitions"]][-2:] == ["recommend", "return"]

    for who in ("staff", "chancellor"):
        body = client.get(f"/api/v1/requests/{req.id}", headers=bearer(who)).json
        comments = {c["body"] for c in body["comments"]}
        assert {internal, "Please confirm the cost."} <= comments
        notes = [t["comment"] for t in body["transitions"]]
        assert rationale in notes and return_note in notes


def test_the_openapi_document_lists_the_request_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/requests"]) >= {"get", "post"}
    assert set(paths["/api/v1/requests/{request_id}"]) >= {"get", "patch"}
    assert "post" in paths["/api/v1/requests/{request_id}/transitions"]
