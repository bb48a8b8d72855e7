"""What the Lampiran chunks cost the other questions: the dev set's non-Lampiran questions
retrieved with and without the table chunks (a ``meta.kind != lampiran`` filter on the same
knowledge base, so both runs share the word statistics), by mode, in one run.

Usage::

    JDIH_DATA_DIR=/tmp/kb .venv/bin/python benchmarks/lampiran_cost.py [--questions eval/dev-questions.jsonl]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NO_LAMPIRAN = {"field": "meta.kind", "operator": "!=", "value": "lampiran"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    args = ap.parse_args()
    from ingest.config import get_settings
    from pipelines.search.evaluation import METRICS, distinct, load_questions, metrics_for
    from pipelines.search.query import Searcher, _doc_key
    from pipelines.stores.factory import open_store

    searcher = Searcher(open_store(get_settings()))
    questions = [q for q in load_questions(args.questions) if q["kind"] != "lampiran"]
    print(f"{len(questions)} questions (every kind but lampiran); cells: without / with the Lampiran chunks\n")
    print("| mode | " + " | ".join(METRICS) + " |")
    print("|---|" + "---|" * len(METRICS))
    for mode in ("bm25", "dense", "hybrid"):
        sums = {label: {m: 0.0 for m in METRICS} for label in ("without", "with")}
        for q in questions:
            for label, filters in (("without", NO_LAMPIRAN), ("with", None)):
                docs = searcher.retrieve(q["question"], mode, filters=filters, hydrate=False)
                for m, v in metrics_for(q, distinct(_doc_key(d) for d in docs)[:10]).items():
                    sums[label][m] += v
        n = len(questions)
        print(f"| {mode} | " + " | ".join(f"{sums['without'][m] / n:.3f} / {sums['with'][m] / n:.3f}" for m in METRICS) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
