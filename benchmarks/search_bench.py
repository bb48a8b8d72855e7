"""Search store benchmark (issue 3): the embedded SQLite store against Haystack's InMemoryDocumentStore.

Builds a corpus of N chunks (default 100,000) from the REAL chunks of an ingested knowledge base,
repeated: copy 0 is the real chunk as ingested; every further copy has 15% of its words replaced
by words drawn from the real corpus (so term statistics stay those of the corpus) and its
embedding perturbed by Gaussian noise (cosine ~0.93 to the original), then re-normalised. No
text is invented and no hour of embedding is needed.

Each store runs in its own subprocess (so peak RSS is per store) over the same corpus and the
same queries (the questions of eval/dev-questions.jsonl, cycled), IN THE SAME RUN:

- ``embedded``: ``SQLiteDocumentStore`` configured as ``pipelines.stores.factory.open_store`` does,
  searched through the product's ``pipelines.search.query.Searcher`` exactly as the API does (bm25 =
  glossary-expanded BM25; dense = QueryExpander -> text embedder -> embedding retriever; hybrid =
  both plus the citation, work-scope, definition and phrase lookups, fused by weighted RRF), 50
  candidates per retriever; its query encoder is the product's (``CachedTextEmbedder``: the
  model of ``JDIH_EMBEDDING_MODEL``) with the LRU cache off (``cache_size=0``), so
  every timed query pays its embedding even when the cycled questions repeat;
- ``elasticsearch`` (opt in: ``--stores embedded,elasticsearch``): the product's
  ``ElasticsearchStore`` (``open_store`` with JDIH_STORE=elasticsearch: one analyser, the chunks
  analysed by ``pipelines/analyzer.py`` in Python, kNN on int8 HNSW re-scored on the float vectors)
  on a live node, searched through the same ``Searcher``; the node is ``--es-url`` or a local one
  (``pipelines.stores.es_local``: the minimal distribution, 512m heap) that the worker starts and
  stops; the index has no replica. Written as the product writes (``transaction()`` per batch:
  bulk, refresh, generation bump). Reported besides: the node's JVM heap (used / max) and RSS after
  the queries, the index size on disk and its segment count;
- ``haystack_inmemory``: ``InMemoryDocumentStore`` with InMemoryBM25Retriever and
  InMemoryEmbeddingRetriever in pipelines of the same shape (QueryExpander -> BM25;
  QueryExpander -> embedder -> embedding; hybrid = both fused by DocumentJoiner RRF, without the
  lookups, so it does less work than the embedded hybrid), 50 candidates per retriever, with
  the same query encoder as the embedded worker (so the comparison is of stores and pipelines).

Both workers run the query embedder with ``--torch-threads`` intra-op threads (default 1: on
2 shared cores, torch's default of one OpenMP thread per core made one query embedding 25x
slower, ~540 ms against ~20 ms, while other processes were busy; see docs/benchmarks.md).

Measured per store: write time (the ``write_documents`` calls, batches of 1,000), latency p50 /
p95 per mode over ``--queries`` queries after a warm-up (query embedding included in dense and
hybrid), peak RSS (``ru_maxrss`` of the subprocess). The one-off cost of the first query
(model load, index load) is reported apart, under ``"extras"``.

Usage::

    JDIH_DATA_DIR=/tmp/kbfull .venv/bin/python benchmarks/search_bench.py --json
    .venv/bin/python benchmarks/search_bench.py --chunks 2000 --queries 50 --json
    JDIH_DATA_DIR=/tmp/kbfull .venv/bin/python benchmarks/search_bench.py --ingest-only
        # ingest throughput: ingest_paths(regulations/) into a fresh directory, and the embedder
        # alone over the real chunks

``--json`` prints ``{"embedded": {...}, "haystack_inmemory": {...}, "chunks": N, "ratios": ...,
"extras": ..., "machine": ...}`` where both store objects have exactly the keys of ``METRICS``.
The knowledge base is ``--kb`` or ``$JDIH_DATA_DIR/jdih.sqlite3``; when neither holds chunks,
regulations/ is ingested into a temporary directory first (minutes: the embedding model runs).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

METRICS = ("write_s", "bm25_p50_ms", "bm25_p95_ms", "dense_p50_ms", "dense_p95_ms",
           "hybrid_p50_ms", "hybrid_p95_ms", "rss_mb")
STORES = ("embedded", "haystack_inmemory", "elasticsearch")
DEFAULT_STORES = ("embedded", "haystack_inmemory")
ES_INDEX = "bench-chunks"
MODES = ("bm25", "dense", "hybrid")
CANDIDATES = 50  # per retriever, as pipelines.search.query.CANDIDATES
WRITE_BATCH = 1000
WORD_NOISE = 0.15  # share of words replaced in each copy
EMBEDDING_NOISE = 0.02  # per-dimension sigma of the Gaussian noise added to each copy's embedding
WARMUP = 3


# --- inputs ---------------------------------------------------------------------------------


def questions(path: Path | None = None) -> list[str]:
    path = path or ROOT / "eval" / "dev-questions.jsonl"
    out = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not out:
        raise SystemExit(f"{path}: no questions")
    return out


def cycled(items: list[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


def base_chunks(kb: Path | None) -> list[dict[str, Any]]:
    """The real chunks (content, meta, embedding) of an ingested knowledge base; regulations/ is
    ingested into a temporary directory when ``kb`` holds none."""
    from pipelines.stores.sqlite import SQLiteDocumentStore

    if kb is None or not kb.exists():
        kb = _ingest_into(Path(tempfile.mkdtemp(prefix="search-bench-kb-")))["db"]
    from pipelines.embedding.models import configured_model, ensure_compatible

    store = SQLiteDocumentStore(kb)
    ensure_compatible(store, configured_model())  # its vectors are of the model queries are embedded with
    docs = [d for d in store.filter_documents() if d.embedding is not None and d.content]
    store.close()
    if not docs:
        raise SystemExit(f"{kb}: no chunks with embeddings (ingest regulations/ first)")
    return [{"id": d.id, "content": d.content, "meta": d.meta, "embedding": d.embedding} for d in docs]


def synthetic_corpus(base: list[dict[str, Any]], n: int, seed: int = 20261122) -> Iterator[Any]:
    """``n`` Documents: the real chunks, then perturbed copies of them (see the module docstring).
    Deterministic: every worker process generates the same corpus."""
    import numpy as np
    from haystack import Document

    rng = np.random.default_rng(seed)
    words = np.array([w for b in base for w in b["content"].split()], dtype=object)
    embeddings = np.asarray([b["embedding"] for b in base], dtype=np.float32)
    dim = embeddings.shape[1]
    for i in range(n):
        j, copy = i % len(base), i // len(base)
        b = base[j]
        if copy == 0:
            yield Document(id=b["id"], content=b["content"], meta=dict(b["meta"]), embedding=list(b["embedding"]))
            continue
        text = b["content"].split()
        k = max(1, int(len(text) * WORD_NOISE))
        for pos, word in zip(rng.choice(len(text), size=min(k, len(text)), replace=False),
                             words[rng.integers(0, len(words), size=k)]):
            text[pos] = word
        v = embeddings[j] + rng.standard_normal(dim).astype(np.float32) * EMBEDDING_NOISE
        v /= np.linalg.norm(v)
        yield Document(id=f"{b['id']}#copy{copy}", content=" ".join(text), meta=dict(b["meta"], bench_copy=copy),
                       embedding=v.tolist())


def _batches(it: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in it:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank-interpolated percentile (statistics.quantiles, inclusive method)."""
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[int(q) - 1]


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return kb / 1024.0


