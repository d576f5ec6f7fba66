"""The demo workflow: requests in every state, walked through the real workflow services.

``flask seed`` calls :func:`seed_requests` after the demo accounts exist. Each demo request
is filed by its institution's demo liaison and moved by the demo staff and chancellor with
the same calls the pages make (``workflow.create_request``, ``update_request``,
``transition``, ``add_comment``), at the dates its story needs (one waits past the review
target). A request whose key (its ``external_id``) the institution already has is left alone,
so seeding twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import clock
from app.enums import Role
from app.models import User
from app.services import users, workflow
from app.services.errors import ServiceError

DEMO_FILE = "demo_requests.json"


@dataclass
class DemoReport:
    created: int = 0
    unchanged: int = 0


def seed_requests(path: Path) -> DemoReport:
    """File and walk every demo request of ``path`` that does not exist yet (the seed command
    only). Raises ``ServiceError`` when a demo account is missing or a step is refused."""
    report = DemoReport()
    if not path.exists():
        return report
    for story in json.loads(path.read_text(encoding="utf-8")):
        liaison = _liaison(story["institution"])
        if any(r.external_id == story["key"] for r in workflow.list_requests(liaison)):
            report.unchanged += 1
            continue
        try:
            _walk(story, liaison)
        except ServiceError as exc:
            errors = getattr(exc, "errors", {})
            raise ServiceError(f"Demo request {story['key']}: {exc.message} {errors}") from exc
        report.created += 1
    return report


def _liaison(code: str) -> User:
    user = users.find_user(f"liaison.{code.lower()}@example.edu")
    if user is None or user.role is not Role.LIAISON:
        raise ServiceError(f"The demo needs the liaison account of {code}.")
    return user


def _actor(name: str, liaison: User) -> User:
    if name == "liaison":
        return liaison
    user = users.find_user(name)
    if user is None:
        raise ServiceError(f"The demo needs the account {name}.")
    return user


def _walk(story: dict[str, Any], liaison: User) -> None:
    with clock.set_back(story.get("days_ago", 0)):
        request = workflow.create_request(liaison, story["kind"], story["fields"])
    for step in story["steps"]:
        actor = _actor(step["as"], liaison)
        with clock.set_back(step.get("days_ago", story.get("days_ago", 0))):
            if "edit" in step:
                request = workflow.update_request(actor, request.id, request.version, step["edit"])
            elif "action" in step:
                request = workflow.transition(
                    actor,
                    request.id,
                    step["action"],
                    version=request.version,
                    comment=step.get("comment"),
                    recommendation=step.get("recommendation"),
                )
            else:
                workflow.add_comment(actor, request.id, step["comment"], step["visibility"])
