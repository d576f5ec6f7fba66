"""Building requests by walking the real workflow, so no test holds a state the workflow
cannot reach."""

from __future__ import annotations

from app.enums import Role
from app.extensions import db
from app.models import Institution
from app.services import policy, unit, users, workflow
from app.workflow.states import Action, RequestState

PASSWORD = "correct horse battery staple"

COMPLETE_FIELDS = {
    "title": "Precision Agriculture Technician",
    "summary": "Drones, sensors and data for modern farms.",
    "credit_bearing": True,
    "credit_hours": 6,
    "courses": [
        {"code": "AG 2103", "title": "Sensors in the Field", "credit_hours": 3},
        {"code": "AG 2203", "title": "Farm Data", "credit_hours": 3},
    ],
    "delivery": "hybrid",
    "skills": ["Drone piloting", "Yield mapping"],
    "occupations": ["45-2091"],
    "industries": ["11"],
    "partners": [{"name": "Oklahoma Farm Bureau", "role": "co-designer"}],
    "learning_outcomes": [{"text": "Fly a survey mission.", "assessment": "Flight log review"}],
}


class People:
    """One user of each role; the liaison belongs to OSU, ``other`` to TCC."""

    def __init__(self) -> None:
        def make(email, role, code=None):
            inst = db.session.scalar(db.select(Institution).filter_by(code=code)) if code else None
            return users.create_user(
                email=email,
                name=email.split("@")[0].title(),
                role=role,
                institution=inst,
                password=PASSWORD,
            )

        self.liaison = make("liaison@okstate.example.edu", Role.LIAISON, "OSU")
        self.other = make("liaison@tulsacc.example.edu", Role.LIAISON, "TCC")
        self.staff = make("reviewer@regents.example.org", Role.STAFF)
        self.chancellor = make("chancellor@regents.example.org", Role.CHANCELLOR)
        self.admin = make("admin@regents.example.org", Role.ADMIN)
        unit.commit()

    def add_second_reviewer(self) -> People:
        """A colleague on the staff, to assign requests to."""
        self.staff2 = users.create_user(
            email="second@regents.example.org",
            name="Second Reviewer",
            role=Role.STAFF,
            password=PASSWORD,
        )
        unit.commit()
        return self


PATH = {
    RequestState.DRAFT: [],
    RequestState.SUBMITTED: [("liaison", Action.SUBMIT, {})],
    RequestState.IN_REVIEW: [("liaison", Action.SUBMIT, {}), ("staff", Action.CLAIM, {})],
    RequestState.REVISIONS_REQUESTED: [
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.REQUEST_REVISIONS, {"comment": "Add an employer partner."}),
    ],
    RequestState.RECOMMENDED: [
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "Meets policy.", "recommendation": "endorse"}),
    ],
    RequestState.APPROVED: [
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "Meets policy.", "recommendation": "endorse"}),
        ("chancellor", Action.APPROVE, {}),
    ],
    RequestState.DECLINED: [
        ("liaison", Action.SUBMIT, {}),
        ("staff", Action.CLAIM, {}),
        ("staff", Action.RECOMMEND, {"comment": "No demand.", "recommendation": "decline"}),
        ("chancellor", Action.DECLINE, {"comment": "Agreed."}),
    ],
    RequestState.WITHDRAWN: [("liaison", Action.WITHDRAW, {})],
}


def request_in(people: People, state: RequestState, kind="endorsement", **fields):
    """A request of OSU walked to ``state`` through the real transitions."""
    req = workflow.create_request(people.liaison, kind, {**COMPLETE_FIELDS, **fields})
    for who, action, kwargs in PATH[state]:
        req = workflow.transition(
            getattr(people, who), req.id, action, version=req.version, **kwargs
        )
    assert req.state is state
    return req


BADGE_METADATA = {
    "name": "Precision Ag Badge",
    "issuer": "Oklahoma State University",
    "criteria": "Complete both courses.",
    "description": "Earned by completing the courses.",
    "image_url": "https://example.org/badge.png",
}


def badge_over_the_cap_in_review(people: People):
    """A badge request with 6 credit hours, filed after the cap was lowered to 3: the cap only
    warns for a badge, so it reaches review, and endorsing it needs an override."""
    policy.update_settings(people.admin, cap=3)
    return request_in(
        people,
        RequestState.IN_REVIEW,
        kind="badge",
        entry_type="digital-badge",
        badge=BADGE_METADATA,
    )
