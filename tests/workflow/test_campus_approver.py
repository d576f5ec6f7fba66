"""The campus approver: an institution with one submits a request only after a campus
approver of that institution has recorded a sign-off; institutions without one are unchanged."""

from __future__ import annotations

import pytest

from app.enums import Role
from app.extensions import db
from app.models import CredentialRequest, Institution, User
from app.services import accounts, signoffs, users, workflow
from app.services.errors import Conflict, InvalidInput
from app.workflow.states import Action, RequestState
from tests.workflow_helpers import PASSWORD, People, request_in


@pytest.fixture
def people(app):
    people = People()
    osu = db.session.scalar(db.select(Institution).filter_by(code="OSU"))
    people.approver = users.create_user(
        email="provost@okstate.example.edu",
        name="Provost Pat",
        role=Role.LIAISON,
        institution=osu,
        password=PASSWORD,
    )
    db.session.commit()
    return people


@pytest.fixture
def signed_in(app, login):
    def sign_in(user):
        client = app.test_client()
        assert login(client, user.email, PASSWORD).status_code == 302
        return client

    return sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


def test_submission_waits_for_the_campus_approver(people):
    accounts.set_campus_approver(people.admin, people.approver.id, True)
    draft = request_in(people, RequestState.DRAFT)
    # A sign-off recorded by someone who is not the campus approver does not count.
    signoffs.add(people.liaison, draft.id, "Dr. Dean", "dean", "2026-11-02")
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(people.liaison, draft.id, Action.SUBMIT, version=draft.version)
    [message] = refused.value.errors["signoffs"]
    assert "Provost Pat (provost@okstate.example.edu) must record a sign-off" in message
    assert db.session.get(CredentialRequest, draft.id).state is RequestState.DRAFT

    signoffs.add(people.approver, draft.id, "Provost Pat", "provost", "2026-11-03")
    draft = db.session.get(CredentialRequest, draft.id)
    done = workflow.transition(people.liaison, draft.id, Action.SUBMIT, version=draft.version)
    assert done.state is RequestState.SUBMITTED


def test_institutions_without_an_approver_keep_todays_behaviour(people):
    accounts.set_campus_approver(people.admin, people.approver.id, True)
    other = workflow.create_request(people.other, "endorsement", {"title": "x"})
    assert "signoffs" not in workflow.submission_problems(other)
    accounts.set_campus_approver(people.admin, people.approver.id, False)
    assert request_in(people, RequestState.SUBMITTED).state is RequestState.SUBMITTED


def test_only_a_liaison_is_a_campus_approver_and_only_admins_name_one(people):
    with pytest.raises(Conflict):
        accounts.set_campus_approver(people.admin, people.staff.id, True)
    with pytest.raises(Exception) as denied:
        accounts.set_campus_approver(people.liaison, people.approver.id, True)
    assert denied.value.status == 403
    accounts.set_campus_approver(people.admin, people.approver.id, True)
    accounts.set_role(people.admin, people.approver.id, "staff")
    assert db.session.get(User, people.approver.id).campus_approver is False


def test_the_pages_name_the_approver_refuse_then_allow(people, signed_in):
    admin = signed_in(people.admin)
    page = admin.post(
        f"/admin/users/{people.approver.id}/campus-approver",
        data={"active": "1"},
        follow_redirects=True,
    )
    assert "is now a campus approver of Oklahoma State University" in text(page)
    assert "Remove campus approver" in text(page)
    refused = admin.post(
        f"/admin/users/{people.staff.id}/campus-approver",
        data={"active": "1"},
        follow_redirects=True,
    )
    assert "is not a liaison: only an institution" in text(refused)
    assert (
        admin.post(
            f"/admin/users/{people.approver.id}/campus-approver", data={"active": "x"}
        ).status_code
        == 400
    )

    draft = request_in(people, RequestState.DRAFT)
    liaison = signed_in(people.liaison)
    detail = text(liaison.get(f"/institution/requests/{draft.id}"))
    assert 'id="campus-approval"' in detail and "Provost Pat" in detail
    submit = liaison.post(
        f"/institution/requests/{draft.id}/actions/submit", data={"version": draft.version}
    )
    assert submit.status_code == 422
    assert "Provost Pat (provost@okstate.example.edu) must record a sign-off" in text(submit)

    approver = signed_in(people.approver)
    approver.post(
        f"/institution/requests/{draft.id}/signoffs",
        data={"name": "Provost Pat", "role": "provost", "signed_on": "2026-11-03"},
    )
    draft = db.session.get(CredentialRequest, draft.id)
    done = liaison.post(
        f"/institution/requests/{draft.id}/actions/submit",
        data={"version": draft.version},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "has been submitted" in text(done)
    assert db.session.get(CredentialRequest, draft.id).state is RequestState.SUBMITTED
