"""Calibrating /ask: how its refusal thresholds were chosen, and how often its answers at each
confidence are right.

Asks every question of the dev set (eval/dev-questions.jsonl, all answerable), of
benchmarks/data/ask-calibration.jsonl (answerable ones and ones no regulation in the corpus
answers, gold checked by reading the documents) and the general-knowledge questions below (which
must all be refused). Each result is RIGHT when

- the question has no gold and /ask refused it;
- or /ask answered and quoted a gold item: the gold article (``pasal``; also when it is quoted as
  in force under the work it amends), the gold Lampiran row (``lampiran`` + ``row``: section and
  row; section alone when the gold gives no row), or, for a gold regulation without pasal (a
  catalogue record), named that regulation.

It prints one line per question, the reliability table per confidence band (before and after
calibration) and the expected calibration error (ECE), and with ``--write`` fits the calibration
/ask applies (search_api.calibration: isotonic steps from raw score to observed accuracy, one for
answers, one for refusals) into pipelines/data/ask-calibration.json. The ECE after calibration is
reported in-sample and by 5-fold cross-validation (fitted on four fifths, measured on the fifth),
the honest figure.

Usage::

    JDIH_DATA_DIR=/tmp/kb .venv/bin/python benchmarks/ask_calibration.py [--write] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import random
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
EDGES = (0.0, 0.5, 0.8, 1.0)  # the bands shown to users: low, medium, high (search_api.calibration.BANDS)
TEN = tuple(i / 10 for i in range(11))


def load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def is_right(q: dict, r: dict) -> bool:
    gold = q["relevant"]
    if not gold:
        return bool(r["refused"])
    if r["refused"]:
        return False
    for ans in r["answers"]:
        rid = ans["regulation"]["id"]
        for g in gold:
            if g.get("pasal") is None and not g.get("lampiran") and g["regulation"] == rid:
                return True
            for art in ans["articles"]:
                works = {rid, art.get("amends"), ((art.get("consolidated") or {}).get("source_work"))}
                if g["regulation"] not in works:
                    continue
                if g.get("lampiran"):
                    if art.get("lampiran") == g["lampiran"] and (g.get("row") is None or art.get("row") == g["row"]):
                        return True
                elif g.get("pasal") and str(art.get("pasal") or "").upper() == str(g["pasal"]).upper():
                    return True
    return False


def folds(items: list, k: int = 5, seed: int = 15) -> list[list]:
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    return [[items[i] for i in order[j::k]] for j in range(k)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write pipelines/data/ask-calibration.json")
    ap.add_argument("--json", help="write every result here")
    args = ap.parse_args()

    from ingest.config import get_settings
    from search_api import calibration as cal
    from search_api.answering import Answerer
    from search_api.kb import KnowledgeBase

    cal.load.cache_clear()
    answerer = Answerer(KnowledgeBase(get_settings()), calibrated=False)
    sets = [("dev", load(ROOT / "eval" / "dev-questions.jsonl")),
            ("own", load(ROOT / "benchmarks" / "data" / "ask-calibration.jsonl")),
            ("gen", [{"id": f"g{i:02d}", "question": q, "lang": "?", "kind": "general", "relevant": []}
                     for i, q in enumerate(NEGATIVE, 1)])]
    rows = []
    for label, qs in sets:
        for q in qs:
            r = answerer.ask(q["question"])
            ok = is_right(q, r)
            ev = r["evidence"]
            rows.append({"set": label, "id": q["id"], "answerable": bool(q["relevant"]), "refused": r["refused"],
                         "raw": float(r["confidence"]), "right": ok, "coverage": ev["coverage"],
                         "domain_terms": ev["domain_terms"], "cited": ev["cited"], "question": q["question"]})
            print(f"{label} {q['id']:6} {'REFUSED' if r['refused'] else 'answer '} raw={r['confidence']:.2f} "
                  f"{'RIGHT' if ok else 'wrong'} cov={ev['coverage']:.2f} dom={','.join(ev['domain_terms']) or '-':20.20} "
                  f"{q['question'][:64]}")

    def summary(name: str, subset: list[dict]) -> None:
        ans = [x for x in subset if not x["refused"]]
        print(f"{name}: {len(subset)} questions, {len(ans)} answered ({sum(x['right'] for x in ans)} right), "
              f"{len(subset) - len(ans)} refused ({sum(x['right'] for x in subset if x['refused'])} rightly)")

    print()
    for label, _ in sets:
        summary(label, [x for x in rows if x["set"] == label])
    dev = [x for x in rows if x["set"] == "dev"]
    gen = [x for x in rows if x["set"] == "gen"]
    print(f"dev refused: {sum(x['refused'] for x in dev)}/{len(dev)}; general questions answered: "
          f"{sum(not x['refused'] for x in gen)}/{len(gen)}")

    points = {"answer": [(x["raw"], x["right"]) for x in rows if not x["refused"]],
              "refusal": [(x["raw"], x["right"]) for x in rows if x["refused"]]}
    steps = {kind: cal.fit(p) for kind, p in points.items()}
    fitted = cal.Calibration(steps)
    # 5-fold cross-validated calibrated confidence of every result
    cv: dict[int, float] = {}
    for fold in folds(list(range(len(rows)))):
        held = set(fold)
        train = [rows[i] for i in range(len(rows)) if i not in held]
        c = cal.Calibration({kind: cal.fit([(x["raw"], x["right"]) for x in train if x["refused"] == (kind == "refusal")])
                             for kind in ("answer", "refusal")})
        for i in fold:
            cv[i] = c.apply(rows[i]["raw"], refused=rows[i]["refused"])
    tables = {
        "raw": cal.reliability([(x["raw"], x["right"]) for x in rows], EDGES),
        "calibrated (in-sample)": cal.reliability([(fitted.apply(x["raw"], refused=x["refused"]), x["right"]) for x in rows], EDGES),
        "calibrated (5-fold cross-validated)": cal.reliability([(cv[i], x["right"]) for i, x in enumerate(rows)], EDGES),
    }
    fine = {  # the usual ECE: ten equal-width bins
        "raw": cal.reliability([(x["raw"], x["right"]) for x in rows], TEN)[1],
        "calibrated (in-sample)": cal.reliability([(fitted.apply(x["raw"], refused=x["refused"]), x["right"]) for x in rows], TEN)[1],
        "calibrated (5-fold cross-validated)": cal.reliability([(cv[i], x["right"]) for i, x in enumerate(rows)], TEN)[1],
    }
    for name, (table, ece) in tables.items():
        print(f"\n{name}: ECE {ece:.3f} over the three bands, {fine[name]:.3f} over ten bins"
              f"\n\n| band | n | mean confidence | accuracy |\n|---|---:|---:|---:|")
        for t in table:
            print(f"| {t['band']} | {t['n']} | {t['confidence'] if t['confidence'] is not None else '-'} | "
                  f"{t['accuracy'] if t['accuracy'] is not None else '-'} |")
    print("\nsteps (raw score up to -> calibrated accuracy):", json.dumps(steps))
    if args.write:
        meta = {"questions": len(rows), "sets": {label: len(qs) for label, qs in sets},
                "ece_bands": {name: ece for name, (_, ece) in tables.items()}, "ece_ten_bins": fine, "bands": cal.BANDS,
                "made_by": "benchmarks/ask_calibration.py --write"}
        cal.PATH.write_text(json.dumps({"steps": steps, **meta}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {cal.PATH.relative_to(ROOT)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "tables": tables, "ece_ten_bins": fine, "steps": steps},
                                              indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
