"""The staff's synonym list: kept on a page under /admin, applied to the next search."""

from __future__ import annotations

import pytest

from tests.factories import publish


def textarea(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('name="groups"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]


def test_the_list_starts_with_workforce_vocabulary(client, make_user, login):
    make_user("staff@regents.example.org", role="staff")
    login(client, "staff@regents.example.org")
    lines = textarea(client.get("/admin/synonyms")).splitlines()
    assert len(lines) >= 40
    for abbreviation in ["CNA", "EMT", "CDL", "HVAC", "LPN", "IT"]:
        assert any(line.startswith(f"{abbreviation}, ") for line in lines), abbreviation


def test_a_group_added_on_the_page_applies_to_the_next_search_without_a_rebuild(
    index, client, make_user, login
):
    publish(title="Line Cook Apprenticeship", summary="Kitchen work for restaurants.")
    assert client.get("/api/v1/credentials?q=chef").json["total"] == 0
    make_user("staff@regents.example.org", role="staff")
    login(client, "staff@regents.example.org")
    text = textarea(client.get("/admin/synonyms"))
    response = client.post("/admin/synonyms", data={"groups": text + "\nchef, line cook, culinary"})
    assert response.status_code == 302
    body = client.get("/api/v1/credentials?q=chef").json
    assert [r["title"] for r in body["results"]] == ["Line Cook Apprenticeship"]


def test_a_line_with_one_phrase_is_refused_with_its_number(client, make_user, login):
    make_user("admin@regents.example.org", role="admin")
    login(client, "admin@regents.example.org")
    response = client.post("/admin/synonyms", data={"groups": "EMT, paramedic\nwelding"})
    assert response.status_code == 422
    assert "Line 2" in response.get_data(as_text=True)
    page = client.get("/admin/synonyms").get_data(as_text=True)
    assert "CDL," in page  # nothing was changed


@pytest.mark.parametrize("role", ["liaison", "chancellor"])
def test_only_staff_and_administrators_keep_the_list(client, make_user, login, role):
    make_user("someone@example.org", role=role, institution="OSU" if role == "liaison" else None)
    login(client, "someone@example.org")
    assert client.get("/admin/synonyms").status_code == 403
    assert client.post("/admin/synonyms", data={"groups": "a, b"}).status_code == 403


def test_abbreviations_find_the_words_institutions_write(index):
    from app.services import discovery

    publish(title="Nurse Aide Training", summary="Long-term care.")
    publish(title="Emergency Medical Technician", summary="Basic life support.")
    publish(title="Information Technology Support", summary="Help desk.")
    publish(title="Welding", summary="It is hot work.")

    def found(q):
        page = discovery.search_inventory(discovery.parse_params({"q": q}))
        return [e.title for e, _ in page.entries]

    assert found("CNA") == ["Nurse Aide Training"]
    assert found("nursing assistant") == ["Nurse Aide Training"]
    assert found("EMT") == ["Emergency Medical Technician"]
    assert found("IT support") == ["Information Technology Support"]
    assert "Information Technology Support" not in found("it is hot")
