"""Smart City dimension linking: tag articles and works with KOMINFO's six dimensions.

The taxonomy (six dimensions, their sub-dimensions, names and descriptions in Indonesian and
English, weighted indicative terms) is data: ``pipelines/data/smart-city-dimensions.yaml``.
This module applies it:

- :class:`DimensionTagger` (Haystack component) tags each article chunk:
  ``meta["dimensions"] = {dimension_id: score}`` (the dimensions at or above the threshold),
  ``meta["dimension_evidence"] = {dimension_id: [terms]}`` and
  ``meta["subdimensions"] = {subdimension_id: score}``;
- :func:`aggregate_work` turns a work's article tags into work-level links with ranked evidence;
- :func:`apply_curated` lets the catalogue's curated labels decide a work's dimensions.

Matching runs on the same analysis as search (:func:`pipelines.analysis.analyzer.analyze`): a term matches
when its analysed token sequence occurs in the analysed text, so affixes ("persampahan" ->
"sampah") and stopwords are handled once, in one place.

Article score (documented in docs/dimensions.md)::

    raw(d)   = sum over distinct terms t of d found in the text:  w(t) * (1 + ln count(t))
    lam(L)   = max(1, sqrt(L / 60))          L = analysed tokens of the article
    score(d) = 1 - exp(-raw(d) / lam(L))     tagged when score(d) >= threshold (0.6)

so one strong term (w = 1.0) in an article of up to ~60 analysed tokens (~100 words) is enough
(1 - e^-1 = 0.63), a single supporting term (w <= 0.9) is not,
a long article needs proportionally more evidence, and the score saturates below 1.

Work score, for each dimension with at least one tagged article::

    score(work, d) = mean(top-3 article scores for d) * share(d) ** (1/3)

where share(d) is the fraction of the work's articles (Pasal) tagged with d; the work is linked
when this is >= ``WORK_THRESHOLD`` (0.25), i.e. with strong articles at least ~2-3% of its
articles, and at least ``WORK_MIN_ARTICLES`` (2) articles are tagged: a law mostly about a
dimension outranks one with a few incidental articles.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml
from haystack import Document, component, default_from_dict, default_to_dict

from pipelines.analysis.analyzer import analyze

TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "data" / "smart-city-dimensions.yaml"
DIMENSION_IDS = (
    "smart-governance",
    "smart-branding",
    "smart-economy",
    "smart-living",
    "smart-society",
    "smart-environment",
)
THRESHOLD = 0.6
WORK_THRESHOLD = 0.25
WORK_MIN_ARTICLES = 2  # one incidental article never links a work (unless it is the whole work)
LENGTH_UNIT = 60  # analysed tokens (about 100 words of Indonesian law) before length dampens scores
EVIDENCE_LIMIT = 10


class TaxonomyError(ValueError):
    """The taxonomy data file is malformed (the message says where)."""


@dataclass(frozen=True)
class Term:
    text: str  # as written in the taxonomy ("pelayanan publik")
    lang: str  # "id" | "en"
    weight: float
    subdimension: str
    dimension: str
    tokens: tuple[str, ...]  # analysed form


@dataclass
class SubDimension:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    terms: list[Term] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "terms": {
                lang: [t.text for t in self.terms if t.lang == lang] for lang in ("id", "en")
            },
        }


@dataclass
class Dimension:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    aliases: list[str]
    subdimensions: list[SubDimension]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "aliases": list(self.aliases),
            "subdimensions": [s.to_dict() for s in self.subdimensions],
        }


@dataclass
class Taxonomy:
    dimensions: list[Dimension]
    neutral: list[re.Pattern[str]]
    path: str

    def get(self, dimension_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(f"unknown dimension {dimension_id!r}; valid: {', '.join(DIMENSION_IDS)}")

    @property
    def terms(self) -> list[Term]:
        return [t for d in self.dimensions for s in d.subdimensions for t in s.terms]

    def to_dict(self) -> dict[str, Any]:
        return {"dimensions": [d.to_dict() for d in self.dimensions]}

    def dimensions_named_in(self, text: str) -> list[str]:
        """Dimensions a question names outright ("regulasi apa yang mendukung smart environment?")."""
        low = " ".join(re.findall(r"[a-z0-9]+", text.casefold()))
        found = []
        for d in self.dimensions:
            names = [*d.aliases, d.name["en"], d.id.replace("-", " ")]
            if any(re.search(rf"\b{re.escape(' '.join(re.findall(r'[a-z0-9]+', n.casefold())))}\b", low)
                   for n in names):
                found.append(d.id)
        return found


def _analyze(text: str) -> list[str]:
    return analyze(text)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check the taxonomy data file; terms are analysed here, once."""
    path = Path(path) if path else TAXONOMY_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"cannot read the dimension taxonomy {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("dimensions"), list):
        raise TaxonomyError(f"{path}: expected a mapping with a 'dimensions' list")
    dims: list[Dimension] = []
    for raw in data["dimensions"]:
        did = raw.get("id")
        subs: list[SubDimension] = []
        for rs in raw.get("subdimensions") or []:
            sid = rs.get("id", "")
            if not sid.startswith(f"{did}/"):
                raise TaxonomyError(f"{path}: sub-dimension {sid!r} must start with '{did}/'")
            sub = SubDimension(sid, _bilingual(path, sid, rs, "name"), _bilingual(path, sid, rs, "description"))
            for lang in ("id", "en"):
                for text, weight in ((rs.get("terms") or {}).get(lang) or {}).items():
                    tokens = tuple(_analyze(str(text)))
                    if not tokens:
                        raise TaxonomyError(f"{path}: term {text!r} of {sid} is all stopwords")
                    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
                        raise TaxonomyError(f"{path}: term {text!r} of {sid}: weight must be in (0, 1]")
                    sub.terms.append(Term(str(text), lang, float(weight), sid, did, tokens))
            if not any(t.lang == "id" for t in sub.terms) or not any(t.lang == "en" for t in sub.terms):
                raise TaxonomyError(f"{path}: {sid} needs terms in both Indonesian and English")
            subs.append(sub)
        if not subs:
            raise TaxonomyError(f"{path}: dimension {did!r} has no sub-dimensions")
        dims.append(Dimension(did, _bilingual(path, did, raw, "name"), _bilingual(path, did, raw, "description"),
                              list(raw.get("aliases") or []), subs))
    ids = tuple(d.id for d in dims)
    if sorted(ids) != sorted(DIMENSION_IDS):
        raise TaxonomyError(f"{path}: dimensions {ids} are not the six KOMINFO dimensions {DIMENSION_IDS}")
    try:
        neutral = [re.compile(p, re.I) for p in data.get("neutral") or []]
    except re.error as exc:
        raise TaxonomyError(f"{path}: bad neutral pattern: {exc}") from exc
    return Taxonomy(dims, neutral, str(path))


