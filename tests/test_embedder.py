"""The embedding model setting, the query cache, and the rule that a knowledge base never mixes
vectors of two models (a knowledge base built with the old all-MiniLM-L6-v2 included)."""
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PP71 = ROOT / "regulations" / "corpus" / "pp-71-2019-pste.md"
QUESTION = "Must a public agency keep its electronic data inside Indonesia?"


def test_the_model_setting(monkeypatch, tmp_path):
    from pipelines.embedding.models import configured_model, resolve_model

    monkeypatch.delenv("JDIH_EMBEDDING_MODEL", raising=False)
    assert configured_model().name == "multilingual-e5-small" and configured_model().kind == "e5"
    minilm = resolve_model("all-MiniLM-L6-v2")
    assert minilm.kind == "sentence-transformers" and Path(minilm.path, "config.json").is_file() and minilm.dim == 384
    local = resolve_model(minilm.path)  # any local sentence-transformers directory
    assert local.path == str(Path(minilm.path).resolve()) and local.name.startswith(Path(minilm.path).name + "@")
    with pytest.raises(ValueError, match="JDIH_EMBEDDING_MODEL must be multilingual-e5-small.*nothing is ever downloaded"):
        resolve_model("BAAI/bge-m3")
    monkeypatch.setenv("JDIH_EMBEDDING_MODEL", "minilm")
    assert configured_model().name == "all-MiniLM-L6-v2"


def test_components_serialise_and_embed():
    from haystack import Document

    from pipelines.embedding.embedder import E5DocumentEmbedder, E5TextEmbedder, document_embedder, text_embedder

    docs = document_embedder(meta_fields_to_embed=["breadcrumb"])
    assert isinstance(docs, E5DocumentEmbedder)
    again = E5DocumentEmbedder.from_dict(docs.to_dict())
    assert again.meta_fields_to_embed == ["breadcrumb"]
    text = PP71.read_text(encoding="utf-8")
    pasal_40 = text[text.index("Pasal 40\n"):text.index("Pasal 41\n")]
    out = again.run(documents=[Document(content=pasal_40, meta={"breadcrumb": "PP 71/2019 Pasal 40"})])["documents"]
    assert len(out[0].embedding) == 384 and abs(np.linalg.norm(out[0].embedding) - 1) < 1e-4
    query = E5TextEmbedder.from_dict(text_embedder().to_dict())
    near = np.dot(query.run(text="Pemerintah melindungi kepentingan umum dari gangguan akibat penyalahgunaan "
                                 "Informasi Elektronik")["embedding"], out[0].embedding)
    far = np.dot(query.run(text="retribusi parkir kendaraan bermotor")["embedding"], out[0].embedding)
    assert near > far + 0.03  # e5 similarities sit in a narrow band (0.7-0.9)


def test_cached_embedder_returns_the_model_embedding_and_evicts():
    from pipelines.embedding.embedder import CachedTextEmbedder, text_embedder

    cached, plain = CachedTextEmbedder(cache_size=2), text_embedder()
    first = cached.run(text="pusat data pemerintah")["embedding"]
    assert np.allclose(first, plain.run(text="pusat data pemerintah")["embedding"], atol=1e-6)
    assert cached.run(text="pusat data pemerintah")["embedding"] is first  # served from the cache
    cached.run(text="retribusi daerah")
    cached.run(text="data pribadi")
    assert "pusat data pemerintah" not in cached._cache and len(cached._cache) == 2
    with pytest.raises(ValueError):
        CachedTextEmbedder(cache_size=-1)
    with pytest.raises(ValueError, match="JDIH_EMBEDDING_MODEL"):
        CachedTextEmbedder(model="tensorflow")


@pytest.fixture(scope="module")
def minilm_kb(tmp_path_factory):
    """A knowledge base of PP 71/2019 built by the old default (all-MiniLM-L6-v2), as it was
    before the model record existed: no record, chunks present."""
    from ingest.config import get_settings
    from pipelines.indexing.pipeline import ingest_paths
    from pipelines.stores.factory import open_store

    data = tmp_path_factory.mktemp("minilm-kb")
    old = dataclasses.replace(get_settings(), data_dir=data, store="embedded", embedding_model="all-MiniLM-L6-v2")
    summary = ingest_paths([PP71], settings=old, progress=False)
    assert summary.indexed and not summary.failed
    store = open_store(old)
    assert store.embedding_model() == "all-MiniLM-L6-v2"  # recorded on the first write
    store._conn().execute("DELETE FROM store_info")  # as a knowledge base from before the record
    return old


def test_an_old_minilm_knowledge_base_is_refused_then_reindexed(minilm_kb):
    from pipelines.embedding.models import EmbeddingModelMismatch, recorded_model
    from pipelines.indexing.pipeline import ingest_paths
    from pipelines.search.query import Searcher
    from pipelines.stores.factory import open_store
    from pipelines.staff.transfer import rebuild_index

    store = open_store(minilm_kb)
    assert recorded_model(store) == "all-MiniLM-L6-v2"  # chunks, no record: the only model there was
    new = dataclasses.replace(minilm_kb, embedding_model="multilingual-e5-small")
    with pytest.raises(EmbeddingModelMismatch, match="embedded with all-MiniLM-L6-v2.*multilingual-e5-small.*jdih reindex"):
        ingest_paths([PP71], settings=new, progress=False, force=True)
    searcher = Searcher(store)
    with pytest.raises(EmbeddingModelMismatch, match="jdih reindex"):
        searcher.retrieve(QUESTION, mode="dense")
    assert searcher.retrieve("penyimpanan data elektronik", mode="bm25")  # keyword search still answers

    # the old model still reads its own knowledge base
    old_hits = Searcher(store, embedder_factory=lambda: _minilm_query()).retrieve("electronic data", mode="dense")
    assert old_hits

    summary = rebuild_index(new, store=store, progress=False)
    assert not summary.failed and summary.chunks == store.count_documents() > 100
    assert store.embedding_model() == "multilingual-e5-small"
    hits = Searcher(store).retrieve(QUESTION, mode="dense", top_k=5)
    assert "20" in [h.meta.get("pasal") for h in hits]  # PP 71/2019 Pasal 20: data kept in Indonesia
    assert ingest_paths([PP71], settings=new, progress=False).skipped  # consistent again: ingest works


def _minilm_query():
    from pipelines.embedding.embedder import CachedTextEmbedder

    return CachedTextEmbedder(model="all-MiniLM-L6-v2")


def test_the_cli_says_what_to_do(minilm_kb, tmp_path):
    """`jdih search` on a knowledge base of the other model: one line, exit 2, `jdih reindex` named."""
    kb = tmp_path / "kb"
    import shutil

    shutil.copytree(minilm_kb.data_dir, kb)
    from pipelines.stores.factory import open_store

    open_store(dataclasses.replace(minilm_kb, data_dir=kb)).set_embedding_model("all-MiniLM-L6-v2")
    env = {**os.environ, "JDIH_DATA_DIR": str(kb), "JDIH_STORE": "embedded", "PYTHONPATH": str(ROOT)}
    env.pop("JDIH_EMBEDDING_MODEL", None)
    out = subprocess.run([sys.executable, "-m", "jdih_cli.main", "search", QUESTION, "--mode", "dense"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    assert "embedded with all-MiniLM-L6-v2" in out.stderr and "jdih reindex" in out.stderr
    assert "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "jdih_cli.main", "search", QUESTION, "--mode", "dense", "--json"],
                         cwd=ROOT, env={**env, "JDIH_EMBEDDING_MODEL": "all-MiniLM-L6-v2"},
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"]