def _time_queries(run, queries: list[str]) -> list[float]:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        run(q)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def _measure(write, runners: dict[str, Any], base, n: int, queries: list[str]) -> dict[str, Any]:
    write_s = 0.0
    written = 0
    for batch in _batches(synthetic_corpus(base, n), WRITE_BATCH):
        t0 = time.perf_counter()
        write(batch)
        write_s += time.perf_counter() - t0
        written += len(batch)
        print(f"  written {written}/{n}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    first: dict[str, float] = {}
    for mode in MODES:  # the first query pays the one-off costs (model load, index load)
        t0 = time.perf_counter()
        runners[mode](queries[0])
        first[mode] = round(time.perf_counter() - t0, 3)
        for q in queries[1:WARMUP]:
            runners[mode](q)
    result: dict[str, Any] = {"write_s": round(write_s, 3)}
    for mode in MODES:
        print(f"  {mode}: {len(queries)} queries", file=sys.stderr)
        lat = _time_queries(runners[mode], queries)
        result[f"{mode}_p50_ms"] = round(percentile(lat, 50), 2)
        result[f"{mode}_p95_ms"] = round(percentile(lat, 95), 2)
    result["rss_mb"] = round(peak_rss_mb(), 1)
    return {"metrics": {k: result[k] for k in METRICS}, "first_query_s": first, "written": written,
            "query_embedding_ms": _embedding_latency(queries)}


def _embedding_latency(queries: list[str]) -> dict[str, Any]:
    """The query embedder alone on the glossary-expanded questions (what dense and hybrid embed),
    so the store's share of the dense and hybrid latencies can be told apart."""
    from pipelines.embedding.embedder import CachedTextEmbedder
    from pipelines.search.query import QueryExpander

    expand = QueryExpander()
    texts = [expand.run(query=q)["query"] for q in queries]
    embedder = CachedTextEmbedder(cache_size=0)
    embedder.warm_up()
    embedder.run(text=texts[0])
    lat = _time_queries(lambda t: embedder.run(text=t), texts)
    return {"model": embedder.model_name, "p50": round(percentile(lat, 50), 2), "p95": round(percentile(lat, 95), 2)}


def worker_embedded(base, n: int, queries: list[str], workdir: Path) -> dict[str, Any]:
    os.environ["JDIH_DATA_DIR"] = str(workdir)
    os.environ["JDIH_STORE"] = "embedded"
    from ingest.config import get_settings
    from pipelines.embedding.embedder import CachedTextEmbedder
    from pipelines.search.query import Searcher
    from pipelines.stores.factory import open_store

    store = open_store(get_settings())
    store.set_embedding_model(CachedTextEmbedder().model_name)  # the base KB's model (base_chunks checked it)

    def write(batch):
        with store.transaction():  # as the indexing pipeline writes a work: one transaction
            store.write_documents(batch)

    searcher = Searcher(store, embedder_factory=lambda: CachedTextEmbedder(cache_size=0))  # every query embedded
    runners = {mode: (lambda q, m=mode: searcher.retrieve(q, m)) for mode in MODES}
    out = _measure(write, runners, base, n, queries)
    out["db_mb"] = round(sum(p.stat().st_size for p in workdir.glob("jdih.sqlite3*")) / 2**20, 1)
    out["threadpools"] = _threadpools()
    return out


def worker_elasticsearch(base, n: int, queries: list[str], workdir: Path, es_url: str | None = None) -> dict[str, Any]:
    import contextlib

    from pipelines.stores.es_local import LocalNode, node_stats

    os.environ["JDIH_DATA_DIR"] = str(workdir)
    os.environ["JDIH_STORE"] = "elasticsearch"
    os.environ["JDIH_ES_REPLICAS"] = "0"  # one node: no replica to allocate
    os.environ["JDIH_ES_INDEX"] = index = f"{ES_INDEX}-{os.getpid()}"
    with contextlib.ExitStack() as stack:
        node = None
        if not es_url:
            node = stack.enter_context(LocalNode())
            es_url = node.url
        os.environ["ELASTICSEARCH_URL"] = es_url
        from ingest.config import get_settings
        from pipelines.embedding.embedder import CachedTextEmbedder
        from pipelines.search.query import Searcher
        from pipelines.stores.factory import open_store

        store = open_store(get_settings())
        stack.callback(_drop_indices, store, index)
        store.set_embedding_model(CachedTextEmbedder().model_name)

        def write(batch):
            with store.transaction():  # as the indexing pipeline writes a work
                store.write_documents(batch)

        searcher = Searcher(store, embedder_factory=lambda: CachedTextEmbedder(cache_size=0))
        runners = {mode: (lambda q, m=mode: searcher.retrieve(q, m)) for mode in MODES}
        out = _measure(write, runners, base, n, queries)
        stats = node_stats(es_url, node.process if node else None)
        primaries = store.client.indices.stats(index=index, metric="store,segments")["_all"]["primaries"]
        out["node"] = {"version": node.version if node else None, "url": "local" if node else es_url,
                       "heap_used_mb": round(stats["heap_used"] / 2**20, 1),
                       "heap_max_mb": round(stats["heap_max"] / 2**20, 1),
                       "rss_mb": round(stats["rss"] / 2**20, 1) if stats.get("rss") else None,
                       "index_mb": round(primaries["store"]["size_in_bytes"] / 2**20, 1),
                       "segments": primaries["segments"]["count"]}
        out["write_chunks_per_s"] = round(out["written"] / out["metrics"]["write_s"], 1) if out["metrics"]["write_s"] else None
        out["threadpools"] = _threadpools()
        return out


def _drop_indices(store, index: str) -> None:
    """Remove the benchmark's indices (on a node of ``--es-url`` they would stay)."""
    with_prefix = [name for name in store.client.indices.get_alias(index=f"{index}*")]
    if with_prefix:
        store.client.indices.delete(index=",".join(with_prefix))
    store.close()


def worker_inmemory(base, n: int, queries: list[str], workdir: Path) -> dict[str, Any]:
    from haystack import Pipeline
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    from pipelines.embedding.embedder import CachedTextEmbedder
    from pipelines.search.query import QueryExpander

    def text_embedder():  # the embedded worker's query encoder, uncached
        return CachedTextEmbedder(cache_size=0)

    store = InMemoryDocumentStore()
    pipes: dict[str, Pipeline] = {}
    bm25 = Pipeline()
    bm25.add_component("expand", QueryExpander())
    bm25.add_component("bm25", InMemoryBM25Retriever(store, top_k=CANDIDATES))
    bm25.connect("expand.query", "bm25.query")
    pipes["bm25"] = bm25
    dense = Pipeline()
    dense.add_component("expand", QueryExpander())
    dense.add_component("embed", text_embedder())
    dense.add_component("dense", InMemoryEmbeddingRetriever(store, top_k=CANDIDATES))
    dense.connect("expand.query", "embed.text")
    dense.connect("embed.embedding", "dense.query_embedding")
    pipes["dense"] = dense
    hybrid = Pipeline()
    hybrid.add_component("expand", QueryExpander())
    hybrid.add_component("bm25", InMemoryBM25Retriever(store, top_k=CANDIDATES))
    hybrid.add_component("embed", text_embedder())
    hybrid.add_component("dense", InMemoryEmbeddingRetriever(store, top_k=CANDIDATES))
    hybrid.add_component("fuse", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=CANDIDATES))
    hybrid.connect("expand.query", "bm25.query")
    hybrid.connect("expand.query", "embed.text")
    hybrid.connect("embed.embedding", "dense.query_embedding")
    hybrid.connect("bm25.documents", "fuse.documents")
    hybrid.connect("dense.documents", "fuse.documents")
    pipes["hybrid"] = hybrid
    for p in pipes.values():
        p.warm_up()

    inputs = {
        "bm25": lambda q: {"expand": {"query": q}},
        "dense": lambda q: {"expand": {"query": q}},
        "hybrid": lambda q: {"expand": {"query": q}},
    }
    runners = {mode: (lambda q, m=mode: pipes[m].run(inputs[m](q))) for mode in MODES}
    out = _measure(store.write_documents, runners, base, n, queries)
    out["threadpools"] = _threadpools()
    return out


