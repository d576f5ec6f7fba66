"""Policy parameters (an administrator's settings) and the compliance review of requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app

from app import compliance, search
from app.enums import Endorsement, Role
from app.extensions import db
from app.models import CredentialRequest, Entry, RuleOverride, Setting, User
from app.permissions import can
from app.services import unit
from app.services.content import content_fields
from app.services.errors import Conflict, InvalidInput, PermissionDenied
from app.workflow.states import RequestState

CREDIT_HOUR_CAP = "credit_hour_cap"
REVIEW_TARGET_DAYS = "review_target_days"


def _setting(key: str) -> str | None:
    row = db.session.get(Setting, key)
    return row.value if row is not None else None


def credit_hour_cap() -> float:
    value = _setting(CREDIT_HOUR_CAP)
    return float(value) if value is not None else float(current_app.config["CREDIT_HOUR_CAP"])


def review_target_days() -> int:
    value = _setting(REVIEW_TARGET_DAYS)
    return int(value) if value is not None else int(current_app.config["REVIEW_TARGET_DAYS"])


def update_settings(actor: User, *, cap: float | None = None, target_days: int | None = None):
    """An administrator changes the credit-hour cap or the review service target."""
    if not can(actor, "administer"):
        raise PermissionDenied("Only administrators change the policy parameters.")
    errors: dict[str, list[str]] = {}
    if cap is not None and not 0.5 <= cap <= 60:
        errors["credit_hour_cap"] = ["Give a cap between 0.5 and 60 credit hours."]
    if target_days is not None and not 1 <= target_days <= 365:
        errors["review_target_days"] = ["Give a target between 1 and 365 days."]
    if errors:
        raise InvalidInput("The settings were not changed.", errors)
    for key, value in ((CREDIT_HOUR_CAP, cap), (REVIEW_TARGET_DAYS, target_days)):
        if value is None:
            continue
        row = db.session.get(Setting, key) or Setting(key=key)
        row.value = f"{value:g}" if isinstance(value, float) else str(value)
        row.updated_at = datetime.now(UTC)
        row.updated_by_id = actor.id
        db.session.add(row)
    unit.commit()


# --- compliance --------------------------------------------------------------------------


@dataclass
class RuleResult:
    """A rule's result on a request, with the staff override if there is one."""

    result: compliance.Result
    override: RuleOverride | None = None

    @property
    def blocks(self) -> bool:
        return not self.result.passed and self.result.blocking and self.override is None

    def as_dict(self) -> dict:
        data = self.result.as_dict()
        if self.override is not None:
            data["override"] = {
                "justification": self.override.justification,
                "by": self.override.actor.name if self.override.actor else None,
                "at": self.override.created_at.isoformat(),
            }
        return data


def _similar_titles(request: CredentialRequest, title: str) -> list[tuple[int, str]]:
    """The institution's active entries the search index finds like ``title``."""
    if not title.strip():
        return []
    params = search.SearchParams(
        q=title, per_page=10, filters={"institution": [request.institution.code]}
    )
    try:
        # The title's words as written: no filter words, corrections or word beginnings.
        results = search.search(params, search.QueryContext(literal=True))
    except search.IndexUnavailable:
        return []
    ids = [h.entry_id for h in results.hits if h.entry_id != request.entry_id]
    if not ids:
        return []
    rows = db.session.execute(sa.select(Entry.id, Entry.title).where(Entry.id.in_(ids)))
    return [(row.id, row.title) for row in rows]


def _endorsed_target(request: CredentialRequest) -> bool:
    return request.entry is not None and request.entry.endorsement is Endorsement.ENDORSED


def evaluate(request: CredentialRequest, fields: dict | None = None) -> list[RuleResult]:
    """The policy's verdict on ``request`` now (its current fields unless ``fields`` is given),
    with any overrides staff recorded."""
    fields = fields if fields is not None else content_fields(request.content)
    facts = compliance.Facts(
        fields=fields,
        credit_hour_cap=credit_hour_cap(),
        similar_titles=_similar_titles(request, fields.get("title") or ""),
    )
    results = compliance.evaluate(facts, request.kind.value, endorsed=_endorsed_target(request))
    overrides = {o.rule: o for o in request.overrides}
    return [RuleResult(r, overrides.get(r.rule) if not r.passed else None) for r in results]


def blocking(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.blocks]


def snapshot(results: list[RuleResult]) -> list[dict]:
    return [r.as_dict() for r in results]


def override_rule(
    actor: User, request_id: int, rule: str, justification: str, *, version: int | None
) -> RuleOverride:
    """Staff accept a failed rule of a request they review, with a written justification.

    Raises ``PermissionDenied`` (not staff), ``NotFound``, ``Conflict`` (stale version, or not
    in review), ``InvalidInput`` (no justification, or the rule did not fail).
    """
    from app.services.workflow import _check_version, _commit, get_request

    request = get_request(actor, request_id)
    if actor.role not in (Role.STAFF, Role.ADMIN):
        raise PermissionDenied("Only the Regents' staff override a rule.")
    _check_version(request, version)
    if request.state is not RequestState.IN_REVIEW:
        raise Conflict("Rules are overridden while the request is in review.")
    justification = (justification or "").strip()
    if not justification:
        raise InvalidInput(
            "Write why the rule may be set aside.",
            {"justification": ["Write why the rule may be set aside."]},
        )
    failing = {r.result.rule: r for r in evaluate(request) if not r.result.passed}
    if rule not in failing:
        raise InvalidInput(
            "That rule did not fail.", {"rule": ["Only a failed rule is overridden."]}
        )
    if failing[rule].override is not None:
        raise Conflict("That rule is already overridden.")
    override = RuleOverride(
        request=request,
        rule=rule,
        justification=justification,
        rule_set_version=compliance.RULE_SET_VERSION,
        message=failing[rule].result.message,
        actor=actor,
    )
    db.session.add(override)
    request.updated_at = datetime.now(UTC)
    _commit()
    return override
