"""Running a search: parse, match, filter by facets, count facets, sort, page, highlight.

Facet filtering and counting work on sets of Whoosh document numbers: each facet value's
postings are read once per index generation and cached, so counting every facet for every
query is a set intersection per value. Counts are disjunctive: a facet's counts apply every
other facet's filters but not its own, so picking a second value of a facet widens the search.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import highlight
from whoosh.qparser import (
    AndGroup,
    BoostPlugin,
    EveryPlugin,
    FieldsPlugin,
    MultifieldParser,
    OrGroup,
    RangePlugin,
    WildcardPlugin,
)
from whoosh.query import NullQuery, Query
from whoosh.searching import Searcher

from app.search.schema import FACETS, SCHEMA, TEXT_FIELDS

SORTS = ("relevance", "newest", "title", "cost", "duration")
SORT_LABELS = {
    "relevance": "Best match",
    "newest": "Newest",
    "title": "Title (A–Z)",
    "cost": "Lowest cost",
    "duration": "Shortest duration",
}
MAX_QUERY_LENGTH = 500
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Hit:
    entry_id: int
    score: float | None
    title_html: Markup
    snippet_html: Markup


@dataclass
class FacetCount:
    value: str
    count: int
    selected: bool = False
    label: str = ""


@dataclass
class SearchResults:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    any_word_fallback: bool = False
    only_stop_words: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


def _parser(group) -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), SCHEMA, fieldboosts=TEXT_FIELDS, group=group)
    # People type words and "phrases", not query syntax: field names, wildcards, ranges and
    # boosts are read as plain words, so `title:(` or `***` can neither fail nor run away.
    for plugin in (FieldsPlugin, WildcardPlugin, RangePlugin, BoostPlugin, EveryPlugin):
        parser.remove_plugin_class(plugin)
    return parser


_AND_PARSER = _parser(AndGroup)
_OR_PARSER = _parser(OrGroup)


class _SetCache:
    """Document-number sets of one searcher generation: all live documents, facet postings."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.lock = threading.Lock()
        reader = searcher.reader()
        self.all_docs = frozenset(reader.all_doc_ids())
        self._postings: dict[str, dict[str, frozenset[int]]] = {}
        self._columns: dict[str, list] = {}
        self._entry_ids: dict[int, int] | None = None

    def column(self, name: str) -> list:
        """A sortable column's value of every document, indexed by document number."""
        values = self._columns.get(name)
        if values is None:
            with self.lock:
                values = list(self.searcher.reader().column_reader(name))
                self._columns[name] = values
        return values

    def entry_id(self, docnum: int) -> int:
        if self._entry_ids is None:
            with self.lock:
                self._entry_ids = {
                    docnum: int(fields["id"])
                    for docnum, fields in self.searcher.reader().iter_docs()
                }
        return self._entry_ids[docnum]

    def postings(self, facet: str) -> dict[str, frozenset[int]]:
        cached = self._postings.get(facet)
        if cached is not None:
            return cached
        with self.lock:
            reader = self.searcher.reader()
            fieldname = f"f_{facet}"
            values: dict[str, frozenset[int]] = {}
            for term in reader.lexicon(fieldname):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                ids = frozenset(reader.postings(fieldname, text).all_ids())
                if ids:
                    values[text] = ids
            self._postings[facet] = values
            return values


_cache_lock = threading.Lock()


def _cache_for(searcher: Searcher) -> _SetCache:
    """The set cache of this searcher; a refreshed searcher (new index generation) gets its own."""
    cache = getattr(searcher, "_inventory_sets", None)
    if cache is None:
        with _cache_lock:
            cache = getattr(searcher, "_inventory_sets", None)
            if cache is None:
                cache = _SetCache(searcher)
                searcher._inventory_sets = cache
    return cache


def parse(q: str, any_word: bool = False) -> Query:
    parser = _OR_PARSER if any_word else _AND_PARSER
    return parser.parse(q[:MAX_QUERY_LENGTH])


