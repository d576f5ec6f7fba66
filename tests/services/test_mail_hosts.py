"""Two hosts sending the same mail outbox at once, on one PostgreSQL database: each message
leaves once."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from app import create_app
from app.extensions import db
from app.services import mail
from tests.conftest import base_config, migrate_and_load_reference
from tests.databases import PG_URL, create_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL"),
]


class SlowMailbox:
    """Holds the first message until ``release`` is set, so that its sender is mid-send."""

    def __init__(self) -> None:
        self.subjects: list[str] = []
        self.receiving = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.receiving.is_set():
            self.receiving.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        self.subjects.append(message_from_bytes(envelope.content)["Subject"])
        return "250 Message accepted"


def test_two_hosts_draining_at_once_send_each_message_once(tmp_path):
    url, drop = create_database("postgresql", tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = SlowMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    hosts = []
    try:
        migrate_and_load_reference(url, tmp_path / "setup")
        for name in ("one", "two"):
            app = create_app(base_config(url, tmp_path / name))
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
            hosts.append(app)
        with hosts[0].app_context():
            mail.queue("learner@example.org", "Your request was approved", "Approved.")
            db.session.commit()

        sent_by_one: list[int] = []

        def host_one() -> None:
            with hosts[0].app_context():
                sent_by_one.append(mail.send_pending())
                db.session.remove()

        first = threading.Thread(target=host_one)
        first.start()
        assert mailbox.receiving.wait(10), "host one never reached the SMTP server"
        with hosts[1].app_context():
            sent_by_two = mail.send_pending()  # host one is mid-send: nothing left to take
            db.session.remove()
        mailbox.release.set()
        first.join(10)
        assert (sent_by_one, sent_by_two) == ([1], 0)
        assert mailbox.subjects == ["Your request was approved"]
        with hosts[1].app_context():
            assert mail.send_pending() == 0  # marked sent for every host
            db.session.remove()
    finally:
        mailbox.release.set()
        controller.stop()
        for app in hosts:
            with app.app_context():
                db.engine.dispose()
        drop()
