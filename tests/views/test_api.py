"""The public JSON API."""

from __future__ import annotations

import pytest

from tests.factories import publish


def test_search_answers_results_facets_and_suggestion(index, client):
    entry = publish(title="Cybersecurity Operations", endorsement="endorsed")
    body = client.get("/api/v1/credentials?q=cybersecurity&endorsement=endorsed").json
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    result = body["results"][0]
    assert result["id"] == entry.id and result["external_id"] == entry.external_id
    assert result["institution"]["code"] == "OSU"
    assert result["endorsement"] == "endorsed" and result["url"].endswith(entry.slug)
    assert {
        "value": "endorsed",
        "label": "Endorsed by State Regents",
        "count": 1,
        "selected": True,
    } in body["facets"]["endorsement"]
    assert client.get("/api/v1/credentials?q=cybersecurty").json["suggestion"] == "cybersecurity"
    # Skill facet values are folded for filtering and labelled as they were written.
    skills = {v["value"]: v["label"] for v in body["facets"]["skill"]}
    assert skills["network security"] == "Network security"


@pytest.mark.parametrize("query", ["sort=sideways", "per_page=100000", "page=0", "page=x"])
def test_bad_parameters_get_a_clear_400(index, client, query):
    response = client.get(f"/api/v1/credentials?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert name in response.json["errors"]


@pytest.mark.parametrize("q", ["title:(", "***", "institution:", '"'])
def test_query_syntax_never_fails(index, client, q):
    publish()
    assert client.get("/api/v1/credentials", query_string={"q": q}).status_code == 200


def test_an_unknown_facet_value_is_refused_naming_the_choices(index, client):
    publish()
    response = client.get("/api/v1/credentials?delivery=teleport")
    assert response.status_code == 400
    assert "teleport" in response.get_data(as_text=True)
    assert "online" in response.get_data(as_text=True)
    # A value of an open list (a skill nobody has) is a sane empty result.
    body = client.get("/api/v1/credentials?skill=teleportation").json
    assert body["total"] == 0 and body["results"] == []


def test_one_entry_in_the_record_format(index, client):
    entry = publish(title="Record Format Check")
    body = client.get(f"/api/v1/credentials/{entry.id}").json
    assert body["id"] == entry.id and body["title"] == "Record Format Check"
    assert body["courses"][0] == {"code": "CS 2113", "title": "Network Defense", "credit_hours": 3}
    assert body["occupations"] == ["15-1212"] and body["status"] == "active"
    assert client.get("/api/v1/credentials/999999").status_code == 404


def test_suggest_institutions_and_facets(index, client):
    publish(title="Geospatial Mapping")
    assert "Geospatial Mapping" in client.get("/api/v1/suggest?q=geo").json["suggestions"]
    institutions = client.get("/api/v1/institutions").json["institutions"]
    osu = next(i for i in institutions if i["code"] == "OSU")
    assert osu["active_entries"] == 1
    facets = client.get("/api/v1/facets").json["facets"]
    assert facets["institution"] == [
        {"value": "OSU", "label": "Oklahoma State University", "count": 1, "selected": False}
    ]


def test_openapi_document_describes_every_endpoint(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in [
        "/api/v1/credentials",
        "/api/v1/credentials/{entry_id}",
        "/api/v1/suggest",
        "/api/v1/institutions",
        "/api/v1/facets",
    ]:
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/v1/credentials"]["get"]["parameters"]}
    assert {"q", "page", "per_page", "sort", "institution", "skill", "occupation"} <= params
    assert client.get("/api").status_code == 200
