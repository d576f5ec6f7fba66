"""Open Badges 3.0: each badge as an Achievement, valid by 1EdTech's own JSON Schema."""

from __future__ import annotations

from types import SimpleNamespace

from app.schemas import frameworks
from tests.factories import publish
from tests.standards.schemas import errors, open_badges_validator

BADGE = {
    "name": "Cyber Defender",
    "issuer": "Oklahoma State University",
    "criteria": "Pass both lab practicals with 80% or better.",
    "image_url": "https://badges.example.org/cyber-defender.png",
    "platform": "Credly",
    "expires_months": 36,
}


def _badge_entry(**overrides):
    return publish(entry_type="digital-badge", badge=BADGE, **overrides)


def test_an_endorsed_badge_is_an_achievement_field_by_field(app, client):
    entry = _badge_entry()
    response = client.get(f"/credentials/{entry.id}/achievement.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    a = response.get_json()
    url = f"http://localhost/credentials/{entry.id}/achievement.json"
    page = f"http://localhost/credentials/{entry.slug}"
    assert a["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert a["id"] == url
    assert a["type"] == ["Achievement"]
    assert a["achievementType"] == "Badge"
    assert a["name"] == "Cyber Defender"
    assert a["description"] == "Hands-on network defense for entry-level security analysts."
    assert a["criteria"] == {"id": page, "narrative": BADGE["criteria"]}
    assert a["image"] == {
        "id": BADGE["image_url"],
        "type": "Image",
        "caption": "Badge image: Cyber Defender",
    }
    assert a["creator"] == {
        "id": "http://localhost/institutions/oklahoma-state-university",
        "type": ["Profile"],
        "name": "Oklahoma State University",
        "url": "https://go.okstate.edu",
    }
    skills = [x for x in a["alignment"] if x.get("targetType") == "ext:Skill"]
    assert [x["targetName"] for x in skills] == ["Network security", "Incident response"]
    assert skills[0]["targetUrl"] == "http://localhost/search?skill=network+security"
    (soc,) = [x for x in a["alignment"] if x.get("targetCode")]
    assert soc["targetCode"] == "15-1212"
    assert soc["targetName"] == "Information Security Analysts"
    assert soc["targetFramework"] == "Standard Occupational Classification (SOC) 2018"
    assert a["tag"] == ["Network security", "Incident response"]
    assert a["creditsAvailable"] == 6.0
    assert a["inLanguage"] == "en"
    assert a["humanCode"] == entry.external_id
    (endorsement,) = a["endorsement"]
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["issuer"]["name"] == "State Regents for Higher Education"
    assert endorsement["credentialSubject"]["id"] == url
    assert endorsement["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert "proof" not in endorsement  # unsigned, as the README says

    assert errors(open_badges_validator(), a) == []
    assert errors(open_badges_validator("EndorsementCredential"), endorsement) == []
    # The schema does bite: without its criteria an achievement is refused.
    assert errors(open_badges_validator(), {k: v for k, v in a.items() if k != "criteria"})


def test_a_badge_listed_without_endorsement_carries_none(app, client):
    entry = _badge_entry(
        endorsement="not-endorsed",
        credit_bearing=False,
        credit_hours=None,
        courses=None,
        clock_hours=40,
    )
    a = client.get(f"/credentials/{entry.slug}/achievement.json").get_json()
    assert "endorsement" not in a and "creditsAvailable" not in a
    assert errors(open_badges_validator(), a) == []


def test_a_micro_credential_with_a_badge_is_a_micro_credential_achievement(app, client):
    entry = publish(badge=BADGE)
    a = client.get(f"/credentials/{entry.id}/achievement.json").get_json()
    assert a["achievementType"] == "MicroCredential"
    assert errors(open_badges_validator(), a) == []


def test_an_entry_without_a_badge_has_no_achievement(app, client):
    entry = publish()
    response = client.get(f"/credentials/{entry.id}/achievement.json")
    assert response.status_code == 404
    assert client.get("/credentials/999999/achievement.json").status_code == 404


def test_cip_programs_align_when_the_content_has_them(app):
    content = SimpleNamespace(
        cip_codes=["51.3801", SimpleNamespace(code="11.1003", title="Computer Security")]
    )
    found = [(a.framework.key, a.code, a.title) for a in frameworks.cip_alignments(content)]
    assert found == [("cip", "51.3801", "51.3801"), ("cip", "11.1003", "Computer Security")]
    assert frameworks.cip_alignments(SimpleNamespace()) == []
