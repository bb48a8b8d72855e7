"""The confidence /ask shows, calibrated: the share of answers (or refusals) like this one that were
right on the calibration set, and the band named after it.

``Answerer`` computes a raw score from the evidence (coverage, discounted by the dense retriever's
resemblance; for a refusal, 1 - coverage). benchmarks/ask_calibration.py asks every question of
the dev set and of benchmarks/data/ask-calibration.jsonl, marks each result right or wrong against
the gold read from the documents, and fits a monotone step function from raw score to observed
accuracy (isotonic regression by pooling adjacent violators, each step's accuracy smoothed as
(right + 1) / (n + 2)), one for answers and one for refusals. It is written to
pipelines/data/ask-calibration.json; docs/api.md has the reliability table and the expected
calibration error before and after.

The bands shown to users are read off the calibrated value: ``high`` when such answers were right
at least ``BANDS["high"]`` of the time, ``medium`` at least ``BANDS["medium"]``, else ``low``.

>>> Calibration({"answer": [[0.5, 0.4], [1.0, 0.9]], "refusal": [[1.0, 0.8]]}).apply(0.7, refused=False)
0.9
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parents[1] / "pipelines" / "data" / "ask-calibration.json"
BANDS = {"high": 0.8, "medium": 0.5}  # observed accuracy a band promises at least


class Calibration:
    """``steps[kind]`` = [[upper raw score, calibrated accuracy], ...] ascending."""

    def __init__(self, steps: dict[str, list[list[float]]], meta: dict[str, Any] | None = None):
        self.steps = steps
        self.meta = meta or {}

    def apply(self, raw: float, *, refused: bool) -> float:
        steps = self.steps.get("refusal" if refused else "answer") or []
        for upper, value in steps:
            if raw <= upper + 1e-12:
                return round(float(value), 3)
        return round(float(steps[-1][1]), 3) if steps else round(raw, 3)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, **self.meta}


def band(confidence: float) -> str:
    """``high`` / ``medium`` / ``low`` for a calibrated confidence."""
    return "high" if confidence >= BANDS["high"] else "medium" if confidence >= BANDS["medium"] else "low"


@lru_cache(maxsize=1)
def load(path: str | None = None) -> Calibration | None:
    """The fitted calibration shipped with the code; None when none was fitted (raw scores shown)."""
    p = Path(path) if path else PATH
    if not p.exists():
        return None
    data = json.loads(p.read_text(encoding="utf-8"))
    return Calibration(data["steps"], {k: v for k, v in data.items() if k != "steps"})


def fit(points: list[tuple[float, bool]]) -> list[list[float]]:
    """Isotonic (non-decreasing) steps from (raw score, right?) pairs: pool adjacent violators over
    the points sorted by score, on the observed accuracy; each block's value is then (right + 1) / (n + 2)."""
    if not points:
        return []
    pts = sorted(points, key=lambda p: p[0])
    blocks: list[list[float]] = []  # [upper score, right, n]
    for score, ok in pts:
        if blocks and blocks[-1][0] == score:
            blocks[-1][1] += ok
            blocks[-1][2] += 1
        else:
            blocks.append([score, float(ok), 1.0])
        # pool on the observed accuracy (equal neighbours too: the widest monotone steps)
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            upper, right, n = blocks.pop()
            blocks[-1] = [upper, blocks[-1][1] + right, blocks[-1][2] + n]
    steps = [[round(b[0], 4), round(_value(b), 4)] for b in blocks]
    steps[-1][0] = 1.0
    return steps


def _value(block: list[float]) -> float:
    return (block[1] + 1) / (block[2] + 2)


def reliability(results: list[tuple[float, bool]], edges=(0.0, 0.5, 0.8, 1.0)) -> tuple[list[dict[str, Any]], float]:
    """Rows per confidence band (n, mean confidence, accuracy) and the expected calibration error:
    the n-weighted mean of |accuracy - mean confidence| over the bands."""
    rows = []
    total = len(results)
    ece = 0.0
    for lo, hi in zip(edges, edges[1:]):
        inside = [(c, ok) for c, ok in results if (lo <= c < hi) or (hi == edges[-1] and c == hi)]
        if not inside:
            rows.append({"band": f"[{lo:.2f}, {hi:.2f}{']' if hi == edges[-1] else ')'}", "n": 0,
                         "confidence": None, "accuracy": None})
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        ece += len(inside) / total * abs(acc - conf)
        rows.append({"band": f"[{lo:.2f}, {hi:.2f}{']' if hi == edges[-1] else ')'}", "n": len(inside),
                     "confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return rows, round(ece, 4)
