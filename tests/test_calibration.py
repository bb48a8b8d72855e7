"""The calibrated confidence of /ask (search_api.calibration): isotonic steps from raw evidence
score to observed accuracy, the reliability table and ECE, and the shipped fit applied."""
from __future__ import annotations

import pytest

from search_api import calibration as cal


def test_fit_is_monotone_and_smoothed():
    # synthetic points: low scores mostly wrong, high scores mostly right, one violator in between
    points = [(0.1, False), (0.2, False), (0.3, True), (0.4, False), (0.6, True), (0.7, False), (0.9, True), (0.95, True)]
    steps = cal.fit(points)
    values = [v for _, v in steps]
    assert values == sorted(values) and steps[-1][0] == 1.0
    assert all(0 < v < 1 for v in values)  # (right + 1) / (n + 2): never 0 or 1 on few questions
    c = cal.Calibration({"answer": steps, "refusal": steps})
    assert c.apply(0.05, refused=False) < c.apply(0.92, refused=False)


def test_reliability_and_expected_calibration_error():
    rows, ece = cal.reliability([(0.9, True), (0.9, False), (0.3, False), (0.3, False)], (0.0, 0.5, 1.0))
    assert [r["n"] for r in rows] == [2, 2]
    assert rows[1]["accuracy"] == 0.5 and rows[0]["accuracy"] == 0.0
    assert ece == pytest.approx(0.5 * 0.4 + 0.5 * 0.3)


def test_bands_are_read_off_the_calibrated_value():
    assert cal.band(cal.BANDS["high"]) == "high"
    assert cal.band(cal.BANDS["medium"]) == "medium" and cal.band(cal.BANDS["medium"] - 0.01) == "low"


def test_the_shipped_calibration_is_what_ask_shows(ingested_settings):
    from search_api.answering import Answerer
    from search_api.kb import KnowledgeBase

    fitted = cal.load()
    assert fitted is not None and fitted.meta["questions"] >= 36 + 30
    r = Answerer(KnowledgeBase(ingested_settings)).ask("which rule governs data centers?")
    raw = r["evidence"]["raw_confidence"]
    assert r["confidence"] == fitted.apply(raw, refused=False) and r["band"] == cal.band(r["confidence"])
    refused = Answerer(KnowledgeBase(ingested_settings)).ask("bagaimana cara membuat rendang?")
    assert refused["refused"] and refused["confidence"] == fitted.apply(refused["evidence"]["raw_confidence"], refused=True)
