"""Running a search: parse, match, filter by facets, count facets, sort, page, highlight.

Facet filtering and counting work on sets of Whoosh document numbers: each facet value's
postings are read once per index generation and cached, so counting every facet for every
query is a set intersection per value. Counts are disjunctive: a facet's counts apply every
other facet's filters but not its own, so picking a second value of a facet widens the search.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import islice

from markupsafe import Markup, escape
from whoosh import highlight
from whoosh.query import Phrase, Term
from whoosh.searching import Searcher

from app.search.analysis import fold, stems
from app.search.plan import AppliedFilter, InstitutionOffer, Plan, Synonyms, Vocabulary, make_plan
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
# A word being typed also matches word beginnings, in these fields, at this share of the
# field's weight, so that a whole-word match ranks first.
PREFIX_FIELDS = ("title", "skills_text")
PREFIX_WEIGHT = 0.3
PREFIX_TERMS = 200  # word beginnings expanded to at most this many indexed words per field
TERM_CACHE_SIZE = 20000
# Matches remembered per index generation (``SEARCH_MATCH_CACHE``; 0 turns it off).
MATCH_CACHE_SIZE = 256


def configure(match_cache_size: int) -> None:
    global MATCH_CACHE_SIZE
    MATCH_CACHE_SIZE = match_cache_size


@dataclass
class SearchParams:
    q: str = ""
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    as_typed: bool = False  # no spelling correction


@dataclass
class Hit:
    entry_id: int
    score: float | None
    title_html: Markup
    snippet_html: Markup
    taxonomy_matches: list[str] = field(default_factory=list)


@dataclass
class FacetCount:
    value: str
    count: int
    selected: bool = False
    label: str = ""
    from_words: AppliedFilter | None = None  # chosen by words of the query, not a parameter


@dataclass
class SearchResults:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    any_word_fallback: bool = False
    only_stop_words: bool = False
    plan: Plan | None = None
    terms: frozenset[str] = frozenset()  # the index terms searched for (highlighting)
    institution_offer: tuple[InstitutionOffer, int] | None = None  # and its number of matches
    total_without_word_filters: int | None = None

    @property
    def corrected(self) -> str | None:
        """The query as searched when a word was corrected ("phlebotomy" for "phlebotmy")."""
        return self.plan.corrected_text if self.plan else None

    @property
    def word_filters(self) -> list[AppliedFilter]:
        return self.plan.filters if self.plan else []

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


class Remembered:
    """At most ``MATCH_CACHE_SIZE`` computed values, the least recently used let go first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: OrderedDict[tuple, object] = OrderedDict()

    def get_or_compute(self, key: tuple, compute):
        if MATCH_CACHE_SIZE <= 0:
            return compute()
        with self.lock:
            found = self.values.get(key)
            if found is not None:
                self.values.move_to_end(key)
                return found
        value = compute()
        with self.lock:
            self.values[key] = value
            while len(self.values) > MATCH_CACHE_SIZE:
                self.values.popitem(last=False)
        return value


