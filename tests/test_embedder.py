"""The local embedding model, the ONNX query encoder and the query cache in front of them."""
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dev_questions(n: int | None = None) -> list[str]:
    from pipelines.analyzer import expand_query

    lines = (ROOT / "eval" / "dev-questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return [expand_query(q) for q in questions[:n]]


def test_cached_torch_embedder_returns_the_model_embedding_and_evicts(monkeypatch):
    from pipelines.embedder import CachedTextEmbedder, text_embedder

    monkeypatch.setenv("JDIH_QUERY_DTYPE", "float32")
    cached, plain = CachedTextEmbedder(cache_size=2, encoder="torch"), text_embedder()
    cached.warm_up()
    plain.warm_up()
    first = cached.run(text="pusat data pemerintah")["embedding"]
    assert np.allclose(first, plain.run(text="pusat data pemerintah")["embedding"], atol=1e-6)
    assert cached.run(text="pusat data pemerintah")["embedding"] is first  # served from the cache
    cached.run(text="retribusi daerah")
    cached.run(text="data pribadi")
    assert "pusat data pemerintah" not in cached._cache and len(cached._cache) == 2
    with pytest.raises(ValueError):
        CachedTextEmbedder(cache_size=-1)
    with pytest.raises(ValueError):
        CachedTextEmbedder(encoder="tensorflow")


def test_onnx_query_encoder_agrees_with_the_float32_model_on_the_dev_questions():
    """The default query encoder (int8 on ONNX Runtime) must point where the model that embedded
    the documents points: cosine >= 0.97 for every glossary-expanded dev question."""
    from pipelines.embedder import CachedTextEmbedder, text_embedder

    onnx, reference = CachedTextEmbedder(cache_size=0, encoder="onnx"), text_embedder()
    onnx.warm_up()
    reference.warm_up()
    cosines = []
    for text in _dev_questions():
        a = np.asarray(onnx.run(text=text)["embedding"])
        b = np.asarray(reference.run(text=text)["embedding"])
        assert a.shape == (384,) and abs(np.linalg.norm(a) - 1.0) < 1e-4
        cosines.append(float(a @ b))
    assert min(cosines) >= 0.97, min(cosines)
    assert np.mean(cosines) >= 0.985, np.mean(cosines)


def test_onnx_model_is_exported_once_into_the_cache(tmp_path, monkeypatch):
    from pipelines.onnx_encoder import onnx_model_path

    monkeypatch.setenv("JDIH_MODEL_CACHE", str(tmp_path / "models"))
    path = onnx_model_path()
    assert path.parent == tmp_path / "models" and path.suffix == ".onnx" and path.stat().st_size > 10_000_000
    mtime = path.stat().st_mtime_ns
    assert onnx_model_path() == path and path.stat().st_mtime_ns == mtime  # reused, not re-exported
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary files left behind


def test_a_damaged_cached_encoder_is_made_again(tmp_path, monkeypatch):
    from pipelines.onnx_encoder import OnnxTextEmbedder, onnx_model_path

    monkeypatch.setenv("JDIH_MODEL_CACHE", str(tmp_path / "models"))
    path = onnx_model_path()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 3])  # truncated, as a full disk might leave it
    encoder = OnnxTextEmbedder()
    encoder.warm_up()
    assert path.read_bytes() == good  # the export is deterministic
    vector = encoder.run(text="pusat data pemerintah")["embedding"]
    assert len(vector) == 384 and abs(sum(v * v for v in vector) - 1.0) < 1e-4


def test_query_encoder_settings_are_checked(monkeypatch):
    from pipelines.embedder import query_dtype, query_encoder

    monkeypatch.setenv("JDIH_QUERY_ENCODER", "gpu")
    with pytest.raises(ValueError, match="JDIH_QUERY_ENCODER"):
        query_encoder()
    monkeypatch.setenv("JDIH_QUERY_DTYPE", "float8")
    with pytest.raises(ValueError, match="JDIH_QUERY_DTYPE"):
        query_dtype()
    monkeypatch.setenv("JDIH_QUERY_DTYPE", "float32")
    assert query_dtype() == "float32"
