"""CTDL JSON-LD: an entry and any search, valid by the Credential Engine's published schema."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Entry, Institution
from app.services import publishing, records, unit
from app.services.reference import Resolver
from tests.factories import publish
from tests.standards.schemas import ctdl_validator, errors

CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOST = "http://localhost"


def _valid(node: dict) -> list[str]:
    return errors(ctdl_validator(node["@type"]), node)


def _republish(entry: Entry, **changes) -> Entry:
    """Publish a new version of ``entry`` (as an import does) with ``changes``."""
    data = {**records.entry_record(entry), **changes}
    valid, problems = records.validate_records([(1, data)], Resolver(), 9)
    assert not problems, problems
    publishing.upsert_record(valid[0])
    unit.commit()
    return db.session.get(Entry, entry.id)


def test_an_entry_is_a_micro_credential_field_by_field(app, client):
    entry = publish(stacks_into=["B.S. in Cybersecurity"], description="Six weeks of labs.")
    response = client.get(f"/credentials/{entry.id}.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    doc = response.get_json()
    institution = f"{HOST}/institutions/oklahoma-state-university.jsonld"
    assert doc["@context"] == "http://credreg.net/ctdl/schema/context/json"
    assert doc["@id"] == f"{HOST}/credentials/{entry.id}.jsonld"
    assert doc["@type"] == "ceterms:MicroCredential"
    assert CTID.match(doc["ceterms:ctid"]) and doc["ceterms:ctid"] == entry.ctid
    assert doc["ceterms:name"] == {"en-US": "Applied Cybersecurity Foundations"}
    assert doc["ceterms:description"] == {
        "en-US": "Hands-on network defense for entry-level security analysts.\n\nSix weeks of labs."
    }
    assert doc["ceterms:inLanguage"] == ["en-US"]
    assert doc["ceterms:subjectWebpage"] == f"{HOST}/credentials/{entry.slug}"
    assert doc["ceterms:ownedBy"] == doc["ceterms:offeredBy"] == [institution]
    assert doc["ceterms:approvedBy"] == [f"{HOST}/state-regents.jsonld"]
    assert doc["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Active"
    assert doc["ceterms:keyword"] == {
        "en-US": [
            "Network security",
            "Incident response",
            "Critical Thinking",
            "Career Preparation",
        ]
    }
    (requires,) = doc["ceterms:requires"]
    assert [t["ceterms:targetNodeName"]["en-US"] for t in requires["ceterms:targetCompetency"]] == [
        "Network security",
        "Incident response",
        "Configure a firewall to segment a small network.",
    ]
    assert requires["ceterms:creditHourValue"] == 6.0
    (soc,) = doc["ceterms:occupationType"]
    assert soc["@type"] == "ceterms:CredentialAlignmentObject"
    assert soc["ceterms:codedNotation"] == "15-1212"
    assert soc["ceterms:targetNodeName"] == {"en-US": "Information Security Analysts"}
    assert soc["ceterms:framework"] == "https://www.bls.gov/soc/2018/"
    (naics,) = doc["ceterms:industryType"]
    assert naics["ceterms:codedNotation"] == "54"
    assert naics["ceterms:frameworkName"]["en-US"].startswith("North American Industry")
    assert "ceterms:instructionalProgramType" not in doc  # no CIP codes on this entry
    (duration,) = doc["ceterms:estimatedDuration"]
    assert duration["ceterms:exactDuration"] == "P16W"
    (cost,) = doc["ceterms:estimatedCost"]
    assert (cost["ceterms:price"], cost["ceterms:currency"]) == (1200.0, "USD")
    assert cost["ceterms:costDetails"] == "https://go.okstate.edu/cyber"
    assert [d["ceterms:targetNode"] for d in doc["ceterms:learningDeliveryType"]] == [
        "deliveryType:OnlineOnly"
    ]
    assert [a["ceterms:targetNode"] for a in doc["ceterms:audienceLevelType"]] == [
        "audLevel:PostSecondaryLevel",
        "audLevel:BeginnerLevel",
    ]
    (prep,) = doc["ceterms:isPreparationFor"]
    assert prep["ceterms:name"] == {"en-US": "B.S. in Cybersecurity"}

    assert _valid(doc) == []
    # The schema does bite: a credential without an owner is refused.
    assert _valid({k: v for k, v in doc.items() if k != "ceterms:ownedBy"})


def test_a_badge_listed_without_endorsement_is_a_digital_badge_without_approval(app, client):
    entry = publish(
        entry_type="digital-badge",
        endorsement="not-endorsed",
        badge={"name": "Team Lead", "issuer": "OSU", "criteria": "Lead a project."},
        delivery="hybrid",
        cost_usd=None,
        duration_weeks=None,
    )
    doc = client.get(f"/credentials/{entry.slug}.jsonld").get_json()
    assert doc["@type"] == "ceterms:DigitalBadge"
    assert "ceterms:approvedBy" not in doc
    assert "ceterms:estimatedCost" not in doc and "ceterms:estimatedDuration" not in doc
    assert doc["ceterms:learningDeliveryType"][0]["ceterms:targetNode"] == (
        "deliveryType:BlendedDelivery"
    )
    assert _valid(doc) == []


def test_the_ctid_is_kept_across_versions_and_a_retired_entry_is_deprecated(app, client):
    entry = publish()
    ctid = entry.ctid
    entry = _republish(entry, title="Applied Cybersecurity Foundations II")
    doc = client.get(f"/credentials/{entry.id}.jsonld").get_json()
    assert doc["ceterms:ctid"] == ctid
    assert doc["ceterms:name"] == {"en-US": "Applied Cybersecurity Foundations II"}
    entry = _republish(entry, status="retired")
    doc = client.get(f"/credentials/{entry.id}.jsonld").get_json()
    assert doc["ceterms:ctid"] == ctid
    assert doc["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Deprecated"
    assert _valid(doc) == []


def test_institutions_and_the_regents_are_organisations_with_their_own_ctid(app, client):
    osu = db.session.scalar(db.select(Institution).filter_by(code="OSU"))
    doc = client.get(f"/institutions/{osu.slug}.jsonld").get_json()
    assert doc["@type"] == "ceterms:CredentialOrganization"
    assert doc["ceterms:ctid"] == osu.ctid and CTID.match(osu.ctid)
    assert doc["ceterms:name"] == {"en-US": "Oklahoma State University"}
    regents = client.get("/state-regents.jsonld").get_json()
    assert regents["ceterms:ctid"] == app.config["REGENTS_CTID"]
    assert client.get("/institutions/nowhere.jsonld").status_code == 404


def test_any_search_is_a_paged_graph_of_valid_credentials(index, client):
    first = publish(title="Welding I", delivery="online")
    publish(title="Welding II", delivery="online", institution="TCC", endorsement="not-endorsed")
    publish(title="Welding III", delivery="online")
    publish(title="Nursing Basics", delivery="online")
    response = client.get("/api/v1/ctdl?q=welding&sort=title&per_page=2")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in response.headers["Link"] and "page=2" in response.headers["Link"]
    graph = response.get_json()
    assert graph["@context"] == "http://credreg.net/ctdl/schema/context/json"
    nodes = graph["@graph"]
    credentials = [n for n in nodes if n["@type"] == "ceterms:MicroCredential"]
    assert [c["ceterms:name"]["en-US"] for c in credentials] == ["Welding I", "Welding II"]
    assert credentials[0]["ceterms:ctid"] == first.ctid
    for credential in credentials:
        assert _valid(credential) == []
    organisations = {n["@id"]: n for n in nodes if n["@type"].endswith("Organization")}
    # every organisation a credential names is in the graph, once
    named = {
        i
        for c in credentials
        for k in ("ceterms:ownedBy", "ceterms:approvedBy")
        for i in c.get(k, [])
    }
    assert named == set(organisations)
    assert len(nodes) == len(credentials) + len(organisations)

    last = client.get("/api/v1/ctdl?q=welding&sort=title&per_page=2&page=2")
    assert [
        n["ceterms:name"]["en-US"]
        for n in last.get_json()["@graph"]
        if n["@type"] == "ceterms:MicroCredential"
    ] == ["Welding III"]
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]


def test_a_bad_ctdl_search_is_explained(index, client):
    response = client.get("/api/v1/ctdl?per_page=1000")
    assert response.status_code == 400
    assert "per_page" in response.get_json()["errors"]
