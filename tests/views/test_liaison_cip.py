"""The request form takes CIP program codes, and its vocabulary fields accept codes as people
write them; an unknown one names the closest known codes."""

from __future__ import annotations

from tests.views.test_liaison import (  # noqa: F401 (fixtures)
    _post_section,
    _reload,
    _start,
    _text,
    liaison,
    people,
)


def test_the_form_saves_cip_codes_and_codes_written_without_punctuation(liaison):  # noqa: F811
    req_id, _ = _start(liaison)
    response = _post_section(
        liaison,
        req_id,
        "workforce",
        {
            "industries-0": "621111",
            "occupations-0": "291141",
            "cip_codes-0": "513801",
            "demand_evidence": "Letters",
        },
    )
    assert response.status_code == 302, _text(response)
    content = _reload(req_id).content
    assert [t.code for t in content.industries] == ["621111"]
    assert [t.code for t in content.occupations] == ["29-1141"]
    assert [t.code for t in content.cip_codes] == ["51.3801"]
    summary = _text(liaison.get(f"/institution/requests/{req_id}"))
    assert "Registered Nursing/Registered Nurse (51.3801)" in summary


def test_an_unknown_cip_code_is_a_field_error_with_suggestions(liaison):  # noqa: F811
    req_id, _ = _start(liaison)
    response = _post_section(
        liaison, req_id, "workforce", {"cip_codes-0": "51.3817", "demand_evidence": "Letters"}
    )
    page = _text(response)
    assert response.status_code == 422
    assert 'id="cip_codes-0-error"' in page
    at = page.find('id="cip_codes-0-error"')
    error = page[at : at + 400]
    assert "Unknown CIP program &#39;51.3817&#39;. Did you mean " in error
    assert "51.3818 Nursing Practice" in error
