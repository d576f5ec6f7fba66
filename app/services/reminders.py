"""Reminders, run daily by ``flask workflow remind`` (from cron): requests past the staff's
service target remind their reviewer (or all staff when nobody is assigned) and are escalated to
the administrators in one digest; requests waiting on an institution's revisions for more than
14 days remind its liaisons. Running it twice the same day sends nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.enums import Role
from app.extensions import db
from app.models import CredentialRequest, MailMessage, Notification, User
from app.services import mail, policy, review, unit, workflow
from app.workflow.states import Action, RequestState

LIAISON_WAIT_DAYS = 14
PREFIX = "Reminder: "
# A reminder already queued this recently for the same request and person is not repeated.
QUIET = timedelta(hours=20)


@dataclass
class ReminderReport:
    past_target: list[int] = field(default_factory=list)
    waiting_on_institution: list[int] = field(default_factory=list)
    sent: int = 0


def _recently_reminded(recipient: str, request_id: int | None) -> bool:
    # By the clock, not by ``now``: a run "as of" another day still never repeats today's mail.
    query = sa.select(MailMessage.id).where(
        MailMessage.recipient == recipient,
        MailMessage.subject.startswith(PREFIX),
        MailMessage.created_at >= datetime.now(UTC) - QUIET,
    )
    if request_id is None:
        query = query.where(MailMessage.request_id.is_(None))
    else:
        query = query.where(MailMessage.request_id == request_id)
    if db.session.scalar(query.limit(1)) is not None:
        return True
    # A reminder gathered for someone's digest counts as given too.
    gathered = (
        sa.select(Notification.id)
        .join(User, Notification.user_id == User.id)
        .where(
            sa.func.lower(User.email) == recipient.lower(),
            Notification.subject.startswith(PREFIX),
            Notification.created_at >= datetime.now(UTC) - QUIET,
            Notification.request_id == request_id
            if request_id is not None
            else Notification.request_id.is_(None),
        )
    )
    return db.session.scalar(gathered.limit(1)) is not None


def _asked_at(request: CredentialRequest) -> datetime:
    asked = [t.created_at for t in request.transitions if t.action is Action.REQUEST_REVISIONS]
    return asked[-1] if asked else request.updated_at


def _users(role: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == role, User.active.is_(True))))


def past_target(now: datetime) -> list[tuple[CredentialRequest, int]]:
    """The requests waiting on the staff for longer than the review target, with their days."""
    target = policy.review_target_days()
    waiting_on_staff = db.session.scalars(
        sa.select(CredentialRequest)
        .where(CredentialRequest.state.in_(review.QUEUE_STATES))
        .order_by(CredentialRequest.submitted_at, CredentialRequest.id)
    )
    overdue = []
    for request in waiting_on_staff:
        days = review.days_waiting(request, now)
        if days > target:
            overdue.append((request, days))
    return overdue


def escalation_lines(overdue: list[tuple[CredentialRequest, int]]) -> list[str]:
    """The administrators' escalation: one line per request past the review target."""
    target = policy.review_target_days()
    return [
        f"{len(overdue)} request(s) are past the {target}-day review target:",
        "",
        *(
            f"- #{r.id} “{r.content.title or 'Untitled'}” ({r.institution.code}), "
            f"{days} days, {r.state.label.lower()}, "
            f"assigned to {r.assignee.name if r.assignee else 'nobody'}"
            for r, days in overdue
        ),
    ]


def send_reminders(now: datetime | None = None) -> ReminderReport:
    """Queue today's reminders and the administrators' escalation digest, commit, send."""
    now = now or datetime.now(UTC)
    report = ReminderReport()
    target = policy.review_target_days()

    def remind(user: User, request: CredentialRequest | None, subject: str, body: str) -> None:
        request_id = request.id if request is not None else None
        if _recently_reminded(user.email, request_id):
            return
        mail.queue(user.email, PREFIX + subject, body, request_id=request_id)
        report.sent += 1

    overdue = past_target(now)
    for request, days in overdue:
        report.past_target.append(request.id)
        title = request.content.title or "Untitled request"
        reviewers = [request.assignee] if request.assignee else _users(Role.STAFF)
        for reviewer in reviewers:
            remind(
                reviewer,
                request,
                f"request #{request.id} “{title}” is past the review target",
                f"Request #{request.id} “{title}” from {request.institution.name} has waited "
                f"{days} days on the Regents' staff; the service target is {target} days.\n\n"
                f"{workflow.link_for(reviewer, request)}\n",
            )
    if overdue:
        lines = escalation_lines(overdue)
        for admin in _users(Role.ADMIN):
            if admin.mail_digest:
                continue  # ``flask workflow digest`` escalates them in the admin's digest
            remind(admin, None, "requests past the review target", "\n".join(lines) + "\n")

    waiting_on_institution = db.session.scalars(
        sa.select(CredentialRequest)
        .where(CredentialRequest.state == RequestState.REVISIONS_REQUESTED)
        .order_by(CredentialRequest.id)
    )
    for request in waiting_on_institution:
        days = (now - _asked_at(request)).days
        if days <= LIAISON_WAIT_DAYS:
            continue
        report.waiting_on_institution.append(request.id)
        title = request.content.title or "Untitled request"
        for liaison in _users(Role.LIAISON):
            if liaison.institution_id != request.institution_id:
                continue
            remind(
                liaison,
                request,
                f"request #{request.id} “{title}” is waiting for your revisions",
                f"The State Regents' staff asked for revisions to request #{request.id} "
                f"“{title}” {days} days ago, and it is waiting for your revisions. Revise and "
                f"resubmit it, or withdraw it if you no longer need it.\n\n"
                f"{workflow.link_for(liaison, request)}\n",
            )
    unit.commit()
    return report
