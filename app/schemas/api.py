"""Schemas of the public JSON API; they also describe it in the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.record import RecordSchema
from app.search import FACET_NAMES, SORTS


class SearchArgsSchema(Schema):
    q = fields.String(metadata={"description": 'Words or "a phrase"; all words must match.'})
    page = fields.Integer(load_default=1, metadata={"description": "From 1."})
    per_page = fields.Integer(load_default=20, metadata={"description": "1 to 100."})
    sort = fields.String(
        load_default="relevance", metadata={"enum": list(SORTS), "description": "Order of results."}
    )
    as_typed = fields.Boolean(
        load_default=False,
        metadata={"description": "1: search the words as typed, without spelling correction."},
    )


for _name in FACET_NAMES:
    SearchArgsSchema._declared_fields[_name] = fields.List(
        fields.String(), metadata={"description": f"Filter by {_name}; repeat for several values."}
    )


class InstitutionRefSchema(Schema):
    code = fields.String()
    name = fields.String()
    url = fields.String()


class CredentialSummarySchema(Schema):
    id = fields.Integer()
    external_id = fields.String()
    title = fields.String()
    institution = fields.Nested(InstitutionRefSchema)
    endorsement = fields.String(metadata={"enum": ["endorsed", "not-endorsed"]})
    endorsement_label = fields.String()
    entry_type = fields.String()
    credit_bearing = fields.Boolean()
    credit_hours = fields.Float(allow_none=True)
    clock_hours = fields.Float(allow_none=True)
    delivery = fields.String(allow_none=True)
    duration_weeks = fields.Float(allow_none=True)
    cost_usd = fields.Float(allow_none=True)
    skills = fields.List(fields.String())
    summary = fields.String()
    snippet = fields.String(
        metadata={"description": "HTML: the matching fragment, escaped, with matches in <mark>."}
    )
    matched_labels = fields.List(
        fields.String(),
        metadata={"description": "Taxonomy labels the words matched (“Leadership competency”)."},
    )
    url = fields.String()
    api_url = fields.String()


class FacetValueSchema(Schema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()
    selected = fields.Boolean()


class SearchResponseSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    sort = fields.String()
    results = fields.List(fields.Nested(CredentialSummarySchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    suggestion = fields.String(
        allow_none=True, metadata={"description": "The corrected query that was searched, if any."}
    )
    any_word_fallback = fields.Boolean(
        metadata={"description": "No entry had all words; these have any of them."}
    )
    interpretation = fields.Dict(
        metadata={
            "description": "How `q` was read: `searched` (the words searched), `corrected` "
            "(`from`, `to`, `words`; search with `as_typed=1` to turn it off), "
            "`filters_from_words` (facet, values, labels, the words, the query without them), "
            "`institution_offer` (an institution named in `q`: code, name, matches) and "
            "`total_without_word_filters` (when those filters leave nothing)."
        }
    )


class CredentialSchema(RecordSchema):
    """An entry in the record format, plus its id and addresses."""

    id = fields.Integer()
    url = fields.String()
    version = fields.Integer()
    updated_at = fields.DateTime()


class SuggestResponseSchema(Schema):
    q = fields.String()
    suggestions = fields.List(fields.String())


class InstitutionSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    city = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    active_entries = fields.Integer()
    url = fields.String()


class InstitutionListSchema(Schema):
    institutions = fields.List(fields.Nested(InstitutionSchema))


class FacetsResponseSchema(Schema):
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))


class ErrorSchema(Schema):
    error = fields.String()
    message = fields.String()
    status = fields.Integer()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    request_id = fields.String(
        metadata={"description": "The request's id, also in the X-Request-ID header."}
    )


class RequestCreateSchema(Schema):
    kind = fields.String(
        required=True,
        metadata={"enum": ["endorsement", "listing", "badge", "change", "retirement"]},
    )
    entry = fields.Integer(metadata={"description": "The published entry (change, retirement)."})
    title = fields.String()
    summary = fields.String()
    credit_bearing = fields.Boolean()
    credit_hours = fields.Float()
    courses = fields.List(fields.Dict())
    skills = fields.List(fields.String())
    occupations = fields.List(fields.String())
    cip_codes = fields.List(
        fields.String(), metadata={"description": "CIP 2020 program codes, such as 51.3801."}
    )
    partners = fields.List(fields.Dict())
    badge = fields.Dict()


class RequestUpdateSchema(RequestCreateSchema):
    version = fields.Integer(required=True)


class TransitionSchema(Schema):
    action = fields.String(
        required=True,
        metadata={
            "enum": [
                "submit",
                "withdraw",
                "claim",
                "request_revisions",
                "resubmit",
                "recommend",
                "approve",
                "decline",
                "return",
            ]
        },
    )
    version = fields.Integer(required=True)
    comment = fields.String()
    recommendation = fields.String(
        metadata={"enum": ["endorse", "list", "decline", "apply", "retire", "keep"]}
    )


class RequestSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    version = fields.Integer()
    entry_id = fields.Integer(allow_none=True)
    allowed_actions = fields.List(fields.String())
    transitions = fields.List(fields.Dict())
    comments = fields.List(fields.Dict())
