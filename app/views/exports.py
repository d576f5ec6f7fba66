"""The inventory in the formats other systems read: the record format (JSON, JSON Lines), CTDL
JSON-LD, Open Badges 3.0, Atom feeds of any search, the sitemap and robots.txt.

Thin: parse the address, call ``app.services.exports``, serialise. Each view's docstring is
its OpenAPI description.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.datastructures import MultiDict

from app import search
from app.errors import error_response
from app.services import discovery, exports
from app.services.errors import InvalidInput, NotFound

bp = Blueprint("exports", __name__)

JSON_LD = "application/ld+json"


def _json(body: dict, mimetype: str = "application/json", status: int = 200) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1) + "\n", status=status, mimetype=mimetype
    )


def _not_found(exc: NotFound):
    return error_response(404, "Not Found", exc.message)


def _bad_request(exc: InvalidInput):
    return error_response(400, "Bad Request", exc.message, errors=exc.errors)


def _unavailable():
    return error_response(503, "Service Unavailable", "Search is temporarily unavailable.")


# --- one entry ------------------------------------------------------------------------------


@bp.get("/credentials/<key>.json")
def entry_record(key: str):
    """One entry in the inventory record format.
    ---
    get:
      summary: One entry in the record format (JSON)
      description: The entry as one record of the inventory record format, which
        `flask inventory import` reads back. `key` is the entry's id or its slug.
        A retired entry answers too, with `status` `retired`.
      tags: [Exports]
      parameters:
      - {in: path, name: key, required: true, schema: {type: string}}
      responses:
        200:
          content:
            application/json:
              schema: Record
        404: {description: No entry at this address.}
    """
    try:
        return _json(exports.entry_record(key))
    except NotFound as exc:
        return _not_found(exc)


@bp.get("/credentials/<key>.jsonld")
def entry_ctdl(key: str):
    """One entry in CTDL.
    ---
    get:
      summary: One entry as CTDL JSON-LD
      description: The entry as a `ceterms:MicroCredential` or `ceterms:DigitalBadge` of the
        Credential Transparency Description Language, for the Credential Registry. Its
        `ceterms:ctid` never changes. A retired entry answers with `ceterms:credentialStatusType`
        Deprecated.
      tags: [Exports]
      parameters:
      - {in: path, name: key, required: true, schema: {type: string}}
      responses:
        200:
          content:
            application/ld+json:
              schema: {type: object}
        404: {description: No entry at this address.}
    """
    try:
        return _json(exports.entry_ctdl(key), JSON_LD)
    except NotFound as exc:
        return _not_found(exc)


@bp.get("/credentials/<key>/achievement.json")
def achievement(key: str):
    """The entry's badge as an Open Badges 3.0 Achievement.
    ---
    get:
      summary: A badge as an Open Badges 3.0 Achievement
      description: The badge definition a badge platform imports. An endorsed badge carries the
        State Regents' endorsement as an `EndorsementCredential` naming the achievement; it is
        not signed (no `proof`). 404 when the entry has no badge.
      tags: [Exports]
      parameters:
      - {in: path, name: key, required: true, schema: {type: string}}
      responses:
        200:
          content:
            application/json:
              schema: {type: object}
        404: {description: No entry at this address, or it has no badge.}
    """
    try:
        return _json(exports.achievement(key))
    except NotFound as exc:
        return _not_found(exc)


@bp.get("/institutions/<slug>.jsonld")
def institution_ctdl(slug: str):
    """An institution in CTDL.
    ---
    get:
      summary: An institution as a CTDL CredentialOrganization
      description: The organisation that owns and offers entries, with its own `ceterms:ctid`.
      tags: [Exports]
      parameters:
      - {in: path, name: slug, required: true, schema: {type: string}}
      responses:
        200:
          content:
            application/ld+json:
              schema: {type: object}
        404: {description: No institution at this address.}
    """
    try:
        return _json(exports.institution_ctdl(slug), JSON_LD)
    except NotFound as exc:
        return _not_found(exc)


@bp.get("/state-regents.jsonld")
def regents_ctdl():
    """The State Regents in CTDL.
    ---
    get:
      summary: The State Regents as a CTDL organisation
      description: The quality-assurance body named by `ceterms:approvedBy` of endorsed entries.
      tags: [Exports]
      responses:
        200:
          content:
            application/ld+json:
              schema: {type: object}
    """
    return _json(exports.regents_ctdl(), JSON_LD)


# --- any search -----------------------------------------------------------------------------


def _search_params(**kwargs):
    return discovery.parse_params(request.args, **kwargs)


def _stream(lines, mimetype: str, filename: str, total: int) -> Response:
    response = Response(stream_with_context(lines), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Total-Count"] = str(total)
    return response


def _jsonl():
    try:
        total, lines = exports.search_jsonl(_search_params())
    except InvalidInput as exc:
        return _bad_request(exc)
    except search.IndexUnavailable:
        return _unavailable()
    return _stream(lines, "application/jsonl", "micro-credentials.jsonl", total)


@bp.get("/search.jsonl")
def search_jsonl():
    """Any search as JSON Lines.
    ---
    get:
      summary: Any search as JSON Lines (record format)
      description: Every active match of the search (at most 10,000, in the search's order),
        one record of the inventory record format a line; `flask inventory import` reads the
        file back unchanged. The search page's parameters; `page` and `per_page` are ignored.
        The header `X-Total-Count` gives the number of matches.
      tags: [Exports]
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            application/jsonl:
              schema: Record
        400: {description: A search parameter was not understood.}
        503: {description: The search index is temporarily unavailable.}
    """
    return _jsonl()


@bp.get("/api/v1/credentials.jsonl")
def api_credentials_jsonl():
    """Any search as JSON Lines (API address).
    ---
    get:
      summary: Any search as JSON Lines (record format)
      description: The same as `/search.jsonl`, at the API's address.
      tags: [Exports]
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            application/jsonl:
              schema: Record
        400:
          content:
            application/json:
              schema: Error
        503: {description: The search index is temporarily unavailable.}
    """
    return _jsonl()


@bp.get("/api/v1/ctdl")
def api_ctdl():
    """Any search in CTDL, a page at a time.
    ---
    get:
      summary: Any search as a CTDL @graph
      description: One page of the search's active matches (`page`, `per_page` up to 100) as a
        JSON-LD `@graph` of CTDL credentials followed by the organisations they name. Paging is
        in the headers `X-Total-Count` and `Link` (`rel="next"`, `rel="prev"`).
      tags: [Exports]
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            application/ld+json:
              schema: {type: object}
        400:
          content:
            application/json:
              schema: Error
        503: {description: The search index is temporarily unavailable.}
    """
    try:
        params = _search_params()
        result = exports.search_ctdl(params, request.url)
    except InvalidInput as exc:
        return _bad_request(exc)
    except search.IndexUnavailable:
        return _unavailable()
    response = _json(result.document, JSON_LD)
    response.headers["X-Total-Count"] = str(result.total)
    links = []
    args = MultiDict(request.args)
    for rel, page in (("prev", result.page - 1), ("next", result.page + 1)):
        if 1 <= page <= result.pages:
            args["page"] = str(page)
            url = url_for("exports.api_ctdl", _external=True, **args.to_dict(flat=False))
            links.append(f'<{url}>; rel="{rel}"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@bp.get("/search.atom")
def search_atom():
    """An Atom feed of any search.
    ---
    get:
      summary: Any search as an Atom feed
      description: The newest changes among the search's matches (50), most recent first, with
        the search page's parameters, so a feed reader can follow a search. An entry that is
        changed comes again with a new `updated`; an entry that is retired comes as an update
        saying so.
      tags: [Exports]
      parameters:
      - in: query
        schema: SearchArgsSchema
      responses:
        200:
          content:
            application/atom+xml:
              schema: {type: string}
        400: {description: A search parameter was not understood.}
        503: {description: The search index is temporarily unavailable.}
    """
    try:
        params = _search_params()
        entries = exports.search_feed(params)
    except InvalidInput as exc:
        return _bad_request(exc)
    except search.IndexUnavailable:
        return _unavailable()
    args = MultiDict(request.args)
    args.pop("page", None)
    query = args.to_dict(flat=False)
    updated = entries[0].updated_at if entries else datetime.now(UTC)
    body = render_template(
        "exports/search.atom.xml",
        entries=entries,
        updated=updated,
        self_url=url_for("exports.search_atom", _external=True, **query),
        html_url=url_for("public.search", _external=True, **query),
        described=" · ".join(f"{k}: {', '.join(v)}" for k, v in query.items() if any(v)),
    )
    return Response(body, mimetype="application/atom+xml")


# --- for search engines ---------------------------------------------------------------------


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap.
    ---
    get:
      summary: Sitemap of the public pages
      description: Every active entry's page, every institution's page, the search, the
        institution list and the employer view (sitemaps.org protocol). Past 50,000 addresses
        it is a sitemap index of the parts `/sitemap-1.xml`, `/sitemap-2.xml`, …
      tags: [Exports]
      responses:
        200:
          content:
            application/xml:
              schema: {type: string}
    """
    parts = exports.sitemap_parts()
    if parts == 1:
        body = render_template("exports/sitemap.xml", urls=exports.sitemap_part(1))
    else:
        body = render_template("exports/sitemap_index.xml", parts=range(1, parts + 1))
    return Response(body, mimetype="application/xml")


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    """One part of a large sitemap.
    ---
    get:
      summary: One part of the sitemap
      description: Up to 50,000 addresses; listed by `/sitemap.xml` when the site has more.
      tags: [Exports]
      parameters:
      - {in: path, name: part, required: true, schema: {type: integer}}
      responses:
        200:
          content:
            application/xml:
              schema: {type: string}
        404: {description: No such part.}
    """
    try:
        urls = exports.sitemap_part(part)
    except NotFound as exc:
        return _not_found(exc)
    body = render_template("exports/sitemap.xml", urls=urls)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """robots.txt.
    ---
    get:
      summary: robots.txt
      description: Lets crawlers read the public pages, keeps them out of the staff and
        institution areas, and points to the sitemap.
      tags: [Exports]
      responses:
        200:
          content:
            text/plain:
              schema: {type: string}
    """
    lines = [
        "User-agent: *",
        "Allow: /",
        *(
            f"Disallow: {path}"
            for path in ("/institution/", "/review", "/approvals", "/admin", "/account", "/login")
        ),
        "",
        f"Sitemap: {url_for('exports.sitemap', _external=True)}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")
