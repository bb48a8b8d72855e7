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
import json
import os
import sys
from array import array
from collections import defaultdict
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


def index_builder(idf_lucene: bool, norms_lucene: bool):
    def build(rows, generation: int = 0):
        """``sqlite.build_bm25_index`` with Lucene's IDF and/or length norms."""
        n = len(rows)
        rids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__
        ids = array("i")
        lengths = np.empty(n, dtype=np.int64)
        for i, (_rid, text) in enumerate(rows):
            tokens = text.split()
            lengths[i] = len(tokens)
            ids.extend(map(vocab.__getitem__, tokens))
        if n == 0 or not vocab:
            empty = np.zeros(0, dtype=np.intp)
            return sqlite._BM25Index(generation, rids, {}, np.zeros(1, dtype=np.int64), empty, np.zeros(0))
        keys = np.frombuffer(ids, dtype=np.int32).astype(np.int64) * n
        keys += np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys, tf = np.unique(keys, return_counts=True)
        term_of = keys // n
        row_of = (keys - term_of * n).astype(np.intp)
        df = np.bincount(term_of, minlength=len(vocab))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        if idf_lucene:
            idf = np.log1p((n - df + 0.5) / (df + 0.5))
        else:
            idf = np.log((n - df + 0.5) / (df + 0.5))
            idf[idf <= 0.0] = sqlite.BM25_MIN_IDF
        dl = np.fromiter((lucene_length(int(x)) for x in lengths), dtype=np.int64, count=n) if norms_lucene else lengths
        tf = tf.astype(np.float64)
        norm = sqlite.BM25_K1 * (1.0 - sqlite.BM25_B + sqlite.BM25_B * dl[row_of] / (lengths.sum() / n))
        weights = idf[term_of] * (tf * (sqlite.BM25_K1 + 1.0)) / (tf + norm)
        return sqlite._BM25Index(generation, rids, dict(vocab), indptr, row_of, weights)

    return build


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
