"""How the hybrid ranking depends on the fusion settings: a sensitivity grid on a question set.

Each question's named ranked lists (BM25, dense and the four lookups, ``Searcher.ranked_lists``)
are computed ONCE; every fusion setting then re-fuses the same lists with ``RankFusion``, so a
grid of dozens of settings costs one pass of retrieval. BM25 alone and dense alone are the
first two lists, so the single modes come out of the same pass and the rule "hybrid >= each
single mode on every slice" is checked per setting.

    JDIH_DATA_DIR=... python benchmarks/fusion_grid.py [--questions eval/dev-questions.jsonl]
        [--json grid.json] [--markdown]

Metrics and slices are those of pipelines/evaluation.py (eval/README.md).
"""
from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.search.evaluation import METRICS, distinct, load_questions, metrics_for  # noqa: E402

LISTS = ("bm25", "dense", "cited", "scoped", "definitions", "phrases")


def key(doc) -> tuple[str, str | None]:
    from pipelines.search.query import _doc_key

    return _doc_key(doc)  # what the evaluation scores (a Lampiran section counts as its item)


def collect(questions: list[dict], searcher) -> list[dict[str, list]]:
    """The six ranked lists of every question (light references)."""
    out = []
    for n, q in enumerate(questions, 1):
        out.append(searcher.ranked_lists(q["question"]))
        print(f"\rretrieved {n}/{len(questions)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


def fuse(lists: dict[str, list], weights: dict[str, float], k: float) -> list:
    from pipelines.search.fusion import RankFusion

    return RankFusion(weights=weights, k=k).run(**lists)["documents"]


def report(questions: list[dict], ranked_per_q: list[list]) -> dict:
    rows = [metrics_for(q, distinct(key(d) for d in r)[:10]) for q, r in zip(questions, ranked_per_q)]
    out: dict = {"all": _mean(rows)}
    for field in ("lang", "kind"):
        groups = defaultdict(list)
        for q, row in zip(questions, rows):
            groups[q[field]].append(row)
        out.update({f"{field}:{g}": _mean(v) for g, v in sorted(groups.items())})
    return out


def _mean(rows):
    return {m: sum(r[m] for r in rows) / len(rows) for m in METRICS}


def settings(k: float, dense: float = 1.0, exact: float | None = None, scoped: float = 1.0,
             phrases: float = 0.5) -> dict:
    """One fusion setting. ``exact`` (the cited-article and definition lookups) defaults to more
    than BM25 and dense together, so an exact hit outranks an article both rankers put first."""
    exact = 1.0 + dense + 0.5 if exact is None else exact
    return {"k": k, "weights": {"bm25": 1.0, "dense": dense, "cited": exact, "definitions": exact,
                                "scoped": scoped, "phrases": phrases},
            "label": f"k={k} dense={dense} exact={exact:g} scoped={scoped:g} phrases={phrases:g}"}


def default_grid() -> list[dict]:
    grid = [{"k": 5, "weights": {"bm25": 1.0, "dense": 0.3, "cited": 2.0, "scoped": 1.0, "definitions": 1.0,
                                 "phrases": 0.3}, "label": "MiniLM-era: k=5 dense=0.3 cited=2 defs=1 scoped=1 phrases=0.3"}]
    grid += [settings(k, d) for k in (1, 5, 10, 20, 60) for d in (0.5, 1.0, 1.5)]
    grid += [settings(10, 1.0, exact=e) for e in (1.0, 2.0)]
    grid += [settings(10, 1.0, scoped=sc) for sc in (0.0, 0.5)]
    grid += [settings(10, 1.0, phrases=ph) for ph in (0.0, 1.0)]
    return grid


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev-questions.jsonl"))
    ap.add_argument("--json", help="write every setting's figures here")
    ap.add_argument("--cache", help="keep the retrieved lists in this pickle file and reuse them")
    ap.add_argument("--settings", help="a JSON file with a list of {label, k, weights} to try instead of the default grid")
    args = ap.parse_args(argv)

    questions = load_questions(args.questions)
    cache = Path(args.cache) if args.cache else None
    if cache and cache.exists():
        lists = pickle.loads(cache.read_bytes())
    else:
        from pipelines.search.query import get_searcher

        lists = collect(questions, get_searcher())
        if cache:
            cache.write_bytes(pickle.dumps(lists))
    singles = {m: report(questions, [l[m] for l in lists]) for m in ("bm25", "dense")}
    grid = json.loads(Path(args.settings).read_text()) if args.settings else default_grid()
    results = []
    for s in grid:
        fig = report(questions, [fuse(l, s["weights"], s["k"]) for l in lists])
        # the worst margin over single modes, over every slice and metric (>= 0: the rule holds)
        margin = min(fig[sl][m] - singles[mode][sl][m] for mode in singles for sl in fig for m in ("recall@5", "mrr@10"))
        results.append({**s, "figures": fig, "min_margin": margin})
    slices = list(singles["bm25"])
    print("| setting | R@5 | MRR@10 | en R@5 | id R@5 | min margin vs single modes |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in ("bm25", "dense"):
        f = singles[m]
        print(f"| {m} alone | {f['all']['recall@5']:.3f} | {f['all']['mrr@10']:.3f} | "
              f"{f['lang:en']['recall@5']:.3f} | {f['lang:id']['recall@5']:.3f} | |")
    for r in results:
        f = r["figures"]
        print(f"| {r['label']} | {f['all']['recall@5']:.3f} | {f['all']['mrr@10']:.3f} | "
              f"{f['lang:en']['recall@5']:.3f} | {f['lang:id']['recall@5']:.3f} | {r['min_margin']:+.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"singles": singles, "slices": slices, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