class _SetCache:
    """Document-number sets of one searcher generation: all live documents, facet postings."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.lock = threading.Lock()
        reader = searcher.reader()
        self.all_docs = frozenset(reader.all_doc_ids())
        self._postings: dict[str, dict[str, frozenset[int]]] = {}
        self._masks: dict[str, dict[str, int]] = {}
        self.all_mask = to_mask(self.all_docs)
        # What a query matched (with its scores), by the query's words and how they are read:
        # another page, sort or filter of the same words is then set operations only.
        self.matches: OrderedDict[tuple, tuple] = OrderedDict()
        self.pages = Remembered()
        self._columns: dict[str, list] = {}
        self._entry_ids: dict[int, int] | None = None
        # Each (field, term)'s scored postings, read once per generation: a common word
        # costs one walk of its postings, not one per search.
        self.terms: OrderedDict[tuple, dict[int, float]] = OrderedDict()
        self.near: dict[tuple[str, int], tuple[str, ...]] = {}  # spelling neighbours
        self.skill_labels: dict[str, str | None] = {}

    def term_scores(self, fieldname: str, text: str | tuple[str, ...]) -> dict[int, float]:
        """``{docnum: score}`` of a term (or a phrase, given as a tuple of terms)."""
        key = (fieldname, text)
        with self.lock:
            found = self.terms.get(key)
            if found is not None:
                self.terms.move_to_end(key)
                return found
        scores: dict[int, float] = {}
        if isinstance(text, tuple):
            query = Phrase(fieldname, list(text))
        else:
            query = Term(fieldname, text)
        matcher = query.matcher(self.searcher)
        while matcher.is_active():
            scores[matcher.id()] = matcher.score()
            matcher.next()
        with self.lock:
            self.terms[key] = scores
            while len(self.terms) > TERM_CACHE_SIZE:
                self.terms.popitem(last=False)
        return scores

    def page(self, key: tuple, compute):
        """``compute()``, remembered for this generation under ``key`` (a result page)."""
        return self.pages.get_or_compute(key, compute)

    def remembered(self, key: tuple):
        if MATCH_CACHE_SIZE <= 0:
            return None
        with self.lock:
            found = self.matches.get(key)
            if found is not None:
                self.matches.move_to_end(key)
            return found

    def remember(self, key: tuple, value: tuple) -> None:
        if MATCH_CACHE_SIZE <= 0:
            return
        with self.lock:
            self.matches[key] = value
            while len(self.matches) > MATCH_CACHE_SIZE:
                self.matches.popitem(last=False)

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

    def masks(self, facet: str) -> dict[str, int]:
        """Each value's documents as a bitset (bit ``n`` set: document ``n`` has it), so that
        counting a value within a match set is one AND and a popcount."""
        cached = self._masks.get(facet)
        if cached is None:
            cached = {value: to_mask(ids) for value, ids in self.postings(facet).items()}
            self._masks[facet] = cached
        return cached

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


def vocabulary(searcher: Searcher) -> Vocabulary:
    """What the index knows, for reading a query (see ``app.search.plan``)."""
    reader = searcher.reader()
    cache = _cache_for(searcher)

    def count(word: str) -> int:
        return reader.doc_frequency("spell", word)

    def indexed(stem: str) -> bool:
        return any(reader.doc_frequency(name, stem) > 0 for name in TEXT_FIELDS)

    def near(word: str, maxdist: int):
        key = (word, maxdist)
        found = cache.near.get(key)
        if found is None:
            found = cache.near[key] = tuple(reader.terms_within("spell", word, maxdist))
        return found

    def has_prefix(word: str) -> bool:
        return any(True for _ in islice(reader.expand_prefix("spell", word), 1))

    return Vocabulary(count, indexed, near, has_prefix)


def _unit_scores(cache: _SetCache, unit) -> dict[int, float]:
    """``{docnum: score}`` of the entries matching one unit: the sum, over its alternatives
    and the text fields, of each field's weight times the term's score (BM25F); a phrase is
    matched by Whoosh; a word beginning adds a small constant."""
    scores: dict[int, float] = {}
    for alt in unit.alternatives:
        tokens = [t for word in alt.words for t in stems(word)]
        if not tokens:
            continue
        for name, weight in TEXT_FIELDS.items():
            boost = weight * alt.boost
            key = tokens[0] if len(tokens) == 1 else tuple(tokens)
            for docnum, score in cache.term_scores(name, key).items():
                scores[docnum] = scores.get(docnum, 0.0) + score * boost
    if unit.prefix:
        reader = cache.searcher.reader()
        for name in PREFIX_FIELDS:
            bonus = TEXT_FIELDS[name] * PREFIX_WEIGHT
            for term in islice(reader.expand_prefix(name, unit.prefix), PREFIX_TERMS):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                postings = cache.term_scores(name, text)
                for docnum in postings:
                    scores[docnum] = scores.get(docnum, 0.0) + bonus
    return scores


def plan_scores(cache: _SetCache, plan: Plan, any_unit: bool) -> dict[int, float] | None:
    """``{docnum: score}`` of the entries matching all units of ``plan`` (any unit when
    ``any_unit``); None when the plan has no unit to search."""
    units = [_unit_scores(cache, u) for u in plan.units]
    units = [u for u, unit in zip(units, plan.units, strict=True) if _searchable(unit)]
    if not units:
        return None
    return combine_units(units, any_unit)


def combine_units(units: list[dict[int, float]], any_unit: bool) -> dict[int, float]:
    """The documents matching every one of ``units`` (``{docnum: score}`` each; any of them
    when ``any_unit``), with their scores summed (both backends)."""
    if any_unit:
        total: dict[int, float] = {}
        for found in units:
            for docnum, score in found.items():
                total[docnum] = total.get(docnum, 0.0) + score
        return total
    units = sorted(units, key=len)
    docs = set(units[0])
    for found in units[1:]:
        docs.intersection_update(found)
        if not docs:
            return {}
    return {d: sum(found[d] for found in units) for d in docs}


def _searchable(unit) -> bool:
    return bool(unit.prefix) or any(stems(w) for alt in unit.alternatives for w in alt.words)


def _plan_terms(searcher: Searcher, plan: Plan) -> frozenset[str]:
    """The index terms a plan looks for, word beginnings expanded (for highlighting)."""
    reader = searcher.reader()
    terms: set[str] = set()
    for unit in plan.units:
        for alt in unit.alternatives:
            for word in alt.words:
                terms.update(stems(word))
        if unit.prefix:
            for name in ("title", "summary"):
                for term in islice(reader.expand_prefix(name, unit.prefix), 40):
                    terms.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return frozenset(terms)


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


def to_mask(docs) -> int:
    """Document numbers as a bitset."""
    if not docs:
        return 0
    bits = bytearray((max(docs) >> 3) + 1)
    for d in docs:
        bits[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(bits, "little")


def facet_counts(
    cache: _SetCache, base: frozenset[int], filter_sets: dict[str, frozenset[int]], filters
) -> dict[str, list[FacetCount]]:
    counts: dict[str, list[FacetCount]] = {}
    scopes: dict[str | None, int] = {}  # facets without a filter of their own share one scope
    for facet in FACETS:
        own = facet.name if facet.name in filter_sets else None
        scope = scopes.get(own)
        if scope is None:
            docs = _intersect(base, [s for name, s in filter_sets.items() if name != own])
            scope = scopes[own] = cache.all_mask if docs is cache.all_docs else to_mask(docs)
        selected = set(filters.get(facet.name, []))
        values = []
        if scope:
            for value, mask in cache.masks(facet.name).items():
                n = (scope & mask).bit_count()
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


def _highlight(terms: frozenset[str], fieldname: str, text: str) -> Markup | None:
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


def _ordered(
    cache: _SetCache, final: frozenset[int], sort: str, scored, limit: int | None = None
) -> list[int]:
    """Document numbers of ``final`` in the order asked for (the first ``limit`` of them)."""
    if scored is not None:  # relevance: the scorer's order, best first
        if limit is None:
            return [docnum for _score, docnum in scored if docnum in final]
        return list(islice((d for _s, d in scored if d in final), limit))
    keys = _SORT_KEYS[sort]
    docs = list(final)
    for column, reverse in reversed(keys):  # stable sorts, least significant key first
        values = cache.column(column)
        docs.sort(key=values.__getitem__, reverse=reverse)
    return docs


@dataclass
class QueryContext:
    """What reading a query needs besides the index: the staff's synonyms and the
    institutions' names (``(code, name)``)."""

    synonyms: Synonyms = field(default_factory=Synonyms)
    institutions: tuple[tuple[str, str], ...] = ()
    literal: bool = False  # words only: no filter words, corrections or word beginnings

    def key(self) -> tuple:
        return (tuple(self.synonyms.groups), self.institutions, self.literal)


