"""The State Regents' insights: the queue, the inventory and what learners look for."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from app.services import insights
from app.services.errors import InvalidInput, PermissionDenied

bp = Blueprint("insights", __name__, url_prefix="/insights")


def _report():
    errors: dict[str, list[str]] = {}
    try:
        start, end = insights.parse_range(request.args.get("from"), request.args.get("to"))
    except InvalidInput as exc:
        errors, start, end = exc.errors, exc.details["start"], exc.details["end"]
        if "to" in errors and start > end:
            start, end = end, start
    try:
        return insights.report(current_user._get_current_object(), start, end), errors
    except PermissionDenied as exc:
        abort(403, exc.message)


@bp.get("/")
@login_required
def page():
    report, errors = _report()
    return render_template("insights/page.html", report=report, errors=errors), (
        422 if errors else 200
    )


@bp.get("/<key>.csv")
@login_required
def table_csv(key: str):
    report, errors = _report()
    if errors:
        abort(400, "Check the dates: " + "; ".join(m for ms in errors.values() for m in ms))
    try:
        table = report.table(key)
    except KeyError:
        abort(404, "There is no such table.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    filename = f"{key}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
