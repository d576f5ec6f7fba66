"""The search's synonym list, kept by the Regents' staff and administrators. The service
checks who may change it; this page only shows it to them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.permissions import can
from app.services import synonyms
from app.services.errors import InvalidInput, ServiceError

bp = Blueprint("synonyms_admin", __name__, url_prefix="/admin")


def _may_edit() -> bool:
    return can(current_user, "review") or can(current_user, "administer")


@bp.route("/synonyms", methods=["GET", "POST"], endpoint="edit")
@login_required
def edit():
    if not _may_edit():
        abort(403, "Only the Regents' staff and administrators keep the search's synonyms.")
    if request.method == "GET":
        return render_template("admin/synonyms.html", text=synonyms.as_text(), errors={})
    text = request.form.get("groups", "")
    try:
        n = synonyms.replace_all(current_user._get_current_object(), text)
    except InvalidInput as exc:
        return render_template("admin/synonyms.html", text=text, errors=exc.errors), 422
    except ServiceError as exc:
        abort(exc.status, exc.message)
    flash(f"The synonym list is saved ({n} groups). Searches use it from now on.", "success")
    return redirect(url_for("synonyms_admin.edit"))
