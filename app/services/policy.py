"""Policy parameters (an administrator's settings) and the compliance review of requests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app

from app import compliance
from app.enums import Endorsement, EntryStatus, RequestKind, Role
from app.extensions import db
from app.models import (
    CredentialContent,
    CredentialRequest,
    Entry,
    RuleOverride,
    Setting,
    SettingChange,
    User,
)
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


def current_settings() -> dict:
    """The parameters the rules run on now (recorded with each submission)."""
    return {CREDIT_HOUR_CAP: credit_hour_cap()}


SETTING_LABELS = {
    CREDIT_HOUR_CAP: "Credit-hour cap",
    REVIEW_TARGET_DAYS: "Service target (days)",
}


def settings_history(limit: int = 100) -> list[SettingChange]:
    """The changes of the policy parameters, newest first."""
    return list(
        db.session.scalars(
            sa.select(SettingChange)
            .order_by(SettingChange.changed_at.desc(), SettingChange.id.desc())
            .limit(limit)
        )
    )


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
        row = db.session.get(Setting, key)
        old = row.value if row is not None else None
        if old is None:
            default = credit_hour_cap() if key == CREDIT_HOUR_CAP else review_target_days()
            old = f"{default:g}" if isinstance(default, float) else str(default)
        row = row or Setting(key=key)
        row.value = f"{value:g}" if isinstance(value, float) else str(value)
        if row.value != old:
            db.session.add(
                SettingChange(key=key, old_value=old, new_value=row.value, actor_id=actor.id)
            )
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


def _similar_entries(request: CredentialRequest, title: str) -> list[tuple[int, str, str]]:
    """The institution's active entries that share a significant title word with ``title``
    (abbreviations read out): ``[(entry id, title, summary)]``. The exact comparison is the
    rule's; this only finds the candidates, in the database, which is the source of truth."""
    words = compliance.candidate_words(title)
    if not words:
        return []
    query = (
        sa.select(Entry.id, Entry.title, CredentialContent.summary)
        .join(CredentialContent, CredentialContent.id == Entry.content_id)
        .where(
            Entry.institution_id == request.institution_id,
            Entry.status == EntryStatus.ACTIVE,
            sa.or_(*(sa.func.lower(Entry.title).contains(w, autoescape=True) for w in words)),
        )
        .order_by(Entry.id)
        .limit(50)
    )
    if request.entry_id is not None:
        query = query.where(Entry.id != request.entry_id)
    return [(row.id, row.title, row.summary or "") for row in db.session.execute(query)]


def _endorsed_target(request: CredentialRequest) -> bool:
    return request.entry is not None and request.entry.endorsement is Endorsement.ENDORSED


def cap_for(request: CredentialRequest) -> float:
    """The cap a request is judged by: the one it was submitted under, once submitted."""
    recorded = request.policy_settings or {}
    if not request.state.editable and recorded.get(CREDIT_HOUR_CAP) is not None:
        return float(recorded[CREDIT_HOUR_CAP])
    return credit_hour_cap()


PRE_EXISTING = " (Already so in the published entry and not touched by this change: a warning.)"


def evaluate(request: CredentialRequest, fields: dict | None = None) -> list[RuleResult]:
    """The policy's verdict on ``request`` now (its current fields unless ``fields`` is given),
    with any overrides staff recorded.

    A submitted request is judged by the parameters it was submitted under. A change request's
    failure that the published entry already had, unchanged, warns instead of blocking."""
    fields = dict(fields if fields is not None else content_fields(request.content))
    fields.setdefault("duplicate_explanation", request.duplicate_explanation)
    cap = cap_for(request)
    similar = (
        _similar_entries(request, fields.get("title") or "")
        if request.kind is not RequestKind.CHANGE
        else []
    )
    facts = compliance.Facts(
        fields=fields,
        credit_hour_cap=cap,
        similar_titles=[(i, t) for i, t, _ in similar],
        similar_summaries={i: summary for i, _, summary in similar},
    )
    endorsed = _endorsed_target(request)
    results = compliance.evaluate(facts, request.kind.value, endorsed=endorsed)
    if request.kind is RequestKind.CHANGE and request.entry is not None:
        before = compliance.evaluate(
            compliance.Facts(fields=content_fields(request.entry.content), credit_hour_cap=cap),
            request.kind.value,
            endorsed=endorsed,
        )
        old = {r.rule: r.message for r in before if not r.passed}
        results = [
            replace(r, blocking=False, message=r.message + PRE_EXISTING)
            if not r.passed and r.blocking and old.get(r.rule) == r.message
            else r
            for r in results
        ]
    overrides = {o.rule: o for o in request.overrides}
    return [RuleResult(r, overrides.get(r.rule) if not r.passed else None) for r in results]


def endorsement_gaps(request: CredentialRequest, results: list[RuleResult]) -> list[RuleResult]:
    """Failed rules an endorsement may not leave open: the blocking ones, and the endorsement
    policy's rules that only warned for this kind (a badge's workforce alignment …), unless
    staff overrode them. A badge for an endorsed entry inherits the entry's endorsement, which
    already met the policy."""
    if request.kind is RequestKind.BADGE and _endorsed_target(request):
        return blocking(results)
    return [
        r
        for r in results
        if not r.result.passed
        and r.override is None
        and (r.result.blocking or r.result.rule in compliance.ENDORSEMENT_RULES)
        and not r.result.message.endswith(PRE_EXISTING)
    ]


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
