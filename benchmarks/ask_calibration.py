"""How /ask's refusal thresholds were chosen: the evidence of every development question (which
must all be answered) next to general-knowledge questions (which must all be refused).

Prints one line per question: coverage, domain terms, best BM25 and dense scores, the decision.
The negative questions are ordinary questions a member of the public might type that no
regulation in the corpus answers; none of them is used by the code.

Usage::

    JDIH_DATA_DIR=/tmp/apitest .venv/bin/python benchmarks/ask_calibration.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NEGATIVE = [
    "bagaimana cara membuat rendang?",
    "how do I bake a chocolate cake?",
    "resep nasi goreng yang enak",
    "siapa pemenang piala dunia sepak bola 2022?",
    "what is the best time to plant tomatoes?",
    "berapa suhu udara di Malang besok?",
    "how far is the moon from the earth?",
    "lagu apa yang paling populer tahun ini?",
    "how do I fix a flat bicycle tyre?",
    "kapan musim durian di Jawa Timur?",
    "what is the capital of Australia?",
    "cara merawat kucing yang sakit",
]


def main() -> int:
    from ingest.config import get_settings
    from search_api.answering import Answerer
    from search_api.kb import KnowledgeBase

    kb = KnowledgeBase(get_settings())
    answerer = Answerer(kb)
    lines = (ROOT / "eval" / "dev-questions.jsonl").read_text(encoding="utf-8").splitlines()
    dev = [json.loads(x) for x in lines if x.strip()]
    rows = []
    for label, qs in (("dev", [(q["id"], q["question"], {g["regulation"] for g in q["relevant"]}) for q in dev]),
                      ("neg", [(f"n{i:02d}", q, set()) for i, q in enumerate(NEGATIVE, 1)])):
        for qid, q, gold in qs:
            r = answerer.ask(q)
            ev = r["evidence"]
            got = {a["regulation"]["id"] for a in r["answers"]}
            rows.append((label, qid, r["refused"], r["basis"], ev["coverage"], ev["domain_terms"], ev["bm25"], ev["dense"],
                         bool(gold & got) if gold else None, q))
    for row in rows:
        label, qid, refused, basis, cov, dom, bm25, dense, hit, q = row
        print(f"{label} {qid:4} {'REFUSED' if refused else 'answer '} {basis:9} cov={cov:.2f} "
              f"dense={dense if dense is None else round(dense, 2)} bm25={bm25 if bm25 is None else round(bm25, 1)} "
              f"dom={','.join(dom) or '-':24.24} cited={','.join(ev['cited']) or '-'} gold={'-' if hit is None else hit}  {q[:70]}")
    dev_refused = sum(1 for r in rows if r[0] == "dev" and r[2])
    neg_answered = sum(1 for r in rows if r[0] == "neg" and not r[2])
    dev_cov = sorted(r[4] for r in rows if r[0] == "dev" and r[3] == "search")
    neg_cov = sorted(r[4] for r in rows if r[0] == "neg")
    print(f"\ndev refused: {dev_refused}/{len(dev)}; negatives answered: {neg_answered}/{len(NEGATIVE)}")
    print(f"dev coverage min {dev_cov[0]:.2f}, lowest five {[round(c, 2) for c in dev_cov[:5]]}; "
          f"negative coverage max {neg_cov[-1]:.2f}, highest five {[round(c, 2) for c in neg_cov[-5:]]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
