"""Every policy rule at its edges; pure functions, no database."""

from __future__ import annotations

import pytest

from app.compliance import Facts, evaluate, rules

BASE = {
    "title": "Welding Fundamentals",
    "summary": "Safe, code-compliant welds.",
    "delivery": "in-person",
    "credit_bearing": True,
    "credit_hours": 9,
    "courses": [
        {"code": "WLD 1113", "title": "Shielded Metal Arc", "credit_hours": 3},
        {"code": "WLD 1213", "title": "Gas Metal Arc", "credit_hours": 3},
        {"code": "WLD 1313", "title": "Blueprint Reading", "credit_hours": 3},
    ],
    "skills": ["SMAW", "GMAW"],
    "occupations": ["51-4121"],
    "industries": [],
    "partners": [{"name": "NORDAM", "role": "hiring partner"}],
    "learning_outcomes": [{"text": "Pass an AWS bend test.", "assessment": "Bend test"}],
    "badge": {},
}


def facts(**changes) -> Facts:
    similar = changes.pop("similar_titles", [])
    cap = changes.pop("cap", 9.0)
    return Facts(fields={**BASE, **changes}, credit_hour_cap=cap, similar_titles=similar)


def result(name: str, f: Facts, kind: str = "endorsement"):
    return next(r for r in evaluate(f, kind) if r.rule == name)


def test_nine_credit_hours_pass_the_cap():
    assert result("credit_hour_cap", facts()).passed


def test_nine_and_a_half_credit_hours_fail_the_cap():
    r = result("credit_hour_cap", facts(credit_hours=9.5))
    assert not r.passed and r.blocking and r.field == "credit_hours"
    assert "9.5 credit hours is over the policy's cap of 9" in r.message


def test_the_cap_is_a_setting():
    assert result("credit_hour_cap", facts(credit_hours=12, cap=12)).passed
    assert not result("credit_hour_cap", facts(credit_hours=9, cap=6)).passed


def test_non_credit_entries_have_no_cap():
    assert result("credit_hour_cap", facts(credit_bearing=False, credit_hours=None)).passed


def test_credit_hours_must_equal_the_sum_of_courses():
    assert result("credit_hours_match_courses", facts()).passed
    r = result("credit_hours_match_courses", facts(credit_hours=8))
    assert not r.passed
    assert "add up to 9 credit hours, but the request declares 8" in r.message
    assert not result("credit_hours_match_courses", facts(courses=[])).passed


def test_workforce_alignment_needs_an_occupation_or_industry():
    assert result("workforce_alignment", facts(occupations=[], industries=["31-33"])).passed
    assert not result("workforce_alignment", facts(occupations=[], industries=[])).passed


def test_workforce_demand_needs_a_partner_or_evidence():
    assert result("workforce_demand", facts(partners=[], demand_evidence="OESC projections")).passed
    r = result("workforce_demand", facts(partners=[], demand_evidence="  "))
    assert not r.passed and r.field == "partners"


def test_at_least_one_skill():
    assert not result("skills_listed", facts(skills=[])).passed
    assert not result("skills_listed", facts(skills=["  "])).passed


def test_outcomes_need_their_assessment():
    assert not result("outcomes_assessed", facts(learning_outcomes=[])).passed
    no_assessment = facts(learning_outcomes=[{"text": "Weld.", "assessment": None}])
    assert "assessed" in result("outcomes_assessed", no_assessment).message
    overall = facts(
        learning_outcomes=[{"text": "Weld.", "assessment": None}], assessment="Practical exam"
    )
    assert result("outcomes_assessed", overall).passed


COMPLETE_BADGE = {
    "name": "Welder I",
    "issuer": "Tulsa Tech",
    "criteria": "Pass 3 bend tests.",
    "description": "Entry-level welder.",
    "image_url": "https://tulsatech.edu/b.png",
}


def test_complete_badge_metadata_passes():
    assert result("badge_metadata", facts(badge=COMPLETE_BADGE), "badge").passed


@pytest.mark.parametrize(
    "missing, word",
    [
        ("issuer", "issuer"),
        ("criteria", "criteria"),
        ("description", "description"),
        ("image_url", "image"),
    ],
)
def test_each_missing_badge_field_fails(missing, word):
    badge = {**COMPLETE_BADGE, missing: ""}
    r = result("badge_metadata", facts(badge=badge), "badge")
    assert not r.passed and word in r.message and r.blocking


def test_a_badge_without_skills_fails_its_metadata():
    r = result("badge_metadata", facts(badge=COMPLETE_BADGE, skills=[]), "badge")
    assert not r.passed and "skills" in r.message


def test_near_duplicate_of_the_institutions_entry():
    similar = [(7, "Welding Fundamentals")]
    r = result("no_near_duplicate", facts(similar_titles=similar))
    assert not r.passed and "entry 7" in r.message
    other = [(8, "Advanced Pipe Welding Certification")]
    assert result("no_near_duplicate", facts(similar_titles=other)).passed
    assert rules.similarity("Welding Fundamentals", "Fundamentals of Welding") == 1.0


def test_a_listing_gets_only_completeness_and_accuracy():
    names = {r.rule for r in evaluate(facts(partners=[], occupations=[]), "listing")}
    assert "credit_hour_cap" not in names and "workforce_demand" not in names
    assert {"complete", "credit_hours_match_courses"} <= names
    alignment = result("workforce_alignment", facts(occupations=[]), "listing")
    assert not alignment.passed and not alignment.blocking  # a warning only


def test_a_change_to_an_endorsed_entry_gets_the_full_policy():
    full = {r.rule for r in evaluate(facts(), "change", endorsed=True)}
    light = {r.rule for r in evaluate(facts(), "change", endorsed=False)}
    assert "credit_hour_cap" in full and "credit_hour_cap" not in light


def test_a_retirement_has_no_rules():
    assert evaluate(facts(title=""), "retirement") == []


def test_missing_required_fields_are_named():
    r = result("complete", facts(title="", delivery=None))
    assert r.message == "Complete the title and delivery."
