"""The whole path in the real app: a liaison drafts, saves and submits; staff claim and ask for
revisions; the liaison resubmits; staff recommend endorsement; the chancellor approves; the
public search finds the entry, endorsed, and the people concerned got their e-mail.

(The same path through the pages is tested with the page views.)
"""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.enums import CommentVisibility
from app.extensions import db
from app.models import MailMessage
from app.services import accounts, mail, workflow
from app.workflow.states import RequestState
from tests.workflow_helpers import COMPLETE_FIELDS, People, request_in


@pytest.fixture
def people(app):
    return People()


# --- through the JSON API -----------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    _, token = accounts.create_token(user, "catalog system")
    return {"Authorization": f"Bearer {token}"}


def test_the_whole_path_through_the_api(index, client, people):
    liaison, other = _bearer(people.liaison), _bearer(people.other)
    staff, chancellor = _bearer(people.staff), _bearer(people.chancellor)

    def act(headers, req, action, **body):
        return client.post(
            f"/api/v1/requests/{req['id']}/transitions",
            headers=headers,
            json={"action": action, "version": req["version"], **body},
        )

    draft = {"kind": "endorsement", "title": "Drone Mapping for Surveyors"}
    assert client.post("/api/v1/requests", json=draft).status_code == 401
    created = client.post("/api/v1/requests", headers=liaison, json=draft)
    assert created.status_code == 201, created.json
    req = created.json
    assert req["state"] == "draft" and created.headers["Location"].endswith(f"/{req['id']}")
    assert client.get(f"/api/v1/requests/{req['id']}").status_code == 401

    # The liaison saves the rest of the form; a second save from the old version is refused.
    fields = {k: v for k, v in COMPLETE_FIELDS.items() if k != "title"}
    saved = client.patch(
        f"/api/v1/requests/{req['id']}", headers=liaison, json={**fields, "version": req["version"]}
    )
    assert saved.status_code == 200, saved.json
    stale = client.patch(
        f"/api/v1/requests/{req['id']}",
        headers=liaison,
        json={"summary": "Overwrites the save.", "version": req["version"]},
    )
    assert stale.status_code == 409 and stale.json["version"] == saved.json["version"]
    req = saved.json
    assert req["summary"] == COMPLETE_FIELDS["summary"]

    # Another institution's liaison cannot see, edit or move it: it does not exist for them.
    assert client.get(f"/api/v1/requests/{req['id']}", headers=other).status_code == 404
    assert (
        client.patch(
            f"/api/v1/requests/{req['id']}",
            headers=other,
            json={"title": "Ours now", "version": req["version"]},
        ).status_code
        == 404
    )
    assert act(other, req, "submit").status_code == 404

    response = act(liaison, req, "submit")
    assert response.status_code == 200 and response.json["state"] == "submitted"
    req = response.json
    response = act(staff, req, "claim")
    assert response.status_code == 200 and response.json["state"] == "in_review"
    req = response.json
    missing = act(staff, req, "request_revisions")
    assert missing.status_code == 422 and "comment" in missing.json["errors"]
    response = act(staff, req, "request_revisions", comment="Name a second employer partner.")
    assert response.status_code == 200 and response.json["state"] == "revisions_requested"
    req = response.json

    seen = client.get(f"/api/v1/requests/{req['id']}", headers=liaison).json
    assert seen["allowed_actions"] == ["withdraw", "resubmit"]
    assert seen["transitions"][-1]["comment"] == "Name a second employer partner."
    partners = [*COMPLETE_FIELDS["partners"], {"name": "Skyward Drones", "role": "hires"}]
    response = client.patch(
        f"/api/v1/requests/{req['id']}",
        headers=liaison,
        json={"partners": partners, "version": seen["version"]},
    )
    assert response.status_code == 200, response.json
    response = act(liaison, response.json, "resubmit")
    # Back to the reviewer who asked: no second claim.
    assert response.status_code == 200 and response.json["state"] == "in_review"
    req = response.json

    response = act(
        staff, req, "recommend", recommendation="endorse", comment="Meets every rule of the policy."
    )
    assert response.status_code == 200 and response.json["state"] == "recommended"
    recommended = response.json
    assert act(chancellor, req, "approve").status_code == 409  # the version before recommending
    approved = act(chancellor, recommended, "approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["state"] == "approved" and approved.json["entry_id"] is not None
    # Approving twice publishes nothing more.
    assert act(chancellor, approved.json, "approve").status_code == 409

    found = client.get("/api/v1/credentials", query_string={"q": "drone mapping"}).json
    assert [(r["id"], r["title"], r["endorsement"]) for r in found["results"]] == [
        (approved.json["entry_id"], "Drone Mapping for Surveyors", "endorsed")
    ]
    mine = client.get(f"/api/v1/requests/{req['id']}", headers=liaison).json
    assert mine["state"] == "approved" and mine["entry_id"] == approved.json["entry_id"]
    assert [t["action"] for t in mine["transitions"]] == [
        "submit",
        "claim",
        "request_revisions",
        "resubmit",
        "recommend",
        "approve",
    ]


# --- e-mail through a real SMTP server ------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free port, and the app configured to send through it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield mailbox
    controller.stop()


def _subjects(messages) -> list[str]:
    return [m["Subject"].rsplit(": ", 1)[1] for m in messages]


def _text(message) -> str:
    return message["Subject"] + "\n" + message.get_content()


def test_every_transition_that_concerns_the_institution_reaches_the_liaison(smtp, people):
    rationale = "INTERNAL: budget office doubts the enrollment numbers."
    return_note = "INTERNAL: check the demand letter again before I sign."
    req = workflow.create_request(people.liaison, "endorsement", {"title": "Drone Mapping"})
    req = workflow.update_request(
        people.liaison, req.id, req.version, COMPLETE_FIELDS | {"title": "Drone Mapping"}
    )
    steps = [
        (people.liaison, "submit", {}),
        (people.staff, "claim", {}),
        (people.staff, "request_revisions", {"comment": "Add the course outcomes, please."}),
        (people.liaison, "resubmit", {}),
        (people.staff, "recommend", {"recommendation": "endorse", "comment": rationale}),
        (people.chancellor, "return", {"comment": return_note}),
        (people.staff, "recommend", {"recommendation": "endorse", "comment": rationale}),
        (people.chancellor, "approve", {}),
    ]
    for actor, action, kwargs in steps:
        if action == "return":
            workflow.add_comment(people.staff, req.id, "INTERNAL: ask the dean.", "internal")
        req = workflow.transition(actor, req.id, action, version=req.version, **kwargs)
    assert req.state is RequestState.APPROVED

    liaison_mail = smtp.to(people.liaison.email)
    # The liaison's own submit and resubmit are not sent back to them; every other step is.
    assert _subjects(liaison_mail) == [
        "in review",
        "revisions requested",
        "recommended",
        "in review",
        "recommended",
        "approved",
    ]
    assert all(m["To"] == people.liaison.email for m in liaison_mail)
    assert "Add the course outcomes, please." in _text(liaison_mail[1])
    assert "Endorsed by State Regents" in _text(liaison_mail[-1])
    for message in liaison_mail:
        assert "INTERNAL" not in _text(message), message["Subject"]
    # The submission goes to the staff; the resubmission to the reviewer who asked.
    assert _subjects(smtp.to(people.staff.email)) == ["submitted", "in review"]
    assert _subjects(smtp.to(people.chancellor.email)) == ["recommended", "recommended"]
    assert smtp.to(people.other.email) == []  # another institution hears nothing of it
    unsent = db.session.scalar(
        sa.select(sa.func.count()).select_from(MailMessage).where(MailMessage.sent_at.is_(None))
    )
    assert unsent == 0


def test_a_comment_to_the_institution_is_mailed_an_internal_one_is_not(smtp, people):
    req = request_in(people, RequestState.IN_REVIEW)
    workflow.add_comment(people.staff, req.id, "INTERNAL: looks fine to me.", "internal")
    workflow.add_comment(
        people.staff, req.id, "Could you add the cost?", CommentVisibility.INSTITUTION
    )
    bodies = [_text(m) for m in smtp.to(people.liaison.email)]
    assert sum("Could you add the cost?" in b for b in bodies) == 1
    assert not any("INTERNAL" in b for b in bodies)


def test_a_transition_succeeds_while_the_mail_server_is_down(app, people):
    port = _free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    req = request_in(people, RequestState.SUBMITTED)
    req = workflow.transition(people.staff, req.id, "claim", version=req.version)
    assert req.state is RequestState.IN_REVIEW

    message = db.session.scalar(
        sa.select(MailMessage).where(
            MailMessage.recipient == people.liaison.email,
            MailMessage.subject.endswith(": in review"),
        )
    )
    assert message.sent_at is None and message.attempts == 1 and message.last_error

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert mail.send_pending() >= 1
    finally:
        controller.stop()
    assert _subjects(mailbox.to(people.liaison.email)) == ["in review"]
    db.session.refresh(message)
    assert message.sent_at is not None and message.attempts == 2
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(MailMessage).where(MailMessage.sent_at.is_(None))
        )
        == 0
    )