def _bilingual(path: Path, owner: str, raw: dict, key: str) -> dict[str, str]:
    value = raw.get(key)
    if not isinstance(value, dict) or not value.get("id") or not value.get("en"):
        raise TaxonomyError(f"{path}: {owner}.{key} needs both 'id' and 'en'")
    return {"id": str(value["id"]), "en": str(value["en"])}


@lru_cache(maxsize=4)
def default_taxonomy(path: str | None = None) -> Taxonomy:
    return load_taxonomy(path)


@dataclass
class ArticleTags:
    """What the tagger found in one text."""

    dimensions: dict[str, float]  # tagged dimensions only (score >= threshold)
    evidence: dict[str, list[str]]  # tagged dimension -> matched terms, strongest first
    subdimensions: dict[str, float]  # sub-dimensions of tagged dimensions with any evidence
    scores: dict[str, float]  # every dimension with any evidence, tagged or not
    tokens: int


class _Matcher:
    """Longest-match-first search of analysed term sequences in analysed text."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        by_first: dict[str, list[tuple[tuple[str, ...], list[Term]]]] = defaultdict(list)
        seqs: dict[tuple[str, ...], list[Term]] = defaultdict(list)
        for t in taxonomy.terms:
            seqs[t.tokens].append(t)
        for seq, terms in seqs.items():
            by_first[seq[0]].append((seq, terms))
        for lst in by_first.values():
            lst.sort(key=lambda x: -len(x[0]))
        self.by_first = dict(by_first)

    def matches(self, tokens: list[str]) -> Counter[Term]:
        found: Counter[Term] = Counter()
        i, n = 0, len(tokens)
        while i < n:
            step = 1
            for seq, terms in self.by_first.get(tokens[i], ()):
                if tuple(tokens[i : i + len(seq)]) == seq:
                    # one span counts once per dimension: an Indonesian and an English term that
                    # analyse alike (e-commerce) must not double the evidence
                    seen: set[str] = set()
                    for t in terms:
                        if t.dimension not in seen:
                            found[t] += 1
                            seen.add(t.dimension)
                    step = len(seq)
                    break
            i += step
        return found


def tag_text(text: str, taxonomy: Taxonomy | None = None, *, threshold: float = THRESHOLD,
             _matcher: _Matcher | None = None) -> ArticleTags:
    """Score one text against the taxonomy (the function the component applies to each document)."""
    taxonomy = taxonomy or default_taxonomy()
    matcher = _matcher or _Matcher(taxonomy)
    for pat in taxonomy.neutral:
        text = pat.sub(" ", text)
    tokens = _analyze(text)
    found = matcher.matches(tokens)
    lam = max(1.0, math.sqrt(len(tokens) / LENGTH_UNIT))
    raw_dim: dict[str, float] = defaultdict(float)
    raw_sub: dict[str, float] = defaultdict(float)
    contrib: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for term, count in found.items():
        c = term.weight * (1.0 + math.log(count))
        raw_dim[term.dimension] += c
        raw_sub[term.subdimension] += c
        contrib[term.dimension].append((c, term.text))

    def score(raw: float) -> float:
        return round(1.0 - math.exp(-raw / lam), 3)

    scores = {d: score(r) for d, r in raw_dim.items()}
    tagged = {d: s for d, s in sorted(scores.items(), key=lambda x: -x[1]) if s >= threshold}
    evidence = {d: [t for _, t in sorted(contrib[d], key=lambda x: (-x[0], x[1]))] for d in tagged}
    subs = {s: score(r) for s, r in sorted(raw_sub.items(), key=lambda x: -x[1]) if s.split("/")[0] in tagged}
    return ArticleTags(tagged, evidence, subs, scores, len(tokens))


@component
class DimensionTagger:
    """Tags article chunks with the Smart City dimensions they serve, with the evidence.

    Usage example:

    ```python
    from haystack import Document
    from pipelines.indexing.dimensions import DimensionTagger

    tagger = DimensionTagger(threshold=0.6)
    tagger.warm_up()
    doc = Document(content="Objek Retribusi Pelayanan Persampahan/Kebersihan ... pengangkutan sampah ...",
                   meta={"work_id": "uu-28-2009", "pasal": "112"})
    out = tagger.run(documents=[doc])
    out["documents"][0].meta["dimensions"]          # {"smart-environment": 0.9, "smart-governance": 0.7}
    out["documents"][0].meta["dimension_evidence"]  # {"smart-environment": ["sampah", ...], ...}
    out["works"]["uu-28-2009"]                      # work-level links, see aggregate_work()
    ```

    Documents without content get empty tags. Documents are returned in the order given; the
    same Document objects are updated in place (their meta gains the three keys).
    ``curated`` in run() maps work ids to curated dimension lists (the catalogue's
    ``dimensions``); a curated work's links are exactly its curated list (see apply_curated()).
    """

    def __init__(self, threshold: float = THRESHOLD, taxonomy_path: str | None = None,
                 work_key: str = "work_id", pasal_key: str = "pasal",
                 work_threshold: float = WORK_THRESHOLD):
        if not 0 < threshold < 1 or not 0 < work_threshold < 1:
            raise ValueError("threshold and work_threshold must be between 0 and 1")
        self.threshold = threshold
        self.taxonomy_path = taxonomy_path
        self.work_key = work_key
        self.pasal_key = pasal_key
        self.work_threshold = work_threshold
        self._taxonomy: Taxonomy | None = None
        self._matcher: _Matcher | None = None

    def warm_up(self) -> None:
        if self._taxonomy is None:
            self._taxonomy = default_taxonomy(self.taxonomy_path)
            self._matcher = _Matcher(self._taxonomy)

    @property
    def taxonomy(self) -> Taxonomy:
        self.warm_up()
        assert self._taxonomy is not None
        return self._taxonomy

    @component.output_types(documents=list[Document], works=dict[str, Any])
    def run(self, documents: list[Document], curated: dict[str, list[str]] | None = None) -> dict[str, Any]:
        self.warm_up()
        per_work: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for doc in documents:
            if doc.content:
                tags = tag_text(doc.content, self._taxonomy, threshold=self.threshold, _matcher=self._matcher)
                dims, ev, subs = tags.dimensions, tags.evidence, tags.subdimensions
            else:
                dims, ev, subs = {}, {}, {}
            doc.meta["dimensions"] = dims
            doc.meta["dimension_evidence"] = ev
            doc.meta["subdimensions"] = subs
            work = doc.meta.get(self.work_key)
            if work is not None and doc.meta.get(self.pasal_key) is not None:
                per_work[work].append({"pasal": doc.meta.get(self.pasal_key), "dimensions": dims, "evidence": ev})
            elif work is not None:
                per_work.setdefault(work, [])
        works: dict[str, Any] = {}
        for work, tags_list in per_work.items():
            agg = aggregate_work(tags_list, threshold=self.work_threshold)
            if curated and curated.get(work):
                agg = apply_curated(agg, curated[work])
            works[work] = agg
        return {"documents": documents, "works": works}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, threshold=self.threshold, taxonomy_path=self.taxonomy_path,
                               work_key=self.work_key, pasal_key=self.pasal_key,
                               work_threshold=self.work_threshold)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DimensionTagger":
        return default_from_dict(cls, data)


def _pasal_order(pasal: Any) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", str(pasal))
    return (int(m.group(1)), m.group(2)) if m else (10**9, str(pasal))


def aggregate_work(article_tags: Iterable[dict[str, Any]], *, threshold: float = WORK_THRESHOLD,
                   min_articles: int = WORK_MIN_ARTICLES,
                   evidence_limit: int = EVIDENCE_LIMIT) -> dict[str, dict[str, Any]]:
    """Work-level links from the tags of all the work's article chunks.

    ``article_tags``: one dict per chunk with ``pasal``, ``dimensions`` ({dim: score}) and
    ``evidence`` (or ``dimension_evidence``: {dim: [terms]}); pass every article, tagged or
    not, since the share of tagged articles counts. Chunks of one Pasal are merged (best score,
    union of terms). A dimension needs ``min_articles`` tagged articles (or every article of a
    shorter work) and a work score >= ``threshold``. Returns ``{dim: {"score", "source": "automatic", "articles", "evidence":
    [{"pasal", "score", "terms"}]}}`` for each dimension whose work score reaches ``threshold``,
    strongest dimension first; evidence is ranked by article score (then Pasal order) and cut
    to ``evidence_limit``.
    """
    per_pasal: dict[str, dict[str, Any]] = {}
    for tag in article_tags:
        pasal = str(tag.get("pasal"))
        ev = tag.get("evidence", tag.get("dimension_evidence")) or {}
        slot = per_pasal.setdefault(pasal, {"dimensions": {}, "evidence": defaultdict(list)})
        for d, s in (tag.get("dimensions") or {}).items():
            slot["dimensions"][d] = max(s, slot["dimensions"].get(d, 0.0))
            for t in ev.get(d, []):
                if t not in slot["evidence"][d]:
                    slot["evidence"][d].append(t)
    total = len(per_pasal)
    if not total:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for d in DIMENSION_IDS:
        arts = [(p, v["dimensions"][d], v["evidence"].get(d, [])) for p, v in per_pasal.items() if d in v["dimensions"]]
        if len(arts) < min(min_articles, total):
            continue
        arts.sort(key=lambda a: (-a[1], _pasal_order(a[0])))
        top = [s for _, s, _ in arts[:3]]
        score = round(sum(top) / len(top) * (len(arts) / total) ** (1 / 3), 3)
        if score < threshold:
            continue
        out[d] = {
            "score": score,
            "source": "automatic",
            "articles": len(arts),
            "evidence": [{"pasal": p, "score": s, "terms": list(t)} for p, s, t in arts[:evidence_limit]],
        }
    return dict(sorted(out.items(), key=lambda x: -x[1]["score"]))


def apply_curated(work_tags: dict[str, dict[str, Any]], curated_dimensions: list[str]) -> dict[str, dict[str, Any]]:
    """Curated labels override: the curated set IS the work's answer.

    Each curated dimension gets score 1.0 and source "curated", keeping any automatic evidence
    articles found for it (so the page can still show where the text supports it); automatic
    dimensions outside the curated list are dropped. An empty curated list changes nothing
    (no curation recorded). Unknown dimension ids raise ValueError.
    """
    if not curated_dimensions:
        return work_tags
    bad = [d for d in curated_dimensions if d not in DIMENSION_IDS]
    if bad:
        raise ValueError(f"unknown curated dimension(s) {bad}; valid: {', '.join(DIMENSION_IDS)}")
    out: dict[str, dict[str, Any]] = {}
    for d in dict.fromkeys(curated_dimensions):
        auto = work_tags.get(d) or {}
        out[d] = {
            "score": 1.0,
            "source": "curated",
            "articles": auto.get("articles", 0),
            "evidence": list(auto.get("evidence", [])),
        }
    return out
