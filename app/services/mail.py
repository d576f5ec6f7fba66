"""E-mail: queued in the transaction, sent after the commit; unsent mail is retried.

A notification about a request for someone who chose the daily digest is not sent: it is
gathered as a ``Notification`` for ``flask workflow digest`` (``app.services.digest``).

With ``MAIL_SERVER`` set, mail goes to that SMTP server; otherwise each message is written as
an ``.eml`` file under ``MAIL_DIR`` (development).
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import MailMessage, Notification, User

MAX_ATTEMPTS = 10


def digest_reader(recipient: str) -> User | None:
    """The active account at ``recipient`` if it reads its notifications in a daily digest."""
    return db.session.scalar(
        sa.select(User).where(
            sa.func.lower(User.email) == recipient.lower(),
            User.mail_digest.is_(True),
            User.active.is_(True),
        )
    )


def queue(
    recipient: str,
    subject: str,
    body: str,
    *,
    request_id: int | None = None,
    digestible: bool | None = None,
) -> None:
    """Queue one message in the current transaction (sent only if the transaction commits).

    A notification about a request (``digestible`` defaults to having a ``request_id``) for
    someone who reads a daily digest is gathered for it instead; account mail (invitations,
    password resets) always goes at once."""
    if digestible is None:
        digestible = request_id is not None
    reader = digest_reader(recipient) if digestible else None
    if reader is not None:
        db.session.add(Notification(user=reader, request_id=request_id, subject=subject, body=body))
        return
    db.session.add(
        MailMessage(recipient=recipient, subject=subject, body=body, request_id=request_id)
    )


def _build(message: MailMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<mail-{message.id}@microcredentials.invalid>"
    email.set_content(message.body)
    return email


def _deliver(emails: list[tuple[MailMessage, EmailMessage]]) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        for message, email in emails:
            (folder / f"{message.id:08d}.eml").write_bytes(bytes(email))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for _message, email in emails:
            smtp.send_message(email)


def send_pending(limit: int = 200) -> int:
    """Send unsent mail (after every commit, and ``flask mail send``). Returns how many were
    sent; a failure is recorded on the messages and they are tried again later.

    On PostgreSQL the messages are locked until they are marked sent, and messages another
    process is sending are skipped: hosts draining at once never send one message twice."""
    pending = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.sent_at.is_(None), MailMessage.attempts < MAX_ATTEMPTS)
        .order_by(MailMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not pending:
        return 0
    emails = [(m, _build(m)) for m in pending]
    now = datetime.now(UTC)
    try:
        _deliver(emails)
    except (OSError, smtplib.SMTPException) as exc:
        for message in pending:
            message.attempts += 1
            message.last_error = str(exc)[:500]
        db.session.commit()
        current_app.logger.warning("Mail not sent now (%s); will retry.", exc)
        return 0
    for message in pending:
        message.sent_at = now
        message.attempts += 1
        message.last_error = None
    db.session.commit()
    return len(pending)
