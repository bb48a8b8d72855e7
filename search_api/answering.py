"""Answering "which rule governs X?" with quotes from the law, or refusing on the evidence.

No text is generated: an answer is the governing regulation(s) and the article(s) quoted as
stored, with permalinks, the dimensions involved and a confidence.

Two kinds of answer:

1. A question that names a Smart City dimension ("regulasi apa yang mendukung smart
   environment?") is answered from the dimension links (pipelines.dimensions), strongest first,
   with the evidence articles quoted; a region the question names ("Malang") narrows the list
   when the knowledge base holds works of that region.
2. Any other question runs the hybrid search, then the evidence decides whether the best
   articles answer it at all.

The evidence (all of it returned in ``evidence``):

- the question is cut into *units*: the glossary concepts it contains (bilingual, so "data
  centers" is covered by "pusat data") and each remaining content word (stopwords of both
  languages dropped, stemmed by the search analyser);
- each unit weighs its BM25 idf over the articles of the knowledge base (a word no article uses
  weighs the most: ``rendang``, ``chocolate``);
- ``coverage`` = the idf-weighted share of the units an article (+ Penjelasan, + its work's title)
  contains, the best of the top retrieved articles;
- ``domain_terms`` = *specific* glossary concepts of the question found in a top article (idf >=
  ``SPECIFIC_IDF``: "tahun" or "peraturan" prove nothing);
- ``cited`` = works the question cites, and top articles whose number the question names;
- ``dense`` = the best cosine similarity of the dense retriever (only scales the confidence).

Answered when ``coverage >= COVERAGE_MIN`` or a specific domain term matched or something cited
is at the top; refused otherwise. The thresholds were chosen with benchmarks/ask_calibration.py
on the 36 development questions (all must be answered) against general-knowledge questions (all
must be refused); docs/api.md gives the figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from search_api.kb import KnowledgeBase, Snapshot, Work, work_text_units

COVERAGE_MIN = 0.4  # idf-weighted share of the question found in the best article (+ its work's title)
SPECIFIC_IDF = 2.3  # ln(10): a glossary concept is specific evidence when at most ~1 article in 10 uses it
MAX_REGULATIONS = 5
ARTICLES_PER_REGULATION = 2
_PASAL = re.compile(r"\bpasal\s+(\d+[a-z]?)\b", re.I)
RELATIVE_KEEP = 0.5  # a further regulation is shown when its coverage is at least this share of the best


@dataclass
class Unit:
    label: str
    alternatives: list[tuple[str, ...]]  # analysed token sequences, any of which covers the unit
    domain: str = ""
    weight: float = 0.0

    def covered_by(self, tokens: set[str]) -> bool:
        return any(alt and all(t in tokens for t in alt) for alt in self.alternatives)


def question_units(question: str) -> list[Unit]:
    """Glossary concepts first, then every other content word of the question."""
    from pipelines.analyzer import GLOSSARY_WORD_RE, analyze, analyze_query, glossary_matches, normalize

    words = GLOSSARY_WORD_RE.findall(normalize(question))
    spans: dict[tuple[int, int], Unit] = {}
    used: set[int] = set()
    for m in glossary_matches(question):
        unit = spans.get((m.start, m.end))
        if unit is None:
            unit = spans[(m.start, m.end)] = Unit(m.term, [], m.concept.domain)
        for term in m.concept.terms:
            alt = tuple(analyze(term))
            if alt and alt not in unit.alternatives:
                unit.alternatives.append(alt)
        used.update(range(m.start, m.end))
    units = [u for u in spans.values() if u.alternatives]
    for i, w in enumerate(words):
        if i in used:
            continue
        toks = tuple(analyze_query(w, expand=False))
        if toks and not any(u.alternatives == [toks] for u in units):
            units.append(Unit(w, [toks]))
    return units


@dataclass
class Assessment:
    units: list[Unit]
    coverage: float = 0.0
    domain_terms: list[str] = field(default_factory=list)
    bm25: float | None = None
    dense: float | None = None

    cited: list[str] = field(default_factory=list)

    @property
    def answers(self) -> bool:
        return self.coverage >= COVERAGE_MIN or bool(self.domain_terms) or bool(self.cited)

    @property
    def confidence(self) -> float:
        """0..1: the coverage, discounted when the dense retriever saw little resemblance."""
        dense = 0.5 if self.dense is None else min(1.0, max(0.0, (self.dense - 0.1) / 0.5))
        return round(min(1.0, self.coverage) * (0.7 + 0.3 * dense), 3)


def _article_text(work: Work, pasal: str | None) -> str:
    if pasal:
        a = work.article(pasal)
        if a:
            return (a.get("text") or "") + "\n" + (a.get("penjelasan") or "")
    return " ".join(work_text_units(work)) if not work.articles() else ""


def title_tokens(work: Work) -> set[str]:
    """A question may name the regulation ("menurut UU ITE", "PP 71 tahun 2019"): its title counts."""
    from pipelines.analyzer import analyze

    title = " ".join(str(x) for x in (work.field("judul"), work.record.get("judul_en"), work.singkatan,
                                       work.jenis, work.nomor, work.tahun) if x)
    return set(analyze(title))


def coverage(units: list[Unit], tokens: set[str]) -> tuple[float, list[str]]:
    """The idf-weighted share of the units found in ``tokens``, and the specific glossary
    concepts among them (a concept nearly every article uses, such as "tahun", proves nothing)."""
    total = sum(u.weight for u in units)
    if total <= 0:
        return 0.0, []
    hit = [u for u in units if u.covered_by(tokens)]
    return sum(u.weight for u in hit) / total, [u.label for u in hit if u.domain and u.weight >= SPECIFIC_IDF]


class Answerer:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def ask(self, question: str) -> dict[str, Any]:
        question = " ".join(question.split())
        snap = self.kb.snapshot()
        from pipelines.dimensions import default_taxonomy

        dims = default_taxonomy().dimensions_named_in(question)
        if dims:
            return self._from_dimensions(question, snap, dims)
        return self._from_search(question, snap)

    # ---- dimension questions ----

    def _from_dimensions(self, question: str, snap: Snapshot, dims: list[str]) -> dict[str, Any]:
        from pipelines.analyzer import normalize
        from search_api.dimensions import linked

        words = set(normalize(question).replace("'", " ").split())
        regions = {r for r in snap.regions if r in words or r.replace("-", " ") in normalize(question)}
        answers, seen = [], set()
        for d in dims:
            links = linked(snap, d)
            if regions:
                narrowed = [x for x in links if x["regulation"]["region"] in regions]
                links = narrowed or links
            for link in links:
                rid = link["regulation"]["id"]
                if rid in seen:
                    continue
                seen.add(rid)
                work = snap.get(rid)
                quoted = []
                for ev in link["evidence"][:ARTICLES_PER_REGULATION]:
                    a = work.article(ev["pasal"]) if ev["pasal"] else None
                    if a:
                        quoted.append({"pasal": ev["pasal"], "ayat": None, "amends": a.get("amends"),
                                       "text": a.get("text") or "", "uri": ev["uri"], "dimensions": [d],
                                       "score": float(ev.get("score") or 0.0)})
                answers.append({"regulation": link["regulation"], "articles": quoted, "strength": link["strength"],
                                "note": _note(work, curated=link["curated"])})
        units = question_units(question)
        return {
            "question": question, "refused": False, "basis": "dimension", "answers": answers,
            "dimensions": dims, "confidence": 1.0 if answers and any(a["strength"] >= 1.0 for a in answers)
            else round(max((a["strength"] for a in answers), default=0.0), 3),
            "evidence": {"terms": [u.label for u in units], "domain_terms": [], "cited": [], "coverage": 1.0,
                         "bm25": None, "dense": None, "dimension": dims[0]},
        }

    # ---- search questions ----

    def assess(self, question: str, snap: Snapshot, groups: list[dict[str, Any]]) -> Assessment:
        from pipelines.analyzer import analyze

        stats = snap.term_stats()
        units = question_units(question)
        for u in units:
            u.weight = min(sum(stats.idf(t) for t in alt) / len(alt) for alt in u.alternatives)
        a = Assessment(units)
        from ingest.citations import find_citations

        a.cited = sorted({c.work_id for c in find_citations(question) if c.work_id and c.work_id in snap.works})
        pinned = {p.upper() for p in _PASAL.findall(question)}
        for g in groups:
            work = snap.get(g["regulation"]["id"] or "")
            if work is None:
                continue
            for art in g["articles"]:
                scores = art.get("scores") or {}
                if scores.get("bm25") is not None:
                    a.bm25 = max(a.bm25 or 0.0, float(scores["bm25"]))
                if scores.get("dense") is not None:
                    a.dense = max(a.dense or -1.0, float(scores["dense"]))
                text = art["text"] if art.get("consolidated") else _article_text(work, art.get("pasal"))
                tokens = set(analyze(text)) | title_tokens(work)
                cov, dom = coverage(units, tokens)
                art["coverage"] = cov
                if art.get("pasal") and str(art["pasal"]).upper() in pinned:
                    ref = f"{work.id} Pasal {art['pasal']}"  # the question names an article a top hit is
                    if ref not in a.cited:
                        a.cited.append(ref)
                g["coverage"] = max(g.get("coverage", 0.0), cov)
                a.coverage = max(a.coverage, cov)
                a.domain_terms += [d for d in dom if d not in a.domain_terms]
        return a

    def _from_search(self, question: str, snap: Snapshot) -> dict[str, Any]:
        from search_api.consolidated import in_force_groups

        out = self.kb.searcher.search(question, mode="hybrid", limit=MAX_REGULATIONS * 2,
                                      articles_per_regulation=ARTICLES_PER_REGULATION + 1)
        # an amended article is quoted once, as in force (or as of the day the question names)
        groups = in_force_groups(snap, out["results"], question=question)
        a = self.assess(question, snap, groups)
        evidence = {"terms": [u.label for u in a.units], "domain_terms": a.domain_terms, "cited": a.cited,
                    "coverage": round(a.coverage, 3), "bm25": a.bm25, "dense": a.dense, "dimension": None}
        if not groups or not a.answers:
            missing = [u.label for u in a.units if u.weight >= max((x.weight for x in a.units), default=0) * 0.8]
            return {
                "question": question, "refused": True, "basis": "search",
                "reason": ("No article in the knowledge base covers what the question asks about"
                           + (f" ({', '.join(missing)})" if missing else "") + "; no rule is quoted rather than a wrong one."),
                "reason_id": ("Tidak ada pasal dalam basis pengetahuan yang memuat pokok pertanyaan"
                              + (f" ({', '.join(missing)})" if missing else "") + "; lebih baik tidak mengutip aturan yang keliru."),
                "answers": [], "dimensions": [], "confidence": round(1.0 - a.coverage, 3), "evidence": evidence,
            }
        best = a.coverage
        answers, involved = [], []
        # the evidence orders the answers: the regulations whose articles cover the question best
        # first, retrieval rank breaking ties (sorted() is stable)
        groups = sorted(groups, key=lambda g: -round(g.get("coverage", 0.0), 2))
        for g in groups:
            if len(answers) >= MAX_REGULATIONS:
                break
            if answers and g.get("coverage", 0.0) < RELATIVE_KEEP * best:
                continue
            work = snap.get(g["regulation"]["id"] or "")
            if work is None:
                continue
            dims_by_pasal = work.article_dimensions()
            quoted = []
            for art in g["articles"]:
                if len(quoted) >= ARTICLES_PER_REGULATION or not art.get("pasal"):
                    continue
                if quoted and art.get("coverage", 0.0) < RELATIVE_KEEP * best:
                    continue
                full = {"text": art["text"]} if art.get("consolidated") else work.article(art["pasal"])
                if full is None:
                    continue
                dims = [] if full.get("amends") else dims_by_pasal.get(str(art["pasal"]).upper(), [])
                quoted.append({"pasal": art["pasal"], "ayat": art.get("ayat"), "amends": art.get("amends"),
                               "text": full.get("text") or "", "uri": art.get("uri"), "dimensions": dims,
                               "score": float(art.get("score") or 0.0), "consolidated": art.get("consolidated"),
                               "article_status": art.get("article_status")})
                involved += dims
            involved += work.dimension_ids
            answers.append({"regulation": work.summary(), "articles": quoted, "strength": None,
                            "note": _note(work)})
        return {"question": question, "refused": False, "basis": "search", "answers": answers,
                "dimensions": list(dict.fromkeys(involved)), "confidence": a.confidence, "evidence": evidence}


def _note(work: Work, curated: bool = False) -> str | None:
    notes = []
    if not work.has_text:
        notes.append("Metadata only: the full text has not been uploaded yet / metadata saja, teks lengkap belum diunggah")
    if curated:
        notes.append("curated link (catalogue)")
    if not work.verified:
        notes.append("title not yet verified against the official text")
    return "; ".join(notes) or None