def _threadpools() -> dict[str, Any]:
    import torch

    out: dict[str, Any] = {"torch": torch.get_num_threads()}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return out
    out["native"] = [{k: i.get(k) for k in ("internal_api", "num_threads", "architecture")} for i in threadpool_info()]
    return out


def _set_torch_threads(n: int | None) -> None:
    if n:
        import torch

        torch.set_num_threads(n)


# --- ingest throughput -------------------------------------------------------------------------


def _ingest_into(data_dir: Path) -> dict[str, Any]:
    import dataclasses

    from ingest.config import get_settings
    from pipelines.indexing.pipeline import ingest_paths

    settings = dataclasses.replace(get_settings(), data_dir=data_dir, store="embedded")
    summary = ingest_paths([ROOT / "regulations"], settings=settings, progress=False)
    return {"db": settings.db_path, "works": len(summary.indexed), "failed": len(summary.failed),
            "chunks": summary.chunks, "seconds": round(summary.seconds, 2),
            "chunks_per_s": round(summary.chunks / summary.seconds, 1) if summary.seconds else None}


def ingest_throughput() -> dict[str, Any]:
    """``ingest_paths(regulations/)`` into a fresh directory: parse, chunk, tag, embed, write."""
    with tempfile.TemporaryDirectory(prefix="search-bench-ingest-") as tmp:
        out = _ingest_into(Path(tmp))
    out.pop("db")
    return out


