"""The policy parameters an administrator changes: the credit-hour cap and the staff's service
target. The service checks who may change them; this page only shows them to administrators."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.permissions import can
from app.services import policy
from app.services.errors import InvalidInput, ServiceError

bp = Blueprint("policy_admin", __name__, url_prefix="/admin")


def _page(status: int = 200, errors: dict | None = None, typed: dict | None = None):
    values = {
        "credit_hour_cap": f"{policy.credit_hour_cap():g}",
        "review_target_days": str(policy.review_target_days()),
    }
    values.update(typed or {})
    return (
        render_template(
            "admin/policy.html",
            values=values,
            errors=errors or {},
            history=policy.settings_history(),
            setting_labels=policy.SETTING_LABELS,
        ),
        status,
    )


def _number(raw: str, cast, errors: dict, name: str, message: str):
    try:
        value = cast(raw.strip())
    except ValueError:
        errors[name] = [message]
        return None
    if isinstance(value, float) and not math.isfinite(value):
        errors[name] = [message]
        return None
    return value


@bp.route("/policy", methods=["GET", "POST"], endpoint="settings")
@login_required
def settings():
    if not can(current_user, "administer"):
        abort(403, "Only administrators change the policy parameters.")
    if request.method == "GET":
        return _page()
    typed = {
        "credit_hour_cap": request.form.get("credit_hour_cap", ""),
        "review_target_days": request.form.get("review_target_days", ""),
    }
    errors: dict[str, list[str]] = {}
    cap = _number(
        typed["credit_hour_cap"],
        float,
        errors,
        "credit_hour_cap",
        "Give the cap as a number of credit hours, for example 9.",
    )
    target = _number(
        typed["review_target_days"],
        int,
        errors,
        "review_target_days",
        "Give the target as a whole number of days, for example 30.",
    )
    if errors:
        return _page(422, errors, typed)
    try:
        policy.update_settings(current_user._get_current_object(), cap=cap, target_days=target)
    except InvalidInput as exc:
        return _page(422, exc.errors, typed)
    except ServiceError as exc:
        abort(exc.status, exc.message)
    flash(
        f"The policy parameters are saved: a cap of {cap:g} credit hours and a service target "
        f"of {target} days. They apply at once.",
        "success",
    )
    return redirect(url_for("policy_admin.settings"))
