"""The public JSON API, ``/api/v1``. Same services and parameters as the pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from app import search
from app.access import access
from app.auth_loader import bearer_token
from app.errors import error_response
from app.extensions import csrf
from app.services import discovery, records
from app.services.errors import InvalidInput, NotFound

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _csrf_for_cookie_callers():
    # Token callers carry no cookie a forged page could borrow; a browser session that writes
    # through the API must send the CSRF token (``X-CSRFToken``), as every form does.
    if request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token(request) is None:
        csrf.protect()


def _unavailable():
    return error_response(
        503,
        "Service Unavailable",
        "Search is temporarily unavailable. Please try again in a few minutes.",
    )


def _invalid(exc: InvalidInput):
    return error_response(400, "Bad Request", exc.message, errors=exc.errors)


def _summary(entry, hit) -> dict:
    c = entry.content
    return {
        "id": entry.id,
        "external_id": entry.external_id,
        "title": entry.title,
        "institution": {
            "code": entry.institution.code,
            "name": entry.institution.name,
            "url": url_for("public.institution", slug=entry.institution.slug, _external=True),
        },
        "endorsement": entry.endorsement.value,
        "endorsement_label": entry.endorsement.label,
        "entry_type": entry.entry_type.value,
        "credit_bearing": c.credit_bearing,
        "credit_hours": c.credit_hours,
        "clock_hours": c.clock_hours,
        "delivery": c.delivery.value if c.delivery else None,
        "duration_weeks": c.duration_weeks,
        "cost_usd": c.cost_usd,
        "skills": [s.name for s in c.skills],
        "summary": c.summary,
        "snippet": str(hit.snippet_html),
        "matched_labels": hit.taxonomy_matches,
        "url": url_for("public.entry", key=entry.slug, _external=True),
        "api_url": url_for("api.credential", entry_id=entry.id, _external=True),
    }


def _interpretation(page) -> dict:
    """How the words of ``q`` were read: what was searched, corrected, taken as a filter."""
    r = page.results
    plan = r.plan
    labels = {(f.name, v.value): v.label for f in page.facets for v in f.values if v.from_words}
    offer = None
    if r.institution_offer:
        inst, n = r.institution_offer
        offer = {"code": inst.code, "name": inst.name, "words": inst.words, "matches": n}
    return {
        "searched": (r.corrected or plan.text) if plan else "",
        "corrected": (
            {"from": plan.text, "to": r.corrected, "words": plan.corrections}
            if r.corrected
            else None
        ),
        "filters_from_words": [
            {
                "facet": f.facet,
                "values": list(f.values),
                "labels": [labels.get((f.facet, v), v) for v in f.values],
                "words": f.words,
                "query_without": f.q_without,
            }
            for f in r.word_filters
        ],
        "institution_offer": offer,
        "total_without_word_filters": r.total_without_word_filters,
    }


def _facets(facet_views) -> dict:
    return {
        f.name: [
            {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
            for v in f.values
        ]
        for f in facet_views
    }


@bp.get("/credentials")
@access("public")
def credentials():
    """Search the inventory.
    ---
    get:
      summary: Search the inventory
      description: Full-text search with facet filters; the same parameters as the search page.
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            application/json:
              schema: SearchResponseSchema
        400:
          content:
            application/json:
              schema: ErrorSchema
        503:
          description: The search index is temporarily unavailable.
    """
    try:
        params = discovery.parse_params(request.args)
        body = discovery.search_rendered(
            params, lambda page: _search_body(params, page), variant=("api", request.host_url)
        )
    except InvalidInput as exc:
        return _invalid(exc)
    except search.IndexUnavailable:
        return _unavailable()
    return jsonify(body)


def _search_body(params, page) -> dict:
    r = page.results
    return {
        "total": r.total,
        "page": params.page,
        "per_page": params.per_page,
        "pages": r.pages,
        "sort": params.sort,
        "results": [_summary(entry, hit) for entry, hit in page.entries],
        "facets": _facets(page.facets),
        "suggestion": r.suggestion,
        "any_word_fallback": r.any_word_fallback,
        "interpretation": _interpretation(page),
    }


@bp.get("/credentials/<entry_id>")
@access("public")
def credential(entry_id: str):
    """One entry in the record format.
    ---
    get:
      summary: One inventory entry
      description: The entry in the inventory record format, with its id and address, found by
        its number or by the slug of its page address. Retired entries answer too, with
        `status` `retired`.
      parameters:
      - in: path
        name: entry_id
        description: the entry's number (`42`) or slug (`nursing-assistant-osu`)
        schema: {type: string}
        required: true
      responses:
        200:
          content:
            application/json:
              schema: CredentialSchema
        404:
          content:
            application/json:
              schema: ErrorSchema
    """
    try:
        entry = discovery.get_entry(entry_id)
    except NotFound as exc:
        return error_response(404, "Not Found", exc.message)
    body = {
        "id": entry.id,
        **records.entry_record(entry),
        "version": entry.version_number,
        "updated_at": entry.updated_at.isoformat(),
        "url": url_for("public.entry", key=entry.slug, _external=True),
    }
    return jsonify(body)


@bp.get("/suggest")
@access("public")
def suggest():
    """Suggestions as one types.
    ---
    get:
      summary: Suggestions for the search box
      description: Titles, skills and institutions with a word starting with `q`.
      parameters:
      - in: query
        name: q
        schema: {type: string}
        required: true
      responses:
        200:
          content:
            application/json:
              schema: SuggestResponseSchema
    """
    q = (request.args.get("q") or "")[:100]
    try:
        suggestions = search.suggest(q)
    except search.IndexUnavailable:
        return _unavailable()
    return jsonify(q=q, suggestions=suggestions)


@bp.get("/institutions")
@access("public")
def institutions():
    """The institutions.
    ---
    get:
      summary: Institutions and their number of active entries
      responses:
        200:
          content:
            application/json:
              schema: InstitutionListSchema
    """
    return jsonify(
        institutions=[
            {
                "code": inst.code,
                "name": inst.name,
                "kind": inst.kind.value,
                "city": inst.city,
                "website": inst.website,
                "active_entries": n,
                "url": url_for("public.institution", slug=inst.slug, _external=True),
            }
            for inst, n in discovery.institutions_with_counts()
        ]
    )


@bp.get("/facets")
@access("public")
def facets():
    """Every facet value with its count over the whole public inventory.
    ---
    get:
      summary: Facets and their values
      description: Every value of every facet, with the number of active entries having it.
      responses:
        200:
          content:
            application/json:
              schema: FacetsResponseSchema
    """
    try:
        page = discovery.search_inventory(search.SearchParams(per_page=1))
    except search.IndexUnavailable:
        return _unavailable()
    return jsonify(facets=_facets(page.facets))


from app.views import api_requests  # noqa: E402,F401  (adds the workflow routes to this blueprint)
