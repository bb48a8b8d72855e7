"""Text analysis for Indonesian regulations: the one place that turns text into search terms.

The SQLite full-text index and (later) the Elasticsearch index use the same word lists, kept as
data files in ``pipelines/data/``:

- ``stopwords-id.txt``: Indonesian stopwords (stopwords-iso / Tala), minus words that matter in law;
- ``stopwords-en.txt``: English stopwords, removed from queries only;
- ``protected-terms.txt``: terms never stemmed (pengadaan, pemerintahan, peraturan, pasal, ...);
- ``glossary.tsv``: bilingual Indonesian <-> English concepts for query expansion;
- ``dictionary-en-id.tsv``: FreeDict's English -> Indonesian dictionary (CC-BY-SA-3.0, converted by
  ``pipelines.analysis.freedict``) for the English words of a query that the glossary does not know.

Usage::

    >>> from pipelines.analysis.analyzer import analyze, analyze_query, expand_query
    >>> analyze("Pengadaan barang/jasa oleh Pemerintahan Daerah")
    ['pengadaan', 'barang', 'jasa', 'pemerintahan', 'daerah']
    >>> "pusat" in analyze_query("data center security")
    True

Pipeline of ``analyze``: Unicode NFKC + accents removed + casefold; tokens are words (hyphenated
compounds kept together), numbers with separators ("50.000.000,00") and article numbers such as
"45a"; reduplications ("anak-anak") fold to one word; stopwords dropped; every other word is
stemmed with PyStemmer's Snowball "indonesian" stemmer unless it is a protected term or contains
a digit. Output tokens contain only letters, digits, "-" and "_", so a tokenizer such as FTS5's
``unicode61 tokenchars '-_'`` keeps them intact.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

# Patterns, apart from the code that applies them.
# A number with thousands/decimal separators, optionally preceded by letters ("Rp50.000,00"),
# or a word: letters/digits, hyphenated compounds kept together ("perundang-undangan", "pbb-p2").
TOKEN_RE = re.compile(r"[^\W\d_]*\d+(?:[.,]\d+)+|[^\W_]+(?:-[^\W_]+)*")
THOUSANDS_RE = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
CURRENCY_PREFIX_RE = re.compile(r"^(rp|usd|idr)(?=\d)")
GLOSSARY_WORD_RE = re.compile(r"[^\W_]+")


def _read_word_list(name: str) -> frozenset[str]:
    words = set()
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(normalize(line))
    return frozenset(words)


@lru_cache(maxsize=None)
def stopwords() -> frozenset[str]:
    """Indonesian stopwords (data/stopwords-id.txt)."""
    return _read_word_list("stopwords-id.txt")


@lru_cache(maxsize=None)
def english_stopwords() -> frozenset[str]:
    """English stopwords, applied to queries only (data/stopwords-en.txt)."""
    return _read_word_list("stopwords-en.txt")


@lru_cache(maxsize=None)
def protected_terms() -> frozenset[str]:
    """Terms that are never stemmed (data/protected-terms.txt)."""
    return _read_word_list("protected-terms.txt")


def normalize(text: str) -> str:
    """NFKC, accents removed, casefolded: the form every comparison uses."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).casefold()


