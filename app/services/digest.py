"""The daily digest, sent by ``flask workflow digest`` (from cron): everyone who chose the
digest receives one e-mail with every notification gathered since their last digest, grouped
by request, each request with a link to the recipient's own page for it. Administrators also
find there the escalation of requests past the review target (the same list
``flask workflow remind`` mails to administrators who read their mail as it comes). A second
run the same day sends nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from app.enums import Role
from app.extensions import db
from app.models import CredentialRequest, Notification, User
from app.services import mail, reminders, unit, workflow

SUBJECT = "Your daily digest of the micro-credential requests"


@dataclass
class DigestReport:
    sent_to: list[str] = field(default_factory=list)
    notifications: int = 0


def _is_link(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("http://", "https://")) or (
        stripped.startswith("Request #") and stripped[len("Request #") :].isdigit()
    )


def _item(note: Notification) -> list[str]:
    """One gathered notification: its time and subject, then its text without the link (the
    request's link is given once, above, for this recipient)."""
    lines = [f"- {note.created_at:%Y-%m-%d %H:%M} UTC: {note.subject}"]
    text = [line for line in note.body.strip().splitlines() if not _is_link(line)]
    while text and not text[-1].strip():
        text.pop()
    lines += [f"    {line}" if line.strip() else "" for line in text]
    return lines


def compose(user: User, notes: list[Notification], overdue) -> str:
    """The digest's text for ``user``."""
    lines = [f"Hello {user.name},", ""]
    if overdue:
        lines += ["Escalation: requests past the review target", ""]
        lines += reminders.escalation_lines(overdue)
        for request, _days in overdue:
            lines.append(f"  #{request.id}: {workflow.link_for(user, request)}")
        lines.append("")
    groups: dict[int | None, list[Notification]] = {}
    for note in notes:
        groups.setdefault(note.request_id, []).append(note)
    if notes:
        lines += [f"{len(notes)} notification(s) since your last digest:", ""]
    for request_id, items in groups.items():
        request = db.session.get(CredentialRequest, request_id) if request_id else None
        if request is not None:
            title = request.content.title or "Untitled request"
            lines.append(
                f"{request.kind.label} request #{request.id} “{title}” "
                f"({request.institution.name}), now {request.state.label.lower()}"
            )
            lines.append(workflow.link_for(user, request))
        else:
            lines.append("Other notifications")
        for note in items:
            lines += _item(note)
        lines.append("")
    lines.append(
        "You receive this digest once a day because you chose it on your account page; "
        "choose immediate e-mail there to receive each notification as it happens."
    )
    return "\n".join(lines) + "\n"


def send_digests(now: datetime | None = None) -> DigestReport:
    """Queue one digest per digest reader with something to tell, commit, send."""
    now = now or datetime.now(UTC)
    today = now.date()
    report = DigestReport()
    # Those who chose the digest, and those who switched back to immediate e-mail with
    # notifications still gathered for them (they get them in one last digest).
    gathered = sa.select(Notification.id).where(
        Notification.user_id == User.id, Notification.digested_at.is_(None)
    )
    readers = db.session.scalars(
        sa.select(User)
        .where(User.active.is_(True), sa.or_(User.mail_digest.is_(True), gathered.exists()))
        .order_by(User.id)
    ).all()
    overdue = None
    for user in readers:
        if user.last_digest_on is not None and user.last_digest_on >= today:
            continue  # today's digest is already sent
        notes = list(
            db.session.scalars(
                sa.select(Notification)
                .where(Notification.user_id == user.id, Notification.digested_at.is_(None))
                .order_by(Notification.request_id, Notification.created_at, Notification.id)
            )
        )
        escalation = []
        if user.role is Role.ADMIN and user.mail_digest:
            if overdue is None:
                overdue = reminders.past_target(now)
            escalation = overdue
        if not notes and not escalation:
            continue
        mail.queue(user.email, SUBJECT, compose(user, notes, escalation), digestible=False)
        for note in notes:
            note.digested_at = now
        user.last_digest_on = today
        report.sent_to.append(user.email)
        report.notifications += len(notes)
    unit.commit()
    return report
