"""Light document references for the ranking steps of a query, and turning them back into records.

A hybrid query moves six ranked lists of up to 50 Documents through the pipeline, and Haystack's
``Pipeline`` deep-copies every component's inputs and outputs. A whole chunk (a Pasal's text and
27 meta keys) costs ~135 us to deep-copy, 6.7 ms for a list of 50: more than BM25 itself at
100k chunks. Ranking needs only the id, the score and the keys that identify an article, so the
retrievers and lookups of the query pipelines hand on *references* (no content, a few meta keys)
and the records are read once, for the fused ranking, by ``hydrate``.

Usage::

    refs = [reference(d, KEY_FIELDS) for d in docs]          # Document(id, score, meta subset)
    full = hydrate(store, fused_refs)                        # same order, scores and meta["scores"]
"""
from __future__ import annotations

from dataclasses import replace

from haystack import Document

# What fusion and evaluation read: which article of which regulation a chunk is.
KEY_FIELDS = ("work_id", "pasal", "lampiran")


def reference(doc: Document, meta_fields, *, content: bool = False) -> Document:
    """``doc`` reduced to its id, score and the ``meta_fields`` keys it has (and its content when
    ``content``)."""
    return Document(id=doc.id, content=doc.content if content else None,
                    meta={f: doc.meta[f] for f in meta_fields if f in doc.meta}, score=doc.score)


def hydrate(store, refs: list[Document]) -> list[Document]:
    """The stored records of ``refs``, in their order, each with the reference's score and its
    meta keys on top (e.g. the per-mode ``scores`` fusion adds). References whose record has gone
    (deleted between ranking and reading) are left out."""
    if not refs:
        return []
    records = {d.id: d for d in store.get_documents_by_id([d.id for d in refs], return_embedding=False)}
    return [replace(records[ref.id], score=ref.score, meta={**records[ref.id].meta, **ref.meta})
            for ref in refs if ref.id in records]
