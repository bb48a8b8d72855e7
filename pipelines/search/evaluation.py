"""Retrieval evaluation, exactly as eval/README.md defines it.

For each question and mode we take the ranked list of DISTINCT (regulation, pasal) results and
compute success@5 (reported as Recall@5), MRR@10, nDCG@10 with binary gains over the gold list,
and regulation-level Recall@5; overall and by ``lang`` and ``kind``.

>>> q = {"id": "x", "lang": "id", "kind": "keyword", "relevant": [{"regulation": "a", "pasal": "2"}]}
>>> metrics_for(q, [("a", "1"), ("a", "2")])["mrr@10"]
0.5
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable, Sequence

from pipelines.search.query import get_searcher

Item = tuple[str, str | None]  # (regulation id, pasal, a Lampiran section "Lampiran I, A.1.a", or None)
METRICS = ("recall@5", "mrr@10", "ndcg@10", "regulation_recall@5")
MODES = ("bm25", "dense", "hybrid")


def load_questions(path: str | Path) -> list[dict]:
    questions = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON: {exc}") from exc
        missing = {"id", "question", "lang", "kind", "relevant"} - q.keys()
        if missing:
            raise ValueError(f"{path}:{n}: missing fields {sorted(missing)}")
        questions.append(q)
    return questions


def distinct(items: Iterable[Item]) -> list[Item]:
    seen: set[Item] = set()
    out = []
    for it in items:
        if it not in seen:
            seen.add(it)
            out.append(it)
    return out


def _matches(item: Item, gold: dict) -> bool:
    """A gold item with ``lampiran`` ("Lampiran I, A.1.a") is matched by a hit on that Lampiran
    section; one with ``pasal`` by that article; one with neither by any hit on the work."""
    if item[0] != gold["regulation"]:
        return False
    if gold.get("lampiran"):
        return item[1] == gold["lampiran"]
    return gold.get("pasal") is None or item[1] == gold["pasal"]


def metrics_for(question: dict, ranked: Sequence[Item]) -> dict[str, float]:
    gold = question["relevant"]
    ranked = distinct(ranked)
    hits = [any(_matches(it, g) for g in gold) for it in ranked]
    first = next((i for i, h in enumerate(hits[:10]) if h), None)
    # nDCG: a gold item can be credited once (a pasal-null gold item by the first result of its work).
    dcg, used = 0.0, set()
    for i, it in enumerate(ranked[:10]):
        for gi, g in enumerate(gold):
            if gi not in used and _matches(it, g):
                used.add(gi)
                dcg += 1.0 / math.log2(i + 2)
                break
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    regs = {g["regulation"] for g in gold}
    return {
        "recall@5": 1.0 if any(hits[:5]) else 0.0,
        "mrr@10": 1.0 / (first + 1) if first is not None else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "regulation_recall@5": 1.0 if any(it[0] in regs for it in ranked[:5]) else 0.0,
    }


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {m: round(sum(r[m] for r in rows) / len(rows), 4) if rows else 0.0 for m in METRICS}


def evaluate(
    questions: list[dict],
    modes: Sequence[str] = MODES,
    retrieve: Callable[[str, str, int], list[Item]] | None = None,
) -> dict:
    """Run every question in every mode; ``retrieve(question, mode, k)`` gives ranked items.

    By default it searches the configured knowledge base through the query pipeline.
    """
    for m in modes:
        if m not in MODES:
            raise ValueError(f"unknown mode {m!r}; choose from {', '.join(MODES)}")
    if retrieve is None:
        searcher = get_searcher()
        retrieve = searcher.ranked_items
    report: dict = {"questions": len(questions), "modes": {}, "by_lang": {}, "by_kind": {}, "per_question": {}}
    for mode in modes:
        rows = []
        by_lang: dict[str, list] = defaultdict(list)
        by_kind: dict[str, list] = defaultdict(list)
        for q in questions:
            ranked = retrieve(q["question"], mode, 10)
            row = metrics_for(q, ranked)
            rows.append(row)
            by_lang[q["lang"]].append(row)
            by_kind[q["kind"]].append(row)
            report["per_question"].setdefault(q["id"], {})[mode] = {
                "first_relevant_rank": _first_rank(q, ranked),
                "top5": [f"{r}#{p}" if p else r for r, p in distinct(ranked)[:5]],
            }
        report["modes"][mode] = _mean(rows)
        report["by_lang"][mode] = {k: _mean(v) for k, v in sorted(by_lang.items())}
        report["by_kind"][mode] = {k: _mean(v) for k, v in sorted(by_kind.items())}
    return report


def _first_rank(q: dict, ranked: Sequence[Item]) -> int | None:
    for i, it in enumerate(distinct(ranked)[:10]):
        if any(_matches(it, g) for g in q["relevant"]):
            return i + 1
    return None


def format_report(report: dict) -> str:
    lines = [f"{report['questions']} questions", "", "| mode | " + " | ".join(METRICS) + " |",
             "|---|" + "---:|" * len(METRICS)]
    for mode, vals in report["modes"].items():
        lines.append(f"| {mode} | " + " | ".join(f"{vals[m]:.3f}" for m in METRICS) + " |")
    for group in ("by_lang", "by_kind"):
        lines += ["", f"{group.replace('_', ' ')} (recall@5 / mrr@10):", ""]
        keys = sorted({k for per in report[group].values() for k in per})
        lines.append("| mode | " + " | ".join(keys) + " |")
        lines.append("|---|" + "---|" * len(keys))
        for mode, per in report[group].items():
            cells = [f"{per[k]['recall@5']:.2f} / {per[k]['mrr@10']:.2f}" if k in per else "-" for k in keys]
            lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