# PyStemmer instances must not be used by two threads at once (its docs); stems are cached below,
# so the lock is only taken on a cache miss.
_STEMMER = Stemmer.Stemmer("indonesian", 0)
_STEMMER_LOCK = threading.Lock()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one normalised word, leaving protected terms and words with digits as they are."""
    if word in protected_terms() or any(ch.isdigit() for ch in word):
        return word
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def _number_token(token: str) -> list[str]:
    m = CURRENCY_PREFIX_RE.match(token)
    prefix = []
    if m:
        prefix, token = [m.group(1)], token[m.end():]
    if not token[:1].isdigit():  # letters glued to a number, e.g. "no.5" did not match; keep as is
        return prefix + [token.replace(".", "_").replace(",", "_")]
    if THOUSANDS_RE.match(token):
        token = token.replace(".", "")
    return prefix + [token.replace(".", "_").replace(",", "_")]


def _word_tokens(token: str, stop: frozenset[str]) -> list[str]:
    if "-" in token:
        if token in protected_terms():
            return [token]
        parts = token.split("-")
        if len(set(parts)) == 1:  # reduplication: anak-anak -> anak
            parts = parts[:1]
        out: list[str] = []
        for part in parts:
            out.extend(_word_tokens(part, stop))
        return out
    if token in stop:
        return []
    if len(token) == 1 and not token.isdigit():
        return []  # list markers "a.", "b." and stray letters
    return [stem(token)]


def tokenize(text: str) -> list[str]:
    """Normalised surface tokens, before stopwords and stemming."""
    return TOKEN_RE.findall(normalize(text))


def _analyze(text: str, stop: frozenset[str]) -> list[str]:
    out: list[str] = []
    for token in tokenize(text):
        if token[:1].isdigit() or (any(c.isdigit() for c in token) and ("." in token or "," in token)):
            out.extend(_number_token(token))
        else:
            out.extend(_word_tokens(token, stop))
    return out


def analyze(text: str) -> list[str]:
    """Analyse document text into index terms (order kept, duplicates kept)."""
    return _analyze(text, stopwords())


@lru_cache(maxsize=None)
def query_framing_words() -> frozenset[str]:
    """Words that frame a question about regulations (data/query-framing.txt): queries only."""
    return _read_word_list("query-framing.txt")


@lru_cache(maxsize=None)
def _query_stopwords() -> frozenset[str]:
    return stopwords() | english_stopwords() | query_framing_words()


def analyze_query(text: str, *, expand: bool = True) -> list[str]:
    """Analyse a query: like ``analyze`` plus English stopwords, duplicates removed (first
    occurrence kept) and, with ``expand=True``, the glossary's equivalents and the dictionary's
    Indonesian translations of the other English words (``translations``)."""
    if expand:
        extra = translations(text)
        text = expand_query(text)
        if extra:
            text += " ; " + " ; ".join(extra)
    seen: dict[str, None] = {}
    for term in _analyze(text, _query_stopwords()):
        seen.setdefault(term, None)
    return list(seen)


# --- glossary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """One glossary line: the same concept named in English and in Indonesian."""

    english: tuple[str, ...]
    indonesian: tuple[str, ...]
    domain: str = ""

    @property
    def terms(self) -> tuple[str, ...]:
        return self.english + self.indonesian


@dataclass(frozen=True)
class GlossaryMatch:
    """A glossary term found in a text: its span, and the concept it names."""

    start: int  # index of the first word (in GLOSSARY_WORD_RE words of the normalised text)
    end: int
    term: str
    concept: Concept

    @property
    def equivalents(self) -> tuple[str, ...]:
        return tuple(t for t in self.concept.terms if normalize(t) != normalize(self.term))


def _match_form(word: str) -> str:
    """A light English plural fold used for glossary matching only (cities -> city, days -> day).
    Applied to glossary terms and query words alike, so Indonesian words stay consistent."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_match_form(w) for w in GLOSSARY_WORD_RE.findall(normalize(text))]


def _phrase_key(term: str) -> tuple[str, ...]:
    return tuple(_words(term))


def parse_glossary(text: str) -> list[Concept]:
    """Parse glossary.tsv text: ``english<TAB>indonesian[<TAB>domain]``, synonyms separated by
    ``|`` within a column, ``#`` comments. Raises ValueError naming the bad line."""
    concepts = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) not in (2, 3):
            raise ValueError(f"glossary line {lineno}: expected 2 or 3 tab-separated columns, got {len(cols)}: {raw!r}")
        en = tuple(t.strip() for t in cols[0].split("|") if t.strip())
        idn = tuple(t.strip() for t in cols[1].split("|") if t.strip())
        if not en or not idn:
            raise ValueError(f"glossary line {lineno}: both an English and an Indonesian term are needed: {raw!r}")
        concepts.append(Concept(en, idn, cols[2].strip() if len(cols) == 3 else ""))
    return concepts