def did_you_mean(searcher: Searcher, q: str) -> str | None:
    """``"cybersecurty"`` → ``"cybersecurity"``, from words of public entries only."""
    reader = searcher.reader()
    corrector = searcher.corrector("spell")
    changed = False

    def fix(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        lowered = word.lower()
        if reader.doc_frequency("spell", lowered) > 0:
            return word
        options = corrector.suggest(lowered, limit=1, maxdist=2)
        if options and options[0] != lowered:
            changed = True
            return options[0]
        return word

    corrected = _WORD.sub(fix, q)
    return corrected if changed else None


def _filter_sets(cache: _SetCache, filters: dict[str, list[str]]) -> dict[str, frozenset[int]]:
    sets = {}
    for facet, values in filters.items():
        if not values:
            continue
        postings = cache.postings(facet)
        union: set[int] = set()
        for value in values:
            union |= postings.get(value, frozenset())
        sets[facet] = frozenset(union)
    return sets


def _intersect(base: frozenset[int], sets) -> frozenset[int]:
    result = base
    for s in sorted(sets, key=len):
        result = result & s
        if not result:
            break
    return result


def facet_counts(
    cache: _SetCache, base: frozenset[int], filter_sets: dict[str, frozenset[int]], filters
) -> dict[str, list[FacetCount]]:
    counts: dict[str, list[FacetCount]] = {}
    for facet in FACETS:
        scope = _intersect(base, [s for name, s in filter_sets.items() if name != facet.name])
        selected = set(filters.get(facet.name, []))
        values = []
        if scope:
            for value, ids in cache.postings(facet.name).items():
                n = len(scope & ids) if len(ids) > len(scope) else len(ids & scope)
                if n or value in selected:
                    values.append(FacetCount(value, n, value in selected))
        have = {v.value for v in values}
        values.extend(FacetCount(v, 0, True) for v in selected - have)
        values.sort(key=lambda v: (not v.selected, -v.count, v.value))
        counts[facet.name] = values
    return counts


_formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
_FRAGMENTERS = {
    "title": highlight.WholeFragmenter(),
    "summary": highlight.ContextFragmenter(maxchars=220, surround=60),
}


_SORT_KEYS = {
    "newest": (("published", True), ("title_sort", False)),
    "title": (("title_sort", False),),
    "cost": (("cost_sort", False), ("title_sort", False)),
    "duration": (("duration_sort", False), ("title_sort", False)),
}


def _query_terms(query: Query, fieldname: str) -> frozenset[str]:
    return frozenset(
        text.decode("utf-8") if isinstance(text, bytes) else text
        for field, text in query.all_terms()
        if field == fieldname
    )


def _highlight(query: Query, fieldname: str, text: str) -> Markup | None:
    terms = _query_terms(query, fieldname)
    if not text or not terms:
        return None
    html = highlight.highlight(
        text, terms, SCHEMA[fieldname].analyzer, _FRAGMENTERS[fieldname], _formatter, top=2
    )
    # Safe: Whoosh's formatter escapes the text it wraps in <strong> (the payload tests check).
    return Markup(html) if html else None  # noqa: S704  # nosec B704


def _plain_snippet(text: str, limit: int = 220) -> Markup:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return escape(text)


def _ordered(cache: _SetCache, final: frozenset[int], sort: str, scored) -> list[int]:
    """Document numbers of ``final`` in the order asked for."""
    if scored is not None:  # relevance: the scorer's order, best first
        return [docnum for _score, docnum in scored if docnum in final]
    keys = _SORT_KEYS[sort]
    docs = list(final)
    for column, reverse in reversed(keys):  # stable sorts, least significant key first
        values = cache.column(column)
        docs.sort(key=values.__getitem__, reverse=reverse)
    return docs


@dataclass
class _Match:
    """What a query matched, before facets and paging."""

    cache: _SetCache
    query: Query | None
    base: frozenset[int]
    scored: list | None
    filter_sets: dict[str, frozenset[int]]
    final: frozenset[int]
    fallback: bool = False
    only_stop_words: bool = False
    suggestion: str | None = None


def _match(searcher: Searcher, params: SearchParams) -> _Match:
    """Run the query once: its matches (with scores, when ranking by relevance) are the base
    set; facet filters are set operations on it."""
    cache = _cache_for(searcher)
    q = params.q.strip()
    relevance = params.sort == "relevance" and bool(q)

    def match(qry: Query):
        if relevance:
            pairs = searcher.search(qry, limit=None).top_n
            return frozenset(docnum for _s, docnum in pairs), pairs
        return frozenset(searcher.docs_for_query(qry)), None

    query, scored, fallback, only_stop_words, suggestion = None, None, False, False, None
    if q:
        query = parse(q)
        if query is NullQuery:
            only_stop_words = True
            base = frozenset()
        else:
            base, scored = match(query)
            if not base:
                loose = parse(q, any_word=True)
                if loose != query and loose is not NullQuery:
                    loose_base, loose_scored = match(loose)
                    if loose_base:
                        query, base, scored, fallback = loose, loose_base, loose_scored, True
        if not base or fallback:
            suggestion = did_you_mean(searcher, q)
    else:
        base = cache.all_docs
    filter_sets = _filter_sets(cache, params.filters)
    final = _intersect(base, filter_sets.values())
    return _Match(
        cache, query, base, scored, filter_sets, final, fallback, only_stop_words, suggestion
    )


def ordered_ids(searcher: Searcher, params: SearchParams, limit: int) -> tuple[int, list[int]]:
    """``(total, entry ids)``: every match of a search in its order, at most ``limit`` ids
    (for exports); no facets, no highlighting."""
    m = _match(searcher, params)
    sort = params.sort if params.sort in _SORT_KEYS else "title"
    order = _ordered(m.cache, m.final, sort, m.scored)[:limit]
    return len(m.final), [m.cache.entry_id(docnum) for docnum in order]


def run(searcher: Searcher, params: SearchParams, texts) -> SearchResults:
    """Search the live index. ``texts(entry_ids)`` returns ``{id: (title, summary)}`` from the
    database, used for highlighting (the index keeps no copy of the text). Facet counts are
    set operations on the matches; sorting uses cached columns."""
    m = _match(searcher, params)
    cache, query, scored, final = m.cache, m.query, m.scored, m.final
    facets = facet_counts(cache, m.base, m.filter_sets, params.filters)

    hits: list[Hit] = []
    start = (params.page - 1) * params.per_page
    if final and start < len(final):
        order = _ordered(
            cache, final, params.sort if params.sort in _SORT_KEYS else "title", scored
        )
        page = order[start : start + params.per_page]
        score_of = dict((d, s) for s, d in scored) if scored is not None else {}
        ids = [cache.entry_id(docnum) for docnum in page]
        text_of = texts(ids)
        for docnum, entry_id in zip(page, ids, strict=True):
            title, summary = text_of.get(entry_id, ("", ""))
            title_html = (_highlight(query, "title", title) if query else None) or escape(title)
            snippet = (_highlight(query, "summary", summary) if query else None) or _plain_snippet(
                summary
            )
            hits.append(Hit(entry_id, score_of.get(docnum), title_html, snippet))
    return SearchResults(
        params=params,
        total=len(final),
        hits=hits,
        facets=facets,
        suggestion=m.suggestion,
        any_word_fallback=m.fallback,
        only_stop_words=m.only_stop_words,
    )


def suggest(searcher: Searcher, prefix: str, limit: int = 8) -> list[str]:
    """Titles, skills and institutions having a word that starts with ``prefix``."""
    prefix = " ".join(prefix.lower().split())
    if len(prefix) < 2:
        return []
    reader = searcher.reader()
    scored: dict[str, int] = {}
    for n, term in enumerate(reader.expand_prefix("suggest", prefix)):
        if n >= 2000:
            break
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        display = text.split("|", 1)[-1]
        freq = reader.doc_frequency("suggest", text)
        scored[display] = scored.get(display, 0) + freq
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0].lower()))
    seen: set[str] = set()
    out = []
    for display, _ in ranked:
        key = display.lower()
        if key not in seen:
            seen.add(key)
            out.append(display)
        if len(out) >= limit:
            break
    return out


def skill_labels(searcher: Searcher, keys: list[str]) -> dict[str, str]:
    """``{"sql": "SQL"}``: the written form of each folded skill key, read from the
    suggestion terms ("key|Written form") rather than the database."""
    reader = searcher.reader()
    labels = {}
    for key in keys:
        for term in reader.expand_prefix("suggest", f"{key}|"):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            labels[key] = text.split("|", 1)[1]
            break
    return labels
