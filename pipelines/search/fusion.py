"""Weighted reciprocal rank fusion over NAMED ranked lists.

Why not Haystack's DocumentJoiner: its RRF fixes k at 61 and binds weights to the order in which
variadic inputs arrive; here each list has a name, its own weight, and k is a parameter, so the
hybrid pipeline can say "BM25 counts most, dense helps, a cited article wins" and keep saying it
when a list is empty. The formula is the same: score(d) = sum over lists of w / (k + rank(d)).

>>> from haystack import Document
>>> a, b = Document(id="a", content="x"), Document(id="b", content="y")
>>> out = RankFusion(weights={"bm25": 1.0, "dense": 0.5}, k=10).run(bm25=[a, b], dense=[b])["documents"]
>>> [d.id for d in out]
['b', 'a']
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

LISTS = ("bm25", "dense", "cited", "scoped", "definitions", "phrases")


@component
class RankFusion:
    """Fuses the ranked lists of a hybrid query into one ranking.

    Usage::

        fuse = RankFusion(weights={"bm25": 1.0, "dense": 0.3, "cited": 2.0}, k=10)
        fuse.run(bm25=bm25_docs, dense=dense_docs, cited=cited_docs)["documents"]
    """

    def __init__(self, weights: dict[str, float] | None = None, k: int = 60, top_k: int | None = None):
        weights = dict(weights or {name: 1.0 for name in LISTS})
        unknown = set(weights) - set(LISTS)
        if unknown:
            raise ValueError(f"unknown list name(s) {sorted(unknown)}; valid: {', '.join(LISTS)}")
        if any(w < 0 for w in weights.values()):
            raise ValueError("weights must not be negative")
        if k < 1:
            raise ValueError("k must be at least 1")
        self.weights, self.k, self.top_k = weights, k, top_k

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, weights=self.weights, k=self.k, top_k=self.top_k)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RankFusion":
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, bm25: list[Document] | None = None, dense: list[Document] | None = None,
            cited: list[Document] | None = None, scoped: list[Document] | None = None,
            definitions: list[Document] | None = None, phrases: list[Document] | None = None,
            top_k: int | None = None):
        lists = {"bm25": bm25, "dense": dense, "cited": cited, "scoped": scoped, "definitions": definitions,
                 "phrases": phrases}
        scores: dict[str, float] = {}
        docs: dict[str, Document] = {}
        per_list: dict[str, dict[str, float | None]] = {}
        for name, ranked in lists.items():
            weight = self.weights.get(name, 0.0)
            for rank, doc in enumerate(ranked or [], start=1):
                docs.setdefault(doc.id, doc)
                per_list.setdefault(doc.id, {})[name] = doc.score
                if weight:
                    scores[doc.id] = scores.get(doc.id, 0.0) + weight / (self.k + rank)
        ranked_ids = sorted(scores, key=lambda i: -scores[i])
        limit = top_k or self.top_k
        out = [replace(docs[i], score=scores[i], meta={**docs[i].meta, "scores": per_list[i]}) for i in ranked_ids]
        return {"documents": out[:limit] if limit else out}
