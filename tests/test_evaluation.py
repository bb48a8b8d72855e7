"""The metric definitions of eval/README.md, checked on hand-computed rankings."""
import math

import pytest

from pipelines.search.evaluation import evaluate, load_questions, metrics_for

Q = {"id": "q", "lang": "id", "kind": "natural",
     "relevant": [{"regulation": "pp-71-2019", "pasal": "6"}, {"regulation": "pp-71-2019", "pasal": "2"}]}


def test_first_hit_at_rank_three():
    m = metrics_for(Q, [("uu-11-2008", "1"), ("pp-71-2019", "1"), ("pp-71-2019", "2"), ("x", None)])
    assert m["recall@5"] == 1.0
    assert m["mrr@10"] == pytest.approx(1 / 3)
    assert m["regulation_recall@5"] == 1.0
    assert m["ndcg@10"] == pytest.approx((1 / math.log2(4)) / (1 + 1 / math.log2(3)))


def test_duplicates_are_collapsed_before_ranking():
    # the same (regulation, pasal) twice counts once: pasal 6 is at distinct rank 2
    m = metrics_for(Q, [("a", "1"), ("a", "1"), ("pp-71-2019", "6")])
    assert m["mrr@10"] == 0.5


def test_hit_after_rank_five_is_not_recall_but_counts_for_mrr():
    ranked = [("r", str(i)) for i in range(5)] + [("pp-71-2019", "2")]
    m = metrics_for(Q, ranked)
    assert m["recall@5"] == 0.0 and m["mrr@10"] == pytest.approx(1 / 6)


def test_null_pasal_gold_matches_any_article_of_the_work_once():
    q = {**Q, "relevant": [{"regulation": "perwal-malang-9-2022", "pasal": None}]}
    m = metrics_for(q, [("perwal-malang-9-2022", None), ("perwal-malang-9-2022", "3")])
    assert m["mrr@10"] == 1.0 and m["ndcg@10"] == pytest.approx(1.0)


def test_no_hit_scores_zero():
    m = metrics_for(Q, [("uu-14-2008", "22")])
    assert m == {"recall@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0, "regulation_recall@5": 0.0}


def test_evaluate_groups_by_lang_and_kind_with_a_given_retriever():
    questions = load_questions("eval/dev-questions.jsonl")
    ids = [q["id"] for q in questions]
    assert len(ids) >= 103 and len(ids) == len(set(ids)), "question ids are unique"
    assert all(q["lang"] in ("id", "en") and q["relevant"] for q in questions)
    gold_first = lambda text, mode, k: [  # noqa: E731 - a perfect retriever built from the gold list
        (g["regulation"], g.get("lampiran") or g["pasal"]) for q in questions if q["question"] == text
        for g in q["relevant"]]
    report = evaluate(questions, modes=["bm25"], retrieve=gold_first)
    assert report["modes"]["bm25"] == {"recall@5": 1.0, "mrr@10": 1.0, "ndcg@10": 1.0, "regulation_recall@5": 1.0}
    assert set(report["by_lang"]["bm25"]) == {"id", "en"}
    assert "malang-catalogue" in report["by_kind"]["bm25"]


def test_bad_question_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "x"}\n')
    with pytest.raises(ValueError, match="missing fields"):
        load_questions(bad)
    with pytest.raises(ValueError, match="unknown mode"):
        evaluate([], modes=["fuzzy"], retrieve=lambda *a: [])
