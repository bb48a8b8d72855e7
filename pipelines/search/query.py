"""The query side: BM25 + dense retrieval, reciprocal rank fusion, grouping with citations.

``Searcher`` owns one Haystack pipeline per mode, built once and reused (the embedding model
loads on first dense/hybrid query). Results are grouped by regulation, best first, each with its
best articles, an escaped-and-marked snippet and the score of each mode.

>>> # s = get_searcher(); s.search("pusat data pemerintah", mode="hybrid", limit=5)
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from functools import lru_cache
from typing import Any

from haystack import Document, Pipeline, component

from ingest.config import get_settings
from pipelines.analysis.analyzer import analyze, expand_query
from pipelines.embedding.embedder import CachedTextEmbedder, set_query_threads
from pipelines.search.dense import DenseRetrieval
from pipelines.search.fusion import RankFusion
from pipelines.search.highlight import make_snippet, plain
from pipelines.search.lookups import CitationLookup, DefinitionLookup, PhraseLookup, WorkScope
from pipelines.stores.factory import open_store, retrievers_for
from pipelines.stores.references import KEY_FIELDS
from pipelines.stores.references import hydrate as hydrate_records
from pipelines.stores.sqlite import SQLiteDocumentStore

MODES = ("bm25", "dense", "hybrid")
CANDIDATES = 50  # per retriever, before fusion
# Hybrid fusion (docs/search-quality.md: the derivation and a sensitivity grid on the dev set).
# BM25 and the multilingual dense model are two general rankers of comparable strength: equal
# weights. An exact lookup (the article a question cites, the article that defines its term)
# outweighs both rankers together (2.5 > 1 + 1), so it ranks above an article they both put first.
# Scoped BM25 (within a law the question names) counts like a ranker; the phrase lookup is
# partial evidence (0.5). k = 5: the answers are one to three articles, so ranks near the top
# must count for much more than ranks 20-50 (the grid is flat for k 1-10, falls by k = 60).
FUSION_WEIGHTS = {"bm25": 1.0, "dense": 1.0, "cited": 2.5, "scoped": 1.0, "definitions": 2.5, "phrases": 0.5}
LOOKUPS = ("cited", "scoped", "definitions", "phrases")
FUSION_K = 5


def _doc_key(doc: Document) -> tuple[str, str | None]:
    """(regulation, pasal), or (regulation, "Lampiran I, A.1.a") for a Lampiran chunk."""
    return doc.meta.get("work_id"), doc.meta.get("pasal") or doc.meta.get("lampiran")


@component
class QueryExpander:
    """Adds glossary equivalents to a query so English questions reach Indonesian text.

    Usage::

        QueryExpander().run(query="data center")  # {"query": "data center pusat data ..."}
    """

    @component.output_types(query=str)
    def run(self, query: str):
        return {"query": expand_query(query)}


class Searcher:
    """Search one knowledge base in bm25, dense or hybrid mode."""

    def __init__(self, document_store, *, embedder_factory=None, candidates: int = CANDIDATES):
        """``embedder_factory()`` makes a text embedder component (one per pipeline: Haystack
        components can't be shared; the sentence-transformers backend is cached, so the model
        loads once)."""
        BM25Retriever, EmbeddingRetriever = retrievers_for(document_store)
        # On both stores the ranking steps pass light references (id, score, KEY_FIELDS)
        # and the fused ranking is read back once (pipelines.stores.references): Haystack deep-copies
        # every component's inputs and outputs, whole chunks cost ~135 us each to copy.
        partial = isinstance(document_store, SQLiteDocumentStore) or getattr(document_store, "partial_results", False)
        refs = list(KEY_FIELDS) if partial else None
        self._refs = refs is not None
        light = {"meta_fields": refs, "return_content": False} if refs else {}
        # for the lookups that read the text; they search each phrase / term and its glossary
        # twins one by one, so the retriever need not widen them again
        texts = {"meta_fields": refs, "expand_query": False} if refs else {"expand_query": False}
        embedder_factory = embedder_factory or CachedTextEmbedder
        self.store = document_store
        self.candidates = candidates
        self._lock = threading.Lock()
        self._embedders = [embedder_factory(), embedder_factory()]
        self._warm = False
        self._model_checked = float("-inf")
        self.prefetch_dense = True  # start the dense branch in the background (DenseRetrieval)
        self.pipelines: dict[str, Pipeline] = {}

        bm25 = Pipeline()  # the retriever expands the query with the glossary itself
        bm25.add_component("bm25", BM25Retriever(document_store=document_store, top_k=candidates, **light))
        self.pipelines["bm25"] = bm25

        # the English embedding model reads the glossary's English twins of Indonesian terms too
        dense = Pipeline()
        dense.add_component("expand", QueryExpander())
        dense.add_component("dense", DenseRetrieval(
            self._embedders[0], EmbeddingRetriever(document_store=document_store, top_k=candidates, **light)))
        dense.connect("expand.query", "dense.text")
        self.pipelines["dense"] = dense

        hybrid = Pipeline()
        hybrid.add_component("bm25", BM25Retriever(document_store=document_store, top_k=candidates, **light))
        hybrid.add_component("expand", QueryExpander())
        hybrid.add_component("dense", DenseRetrieval(
            self._embedders[1], EmbeddingRetriever(document_store=document_store, top_k=candidates, **light)))
        # the definition and phrase lookups read the candidates' text; they output references
        hybrid.add_component("cited", CitationLookup(document_store, meta_fields=refs))
        hybrid.add_component("scoped", WorkScope(BM25Retriever(document_store=document_store, top_k=candidates, **light),
                                                 meta_fields=refs))
        hybrid.add_component("definitions", DefinitionLookup(BM25Retriever(document_store=document_store, top_k=50, **texts),
                                                             meta_fields=refs))
        hybrid.add_component("phrases", PhraseLookup(BM25Retriever(document_store=document_store, top_k=candidates, **texts),
                                                     meta_fields=refs))
        hybrid.connect("expand.query", "dense.text")
        self.pipelines["hybrid"] = hybrid
        # The six ranked lists are the hybrid pipeline's outputs and the Searcher fuses them with
        # this component, rather than wiring it into the graph: Haystack's Pipeline deep-copies
        # every input of a component Document by Document (~28 us each on Python 3.11, see
        # deepset-ai/haystack#9349), and the lists hold 100-400 references, 5-10 ms of a ~40 ms
        # query. Outputs are not copied.
        self.fusion = RankFusion(weights=FUSION_WEIGHTS, k=FUSION_K, top_k=candidates)

    MODEL_CHECK_S = 10.0  # how often a running searcher re-reads which model embedded the store

    def _warm_up(self) -> None:
        import time

        from pipelines.embedding.models import embedder_model, ensure_compatible

        with self._lock:
            now = time.monotonic()
            if now - self._model_checked > self.MODEL_CHECK_S:
                # refuses (EmbeddingModelMismatch, saying to run `jdih reindex`) a knowledge base
                # whose vectors another model made: their similarities to this query mean nothing
                ensure_compatible(self.store, embedder_model(self._embedders[0]))
                self._model_checked = now
            if not self._warm:
                set_query_threads()
                for e in self._embedders:
                    e.warm_up()
                self._warm = True

    def retrieve(self, query: str, mode: str = "hybrid", top_k: int = CANDIDATES,
                 filters: dict | None = None, *, hydrate: bool = True) -> list[Document]:
        """Ranked chunks (best first) with ``score`` and per-mode scores in ``meta["scores"]``.
        ``hydrate=False`` may return light references (id, score, ``KEY_FIELDS``) instead of
        whole chunks: enough to tell which article ranks where."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        query = query.strip()
        if not query:
            return []
        out = self._run(query, mode, filters)
        if mode == "hybrid":
            docs = self.fusion.run(**out)["documents"]
        else:
            docs = [replace(d, meta={**d.meta, "scores": {mode: d.score}}) for d in out[mode]]
        docs = docs[:top_k]
        return hydrate_records(self.store, docs) if hydrate and self._refs else docs

    def ranked_lists(self, query: str, filters: dict | None = None) -> dict[str, list[Document]]:
        """The hybrid query's named ranked lists before fusion (``bm25``, ``dense`` and the
        lookups), as light references on the embedded store: what RankFusion combines, for
        studying the fusion itself (benchmarks/fusion_grid.py)."""
        query = query.strip()
        return self._run(query, "hybrid", filters) if query else {name: [] for name in LOOKUPS + ("bm25", "dense")}

    def _run(self, query: str, mode: str, filters: dict | None) -> dict[str, list[Document]]:
        if mode != "bm25":
            self._warm_up()
            # the dense branch runs on a background thread while the keyword side runs here
            if self.prefetch_dense:
                self.pipelines[mode].get_component("dense").prefetch(_expanded(query), filters)
        inputs: dict[str, dict[str, Any]] = {}
        if mode in ("bm25", "hybrid"):
            inputs["bm25"] = {"query": query, "filters": filters}
        if mode in ("dense", "hybrid"):
            inputs["expand"] = {"query": query}
            inputs["dense"] = {"filters": filters}
        if mode == "hybrid":
            for name in LOOKUPS:
                inputs[name] = {"query": query, "filters": filters}
        out = self.pipelines[mode].run(inputs)
        return {name: result["documents"] for name, result in out.items()}

    def ranked_items(self, query: str, mode: str, k: int = 10) -> list[tuple[str, str | None]]:
        """Distinct (regulation, pasal) in rank order: what the evaluation scores."""
        seen: OrderedDict[tuple[str, str | None], None] = OrderedDict()
        for d in self.retrieve(query, mode, hydrate=False):
            seen.setdefault(_doc_key(d), None)
            if len(seen) >= k:
                break
        return list(seen)

    def matching_regulations(self, query: str, filters: dict | None = None) -> list[tuple[str, float]]:
        """Every regulation with a chunk the keyword query matches (at least one analysed query
        term, glossary-expanded), with its best BM25 score, best first: counted by the store
        (``matching_works``: SQLite postings or GROUP BY, an Elasticsearch terms aggregation)."""
        match = getattr(self.store, "matching_works", None)
        return match(query.strip(), filters) if match is not None and query.strip() else []

    def search(self, query: str, mode: str = "hybrid", limit: int = 10, filters: dict | None = None,
               articles_per_regulation: int = 3, complete: bool = False) -> dict[str, Any]:
        """Results grouped by regulation, best first. ``complete``: every regulation that matches
        (``matching_regulations``) is in the list, those the mode's ranking did not reach after
        the ranked ones, by their best BM25 score; ``total`` then counts them all."""
        docs = self.retrieve(query, mode, filters=filters)
        if complete:
            docs = docs + self._rest_of_matches(query, filters, {d.meta.get("work_id") for d in docs})
        terms = set(analyze(query)) | set(analyze(_expanded(query)))
        groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for rank, d in enumerate(docs):
            rid = d.meta.get("work_id")
            g = groups.get(rid)
            if g is None:
                g = groups[rid] = {"regulation": _regulation_view(d.meta), "score": d.score or 0.0, "articles": []}
            if len(g["articles"]) >= articles_per_regulation:
                continue
            if any(a["pasal"] == d.meta.get("pasal") and a["pasal"] is not None for a in g["articles"]):
                continue
            snippet = make_snippet(d.content or "", terms, analyze_word=_analyze_word)
            g["articles"].append({
                "pasal": d.meta.get("pasal"),
                "lampiran": d.meta.get("lampiran"),
                "rows": _rows_range(d.meta),
                "parts": d.meta.get("parts"),
                "rank": rank,  # in the ranked list (fused, then the rest of the matches by BM25)
                "ayat": _ayat_range(d.meta),
                "amends": d.meta.get("amends"),
                "breadcrumb": d.meta.get("breadcrumb"),
                "snippet": snippet,
                "plain_snippet": plain(snippet),
                "score": d.score or 0.0,
                "scores": d.meta.get("scores", {}),
                "uri": d.meta.get("article_uri") or d.meta.get("uri"),
            })
        results = list(groups.values())[:limit]
        return {"query": query, "mode": mode, "total": len(groups), "results": results}

    def _rest_of_matches(self, query: str, filters: dict | None, seen: set) -> list[Document]:
        """The best chunks of the matching regulations that ``seen`` lacks, best regulation first."""
        best_chunks = getattr(self.store, "matching_work_chunks", None)
        if best_chunks is not None:  # the embedded store: one chunk per work, in one pass
            return [replace(d, meta={**d.meta, "scores": {"bm25": d.score}})
                    for d in best_chunks(query.strip(), filters, exclude=seen)]
        rest = [w for w, _ in self.matching_regulations(query, filters) if w not in seen]
        order = {w: i for i, w in enumerate(rest)}
        found: dict[str, list[Document]] = {}
        for _ in range(50):  # each round finds at least the best chunk of one missing regulation
            missing = [w for w in rest if w not in found]
            if not missing:
                break
            scope = {"field": "meta.work_id", "operator": "in", "value": missing}
            scope = {"operator": "AND", "conditions": [filters, scope]} if filters else scope
            hits = self.store.bm25_search(query.strip(), top_k=min(2000, 5 * len(missing)), filters=scope)
            if not hits:
                break
            for d in hits:
                found.setdefault(d.meta.get("work_id"), []).append(d)
        out = []
        for w in sorted(found, key=lambda w: order.get(w, len(order))):
            out += [replace(d, meta={**d.meta, "scores": {"bm25": d.score}}) for d in found[w]]
        return out


