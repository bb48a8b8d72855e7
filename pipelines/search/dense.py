"""Dense retrieval as one query step: embed the question, search the vectors, optionally ahead
of time.

Why one component rather than a text embedder connected to an embedding retriever: Haystack's
``Pipeline`` deep-copies every input it hands a component, element by element, with a
``typing.Protocol`` isinstance check per element. For a 384-float query embedding that is
11.7 ms on the development VM (Python 3.11), a third of what embedding the question costs. Here
the vector goes from the embedder to the retriever as a Python object, uncopied; both inner
components are the ordinary ones, so either can be swapped.

Why ``prefetch``: Haystack's synchronous ``Pipeline.run`` runs one component at a time, and its
``run_async`` hands components to threads that then contend for the GIL (measured slower here).
The dense branch needs little of the GIL (ONNX Runtime and numpy's einsum release it), so the
Searcher starts it on a background thread before running the pipeline; the keyword lookups run
meanwhile on the other core, and ``run`` collects the result (or computes it, when nothing was
prefetched for that text and filter).

Usage::

    from pipelines.embedding.embedder import CachedTextEmbedder
    from pipelines.stores.retrievers import SQLiteEmbeddingRetriever

    dense = DenseRetrieval(CachedTextEmbedder(), SQLiteEmbeddingRetriever(store, top_k=50))
    dense.warm_up()
    dense.prefetch("pusat data pemerintah")                   # optional: starts in the background
    dense.run(text="pusat data pemerintah")["documents"]
"""
from __future__ import annotations

import json
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from haystack import Document, component, default_to_dict

_MAX_PENDING = 64  # prefetched results nobody asked for are dropped past this


@component
class DenseRetrieval:
    """Embeds ``text`` with ``embedder`` and returns ``retriever``'s nearest documents."""

    def __init__(self, embedder, retriever):
        self.embedder = embedder
        self.retriever = retriever
        self._pending: dict[str, Future] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if hasattr(self.embedder, "warm_up"):
            self.embedder.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, embedder=self.embedder.to_dict(), retriever=self.retriever.to_dict())

    def _search(self, text: str, filters: dict[str, Any] | None) -> list[Document]:
        embedding = self.embedder.run(text=text)["embedding"]
        return self.retriever.run(query_embedding=embedding, filters=filters)["documents"]

    @staticmethod
    def _key(text: str, filters: dict[str, Any] | None) -> str:
        return json.dumps([text, filters], sort_keys=True, default=str)

    def prefetch(self, text: str, filters: dict[str, Any] | None = None) -> None:
        """Start ``run(text, filters)``'s work on a background thread; the next such ``run``
        takes its result (exceptions included)."""
        key = self._key(text, filters)
        with self._lock:
            if key in self._pending:
                return
            if len(self._pending) >= _MAX_PENDING:
                for stale in [k for k, f in self._pending.items() if f.done()]:
                    del self._pending[stale]
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="dense-prefetch")
            self._pending[key] = self._pool.submit(self._search, text, filters)

    @component.output_types(documents=list[Document])
    def run(self, text: str, filters: dict[str, Any] | None = None):
        with self._lock:
            future = self._pending.pop(self._key(text, filters), None)
        docs = future.result() if future is not None else self._search(text, filters)
        return {"documents": docs}
