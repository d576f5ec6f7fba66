"""How text becomes index terms, and the word knowledge the query side needs.

Index and query share one analyzer: words are lower-cased and accent-folded (é = e, ñ = n)
before English stemming, so "Educación" is found by "educacion" and "nurses" by "nursing".
"""

from __future__ import annotations

import functools
import gzip
import json
import unicodedata
from importlib import resources

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Whoosh's English stop words. "it" stays in the index, because "IT" (information
# technology) is a word of this inventory; a query drops "it" unless typed in capitals.
STOP_WORDS = frozenset(StopFilter().stops)
_INDEX_STOPS = STOP_WORDS - {"it"}


def text_analyzer():
    """Words, lower case, accents folded, stop words out, English stems (Snowball, the
    stemmer PostgreSQL's search uses too)."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=_INDEX_STOPS)
        | StemFilter(lang="en", cachesize=50000)
    )


def word_analyzer():
    """Whole words, lower case, accents folded, no stemming: the vocabulary for spelling."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=_INDEX_STOPS)
    )


TEXT = text_analyzer()
WORDS = word_analyzer()


def fold(text: str) -> str:
    """Lower case without accents or extra spaces: ``"Técnico  Ñ"`` → ``"tecnico n"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def stems(text: str) -> list[str]:
    """The index terms of ``text`` (what a title or summary field holds)."""
    return [t.text for t in TEXT(text)]


# English words with their frequency in a large corpus of subtitles, as shipped by the
# pyspellchecker package (MIT; https://github.com/barrust/pyspellchecker,
# resources/en.json.gz). A word seen at least this often is an ordinary word, never a typo.
_ENGLISH_MIN_FREQUENCY = 30


@functools.cache
def _english() -> frozenset[str]:
    path = resources.files("spellchecker").joinpath("resources/en.json.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        frequencies = json.load(fh)
    return frozenset(w for w, n in frequencies.items() if n >= _ENGLISH_MIN_FREQUENCY)


def is_english_word(word: str) -> bool:
    return word.lower() in _english()


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters ("welidng" → "welding" is 1) each count one."""
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
