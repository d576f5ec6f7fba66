"""Building search URLs from the current one: the whole search state lives in the URL."""

from __future__ import annotations

from flask import request, url_for
from werkzeug.datastructures import MultiDict


def _args() -> MultiDict:
    return MultiDict(request.args)


def url_with(endpoint: str | None = None, **changes) -> str:
    """The current URL with ``changes`` applied (``None`` removes a parameter); page resets."""
    args = _args()
    args.pop("page", None)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    return url_for(
        endpoint or request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False)
    )


def url_toggle(name: str, value: str, endpoint: str | None = None) -> str:
    """The current URL with facet value ``name=value`` added, or removed if already there."""
    args = _args()
    args.pop("page", None)
    values = args.getlist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    args.setlist(name, values)
    return url_for(
        endpoint or request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False)
    )


def url_with_filter(name: str, value: str, **changes) -> str:
    """The current URL with facet value ``name=value`` added and ``changes`` applied."""
    args = _args()
    args.pop("page", None)
    if value not in args.getlist(name):
        args.add(name, value)
    for key, change in changes.items():
        args.pop(key, None)
        if change is not None:
            args[key] = change
    return url_for(request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False))


def url_page(page: int) -> str:
    args = _args()
    args["page"] = str(page)
    return url_for(request.endpoint, **(request.view_args or {}), **args.to_dict(flat=False))


def url_clear(q: str | None = None) -> str:
    """The current search without any facet filter (query and sort kept; ``q`` replaces the
    query, for one whose filter words are dropped too)."""
    keep = {k: v for k, v in request.args.items() if k in ("q", "sort") and v}
    if q is not None:
        keep.pop("q", None)
        if q:
            keep["q"] = q
    return url_for(request.endpoint, **(request.view_args or {}), **keep)


def url_csv(institution_code: str | None = None) -> str:
    """The CSV export of the current search (an institution page adds its fixed filter)."""
    return url_export("public.search_csv", institution_code)


def url_export(endpoint: str, institution_code: str | None = None) -> str:
    """The current search at another address (``exports.search_atom``, ``…search_jsonl``)."""
    args = _args()
    args.pop("page", None)
    if institution_code:
        args.setlist("institution", [institution_code])
    return url_for(endpoint, **args.to_dict(flat=False))