@dataclass
class _Match:
    """What a query matched, before facets and paging."""

    cache: _SetCache
    plan: Plan | None
    base: frozenset[int]
    scored: list | None
    filters: dict[str, list[str]]
    filter_sets: dict[str, frozenset[int]]
    final: frozenset[int]
    fallback: bool = False
    only_stop_words: bool = False


def _merge_filters(filters: dict[str, list[str]], plan: Plan | None) -> dict[str, list[str]]:
    merged = {name: list(values) for name, values in filters.items()}
    for applied in plan.filters if plan else []:
        values = merged.setdefault(applied.facet, [])
        values.extend(v for v in applied.values if v not in values)
    return merged


def read_query(q: str, params: SearchParams, context: QueryContext, vocab: Vocabulary) -> Plan:
    """The plan of ``q`` (see ``app.search.plan``), as both backends read it."""
    plan = make_plan(
        q,
        vocab,
        context.synonyms,
        () if context.literal else context.institutions,
        correct=not (params.as_typed or context.literal),
        understand=not context.literal,
    )
    if context.literal:
        for unit in plan.units:
            unit.prefix = None
    return plan


def _match(searcher: Searcher, params: SearchParams, context: QueryContext) -> _Match:
    """Read the query, run it once: its matches (with scores, when ranking by relevance) are
    the base set; facet filters, given and read from the words, are set operations on it."""
    cache = _cache_for(searcher)
    q = params.q.strip()[:MAX_QUERY_LENGTH]
    relevance = params.sort == "relevance"

    def match(any_unit: bool):
        scores = plan_scores(cache, plan, any_unit)
        if scores is None:
            return None, None
        docs = frozenset(scores)
        if not relevance:
            return docs, None
        # Best first; equal scores in document order, as Whoosh ranks them.
        pairs = sorted(((s, d) for d, s in scores.items()), key=lambda p: (-p[0], p[1]))
        return docs, pairs

    plan, scored, fallback, only_stop_words = None, None, False, False
    base = cache.all_docs
    key = (" ".join(q.split()), params.as_typed, relevance, context.key())
    found = cache.remembered(key) if q else None
    if found is not None:
        plan, base, scored, fallback, only_stop_words = found
    elif q:
        plan = read_query(q, params, context, vocabulary(searcher))
        found_docs, found_scored = match(any_unit=False)
        if found_docs is None:
            if not (plan.filters or plan.institution):
                only_stop_words = True
                base = frozenset()
        else:
            base, scored = found_docs, found_scored
            if not base and len(plan.units) > 1:
                loose_base, loose_scored = match(any_unit=True)
                if loose_base:
                    base, scored, fallback = loose_base, loose_scored, True
        cache.remember(key, (plan, base, scored, fallback, only_stop_words))
    if scored is not None and plan is not None and plan.institution is not None:
        # The institution the words named comes first (its filter is offered too).
        mine = cache.postings("institution").get(plan.institution.code, frozenset())
        scored = [p for p in scored if p[1] in mine] + [p for p in scored if p[1] not in mine]
    filters = _merge_filters(params.filters, plan)
    filter_sets = _filter_sets(cache, filters)
    final = _intersect(base, filter_sets.values())
    return _Match(cache, plan, base, scored, filters, filter_sets, final, fallback, only_stop_words)


