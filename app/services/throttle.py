"""Throttling of failed sign-ins, API tokens and password-reset mail, shared by every worker
and host.

Failures are counted per key (an account, a client address) in a sliding window. The counts
live in the database, or in Redis when ``REDIS_URL`` is set, so a limit holds across all
gunicorn workers and app hosts. Keys are stored as SHA-256 digests: neither e-mail addresses
nor client addresses are kept.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

from app.extensions import db
from app.models import ThrottleEvent
from app.services import unit
from app.services.errors import ServiceError


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` failures for one key in ``window`` seconds."""

    name: str
    attempts: int
    window: int


# Per account: a few guesses, then a quarter of an hour. Per client address: more, since one
# office or campus may sit behind one address.
SIGN_IN_ACCOUNT = Limit("sign-in-account", 5, 15 * 60)
SIGN_IN_ADDRESS = Limit("sign-in-address", 30, 15 * 60)
API_TOKEN_ADDRESS = Limit("api-token-address", 30, 15 * 60)
# Password-reset links: a few mails an hour to one account, so that nobody can flood another's
# inbox (past it, the page answers as always and sends nothing more); per client address,
# requests for any account, so that nobody can send mail to a list of addresses.
PASSWORD_RESET_ACCOUNT = Limit("reset-account", 3, 60 * 60)
PASSWORD_RESET_ADDRESS = Limit("reset-address", 10, 15 * 60)


class TooManyAttempts(ServiceError):
    """Too many failures for this account or address; ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, retry_after: int, what: str = "failed attempts"):
        minutes = max(1, math.ceil(retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(
            f"Too many {what}. Please wait {minutes} {unit} and try again.",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


def _digest(limit: Limit, value: str) -> str:
    return hashlib.sha256(f"{limit.name}\0{value.strip().lower()}".encode()).hexdigest()


class _DatabaseCounter:
    def recent(self, key: str, window: int, now: float) -> list[float]:
        since = datetime.fromtimestamp(now - window, UTC)
        rows = db.session.scalars(
            db.select(ThrottleEvent.at)
            .where(ThrottleEvent.key == key, ThrottleEvent.at > since)
            .order_by(ThrottleEvent.at)
        )
        return [at.timestamp() for at in rows]

    def add(self, key: str, window: int, now: float) -> None:
        at = datetime.fromtimestamp(now, UTC)
        db.session.execute(
            db.delete(ThrottleEvent).where(
                ThrottleEvent.key == key, ThrottleEvent.at <= at - timedelta(seconds=window)
            )
        )
        db.session.add(ThrottleEvent(key=key, at=at))

    def clear(self, key: str) -> None:
        db.session.execute(db.delete(ThrottleEvent).where(ThrottleEvent.key == key))

    def save(self) -> None:
        # Its own commit: a failed sign-in writes nothing else, and the count must outlive it.
        unit.commit()


class _RedisCounter:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = current_app.config.get("REDIS_PREFIX", "mci:")

    def _name(self, key: str) -> str:
        return f"{self.prefix}throttle:{key}"

    def recent(self, key: str, window: int, now: float) -> list[float]:
        scores = self.client.zrangebyscore(self._name(key), now - window, "+inf", withscores=True)
        return [score for _member, score in scores]

    def add(self, key: str, window: int, now: float) -> None:
        name = self._name(key)
        with self.client.pipeline() as pipe:
            pipe.zremrangebyscore(name, "-inf", now - window)
            pipe.zadd(name, {f"{now:.6f}:{time.perf_counter_ns()}": now})
            pipe.expire(name, window)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self._name(key))

    def save(self) -> None:
        pass


def _counter():
    url = current_app.config.get("REDIS_URL")
    return _RedisCounter(url) if url else _DatabaseCounter()


def check(*pairs: tuple[Limit, str | None], what: str = "failed attempts") -> None:
    """Anyone, before trying credentials: raise ``TooManyAttempts`` when any (limit, value)
    pair has used up its failures. Values that are ``None`` or empty are skipped; ``what``
    names what was counted in the message."""
    counter, now = _counter(), time.time()
    waits = []
    for limit, value in pairs:
        if not value:
            continue
        recent = counter.recent(_digest(limit, value), limit.window, now)
        if len(recent) >= limit.attempts:
            # Free again when enough of the failures have left the window.
            oldest_that_counts = recent[len(recent) - limit.attempts]
            waits.append(max(1, math.ceil(oldest_that_counts + limit.window - now)))
    if waits:
        raise TooManyAttempts(max(waits), what)


def fail(*pairs: tuple[Limit, str | None]) -> None:
    """Anyone, after credentials were refused (or a reset link was asked for): count one
    against each pair. Commits."""
    counter, now = _counter(), time.time()
    for limit, value in pairs:
        if value:
            counter.add(_digest(limit, value), limit.window, now)
    counter.save()


def clear(limit: Limit, value: str) -> None:
    """After a successful sign-in: the account's failures no longer count. Commits."""
    counter = _counter()
    counter.clear(_digest(limit, value))
    counter.save()
