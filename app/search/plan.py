"""Reading what a person typed: filter words, institutions, synonyms, compounds, typos.

``make_plan`` turns the text of a search into *units*, each a set of alternatives of which
an entry must match one (all units by default; any, in the any-word fallback):

- words that name a filter value (``online``, ``free``, ``under $500``, ``endorsed``,
  ``credit``, ``advanced level``, ``badge``) become that filter and leave the text;
- an institution's name (or code) leaves the text and is offered as a filter;
- a phrase on the staff's synonym list matches any phrase of its group (CNA = nurse aide);
- a compound meets its spaced form (healthcare = "health care");
- a word the index has never seen, that is no ordinary English word, is replaced by the
  closest indexed word (the correction is reported);
- the last word also matches as the beginning of a word (cyber → cybersecurity), below
  a whole-word match.

Pure functions over the index's vocabulary (``Vocabulary``); nothing here touches Whoosh
queries.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from app.search import bands
from app.search.analysis import (
    STOP_WORDS,
    edit_distance,
    fold,
    is_english_word,
    stems,
)

# Every entry is some kind of credential: these words say nothing about which one.
GENERIC_WORDS = frozenset(
    """credential credentials microcredential microcredentials micro-credential
    micro-credentials course courses class classes program programs programme training
    trainings short""".split()
)
MIN_PREFIX = 3


@dataclass
class Alternative:
    words: tuple[str, ...]  # folded, unstemmed words: one is a term, more a phrase
    boost: float = 1.0


@dataclass
class Unit:
    text: str  # as typed
    alternatives: list[Alternative]
    prefix: str | None = None  # the folded beginning of a word being typed


@dataclass
class AppliedFilter:
    facet: str
    values: tuple[str, ...]
    words: str  # the words of the query that named it (folded)
    q_without: str = ""  # the query without those words


@dataclass
class InstitutionOffer:
    code: str
    name: str
    words: str
    q_without: str = ""


@dataclass
class Plan:
    units: list[Unit]
    text: str  # the words that are searched, after filter words and institutions left
    filters: list[AppliedFilter] = field(default_factory=list)
    institution: InstitutionOffer | None = None
    corrections: dict[str, str] = field(default_factory=dict)  # typed → used
    only_stop_words: bool = False

    @property
    def corrected_text(self) -> str | None:
        if not self.corrections:
            return None
        text = self.text
        for typed, used in self.corrections.items():
            text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", used, text)
        return text


class Vocabulary:
    """What the index knows: ``count(word)`` entries having a (folded, unstemmed) word,
    ``indexed(stem)`` whether any text field holds a stem, ``near(word, maxdist)`` indexed
    words within an edit distance, ``has_prefix(word)`` whether a word starts so."""

    def __init__(
        self,
        count: Callable[[str], int],
        indexed: Callable[[str], bool],
        near: Callable[[str, int], Iterable[str]],
        has_prefix: Callable[[str], bool],
    ) -> None:
        self.count = count
        self.indexed = indexed
        self.near = near
        self.has_prefix = has_prefix

    def knows(self, word: str) -> bool:
        """Whether some public entry has this very word (not only its stem)."""
        return self.count(word) > 0


# --- filter words ------------------------------------------------------------------------

_AMOUNT = r"\$?\s*(\d[\d,]*)(?:\s*(?:dollars|usd|\$))?"
_FILTER_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match], tuple[str, tuple[str, ...]]]]] = [
    (
        re.compile(rf"\b(?:under|below|less than|cheaper than|at most|up to|max|<)\s*{_AMOUNT}"),
        lambda m: ("cost", _cost_bands_up_to(float(m.group(1).replace(",", "")))),
    ),
    (re.compile(r"\b(?:free|no[- ]cost|free of charge)\b"), lambda m: ("cost", ("free",))),
    (
        re.compile(r"\b(?:not[- ]endorsed|unendorsed|non[- ]endorsed)\b"),
        lambda m: ("endorsement", ("not-endorsed",)),
    ),
    (
        re.compile(r"\b(?:(?:state )?regents[- ])?endorsed\b"),
        lambda m: ("endorsement", ("endorsed",)),
    ),
    (
        re.compile(r"\b(?:non[- ]?credit|no[- ]credit|not for credit)\b"),
        lambda m: ("credit", ("non-credit",)),
    ),
    (
        re.compile(
            r"\b(?:(?:for|college|academic|with) )?credit(?:[- ]bearing)?\b"
            r"(?![- ]?(?:hours?|union))"
        ),
        lambda m: ("credit", ("credit",)),
    ),
    (re.compile(r"\bonline\b"), lambda m: ("delivery", ("online",))),
    (
        re.compile(r"\b(?:in[- ]person|on[- ]campus|face[- ]to[- ]face)\b"),
        lambda m: ("delivery", ("in-person",)),
    ),
    (re.compile(r"\bhybrid\b"), lambda m: ("delivery", ("hybrid",))),
    (
        re.compile(
            r"\b(foundational|intermediate|advanced|standalone|experiential)[- ]level\b"
            r"|\blevel[- ](foundational|intermediate|advanced|standalone|experiential)\b"
        ),
        lambda m: ("badge_level", ((m.group(1) or m.group(2)),)),
    ),
    (re.compile(r"\b(?:digital[- ])?badges?\b"), lambda m: ("entry_type", ("digital-badge",))),
]


def _cost_bands_up_to(amount: float) -> tuple[str, ...]:
    keys = []
    lower = -1.0
    for key, _label, upper in bands.COST_BANDS:
        if lower < amount:
            keys.append(key)
        lower = upper
    return tuple(keys)


def _take_filters(text: str) -> tuple[str, list[AppliedFilter]]:
    """Filter words out of ``text`` (already folded), with the filters they name."""
    found: list[tuple[int, AppliedFilter]] = []
    for pattern, meaning in _FILTER_PATTERNS:

        def take(m: re.Match, meaning=meaning) -> str:
            facet, values = meaning(m)
            found.append((m.start(), AppliedFilter(facet, values, m.group(0).strip())))
            return " " * len(m.group(0))  # keeps the positions of what follows

        text = pattern.sub(take, text)
    found.sort(key=lambda pair: pair[0])
    return " ".join(text.split()), [applied for _start, applied in found]


def _take_institution(
    text: str, typed: str, institutions: Sequence[tuple[str, str]]
) -> tuple[str, InstitutionOffer | None]:
    """The longest institution name (or code) in ``text``, taken out of it."""
    candidates = sorted(institutions, key=lambda ci: -len(ci[1]))
    for code, name in candidates:
        pattern = rf"(?<!\w){re.escape(fold(name))}(?!\w)"
        m = re.search(pattern, text)
        if m:
            rest = " ".join((text[: m.start()] + " " + text[m.end() :]).split())
            return rest, InstitutionOffer(code, name, m.group(0))
    typed_words = typed.split()
    for code, name in candidates:
        # A code is read as the institution when typed in capitals ("OU nursing"), or when
        # it is long enough to be no ordinary word ("osu").
        for word in typed_words:
            bare = word.strip(".,;:!?()")
            if bare == code or (
                len(code) >= 3 and bare.lower() == code.lower() and not is_english_word(bare)
            ):
                pattern = rf"(?<!\w){re.escape(code.lower())}(?!\w)"
                rest = " ".join(re.sub(pattern, " ", text, count=1).split())
                return rest, InstitutionOffer(code, name, fold(bare))
    return text, None


# --- words -------------------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')


@dataclass
class _Token:
    typed: str
    words: tuple[str, ...]
    quoted: bool


def words_of(text: str) -> tuple[str, ...]:
    """Folded words, a possessive 's dropped: ``"Driver's License"`` → ``("driver", "license")``."""
    return tuple(re.findall(r"\w+", re.sub(r"['’]s\b", "", fold(text))))


