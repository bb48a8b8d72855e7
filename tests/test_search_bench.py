"""The search benchmark script runs end to end on a small corpus and prints the agreed JSON shape
(no timing is asserted: the figures belong in docs/benchmarks.md, measured at 100k chunks)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"write_s", "bm25_p50_ms", "bm25_p95_ms", "dense_p50_ms", "dense_p95_ms", "hybrid_p50_ms", "hybrid_p95_ms", "rss_mb"}


@pytest.fixture(scope="module")
def bench_json(ingested_settings):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "search_bench.py"), "--chunks", "2000", "--queries", "5",
         "--kb", str(ingested_settings.db_path), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_json_shape(bench_json):
    assert bench_json["chunks"] == 2000
    for store in ("embedded", "haystack_inmemory"):
        assert set(bench_json[store]) == KEYS
        assert all(isinstance(v, (int, float)) and v > 0 for v in bench_json[store].values())
        assert bench_json[store]["bm25_p50_ms"] <= bench_json[store]["bm25_p95_ms"]
        assert bench_json["extras"][store]["written"] == 2000
    assert set(bench_json["ratios"]) == {f"inmemory_over_embedded_{k}" for k in KEYS}
    assert bench_json["extras"]["base_chunks"] > 1000  # the real chunks of the shipped corpus


def test_synthetic_corpus_keeps_the_real_chunks_and_perturbs_the_copies(ingested_settings):
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from benchmarks.search_bench import base_chunks, synthetic_corpus

    base = base_chunks(ingested_settings.db_path)
    docs = list(synthetic_corpus(base, len(base) + 50))
    assert [d.content for d in docs[: len(base)]] == [b["content"] for b in base]  # copy 0: as ingested
    assert len({d.id for d in docs}) == len(docs)
    for b, copy in zip(base, docs[len(base):]):
        assert copy.content != b["content"] and copy.meta["bench_copy"] == 1
        assert len(copy.content.split()) == len(b["content"].split())
        cos = float(np.dot(copy.embedding, b["embedding"]) / np.linalg.norm(b["embedding"]))
        assert 0.8 < cos < 0.999
    again = list(synthetic_corpus(base, len(base) + 50))
    assert [d.content for d in again] == [d.content for d in docs]  # deterministic: both workers agree


def test_the_elasticsearch_worker_measures_the_node(ingested_settings, es_node):
    """`--stores embedded,elasticsearch` on the live node: the same metrics for both stores, the
    node's heap and RSS, and the benchmark's indices removed afterwards."""
    import urllib.request

    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "search_bench.py"), "--chunks", "1500", "--queries", "3",
         "--stores", "embedded,elasticsearch", "--es-url", es_node, "--kb", str(ingested_settings.db_path), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert set(out["elasticsearch"]) == KEYS and all(v > 0 for v in out["elasticsearch"].values())
    assert set(out["ratios_es"]) == {f"elasticsearch_over_embedded_{k}" for k in KEYS}
    node = out["extras"]["elasticsearch"]["node"]
    assert out["extras"]["elasticsearch"]["written"] == 1500
    assert 0 < node["heap_used_mb"] <= node["heap_max_mb"]
    if not os.environ.get("JDIH_TEST_ES_URL"):  # the session's own node: its RSS is read from /proc
        assert node["rss_mb"] > node["heap_max_mb"] / 2
    with urllib.request.urlopen(f"{es_node}/_cat/indices/bench-chunks-*?format=json") as resp:  # noqa: S310
        assert json.loads(resp.read()) == []
