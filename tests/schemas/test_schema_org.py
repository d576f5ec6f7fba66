"""schema.org on each entry page: an EducationalOccupationalCredential search engines read."""

from __future__ import annotations

import json
import re

from tests.factories import publish

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _json_ld(client, entry) -> dict:
    page = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
    (block,) = SCRIPT.findall(page)
    return json.loads(block)


def test_an_endorsed_entry_page_describes_the_credential(app, client):
    entry = publish(badge_level="intermediate", cost_usd=0)
    data = _json_ld(client, entry)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "EducationalOccupationalCredential"
    assert data["name"] == "Applied Cybersecurity Foundations"
    assert data["url"] == f"http://localhost/credentials/{entry.slug}"
    assert data["credentialCategory"]["name"] == "Micro-credential"
    assert data["credentialCategory"]["termCode"] == "ceterms:MicroCredential"
    assert data["occupationalCredentialType"] == "Emergent micro-credential"
    assert data["educationalLevel"] == {"@type": "DefinedTerm", "name": "Intermediate"}
    assert data["competencyRequired"] == [
        {"@type": "DefinedTerm", "name": "Network security"},
        {"@type": "DefinedTerm", "name": "Incident response"},
        "Configure a firewall to segment a small network.",
    ]
    assert data["offers"] == {
        "@type": "Offer",
        "price": 0,
        "priceCurrency": "USD",
        "category": "Free",
        "url": "https://go.okstate.edu/cyber",
    }
    assert data["recognizedBy"]["name"] == "State Regents for Higher Education"
    assert data["identifier"]["value"] == entry.ctid
    assert data["occupationalCategory"][0]["codeValue"] == "15-1212"


def test_an_entry_listed_without_endorsement_is_recognised_by_no_one(app, client):
    entry = publish(endorsement="not-endorsed", cost_usd=None)
    data = _json_ld(client, entry)
    assert "recognizedBy" not in data and "offers" not in data


def test_markup_in_a_title_stays_inside_the_json_ld_block(app, client):
    title = 'Safe </script><script>alert("x")</script> & Sound'
    entry = publish(title=title)
    page = client.get(f"/credentials/{entry.slug}").get_data(as_text=True)
    assert '<script>alert("x")' not in page
    assert _json_ld(client, entry)["name"] == title