def _tokens(typed: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(typed):
        if m.group(1) is not None:
            words = words_of(m.group(1))
            if words:
                out.append(_Token(m.group(0), words, True))
        else:
            for piece in re.findall(r"[\w'’-]+", m.group(2)):
                words = words_of(piece)
                if words:
                    out.append(_Token(piece, words, len(words) > 1))
    return out


class Synonyms:
    """The staff's synonym groups, keyed by their folded phrases (``Synonyms.of(groups)``
    reuses the reading of a list seen before)."""

    _known: OrderedDict[tuple, Synonyms] = OrderedDict()

    @classmethod
    def of(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        key = tuple(tuple(g) for g in groups)
        found = cls._known.get(key)
        if found is None:
            found = cls._known[key] = cls(key)
            while len(cls._known) > 4:
                cls._known.popitem(last=False)
        return found

    def __init__(self, groups: Iterable[Sequence[str]] = ()) -> None:
        self.groups: list[tuple[tuple[str, ...], ...]] = []
        self.by_phrase: dict[tuple[str, ...], int] = {}
        for group in groups:
            phrases = tuple(dict.fromkeys(words_of(p) for p in group if words_of(p)))
            if len(phrases) < 2:
                continue
            index = len(self.groups)
            self.groups.append(phrases)
            for phrase in phrases:
                self.by_phrase.setdefault(phrase, index)
        self.longest = max((len(p) for p in self.by_phrase), default=0)
        self.words = frozenset(w for p in self.by_phrase for w in p)

    def match(self, tokens: list[_Token], start: int) -> tuple[int, int] | None:
        """``(group, tokens used)`` for the longest phrase starting at ``tokens[start]``."""
        for size in range(min(self.longest, len(tokens) - start), 0, -1):
            chunk = tokens[start : start + size]
            if any(t.quoted for t in chunk):
                continue
            phrase = tuple(w for t in chunk for w in t.words)
            group = self.by_phrase.get(phrase)
            if group is None:
                continue
            if size == 1 and len(phrase) == 1 and phrase[0] in STOP_WORDS:
                # "IT" is information technology only when written in capitals.
                if not chunk[0].typed.isupper():
                    continue
            return group, size
        return None


def make_plan(
    typed: str,
    vocabulary: Vocabulary,
    synonyms: Synonyms | None = None,
    institutions: Sequence[tuple[str, str]] = (),
    *,
    correct: bool = True,
    understand: bool = True,
) -> Plan:
    """Read ``typed``. ``correct=False`` searches the words as typed (no spelling fixes);
    ``understand=False`` reads no filter words or institutions."""
    synonyms = synonyms or Synonyms()
    text = typed
    applied: list[AppliedFilter] = []
    offer = None
    if understand:
        folded = fold(typed)
        rest, applied = _take_filters(folded)
        rest, offer = _take_institution(rest, typed, institutions)
        for taken in [*applied, offer]:
            if taken is not None:
                without = " ".join(folded.replace(taken.words, " ", 1).split())
                taken.q_without = _retype(typed, without)
        if rest != folded:
            text = _retype(typed, rest)
    tokens = _tokens(text)
    if offer is not None and not tokens:
        # The name alone: the learner wants that institution's entries.
        applied.append(AppliedFilter("institution", (offer.code,), offer.words, offer.q_without))
        offer = None
    meaningful = [t for t in tokens if t.quoted or t.words[0] not in GENERIC_WORDS]
    if meaningful:
        tokens = meaningful
    plan = Plan(units=[], text=text if tokens else "", filters=applied, institution=offer)
    # "it" is a stop word; "IT" is information technology.
    tokens = [
        t
        for t in tokens
        if t.quoted or t.words[0] not in STOP_WORDS or (t.typed.isupper() and len(t.typed) > 1)
    ]
    prefix_at = len(tokens) - 1
    if correct:
        # Typos first, so that a corrected word can still meet its synonyms.
        for n, token in enumerate(tokens):
            word = token.words[0]
            if token.quoted or word in synonyms.words or vocabulary.knows(word):
                continue
            if n == prefix_at and len(word) >= MIN_PREFIX and vocabulary.has_prefix(word):
                continue
            if is_english_word(word):
                continue
            better = _closest(word, vocabulary)
            if better:
                plan.corrections[token.typed] = better
                tokens[n] = _Token(token.typed, (better,), False)
                if n == prefix_at:
                    prefix_at = -1  # a corrected word is whole
    i = 0
    while i < len(tokens):
        token = tokens[i]
        last = i == prefix_at
        syn = synonyms.match(tokens, i)
        if syn is not None:
            group, used = syn
            typed_text = " ".join(t.typed for t in tokens[i : i + used])
            own = tuple(w for t in tokens[i : i + used] for w in t.words)
            alts = [Alternative(own)] + [
                Alternative(p, 0.9) for p in synonyms.groups[group] if p != own
            ]
            plan.units.append(Unit(typed_text, alts))
            i += used
            continue
        if token.quoted:
            plan.units.append(Unit(token.typed, [Alternative(token.words)]))
            i += 1
            continue
        word = token.words[0]
        # "health care" meets "healthcare": two words whose joining is an indexed word.
        if i + 1 < len(tokens) and not tokens[i + 1].quoted:
            joined = word + tokens[i + 1].words[0]
            if vocabulary.count(joined) > 0:
                pair = (word, tokens[i + 1].words[0])
                plan.units.append(
                    Unit(
                        f"{token.typed} {tokens[i + 1].typed}",
                        [Alternative(pair), Alternative((joined,))],
                    )
                )
                i += 2
                continue
        if not stems(word):
            i += 1  # a stop word
            continue
        alts = [Alternative((word,))]
        prefix = word if last and len(word) >= MIN_PREFIX else None
        split = _split(word, vocabulary)
        if split:
            alts.append(Alternative(split))
        plan.units.append(Unit(token.typed, alts, prefix))
        i += 1
    plan.only_stop_words = bool(tokens) and not plan.units
    return plan


def _retype(typed: str, rest: str) -> str:
    """``rest`` (folded) keeping the typed form of each remaining word where possible."""
    remaining = rest.split()
    out = []
    for word in typed.split():
        key = fold(word)
        if remaining and key == remaining[0]:
            out.append(word)
            remaining.pop(0)
    if remaining or not out:
        return rest
    return " ".join(out)


def _closest(word: str, vocabulary: Vocabulary) -> str | None:
    if len(word) < 4 or any(c.isdigit() for c in word):
        return None
    maxdist = 1 if len(word) <= 5 else 2
    ranked = sorted(
        (edit_distance(word, c), -vocabulary.count(c), c)
        for c in vocabulary.near(word, maxdist)
        if c != word
    )
    ranked = [r for r in ranked if r[0] <= maxdist and -r[1] > 0]
    return ranked[0][2] if ranked else None


def _split(word: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    """``healthcare`` → ``("health", "care")`` when both halves are indexed words."""
    if len(word) < 7:
        return None
    for cut in range(3, len(word) - 2):
        left, right = word[:cut], word[cut:]
        if left in STOP_WORDS or right in STOP_WORDS:
            continue
        if vocabulary.count(left) > 0 and vocabulary.count(right) > 0:
            return left, right
    return None