@lru_cache(maxsize=None)
def glossary() -> tuple[Concept, ...]:
    """The bilingual glossary (data/glossary.tsv)."""
    return tuple(parse_glossary((DATA_DIR / "glossary.tsv").read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def _phrase_index() -> tuple[dict[tuple[str, ...], list[tuple[str, Concept]]], int]:
    index: dict[tuple[str, ...], list[tuple[str, Concept]]] = {}
    for concept in glossary():
        for term in concept.terms:
            key = _phrase_key(term)
            if key:
                index.setdefault(key, []).append((term, concept))
    longest = max((len(k) for k in index), default=0)
    return index, longest


def glossary_matches(text: str) -> list[GlossaryMatch]:
    """Glossary terms found in ``text``, longest phrase first at each position, no overlaps."""
    index, longest = _phrase_index()
    words = _words(text)
    matches: list[GlossaryMatch] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            hits = index.get(tuple(words[i : i + n]))
            if hits:
                for term, concept in hits:
                    matches.append(GlossaryMatch(i, i + n, term, concept))
                i += n
                break
        else:
            i += 1
    return matches


def expansions(text: str) -> list[str]:
    """The equivalents (both languages) of the glossary terms found in ``text``, in order,
    without duplicates and without terms already in the text."""
    present = " ".join(_words(text))
    out: dict[str, None] = {}
    for match in glossary_matches(text):
        for term in match.equivalents:
            key = " ".join(_phrase_key(term))
            if key and f" {key} " not in f" {present} ":
                out.setdefault(term, None)
    return list(out)


def term_equivalents(term: str) -> list[str]:
    """The equivalents of ``term`` when the whole of it is one glossary term ("electronic system"
    -> "sistem elektronik"); a phrase that merely contains glossary terms ("the highest fine under
    the personal data protection law") has none: its parts are not what it means."""
    n = len(_words(term))
    return [t for m in glossary_matches(term) if m.start == 0 and m.end == n for t in m.equivalents]


def expand_query(text: str) -> str:
    """The query text followed by " ; " and the glossary equivalents of its terms, joined by " ; ":
    ``expand_query("data center")`` -> ``"data center ; data centre ; pusat data"``."""
    extra = expansions(text)
    return text if not extra else text + " ; " + " ; ".join(extra)


# --- dictionary -----------------------------------------------------------------------------
# The glossary names legal concepts; a question in English also uses everyday words ("abroad",
# "ceiling", "perpetual") that Indonesian text says in its own words. The dictionary translates
# those for BM25 only: its senses are many and unweighted ("set" -> siap, atur, pasang, ...), which
# a bag of words tolerates (a wrong sense rarely co-occurs with the rest of the question) and an
# embedding of the whole question does not (measured: docs/search-quality.md).


@dataclass(frozen=True)
class Dictionary:
    """English headword phrases (in ``_phrase_key`` form) -> Indonesian translations."""

    entries: dict[tuple[str, ...], tuple[str, ...]]
    longest: int
    indonesian_words: frozenset[str]  # every word of every translation (also in _match_form)


def parse_dictionary(text: str) -> Dictionary:
    """Parse dictionary-en-id.tsv text: ``english<TAB>indonesian|indonesian...``, ``#`` comments.
    Raises ValueError naming the bad line."""
    entries: dict[tuple[str, ...], list[str]] = {}
    indonesian: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) != 2 or not cols[0].strip() or not cols[1].strip():
            raise ValueError(f"dictionary line {lineno}: expected english<TAB>indonesian|...: {raw!r}")
        key = _phrase_key(cols[0])
        if not key:
            continue
        merged = entries.setdefault(key, [])
        for term in cols[1].split("|"):
            term = term.strip()
            if term and term not in merged:
                merged.append(term)
                for word in GLOSSARY_WORD_RE.findall(normalize(term)):
                    indonesian.update((word, _match_form(word)))
    return Dictionary({k: tuple(v) for k, v in entries.items()},
                      max((len(k) for k in entries), default=0), frozenset(indonesian))


@lru_cache(maxsize=None)
def dictionary() -> Dictionary:
    """The English -> Indonesian dictionary (data/dictionary-en-id.tsv)."""
    return parse_dictionary((DATA_DIR / "dictionary-en-id.tsv").read_text(encoding="utf-8"))


def _translatable(word: str, lexicon: Dictionary) -> bool:
    """A single query word worth translating: not a stopword or framing word, not an Indonesian
    word itself (so Indonesian queries stay as they are), not a two-letter fragment."""
    return (len(word) >= 3 and word not in _query_stopwords() and word not in stopwords()
            and word not in lexicon.indonesian_words)


def translations(text: str) -> list[str]:
    """Indonesian translations of the English words and phrases of ``text`` that no glossary term
    covers: the longest dictionary headword at each position, all its senses, in order, without
    duplicates. ``translations("perpetual endowment fund")`` -> ``["abadi", "dukungan", "sokongan"]``."""
    lexicon = dictionary()
    words = _words(text)
    covered = set()
    for match in glossary_matches(text):
        covered.update(range(match.start, match.end))
    out: dict[str, None] = {}
    i = 0
    while i < len(words):
        if i in covered:
            i += 1
            continue
        for n in range(min(lexicon.longest, len(words) - i), 0, -1):
            span = range(i, i + n)
            if covered.intersection(span):
                continue
            found = lexicon.entries.get(tuple(words[i : i + n]))
            if found and (n > 1 or _translatable(words[i], lexicon)):
                for term in found:
                    out.setdefault(term, None)
                i += n
                break
        else:
            i += 1
    return list(out)