@lru_cache(maxsize=65536)
def _analyze_word(word: str) -> str:
    terms = analyze(word)
    return terms[0] if terms else ""


def _expanded(query: str) -> str:
    return expand_query(query)


def _rows_range(meta: dict) -> str | None:
    """"1-9": the Lampiran table rows a chunk holds."""
    a, b = meta.get("rows_from"), meta.get("rows_to")
    if not a:
        return None
    return str(a) if not b or a == b else f"{a}-{b}"


def _ayat_range(meta: dict) -> str | None:
    a, b = meta.get("ayat_from"), meta.get("ayat_to")
    if not a:
        return None
    return a if not b or a == b else f"{a}-{b}"


def _regulation_view(meta: dict) -> dict[str, Any]:
    return {
        "id": meta.get("work_id"),
        "judul": meta.get("judul"),
        "jenis": meta.get("jenis"),
        "nomor": meta.get("nomor"),
        "tahun": meta.get("tahun"),
        "status": meta.get("status"),
        "dimensions": meta.get("work_dimensions") or [],
        "has_text": meta.get("has_text", True),
        "uri": meta.get("uri"),
    }


_searchers: dict[str, Searcher] = {}
_searchers_lock = threading.Lock()


def get_searcher(settings=None) -> Searcher:
    """One Searcher per knowledge base (the embedded store by default)."""
    settings = settings or get_settings()
    key = f"{settings.store}:{settings.db_path}:{settings.embedding_model}"
    with _searchers_lock:
        if key not in _searchers:
            from pipelines.embedding.embedder import CachedTextEmbedder

            _searchers[key] = Searcher(open_store(settings),
                                       embedder_factory=lambda: CachedTextEmbedder(model=settings.embedding_model))
        return _searchers[key]
