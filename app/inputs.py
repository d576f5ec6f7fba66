"""Text from a request that no database can store becomes the replacement character.

A NUL character (``\\x00``) or a lone surrogate (possible in JSON's ``\\ud800`` escapes) cannot be
stored by PostgreSQL, nor encoded as UTF-8. Before any view sees them they are replaced by
U+FFFD, as browsers do with NUL in a page and as Werkzeug already does with bytes that are not
UTF-8. This covers the query string, form fields (values and names), uploaded files' names,
JSON bodies and the parts of the URL that views receive. Everything else is left as sent.

A number in a URL (``/requests/<int:request_id>``) larger than the database's INTEGER columns
hold (2**31 - 1) matches no page (404), as a number of no record would.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

REPLACEMENT = "\ufffd"
MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER, the type of every id and version column
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean(value: Any) -> Any:
    """``value`` with NUL and lone surrogates replaced, if it is a string; else unchanged."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, FileStorage) and value.filename:
        value.filename = _UNSTORABLE.sub(REPLACEMENT, value.filename)
    return value


def parse_id(value: str | None) -> int | None:
    """A record number typed or sent as text: ASCII digits up to ``MAX_ID``, else None.
    (``str.isdigit`` alone accepts "²", and numbers no id column holds.)"""
    if value and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
        return number if number <= MAX_ID else None
    return None


def fits_id(value: Any) -> bool:
    """Whether ``value`` can be the id of a row: a whole number from 1 to ``MAX_ID``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): _clean_json(v) for k, v in value.items()}
    return value


class CleanParameters(ImmutableMultiDict):
    """The query string's and the form's parameters, cleaned as they are parsed."""

    def __init__(self, mapping=None) -> None:
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(clean(k), clean(v)) for k, v in pairs])


class CleanRequest(Request):
    parameter_storage_class = CleanParameters


class CleanJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return _clean_json(super().loads(s, **kwargs))


class IdConverter(IntegerConverter):
    """``<int:…>`` up to the largest value of an INTEGER column (ids, versions)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_inputs(app: Flask) -> None:
    """Call before the blueprints are registered (their routes pick up the converter)."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = CleanRequest
    app.json = CleanJSONProvider(app)

    @app.url_value_preprocessor
    def _clean_view_args(endpoint, values) -> None:
        if values:
            for key, value in values.items():
                values[key] = clean(value)
