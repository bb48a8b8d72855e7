"""The article in force in search and ask: figures before and after search_api.consolidated.

    JDIH_DATA_DIR=... python benchmarks/consolidated_eval.py [--questions eval/dev-questions.jsonl]

For every dev question (and separately for those about amended law: a gold item in UU 11/2008,
UU 12/2011 or a work that amends them), over the hybrid search's results grouped by regulation:

- success@5 over distinct (regulation, pasal), "before" = the searcher's groups as they come,
  "after" = with in_force_groups() (an amended article once, as in force);
- copies: (regulation, pasal) entries in the top 10 groups that are one more version of an article
  already listed (Pasal 27 of UU 11/2008 and the Pasal 27 of UU 1/2024 are two versions);
- superseded: entries whose text is not the one in force today;
- ask: the share of questions whose answers include a gold regulation (as tests/test_api.py counts).
"""
from __future__ import annotations

import argparse

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    args = ap.parse_args()
    from ingest.config import get_settings
    from pipelines.search.evaluation import _matches, load_questions, metrics_for
    from search_api import answering
    from search_api.consolidated import in_force_groups
    from search_api.kb import KnowledgeBase

    kb = KnowledgeBase(get_settings())
    snap = kb.snapshot()
    questions = load_questions(args.questions)
    families = {"uu-11-2008", "uu-12-2011"}
    family = families | {w.id for f in families for w in snap.amending(f)}

    def items(groups):
        return [(g["regulation"]["id"], a.get("pasal")) for g in groups for a in g["articles"]]

    def success5(q, groups) -> float:
        """success@5 over distinct entries; a consolidated article also answers as the amending
        work's article whose text it is (eval/README.md: a hit on any version that answers counts)."""
        entries, seen = [], set()
        for g in groups:
            for a in g["articles"]:
                key = (g["regulation"]["id"], a.get("pasal"))
                if key in seen:
                    continue
                seen.add(key)
                src = (a.get("consolidated") or {}).get("source_work")
                entries.append({key, (src, a.get("pasal"))} if src else {key})
        return float(any(_matches(it, gold) for e in entries[:5] for it in e for gold in q["relevant"]))

    def version_key(rid, pasal, amends):
        return (amends or rid, str(pasal).upper()) if pasal else None

    def copies_and_superseded(groups):
        seen, copies, superseded = set(), 0, 0
        for g in groups[:10]:
            rid = g["regulation"]["id"]
            for a in g["articles"]:
                key = version_key(rid, a.get("pasal"), a.get("amends"))
                if key is None:
                    continue
                target, pasal = key
                if key in seen:
                    copies += 1
                seen.add(key)
                cons = snap.consolidation(target) if snap.amending(target) else None
                if cons is not None and cons.amended:
                    art = cons.current.article(pasal)
                    src = (a.get("consolidated") or {}).get("source_work") or rid
                    if art is None or (art.source_work != src):
                        superseded += 1
        return copies, superseded

    rows = []
    for q in questions:
        out = kb.searcher.search(q["question"], mode="hybrid", limit=20)
        before = out["results"]
        after = in_force_groups(snap, [dict(g, articles=list(g["articles"])) for g in before], question=q["question"])
        cb, sb = copies_and_superseded(before)
        ca, sa = copies_and_superseded(after)
        amended = any(g["regulation"] in family for g in q["relevant"])
        rows.append({"id": q["id"], "amended": amended,
                     "s5_before": metrics_for(q, items(before))["recall@5"],
                     "s5_after": metrics_for(q, items(after))["recall@5"],
                     "s5_after_equivalent": success5(q, after),
                     "copies_before": cb, "copies_after": ca, "superseded_before": sb, "superseded_after": sa})

    def ask_hits(apply: bool, equivalent: bool = False) -> float:
        import search_api.consolidated as sc

        saved = sc.in_force_groups
        if not apply:
            sc.in_force_groups = lambda snap, groups, **kw: groups
        try:
            hit = 0
            for q in questions:
                body = answering.Answerer(kb).ask(q["question"])
                gold = {g["regulation"] for g in q["relevant"]}
                named = {a["regulation"]["id"] for a in body["answers"]}
                if equivalent:  # a consolidated article names the work whose text it is
                    named |= {(x.get("consolidated") or {}).get("source_work") for a in body["answers"] for x in a["articles"]}
                hit += bool(gold & named)
            return hit / len(questions)
        finally:
            sc.in_force_groups = saved

    def summary(sel):
        n = len(sel) or 1
        return {"n": len(sel),
                "success@5 before": round(sum(r["s5_before"] for r in sel) / n, 3),
                "success@5 after": round(sum(r["s5_after"] for r in sel) / n, 3),
                "success@5 after (consolidated = its source)": round(sum(r["s5_after_equivalent"] for r in sel) / n, 3),
                "copies before": sum(r["copies_before"] for r in sel), "copies after": sum(r["copies_after"] for r in sel),
                "superseded before": sum(r["superseded_before"] for r in sel),
                "superseded after": sum(r["superseded_after"] for r in sel)}

    report = {"all": summary(rows), "amended law": summary([r for r in rows if r["amended"]]),
              "ask gold regulation answered": {"before": round(ask_hits(False), 3), "after": round(ask_hits(True), 3),
                                               "after (consolidated = its source)": round(ask_hits(True, True), 3)},
              "per question (amended law)": [r for r in rows if r["amended"]]}
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