def embedding_throughput(kb: Path | None) -> dict[str, Any]:
    """The document embedder alone (as the indexing pipeline configures it: breadcrumb embedded
    with the text, batch 32) over the real chunks of ``kb``."""
    from haystack import Document

    from pipelines.embedding.embedder import document_embedder
    from pipelines.indexing.chunking import EMBEDDED_META_FIELDS

    docs = [Document(content=b["content"], meta=b["meta"]) for b in base_chunks(kb)]
    embedder = document_embedder(meta_fields_to_embed=EMBEDDED_META_FIELDS)
    embedder.warm_up()
    embedder.run(documents=docs[:8])
    t0 = time.perf_counter()
    embedder.run(documents=docs)
    seconds = time.perf_counter() - t0
    return {"chunks": len(docs), "seconds": round(seconds, 2), "chunks_per_s": round(len(docs) / seconds, 1)}


# --- the parent process -------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "cores": os.cpu_count()}
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return info


def run_worker(store: str, base_file: Path, n: int, queries: int, workdir: Path, torch_threads: int,
               es_url: str | None = None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", store, "--base-file", str(base_file),
           "--chunks", str(n), "--queries", str(queries), "--workdir", str(workdir), "--torch-threads", str(torch_threads)]
    if es_url:
        cmd += ["--es-url", es_url]
    print(f"[{store}] {n} chunks", file=sys.stderr)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the {store} worker failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(n: int, n_queries: int, kb: Path | None, stores: tuple[str, ...] = DEFAULT_STORES, torch_threads: int = 1,
        es_url: str | None = None) -> dict[str, Any]:
    if n_queries < 1 or n < 1:
        raise SystemExit("--chunks and --queries must be positive")
    load_before = os.getloadavg()
    base = base_chunks(kb)
    results: dict[str, Any] = {}
    extras: dict[str, Any] = {"base_chunks": len(base), "queries": n_queries, "torch_threads": torch_threads}
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        base_file = Path(tmp) / "base.pickle"
        base_file.write_bytes(pickle.dumps(base))
        del base
        for store in stores:
            workdir = Path(tmp) / store
            workdir.mkdir()
            out = run_worker(store, base_file, n, n_queries, workdir, torch_threads, es_url)
            results[store] = out.pop("metrics")
            extras[store] = out
    out: dict[str, Any] = {**results, "chunks": n}
    if "embedded" in results and "haystack_inmemory" in results:
        e, h = results["embedded"], results["haystack_inmemory"]
        out["ratios"] = {f"inmemory_over_embedded_{k}": round(h[k] / e[k], 1) if e[k] else None for k in METRICS}
    if "embedded" in results and "elasticsearch" in results:
        e, x = results["embedded"], results["elasticsearch"]
        out["ratios_es"] = {f"elasticsearch_over_embedded_{k}": round(x[k] / e[k], 1) if e[k] else None for k in METRICS}
    out["extras"] = extras
    out["machine"] = {**machine(), "loadavg_before": [round(x, 2) for x in load_before],
                      "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    return out


def table(result: dict[str, Any]) -> str:
    stores = [s for s in STORES if s in result]
    ratio = ("ratios", "inmemory_over_embedded_", "InMemory / embedded") if "ratios" in result else \
        ("ratios_es", "elasticsearch_over_embedded_", "Elasticsearch / embedded") if "ratios_es" in result else None
    lines = [f"{result['chunks']} chunks", "| metric | " + " | ".join(stores) + (f" | {ratio[2]} |" if ratio else " |"),
             "|---" * (len(stores) + 1 + bool(ratio)) + "|"]
    for k in METRICS:
        row = f"| {k} | " + " | ".join(str(result[s][k]) for s in stores)
        if ratio:
            row += f" | {result[ratio[0]].get(ratio[1] + k)}x"
        lines.append(row + " |")
    node = (result.get("extras", {}).get("elasticsearch") or {}).get("node")
    if node:
        lines.append(f"Elasticsearch node: heap {node['heap_used_mb']} / {node['heap_max_mb']} MB, RSS {node['rss_mb']} MB, "
                     f"index {node['index_mb']} MB in {node['segments']} segments")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=100_000, help="corpus size (default 100,000)")
    ap.add_argument("--queries", type=int, default=50, help="timed queries per mode (default 50, dev questions cycled)")
    ap.add_argument("--kb", type=Path, default=None, help="an ingested jdih.sqlite3 (default $JDIH_DATA_DIR/jdih.sqlite3)")
    ap.add_argument("--stores", default=",".join(DEFAULT_STORES), help="comma-separated subset of " + ",".join(STORES))
    ap.add_argument("--es-url", default=None, help="the elasticsearch store's node (default: a local node started for it)")
    ap.add_argument("--torch-threads", type=int, default=1, help="torch intra-op threads of the query embedder (0: torch's default)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--ingest", action="store_true", help="also time ingest_paths(regulations/) into a fresh directory")
    ap.add_argument("--ingest-only", action="store_true", help="only time ingest_paths(regulations/)")
    ap.add_argument("--worker", choices=STORES, help=argparse.SUPPRESS)
    ap.add_argument("--base-file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        _set_torch_threads(args.torch_threads)
        base = pickle.loads(args.base_file.read_bytes())
        qs = cycled(questions(), args.queries)
        if args.worker == "elasticsearch":
            print(json.dumps(worker_elasticsearch(base, args.chunks, qs, args.workdir, args.es_url)))
            return 0
        fn = worker_embedded if args.worker == "embedded" else worker_inmemory
        print(json.dumps(fn(base, args.chunks, qs, args.workdir)))
        return 0
    kb = args.kb
    if kb is None and os.environ.get("JDIH_DATA_DIR"):
        kb = Path(os.environ["JDIH_DATA_DIR"]) / "jdih.sqlite3"
    if args.ingest_only:
        out = {"ingest": ingest_throughput(), "embedding_only": embedding_throughput(kb)}
        print(json.dumps(out, indent=None if args.json else 2))
        return 0
    stores = tuple(s for s in args.stores.split(",") if s)
    unknown = set(stores) - set(STORES)
    if unknown:
        ap.error(f"unknown store(s): {', '.join(sorted(unknown))}")
    result = run(args.chunks, args.queries, kb, stores, args.torch_threads, args.es_url)
    if args.ingest:
        result["ingest"] = ingest_throughput()
        result["embedding_only"] = embedding_throughput(kb)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
