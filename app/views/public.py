"""What everyone sees: search, entries, institutions, the employer view."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup

from app import search
from app.enums import TaxonomyKind
from app.errors import error_response
from app.services import discovery, employers, exports, health, taxonomy_pages
from app.services.errors import InvalidInput, NotFound
from app.views import querystring

bp = Blueprint("public", __name__)


@bp.app_context_processor
def _helpers():
    return {
        "url_with": querystring.url_with,
        "url_toggle": querystring.url_toggle,
        "url_with_filter": querystring.url_with_filter,
        "url_page": querystring.url_page,
        "url_clear": querystring.url_clear,
        "url_csv": querystring.url_csv,
        "url_export": querystring.url_export,
        "sort_labels": search.SORT_LABELS,
    }


def _search_page(template: str, status: int = 200, **context):
    """Parse the query string, search, render; bad parameters are explained, not fatal.

    The results and filters are rendered once per search, index generation and process (they
    depend on the URL alone, never on who is signed in); the page around them every time."""
    fixed = context.pop("fixed_filters", {})
    args = request.args.copy()
    for key, value in fixed.items():
        args.setlist(key, [value])
    errors: dict[str, list[str]] = {}
    try:
        params = discovery.parse_params(args)
    except InvalidInput as exc:
        errors, params = exc.errors, exc.details["params"]
    page = parts = None
    try:
        if errors:
            page = discovery.search_inventory(params)
        else:
            parts = discovery.search_rendered(
                params,
                lambda found: _result_parts(found, params, list(fixed), context),
                variant=_url_variant(),
            )
    except search.IndexUnavailable:
        return (
            render_template(
                template, page=None, params=params, errors=errors, unavailable=True, **context
            ),
            503,
        )
    return (
        render_template(
            template,
            page=page,
            parts=parts,
            params=params,
            errors=errors,
            unavailable=False,
            **context,
        ),
        status,
    )


def _result_parts(page, params, hidden_facets: list[str], context: dict) -> dict[str, Markup]:
    """The results and the filters of a search page, as HTML (plain data to remember)."""
    values = dict(
        page=page,
        params=params,
        errors={},
        unavailable=False,
        hidden_facets=hidden_facets,
        **context,
    )
    # Safe: templates are autoescaped, so what they render is already HTML.
    return {
        "results": Markup(render_template("public/_results.html", **values)),  # noqa: S704  # nosec B704
        "facets": Markup(render_template("public/_facets.html", **values)),  # noqa: S704  # nosec B704
    }


def _url_variant() -> tuple:
    """What the links of a result page are made from besides the search itself: the page's
    address and every parameter of the URL as given."""
    return (
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        tuple(sorted(request.args.items(multi=True))),
    )


@bp.get("/healthz")
def healthz():
    """The cheapest answer the app gives: the ceiling a benchmark compares search with."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/readyz")
def readyz():
    """Whether this process can serve (for a load balancer): the database answers and search
    reads. 200, or 503 with ``Retry-After`` naming what is down; never kept by a cache."""
    state = health.readiness()
    response = jsonify(state.as_dict())
    response.headers["Cache-Control"] = "no-store"
    if not state.ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(health.RETRY_AFTER)
    return response


@bp.get("/", endpoint="home")
@bp.get("/search", endpoint="search")
def search_page():
    """The home page is the search."""
    return _search_page("public/search.html")


@bp.get("/search.csv")
def search_csv():
    """Every match of the search in the URL, as CSV in the inventory record format.
    ---
    get:
      summary: Any search as CSV (record format)
      description: Every active match of the search (at most 10,000), one record a row in the
        record format's column form, which `flask inventory import` reads back. UTF-8 with a
        byte-order mark; a cell that would start a formula (`=`, `+`, `-`, `@`) is prefixed
        with an apostrophe, which the import removes. After the record's columns come
        `institution_name`, `industry_titles`, `occupation_titles` (code and title) and `url`
        (the entry's page), for people reading it; the import ignores them.
        `X-Total-Count` gives the matches.
      tags: [Exports]
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            text/csv:
              schema: {type: string}
        400: {description: A search parameter was not understood.}
        503: {description: The search index is temporarily unavailable.}
    """
    try:
        params = discovery.parse_params(request.args)
        total, lines = exports.search_csv(
            params, lambda e: url_for("public.entry", key=e.slug, _external=True)
        )
    except InvalidInput as exc:
        return error_response(400, "Bad Request", exc.message, errors=exc.errors)
    except search.IndexUnavailable:
        return error_response(503, "Service Unavailable", "Search is temporarily unavailable.")
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="micro-credentials.csv"'
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.get("/feed.xml")
def feed():
    """An Atom feed of the newest and newly updated entries.
    ---
    get:
      summary: Atom feed of new and updated entries
      description: The 50 most recently published or changed active entries. `/search.atom`
        gives the same for any search.
      tags: [Exports]
      responses:
        200:
          content:
            application/atom+xml:
              schema: {type: string}
    """
    entries = exports.latest_entries()
    updated = entries[0].updated_at if entries else datetime.now(UTC)
    body = render_template("public/feed.xml", entries=entries, updated=updated)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/credentials/<key>")
def entry(key: str):
    try:
        entry = discovery.view_entry(key)
    except NotFound as exc:
        abort(404, exc.message)
    return render_template(
        "public/entry.html",
        entry=entry,
        json_ld=discovery.schema_org(entry),
        stack_paths=discovery.stack_paths(entry),
    )


@bp.get("/credentials/<key>/enroll")
def enroll(key: str):
    """The entry's enrollment link, through the inventory so that click-throughs are counted."""
    try:
        url = discovery.enrollment_link(key)
    except NotFound as exc:
        abort(404, exc.message)
    return redirect(url)


@bp.get("/institutions")
def institutions():
    return render_template("public/institutions.html", rows=discovery.institutions_with_counts())


@bp.get("/institutions/<slug>")
def institution(slug: str):
    try:
        inst = discovery.get_institution(slug)
    except NotFound as exc:
        abort(404, exc.message)
    return _search_page(
        "public/institution.html", institution=inst, fixed_filters={"institution": inst.code}
    )


def _taxonomy_page(kind: TaxonomyKind, code: str, endpoint: str):
    try:
        page = taxonomy_pages.taxonomy_page(kind, code)
    except NotFound as exc:
        abort(404, exc.message)
    if page.term.code != code:  # 291141 → 29-1141: one address per code
        return redirect(url_for(endpoint, code=page.term.code), 301)
    return render_template("public/taxonomy.html", page=page, kind=kind.value)


@bp.get("/occupations/<code>")
def occupation(code: str):
    return _taxonomy_page(TaxonomyKind.OCCUPATION, code, "public.occupation")


@bp.get("/industries/<code>")
def industry(code: str):
    return _taxonomy_page(TaxonomyKind.INDUSTRY, code, "public.industry")


@bp.get("/employers", endpoint="employers")
def employers_page():
    try:
        view = employers.employer_view()
    except search.IndexUnavailable:
        return render_template("public/employers.html", view=None, unavailable=True), 503
    return render_template("public/employers.html", view=view, unavailable=False)