def ordered_ids(
    searcher: Searcher, params: SearchParams, limit: int, context: QueryContext | None = None
) -> tuple[int, list[int]]:
    """``(total, entry ids)``: every match of a search in its order, at most ``limit`` ids
    (for exports); no facets, no highlighting."""
    m = _match(searcher, params, context or QueryContext())
    sort = params.sort if params.sort in _SORT_KEYS else "title"
    order = _ordered(m.cache, m.final, sort, m.scored)[:limit]
    return len(m.final), [m.cache.entry_id(docnum) for docnum in order]


def mark_word_filters(facets: dict[str, list[FacetCount]], plan: Plan | None, params) -> None:
    """Mark the facet values that words of the query chose (shown as removable chips)."""
    if plan is None:
        return
    for applied in plan.filters:
        for value in facets.get(applied.facet, []):
            if value.value in applied.values and value.value not in params.filters.get(
                applied.facet, []
            ):
                value.from_words = applied


def run(
    searcher: Searcher, params: SearchParams, texts, context: QueryContext | None = None
) -> SearchResults:
    """Search the live index. ``texts(entry_ids)`` returns ``{id: (title, summary)}`` from the
    database, used for highlighting (the index keeps no copy of the text). Facet counts are
    set operations on the matches; sorting uses cached columns."""
    m = _match(searcher, params, context or QueryContext())
    cache, plan, scored, final = m.cache, m.plan, m.scored, m.final
    facets = facet_counts(cache, m.base, m.filter_sets, m.filters)
    mark_word_filters(facets, plan, params)
    terms = _plan_terms(searcher, plan) if plan is not None else frozenset()

    hits: list[Hit] = []
    start = (params.page - 1) * params.per_page
    if final and start < len(final):
        end = start + params.per_page
        if scored is not None:
            pairs = list(islice(((s, d) for s, d in scored if d in final), end))[start:]
            page = [d for _s, d in pairs]
            score_of = {d: s for s, d in pairs}
        else:
            page = _ordered(
                cache, final, params.sort if params.sort in _SORT_KEYS else "title", None
            )
            page = page[start:end]
            score_of = {}
        ids = [cache.entry_id(docnum) for docnum in page]
        text_of = texts(ids)
        for docnum, entry_id in zip(page, ids, strict=True):
            title, summary = text_of.get(entry_id, ("", ""))
            title_html = _highlight(terms, "title", title) or escape(title)
            snippet = _highlight(terms, "summary", summary) or _plain_snippet(summary)
            hits.append(Hit(entry_id, score_of.get(docnum), title_html, snippet))

    offer = None
    if plan is not None and plan.institution is not None:
        code = plan.institution.code
        if code not in m.filters.get("institution", []):
            n = len(final & cache.postings("institution").get(code, frozenset()))
            offer = (plan.institution, n)
    without = None
    if plan is not None and plan.filters and not final:
        without = len(_intersect(m.base, _filter_sets(cache, params.filters).values()))
    return SearchResults(
        params=params,
        total=len(final),
        hits=hits,
        facets=facets,
        suggestion=plan.corrected_text if plan else None,
        any_word_fallback=m.fallback,
        only_stop_words=m.only_stop_words,
        plan=plan,
        terms=terms,
        institution_offer=offer,
        total_without_word_filters=without,
    )


def suggest(searcher: Searcher, prefix: str, limit: int = 8) -> list[str]:
    """Titles, skills and institutions having a word that starts with ``prefix``."""
    prefix = fold(prefix)
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
    known = _cache_for(searcher).skill_labels
    labels = {}
    for key in keys:
        if key not in known:
            known[key] = None
            # "python|Data Analytics with Python" is a title's key: only a written form that
            # is the skill itself labels it.
            for term in reader.expand_prefix("suggest", f"{fold(key)}|"):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                written = text.split("|", 1)[1]
                if fold(" ".join(written.lower().split())) == fold(key):
                    known[key] = written
                    break
        if known[key] is not None:
            labels[key] = known[key]
    return labels
