"""Where the two stores' BM25 differ (issue 12, item 6): `jdih eval` on the embedded store with
its BM25 weights computed by Lucene's formula instead of FTS5's, everything else unchanged.

Both stores index the same analysed terms (pipelines/analysis/analyzer.py), with k1 = 1.2 and
b = 0.75; the formulas differ in two places:

- IDF: FTS5 ``log((N - n + 0.5) / (n + 0.5))``, floored at 1e-6 for terms in more than half of
  the chunks; Lucene (Elasticsearch) ``log(1 + (N - n + 0.5) / (n + 0.5))``, never below log(2)
  at n = N/2 and positive for every term;
- document length: FTS5 the exact number of terms; Lucene a one-byte norm
  (``SmallFloat.intToByte4``: exact below 24 terms, then four significant bits), against the exact
  average length.

(Lucene's score also lacks FTS5's constant factor (k1 + 1), which changes no order.) With
``--variant lucene`` the embedded store scores Lucene's BM25; ``idf`` and ``norms`` apply one change
each; ``fts5`` is the store as shipped. The report's figures are those of ``jdih eval --json``.

    JDIH_DATA_DIR=/tmp/kbfull .venv/bin/python benchmarks/bm25_lucene_check.py --variant lucene --modes bm25,hybrid
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# never the shared index files: they would hand this process the shipped postings, and the
# re-weighted postings built here must not reach another process through them
os.environ["JDIH_SHARED_INDEXES"] = "0"

import numpy as np  # noqa: E402

from pipelines.stores import sqlite  # noqa: E402

_FTS5_BUILD = sqlite.build_bm25_index  # the store's own builder, before --variant replaces it

_FREE = 24  # Lucene SmallFloat: 255 - longToInt4(Integer.MAX_VALUE)


def lucene_length(n: int) -> int:
    """A document length as Lucene's norm stores it (``byte4ToInt(intToByte4(n))``)."""
    if n < _FREE:
        return n
    j = n - _FREE
    bits = j.bit_length()
    if bits < 4:
        return n
    shift = bits - 4
    encoded = ((j >> shift) & 0x07) | ((shift + 1) << 3)
    low, shift = encoded & 0x07, (encoded >> 3) - 1
    return _FREE + (low if shift == -1 else (low | 0x08) << shift)


def lucene_idf(n: int, df: np.ndarray) -> np.ndarray:
    """Lucene's BM25 IDF, ``log(1 + (N - n + 0.5) / (n + 0.5))``: positive for every term."""
    return np.log1p((n - df + 0.5) / (df + 0.5))


def lucene_lengths(lengths: np.ndarray) -> np.ndarray:
    return np.fromiter((lucene_length(int(x)) for x in lengths), dtype=np.int64, count=len(lengths))


def index_builder(idf_lucene: bool, norms_lucene: bool):
    """``sqlite.build_bm25_index`` with Lucene's IDF and/or length norms."""
    return functools.partial(_FTS5_BUILD, idf=lucene_idf if idf_lucene else sqlite.fts5_idf,
                             doc_lengths=lucene_lengths if norms_lucene else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", choices=["fts5", "idf", "norms", "lucene"], default="lucene")
    ap.add_argument("--modes", default="bm25,hybrid")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    args = ap.parse_args(argv)
    if args.variant != "fts5":
        sqlite.build_bm25_index = index_builder(args.variant in ("idf", "lucene"), args.variant in ("norms", "lucene"))
    from pipelines.search.evaluation import evaluate, load_questions

    report = evaluate(load_questions(args.questions), modes=args.modes.split(","))
    report["variant"] = args.variant
    json.dump(report, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
