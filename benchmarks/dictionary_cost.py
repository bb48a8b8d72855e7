"""What the English -> Indonesian dictionary costs BM25: every dev question searched on the same
knowledge base with and without ``analyzer.translations`` (alternating, five rounds, in one run),
BM25 latency p50 / p95 and the analysed terms per query. Quality is ``jdih eval``'s
(docs/search-quality.md).

Usage::

    JDIH_DATA_DIR=/tmp/kb .venv/bin/python benchmarks/dictionary_cost.py [--questions eval/dev-questions.jsonl] [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from ingest.config import get_settings
    from pipelines.analysis import analyzer
    from pipelines.stores.factory import open_store

    store = open_store(get_settings())
    questions = [json.loads(line)["question"] for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    real = analyzer.translations
    variants = {"glossary only": lambda text: [], "glossary + dictionary": real}
    for q in questions:  # warm the store's postings and the caches
        store.bm25_search(q, top_k=50)
    times: dict[str, list[float]] = {name: [] for name in variants}
    terms: dict[str, float] = {}
    try:
        for _ in range(args.rounds):
            for name, fn in variants.items():
                analyzer.translations = fn
                for q in questions:
                    t = time.perf_counter()
                    store.bm25_search(q, top_k=50, expand=True)
                    times[name].append((time.perf_counter() - t) * 1000)
        for name, fn in variants.items():
            analyzer.translations = fn
            terms[name] = statistics.mean(len(analyzer.analyze_query(q)) for q in questions)
    finally:
        analyzer.translations = real
    print(f"{len(questions)} questions x {args.rounds} rounds, BM25 top 50 ({get_settings().store} store)\n")
    print("| variant | p50 ms | p95 ms | terms per query |")
    print("|---|---:|---:|---:|")
    for name, values in times.items():
        v = sorted(values)
        print(f"| {name} | {v[len(v) // 2]:.2f} | {v[int(len(v) * 0.95)]:.2f} | {terms[name]:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
