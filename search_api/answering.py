"""Answering "which rule governs X?" with quotes from the law, or refusing on the evidence.

No text is generated: an answer is the governing regulation(s) and the article(s) quoted as
stored, with permalinks, the dimensions involved and a confidence.

Two kinds of answer:

1. A question that names a Smart City dimension ("regulasi apa yang mendukung smart
   environment?") is answered from the dimension links (pipelines.indexing.dimensions), strongest first,
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

from ingest.citations import find_citations
from ingest.ids import JENIS
from pipelines.analysis.analyzer import GLOSSARY_WORD_RE, analyze, analyze_query, glossary_matches, normalize
from pipelines.indexing.dimensions import default_taxonomy
from pipelines.search.lookups import DEFINITION_CUE
from regulations.catalogue import regional_name
from search_api import calibration
from search_api.consolidated import in_force_groups
from search_api.dimensions import linked
from search_api.kb import KnowledgeBase, Snapshot, Work, work_text_units

COVERAGE_MIN = 0.4  # idf-weighted share of the question found in the best article (+ its work's title)
SPECIFIC_IDF = 2.3  # ln(10): a glossary concept is specific evidence when at most ~1 article in 10 uses it
MAX_REGULATIONS = 5
ARTICLES_PER_REGULATION = 2
ROW_CANDIDATES = 2 * (ARTICLES_PER_REGULATION + 1)  # a regulation's table chunks whose rows are compared
_PASAL = re.compile(r"\bpasal\s+(\d+[a-z]?)\b", re.I)
RELATIVE_KEEP = 0.5  # a further regulation is shown when its coverage is at least this share of the best


@dataclass
class Unit:
    label: str
    alternatives: list[tuple[str, ...]]  # analysed token sequences, any of which covers the unit
    domain: str = ""
    weight: float = 0.0

    def covered_by(self, tokens: "set[str] | Tokens") -> bool:
        """A one-word alternative is covered when the text has the word; a longer one ("pusat
        data") only when its words stand together in the text, as a phrase: an article on the
        "pemerintah pusat" that processes "data" is not about data centres."""
        if not isinstance(tokens, Tokens):
            return any(alt and all(t in tokens for t in alt) for alt in self.alternatives)
        return any(alt and tokens.has_phrase(alt) for alt in self.alternatives)


class Tokens:
    """The analysed words of one or more texts, in order: what ``Unit.covered_by`` reads."""

    def __init__(self, *sequences: list[str]):
        self.sequences = [list(x) for x in sequences if x]
        self.words = {t for seq in self.sequences for t in seq}

    def __or__(self, other: "Tokens") -> "Tokens":
        return Tokens(*self.sequences, *other.sequences)

    def __contains__(self, term: str) -> bool:
        return term in self.words

    def has_phrase(self, alt: tuple[str, ...]) -> bool:
        if not all(t in self.words for t in alt):
            return False
        if len(alt) == 1:
            return True
        n = len(alt)
        return any(tuple(seq[i:i + n]) == alt for seq in self.sequences for i in range(len(seq) - n + 1))


# every type of regulation by its full name and its abbreviation, the longest first
_REGULATION_TYPES = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(
        {n for pair in JENIS.values() for n in pair}, key=len, reverse=True)) + r")(?![\w-])", re.I)


def question_units(question: str) -> list[Unit]:
    """Glossary concepts first, then every other content word of the question. The words that
    frame a definition question ("arti", "pengertian", "apa yang dimaksud dengan", "what is":
    the definition lookup's cue) are not part of its subject."""
    cue = DEFINITION_CUE.match(question)
    if cue and cue.group("term"):
        question = question[cue.start("term"):]
    # the type of regulation a question names ("Perwal Malang tentang ...", "peraturan daerah
    # ...") says where to look, not what about: every Perwal is a Perwal
    question = _REGULATION_TYPES.sub(" ", question)
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


def _section_rows(section: dict[str, Any], rows: str | None, parts: int | None = None) -> list[dict[str, Any]]:
    """The rows of a Lampiran section that a chunk holds ("1-9"), all of them without a range when
    the chunk is the whole section; none for a part of a split section without rows (its notes)."""
    if not rows:
        return [] if (parts or 1) > 1 else list(section["rows"])
    a, _, b = str(rows).partition("-")
    lo, hi = int(a), int(b or a)
    return [r for r in section["rows"] if lo <= r["number"] <= hi]


def _section_head(section: dict[str, Any]) -> str:
    return " ".join([section.get("title") or "", *section.get("headings", []), section.get("header") or ""])


def _hit_text(work: Work, art: dict[str, Any]) -> str:
    """The text the evidence reads for a hit: the article (+ Penjelasan), or for a Lampiran hit
    its section's headings, column header and the rows the chunk holds."""
    if art.get("lampiran"):
        sec = work.lampiran_section(art["lampiran"])
        if sec is None:
            return ""
        return _section_head(sec) + "\n" + "\n".join(r["line"] for r in _section_rows(sec, art.get("rows"), art.get("parts")))
    return _article_text(work, art.get("pasal"))


def row_scores(units: list[Unit], section: dict[str, Any], rows: list[dict[str, Any]]) -> list[tuple[tuple[float, float], dict]]:
    """How well each row answers: the share of the question's weight covered by the row (with
    its group labels) and the section's own heading and its parent's, then by the row with every
    heading above it and the Lampiran's title. What a row's nearest headings say outweighs a
    distant one: under "Pelayanan Kesehatan di Puskesmas, ..., Rumah Sakit Umum Daerah" both the
    Puskesmas table and the hospital's "Pelayanan Rawat Jalan" sit, and the first is the one
    about puskesmas."""
    headings = section.get("headings") or []
    near = Tokens(analyze(" ".join(headings[-2:])))
    far = Tokens(analyze(_section_head(section)))
    # then the table whose own heading says least beyond the question: "E. Akomodasi Rawat Inap"
    # before "2. Rawat Inap Gabung Untuk Bayi Baru Lahir dengan Asfiksia" for a room in class III
    asked = {t for u in units for alt in u.alternatives for t in alt}
    beyond = len({t for t in analyze(headings[-1]) if not t.isdigit() and len(t) > 1} - asked) if headings else 0
    out = []
    for r in rows:
        line = Tokens(analyze(r["line"]))
        out.append(((coverage(units, near | line)[0], coverage(units, far | line)[0], -beyond), r))
    return out


def _best_row_evidence(units: list[Unit], work: Work, art: dict[str, Any]) -> tuple[float, list[str]]:
    """Coverage and specific terms of a Lampiran hit: of its best row, read with the two headings
    nearest it and the work's title."""
    sec = work.lampiran_section(art["lampiran"])
    if sec is None:
        return 0.0, []
    title = title_tokens(work)
    near = Tokens(analyze(" ".join((sec.get("headings") or [])[-2:])))
    best: tuple[float, list[str]] = (0.0, [])
    for row in _section_rows(sec, art.get("rows"), art.get("parts")):
        cov, dom = coverage(units, near | Tokens(analyze(row["line"])) | title)
        if cov > best[0]:
            best = (cov, dom)
    return best


def _article_text(work: Work, pasal: str | None) -> str:
    if pasal:
        a = work.article(pasal)
        if a:
            return (a.get("text") or "") + "\n" + (a.get("penjelasan") or "")
    return " ".join(work_text_units(work)) if not work.articles() else ""


def title_tokens(work: Work) -> Tokens:
    """A question may name the regulation ("menurut UU ITE", "PP 71 tahun 2019"): its title counts."""
    parts = [work.field("judul"), work.record.get("judul_en"),
             " ".join(str(x) for x in (work.singkatan, work.jenis, work.nomor, work.tahun, work.region) if x),
             regional_name(work.jenis, work.region, work.record) if work.region else None,  # "... Kota Malang"
             title_acronym(work.field("judul"))]
    return Tokens(*(analyze(str(p)) for p in parts if p))


_ACRONYM_SKIP = {"dan", "atau", "atas", "di", "ke", "dari", "yang", "serta", "antara", "untuk", "dalam", "pada"}


def title_acronym(judul: str | None) -> str | None:
    """The short name a law goes by, from the initials of its subject: "Informasi dan Transaksi
    Elektronik" -> "ITE", "Pelindungan Data Pribadi" -> "PDP", "Keterbukaan Informasi Publik" ->
    "KIP" (an amendment's title: the subject after its last "tentang")."""
    if not judul:
        return None
    subject = re.split(r"\btentang\b", str(judul), flags=re.I)[-1]
    words = [w for w in re.findall(r"[A-Za-z]+", subject) if w.lower() not in _ACRONYM_SKIP]
    return "".join(w[0] for w in words).upper() if 2 <= len(words) <= 8 else None


def coverage(units: list[Unit], tokens: "set[str] | Tokens") -> tuple[float, list[str]]:
    """The idf-weighted share of the units found in ``tokens``, and the specific glossary
    concepts among them (a concept nearly every article uses, such as "tahun", proves nothing)."""
    total = sum(u.weight for u in units)
    if total <= 0:
        return 0.0, []
    hit = [u for u in units if u.covered_by(tokens)]
    return sum(u.weight for u in hit) / total, [u.label for u in hit if u.domain and u.weight >= SPECIFIC_IDF]


class Answerer:
    def __init__(self, kb: KnowledgeBase, *, calibrated: bool = True):
        """``calibrated=False`` reports the raw evidence score as the confidence (what
        benchmarks/ask_calibration.py fits the calibration on)."""
        self.kb = kb
        self.calibrated = calibrated

    def ask(self, question: str) -> dict[str, Any]:
        question = " ".join(question.split())
        snap = self.kb.snapshot()

        dims = default_taxonomy().dimensions_named_in(question)
        if dims:
            result = self._from_dimensions(question, snap, dims)
        else:
            result = self._from_search(question, snap)
        return self._calibrate(result)

    def _calibrate(self, result: dict[str, Any]) -> dict[str, Any]:
        """The confidence shown: for a search answer or refusal, the share of results like it that
        were right on the calibration set (search_api.calibration); its band is named after it."""
        raw = float(result["confidence"])
        result["evidence"]["raw_confidence"] = round(raw, 3)
        fitted = calibration.load() if self.calibrated and result.get("basis") == "search" else None
        if fitted is not None:
            result["confidence"] = fitted.apply(raw, refused=bool(result["refused"]))
        result["band"] = calibration.band(result["confidence"])
        return result

    # ---- dimension questions ----

    def _from_dimensions(self, question: str, snap: Snapshot, dims: list[str]) -> dict[str, Any]:
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
        stats = snap.term_stats()
        units = question_units(question)
        for u in units:
            u.weight = min(sum(stats.idf(t) for t in alt) / len(alt) for alt in u.alternatives)
        a = Assessment(units)

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
                if art.get("lampiran"):
                    # a table is evidence row by row, as it is quoted: the best row with its
                    # nearest headings (words scattered over a chunk of rows prove nothing)
                    cov, dom = _best_row_evidence(units, work, art)
                else:
                    text = art["text"] if art.get("consolidated") else _hit_text(work, art)
                    cov, dom = coverage(units, Tokens(analyze(text)) | title_tokens(work))
                art["coverage"] = cov
                art["domain_terms"] = dom
                if art.get("pasal") and str(art["pasal"]).upper() in pinned:
                    ref = f"{work.id} Pasal {art['pasal']}"  # the question names an article a top hit is
                    if ref not in a.cited:
                        a.cited.append(ref)
                g["coverage"] = max(g.get("coverage", 0.0), cov)
                g["domain_terms"] = list(dict.fromkeys(g.get("domain_terms", []) + dom))
                a.coverage = max(a.coverage, cov)
                a.domain_terms += [d for d in dom if d not in a.domain_terms]
        return a

    @staticmethod
    def _quote_rows(units: list[Unit], work: Work, hits: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
        """The rows of a regulation's Lampiran hits that answer best (``row_scores``), quoted as
        "Lampiran I, A.1.a, baris 1" with the reader's permalink to the row; a second row only
        when it answers as well as the first. A hit is looked at only on its own evidence."""
        candidates = []
        for order, art in enumerate(hits):
            if "coverage" not in art:  # a table chunk beyond the evidence: judged on its own best row
                art["coverage"], art["domain_terms"] = _best_row_evidence(units, work, art)
            if not (art.get("coverage", 0.0) >= COVERAGE_MIN or art.get("domain_terms")):
                continue
            sec = work.lampiran_section(art["lampiran"])
            if sec is None:
                continue
            for score, row in row_scores(units, sec, _section_rows(sec, art.get("rows"), art.get("parts"))):
                candidates.append((score, order, row["number"], sec, row, art))
        candidates.sort(key=lambda c: (-c[0][0], -c[0][1], -c[0][2], c[1], c[2]))
        out: list[dict[str, Any]] = []
        for score, _, _, sec, row, art in candidates:
            if len(out) >= room or (out and score < candidates[0][0]):
                break
            base = work.uri
            out.append({"pasal": None, "ayat": None, "lampiran": sec["citation"], "row": row["number"],
                        "citation": f"{sec['citation']}, baris {row['number']}",
                        "amends": (sec.get("replaces") or {}).get("work"),
                        "text": _row_quote(sec, row), "uri": f"{base}#{sec['anchor']}-baris-{row['number']}" if base else None,
                        "dimensions": [], "score": float(art.get("score") or 0.0)})
        return out

    def _from_search(self, question: str, snap: Snapshot) -> dict[str, Any]:
        out = self.kb.searcher.search(question, mode="hybrid", limit=MAX_REGULATIONS * 2,
                                      articles_per_regulation=ROW_CANDIDATES)
        # the evidence is a regulation's best few hits; a table's rows are compared over more of
        # its chunks, as one large table is split into many (the row that answers is often not in
        # the chunk whose headings match best). Kept by regulation: the in-force step below may
        # move hits between groups.
        row_hits: dict[str, list[dict[str, Any]]] = {}
        for g in out["results"]:
            row_hits[(g.get("regulation") or {}).get("id") or ""] = [x for x in g["articles"] if x.get("lampiran")]
            g["articles"] = g["articles"][:ARTICLES_PER_REGULATION + 1]
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
        region = self.region_of(question, snap)
        cited_works = {c.split(" Pasal ")[0] for c in a.cited}

        def governs(g: dict[str, Any]) -> bool:
            """The rule that refuses, applied to each regulation: its own articles must cover the
            question, or hold a specific term of it, or be what the question cites."""
            return (g.get("coverage", 0.0) >= COVERAGE_MIN or bool(g.get("domain_terms"))
                    or g["regulation"]["id"] in cited_works)

        kept = [g for g in groups if governs(g) and g.get("coverage", 0.0) >= RELATIVE_KEEP * best]
        if not kept:  # answered on a cited work the retrievers missed: the best evidence
            kept = sorted(groups, key=lambda g: -round(g.get("coverage", 0.0), 2))[:1]
        # a regional rule governs its own region only: when the question names a region, a rule of
        # another one is no answer ("suhu udara di Malang" is not answered by a Banjarnegara
        # laboratory tariff for "Suhu"); when it names none, such a rule comes last, said to be
        # another region's
        elsewhere = sorted({self._region_of_work(snap, g) for g in kept} - {None, region})
        if self.named_region(question, snap):
            kept = [g for g in kept if self._region_of_work(snap, g) in (None, region)]
        if not kept:
            names = ", ".join(r.replace("-", " ").title() for r in elsewhere)
            here = region.replace("-", " ").title()
            return {
                "question": question, "refused": True, "basis": "search", "region": region,
                "reason": (f"Only rules of another region ({names}) cover this; none of {here} or of national law "
                           f"does. Name the region in the question to see its rules."),
                "reason_id": (f"Hanya aturan daerah lain ({names}) yang memuatnya; tidak ada aturan {here} atau "
                              f"aturan nasional. Sebutkan daerahnya dalam pertanyaan untuk melihat aturannya."),
                "answers": [], "dimensions": [], "confidence": round(1.0 - a.coverage * 0.5, 3), "evidence": evidence,
            }
        # the local rule first: a regulation of the region the question names (or of this
        # deployment's region) that governs the matter comes before national law; then the
        # evidence orders them, retrieval rank breaking ties (sorted() is stable)
        kept.sort(key=lambda g: (0 if self._is_local(snap, g, region) else 2 if self._region_of_work(snap, g) else 1,
                                 -round(g.get("coverage", 0.0), 2)))
        answers, involved = [], []
        for g in kept:
            if len(answers) >= MAX_REGULATIONS:
                break
            work = snap.get(g["regulation"]["id"] or "")
            if work is None:
                continue
            dims_by_pasal = work.article_dimensions()
            quoted = self._quote_rows(a.units, work, row_hits.get(work.id) or [x for x in g["articles"] if x.get("lampiran")],
                                      ARTICLES_PER_REGULATION)
            for art in g["articles"]:
                if len(quoted) >= ARTICLES_PER_REGULATION or not (art.get("pasal") or art.get("lampiran")):
                    continue
                # an article is quoted only on its own evidence, as the regulation is
                if not (art.get("coverage", 0.0) >= COVERAGE_MIN or art.get("domain_terms")
                        or f"{work.id} Pasal {art.get('pasal')}" in a.cited or work.id in cited_works):
                    continue
                if quoted and art.get("coverage", 0.0) < RELATIVE_KEEP * best:
                    continue
                if art.get("lampiran"):
                    continue  # quoted above, row by row
                full = {"text": art["text"]} if art.get("consolidated") else work.article(art["pasal"])
                if full is None:
                    continue
                dims = [] if full.get("amends") else dims_by_pasal.get(str(art["pasal"]).upper(), [])
                quoted.append({"pasal": art["pasal"], "ayat": art.get("ayat"), "amends": art.get("amends"),
                               "text": full.get("text") or "", "uri": art.get("uri"), "dimensions": dims,
                               "score": float(art.get("score") or 0.0), "consolidated": art.get("consolidated"),
                               "article_status": art.get("article_status")})
                involved += dims
            if work.has_text and not quoted:
                continue  # none of its articles answers on its own evidence: not named at all
            involved += work.dimension_ids
            other = work.region if work.region and work.region != region else None
            answers.append({"regulation": work.summary(), "articles": quoted, "strength": None,
                            "note": "; ".join(x for x in (_note(work), _elsewhere(other, region)) if x) or None,
                            "local": self._is_local(snap, g, region), "other_region": bool(other),
                            "metadata_only": not work.has_text, "known": _known(work)})
        return {"question": question, "refused": False, "basis": "search", "answers": answers,
                "region": region, "dimensions": list(dict.fromkeys(involved)), "confidence": a.confidence,
                "evidence": evidence}

    def region_of(self, question: str, snap: Snapshot) -> str:
        """The region a question names ("... di puskesmas Banjarnegara") among the regions of the
        knowledge base, else this deployment's (``JDIH_HOME_REGION``, Malang by default)."""
        return self.named_region(question, snap) or self.kb.home_region

    @staticmethod
    def named_region(question: str, snap: Snapshot) -> str | None:
        text = " " + " ".join(re.findall(r"[a-z0-9]+", normalize(question).lower())) + " "
        named = [r for r in sorted(snap.regions, key=len, reverse=True) if f" {r.replace('-', ' ')} " in text]
        return named[0] if named else None

    @staticmethod
    def _region_of_work(snap: Snapshot, g: dict[str, Any]) -> str | None:
        work = snap.get(g["regulation"]["id"] or "")
        return work.region if work is not None and work.region else None

    @staticmethod
    def _is_local(snap: Snapshot, g: dict[str, Any], region: str) -> bool:
        work = snap.get(g["regulation"]["id"] or "")
        return bool(work is not None and work.region and work.region == region)

def _row_quote(section: dict[str, Any], row: dict[str, Any]) -> str:
    """A table row quoted with what makes it readable alone: where it sits and its columns."""
    lines = [" › ".join(section.get("headings") or [])]
    if section.get("header"):
        lines.append(f"Kolom: {section['header']}")
    lines.append(f"baris {row['number']}: {row['line']}")
    return "\n".join(x for x in lines if x)


def _elsewhere(other: str | None, region: str) -> str | None:
    if not other:
        return None
    o, h = other.replace("-", " ").title(), region.replace("-", " ").title()
    return f"A rule of {o}, not of {h} / aturan daerah {o}, bukan {h}"


def _known(work: Work) -> list[str]:
    """What the catalogue knows of a work whose text is not in the database yet."""
    if work.has_text:
        return []
    rec = work.record
    out = [f"{work.singkatan or work.jenis or ''} {work.nomor or ''}/{work.tahun or ''} tentang {work.field('judul') or ''}".strip()]
    if rec.get("judul_en"):
        out.append(str(rec["judul_en"]))
    out += [str(f) for f in rec.get("facts") or []]
    if rec.get("abstrak"):
        out.append(str(rec["abstrak"]))
    return out


def _note(work: Work, curated: bool = False) -> str | None:
    notes = []
    if not work.has_text:
        notes.append("Text not yet in the database: catalogue record only / teks belum ada di basis data: "
                     "hanya data katalog")
    if curated:
        notes.append("curated link (catalogue)")
    if not work.verified:
        notes.append("title not yet verified against the official text")
    return "; ".join(notes) or None

