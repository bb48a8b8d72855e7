"""The embedded SQLite store beyond the shared contract: durability (WAL, atomic transactions,
kill -9 mid-write), BM25 ranking on real PP 71/2019 articles, dense search and its refresh."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from pipelines.stores.sqlite import SQLiteDocumentStore
from tests.contract.articles import real_articles

ROOT = Path(__file__).resolve().parents[1]
WORK = {"work_id": "pp-71-2019", "jenis": "pp", "tahun": 2019}


def article_docs(numbers=None, *, dim: int | None = None, suffix: str = "") -> list[Document]:
    """Real PP 71/2019 articles as documents; with ``dim``, each gets a fixed pseudo-random unit
    vector (seeded by its article number) so that dense search has a known nearest neighbour."""
    texts = real_articles("pp-71-2019-pste.md")
    docs = []
    for n in numbers or list(texts):
        embedding = None
        if dim:
            v = np.random.default_rng(int("".join(c for c in n if c.isdigit()))).standard_normal(dim)
            embedding = (v / np.linalg.norm(v)).astype(np.float32).tolist()
        meta = dict(WORK, pasal=n, pasal_number=int("".join(c for c in n if c.isdigit())))
        docs.append(Document(id=f"pp-71-2019~pasal_{n}{suffix}", content=texts[n], meta=meta, embedding=embedding))
    return docs


@pytest.fixture
def path(tmp_path):
    return tmp_path / "jdih.sqlite3"


@pytest.fixture
def store(path):
    s = SQLiteDocumentStore(path, indexed_meta_fields=["work_id"])
    yield s
    s.close()


def snapshot(store):
    return sorted((d.id, d.content) for d in store.filter_documents())


# --- durability -----------------------------------------------------------------------------


def test_wal_mode_and_synchronous_normal(store, path):
    store.write_documents(article_docs(["6"]))
    assert store._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    raw = sqlite3.connect(path)  # WAL is a property of the file: any new connection sees it
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_memory_database_is_refused():
    with pytest.raises(ValueError, match="file path"):
        SQLiteDocumentStore(":memory:")


def test_persistence_across_reopen(store, path):
    docs = article_docs(["6", "59"], dim=8)
    store.write_documents(docs)
    store.close()
    reopened = SQLiteDocumentStore(path)
    assert reopened.count_documents() == 2
    assert [d.id for d in reopened.bm25_search("tanda tangan elektronik", top_k=1)] == ["pp-71-2019~pasal_59"]
    assert [d.id for d in reopened.embedding_search(docs[0].embedding, top_k=1)] == [docs[0].id]
    reopened.close()


def test_exception_mid_transaction_leaves_previous_state(store):
    store.write_documents(article_docs(["6", "59", "79"]))
    before = snapshot(store)
    generation = store.generation()
    with pytest.raises(RuntimeError, match="parser failed"):
        with store.transaction():
            assert store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": "pp-71-2019"}) == 3
            store.write_documents(article_docs(["99"]))
            assert store.count_documents() == 1  # visible inside the transaction
            raise RuntimeError("parser failed")
    assert snapshot(store) == before
    assert store.generation() == generation
    assert [d.meta["pasal"] for d in store.bm25_search("nama domain", top_k=1)] == ["79"]  # FTS rolled back too


def test_nested_transaction_is_a_savepoint(store):
    store.write_documents(article_docs(["6"]))
    with store.transaction():
        store.write_documents(article_docs(["59"]))
        with pytest.raises(KeyError):
            with store.transaction():
                store.write_documents(article_docs(["79"]))
                raise KeyError("inner")
    assert sorted(d.meta["pasal"] for d in store.filter_documents()) == ["59", "6"]


def test_other_connections_see_all_or_nothing(store, path):
    store.write_documents(article_docs(["6"]))
    reader = SQLiteDocumentStore(path)
    seen = []
    with store.transaction():
        store.delete_documents(["pp-71-2019~pasal_6"])
        store.write_documents(article_docs(["59", "79"]))
        t = threading.Thread(target=lambda: seen.append(sorted(d.meta["pasal"] for d in reader.filter_documents())))
        t.start()
        t.join()
    assert seen == [["6"]]
    assert sorted(d.meta["pasal"] for d in reader.filter_documents()) == ["59", "79"]
    reader.close()


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from haystack import Document
    from pipelines.stores.sqlite import SQLiteDocumentStore
    from tests.contract.articles import real_articles
    texts = list(real_articles("pp-71-2019-pste.md").items())
    store = SQLiteDocumentStore({path!r})
    with store.transaction():
        store.delete_by_filter({{"field": "meta.work_id", "operator": "==", "value": "pp-71-2019"}})
        for i in range(100000):
            n, text = texts[i % len(texts)]
            store.write_documents([Document(id=f"new-{{i}}", content=text, meta={{"work_id": "pp-71-2019", "pasal": n}})])
            if i == 300:
                print("mid-write", flush=True)
    print("committed", flush=True)
    """
)


def test_sigkill_mid_write_leaves_previous_state(store, path):
    store.write_documents(article_docs(["6", "59", "79", "99"], dim=8))
    before = snapshot(store)
    store.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), path=str(path))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "mid-write", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL

    reopened = SQLiteDocumentStore(path)
    assert snapshot(reopened) == before
    assert reopened._conn().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [d.meta["pasal"] for d in reopened.bm25_search("nama domain", top_k=1)] == ["79"]
    # and the file is writable again (no lock left behind)
    assert reopened.write_documents(article_docs(["2"])) == 1
    reopened.close()


# --- BM25 on real articles ------------------------------------------------------------------


@pytest.fixture
def pp71(store):
    store.write_documents(article_docs())
    return store


def _articles_mentioning(phrase: str) -> set[str]:
    return {n for n, text in real_articles("pp-71-2019-pste.md").items() if phrase in " ".join(text.lower().split())}


def test_bm25_finds_registration_article(pp71):
    hits = pp71.bm25_search("kewajiban pendaftaran penyelenggara sistem elektronik", top_k=3)
    assert "6" in [d.meta["pasal"] for d in hits]
    assert hits[0].score >= hits[-1].score > 0


def test_bm25_english_query_reaches_indonesian_text_through_glossary(pp71):
    relevant = _articles_mentioning("pusat data")
    assert relevant  # the corpus text does speak of "pusat data"
    hits = pp71.bm25_search("data center", top_k=3)
    assert hits[0].meta["pasal"] in relevant
    without = pp71.bm25_search("data center", top_k=3, expand=False)
    assert without[0].meta["pasal"] not in relevant or hits[0].score > without[0].score


def test_bm25_domain_names(pp71):
    relevant = _articles_mentioning("nama domain")
    hits = pp71.bm25_search("domain name registration", top_k=5)
    assert all(d.meta["pasal"] in relevant for d in hits)


def test_bm25_protected_term_does_not_match_its_false_stem(pp71):
    # "pemerintahan" must not meet "perintah"/"memerintahkan" through the stem "perintah"
    for d in pp71.bm25_search("pemerintahan", top_k=20, expand=False):
        assert "pemerintahan" in d.content.lower()


def test_bm25_with_filters(pp71):
    flt = {"field": "meta.pasal_number", "operator": ">=", "value": 80}
    hits = pp71.bm25_search("tanda tangan elektronik nama domain", top_k=10, filters=flt)
    assert hits and all(d.meta["pasal_number"] >= 80 for d in hits)
    assert pp71.bm25_search("yang dan atau", top_k=5) == []  # only stopwords: no terms, no results


def test_bm25_concurrent_threads(pp71):
    expected = [d.id for d in pp71.bm25_search("tanda tangan elektronik", top_k=5)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [d.id for d in pp71.bm25_search("tanda tangan elektronik", top_k=5)], range(16)))
    assert all(r == expected for r in results)


# --- dense --------------------------------------------------------------------------------------


def test_dense_returns_the_nearest(store):
    docs = article_docs(["2", "6", "59", "79", "99"], dim=32)
    store.write_documents(docs)
    target = np.asarray(docs[3].embedding) + 0.05 * np.random.default_rng(0).standard_normal(32)
    hits = store.embedding_search(target.tolist(), top_k=3)
    assert hits[0].id == docs[3].id
    assert hits[0].score > hits[1].score >= hits[2].score
    assert hits[0].embedding is None
    assert store.embedding_search(target.tolist(), top_k=1, return_embedding=True)[0].embedding is not None


def test_dense_filters_and_refresh(store, path):
    docs = article_docs(["2", "6", "59", "79", "99"], dim=32)
    store.write_documents(docs)
    query = docs[3].embedding
    flt = {"field": "meta.pasal", "operator": "not in", "value": ["79"]}
    hits = store.embedding_search(query, top_k=10, filters=flt)
    assert len(hits) == 4 and "79" not in [d.meta["pasal"] for d in hits]
    assert store.embedding_search(query, top_k=10, filters={"field": "meta.pasal", "operator": "==", "value": "x"}) == []

    # a write through ANOTHER store instance (as another process would) is seen: generation counter
    other = SQLiteDocumentStore(path)
    other.write_documents(article_docs(["80"], dim=32, suffix="-copy"))
    copy = other.filter_documents({"field": "id", "operator": "==", "value": "pp-71-2019~pasal_80-copy"})[0]
    assert store.embedding_search(copy.embedding, top_k=1)[0].id == copy.id
    assert len(store.embedding_search(query, top_k=10, filters=flt)) == 5  # the filter cache is refreshed too
    other.delete_documents([copy.id])
    assert store.embedding_search(copy.embedding, top_k=1)[0].id != copy.id
    other.close()


def test_dense_dimension_mismatch_is_a_clear_error(store):
    store.write_documents(article_docs(["6"], dim=16))
    with pytest.raises(ValueError, match="16"):
        store.embedding_search([0.1] * 8)


def test_documents_without_embedding_are_not_in_dense_results(store):
    store.write_documents(article_docs(["6"], dim=16) + article_docs(["59"]))
    hits = store.embedding_search([1.0] * 16, top_k=10)
    assert [d.meta["pasal"] for d in hits] == ["6"]


def test_common_terms_are_pruned_only_over_the_budget(path):
    small = SQLiteDocumentStore(path, bm25_index="fts5", bm25_candidate_budget=40)
    small.write_documents(article_docs())
    terms = ["pusat", "data", "elektronik", "sistem"]
    df = small.document_frequencies(terms)
    assert df["elektronik"] > df["pusat"] > 0  # "elektronik" is in most PP 71/2019 articles
    kept = small.prune_terms(terms)
    assert "pusat" in kept and "elektronik" not in kept
    assert sum(df[t] for t in kept) <= 40 or len(kept) == 1
    hits = small.bm25_search("data center", top_k=1)
    assert hits[0].meta["pasal"] in _articles_mentioning("pusat data")
    unpruned = SQLiteDocumentStore(path, bm25_index="fts5", bm25_candidate_budget=None)
    assert unpruned.prune_terms(terms) == terms
    small.close()
    unpruned.close()


# --- in-memory BM25 postings against FTS5, the index of record --------------------------------

QUERIES = [
    "kewajiban pendaftaran penyelenggara sistem elektronik",
    "data center",  # glossary-expanded
    "domain name registration",
    "tanda tangan elektronik nama domain",
    "sanksi administratif pemutusan akses",
    "pemerintahan",
    "Pasal 59 PP 71 tahun 2019",
]


@pytest.fixture
def pp71_both(path):
    """The real PP 71/2019 articles (and their breadcrumbs indexed too), read through both BM25
    implementations of the same file."""
    memory = SQLiteDocumentStore(path, text_meta_fields=["breadcrumb"])
    docs = article_docs()
    for d in docs:
        d.meta["breadcrumb"] = f"PP 71/2019 > Pasal {d.meta['pasal']}"
    memory.write_documents(docs)
    fts5 = SQLiteDocumentStore(path, text_meta_fields=["breadcrumb"], bm25_index="fts5", bm25_candidate_budget=None)
    yield memory, fts5
    memory.close()
    fts5.close()


def test_memory_postings_hold_exactly_the_fts5_tokens(pp71_both, path):
    memory, _ = pp71_both
    index = memory._bm25_postings()
    raw = sqlite3.connect(path)
    raw.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, documents_fts, 'row')")
    fts5 = {term: (docs, count) for term, docs, count in raw.execute("SELECT term, doc, cnt FROM temp.v")}
    raw.close()
    assert len(fts5) > 500  # a real vocabulary
    ours = {}
    for term, t in index.vocab.items():
        rows = index.rows[index.indptr[t]:index.indptr[t + 1]]
        ours[term] = len(rows)
        assert (np.diff(rows) > 0).all()  # ascending, unique
    assert {t: d for t, (d, _c) in fts5.items()} == ours  # same terms, same document frequencies
    texts = [r[0] for r in memory._conn().execute("SELECT text FROM documents_fts")]
    assert sum(len(t.split()) for t in texts) == sum(c for _d, c in fts5.values())  # same lengths
    assert sorted(index.rids.tolist()) == index.rids.tolist() == [
        r[0] for r in memory._conn().execute("SELECT rid FROM documents ORDER BY rid")]


@pytest.mark.parametrize("query", QUERIES)
def test_memory_bm25_ranks_and_scores_as_fts5(pp71_both, query):
    memory, fts5 = pp71_both
    for flt in (None, {"field": "meta.pasal_number", "operator": ">=", "value": 40}):
        ours = memory.bm25_search(query, top_k=20, filters=flt)
        theirs = fts5.bm25_search(query, top_k=20, filters=flt)
        assert ours, query
        assert [d.id for d in ours] == [d.id for d in theirs]
        assert [d.score for d in ours] == pytest.approx([d.score for d in theirs], rel=1e-9, abs=1e-12)
        # the hits are the documents themselves, not postings
        assert all(d.content and d.meta["work_id"] == "pp-71-2019" for d in ours)


def test_memory_bm25_returns_only_matching_documents(pp71_both):
    memory, fts5 = pp71_both
    hits = memory.bm25_search("audit", top_k=50, expand=False)  # a rare word: fewer hits than top_k
    assert 0 < len(hits) == len(fts5.bm25_search("audit", top_k=50, expand=False)) < 50
    assert memory.bm25_search("kata-yang-tidak-ada", top_k=5) == []
    assert memory.bm25_search("nama domain", top_k=0) == []


def test_memory_bm25_sees_writes_of_other_instances(store, path):
    store.write_documents(article_docs(["6", "59"]))
    assert [d.meta["pasal"] for d in store.bm25_search("nama domain", top_k=5)] == []
    other = SQLiteDocumentStore(path)  # as another process would write
    other.write_documents(article_docs(["79"]))
    assert [d.meta["pasal"] for d in store.bm25_search("nama domain", top_k=5)] == ["79"]
    other.delete_documents(["pp-71-2019~pasal_79"])
    assert store.bm25_search("nama domain", top_k=5) == []
    other.close()


def test_postings_built_inside_a_rolled_back_transaction_are_not_kept(store):
    store.write_documents(article_docs(["6"]))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.write_documents(article_docs(["79"]))
            assert [d.meta["pasal"] for d in store.bm25_search("nama domain", top_k=5)] == ["79"]
            raise RuntimeError("rolled back")
    store.write_documents(article_docs(["59"]))  # the same generation number as inside the transaction
    assert store.bm25_search("nama domain", top_k=5) == []


def test_unknown_bm25_index_is_refused(path):
    with pytest.raises(ValueError, match="bm25_index"):
        SQLiteDocumentStore(path, bm25_index="lucene")


def test_top_positions_orders_by_score_then_insertion():
    from pipelines.stores.sqlite import top_positions

    scores = np.array([0.0, 2.0, 1.0, 2.0, 0.5, 0.0])
    assert top_positions(scores, 3).tolist() == [1, 3, 2]
    assert top_positions(scores, 10, positive=True).tolist() == [1, 3, 2, 4]
    assert top_positions(np.zeros(4), 2, positive=True).tolist() == []


def test_stored_embeddings_of_different_dimensions_are_a_clear_error(store):
    store.write_documents(article_docs(["6"], dim=16) + article_docs(["59"], dim=8))
    with pytest.raises(ValueError, match="different dimensions"):
        store.embedding_search([0.1] * 16)


def test_dense_scores_are_cosine_similarities(store):
    docs = article_docs(["2", "6", "59"], dim=24)
    store.write_documents(docs)
    query = np.random.default_rng(5).standard_normal(24) * 3.0  # not unit length
    expected = {d.id: float(np.dot(d.embedding, query) / np.linalg.norm(query)) for d in docs}
    hits = store.embedding_search(query.tolist(), top_k=3)
    assert [d.id for d in hits] == sorted(expected, key=expected.get, reverse=True)
    assert [d.score for d in hits] == pytest.approx([expected[d.id] for d in hits], abs=1e-5)


# --- filters: semantics of missing fields, and the expression indexes ----------------------------


def test_in_under_not_matches_documents_without_the_field(path):
    store = SQLiteDocumentStore(path, indexed_meta_fields=["work_id", "amends"])
    docs = article_docs(["6", "59", "79"])
    docs[0].meta["amends"] = "uu-11-2008"
    store.write_documents(docs)
    family = {"operator": "OR", "conditions": [
        {"field": "meta.work_id", "operator": "in", "value": ["uu-11-2008"]},
        {"field": "meta.amends", "operator": "in", "value": ["uu-11-2008"]},
    ]}
    assert [d.meta["pasal"] for d in store.filter_documents(family)] == ["6"]
    # NOT of the same: pasal 59 and 79 have no "amends" at all, and must be selected
    assert [d.meta["pasal"] for d in store.filter_documents({"operator": "NOT", "conditions": [family]})] == ["59", "79"]
    nested = {"operator": "NOT", "conditions": [{"operator": "AND", "conditions": [
        {"field": "meta.amends", "operator": "in", "value": ["uu-11-2008"]}]}]}
    assert [d.meta["pasal"] for d in store.filter_documents(nested)] == ["59", "79"]
    assert store.count_documents_by_filter({"field": "meta.amends", "operator": "not in", "value": ["x"]}) == 3
    store.close()


def test_work_family_filter_uses_the_expression_indexes(path):
    from pipelines.stores.filters import filters_to_sql

    store = SQLiteDocumentStore(path, indexed_meta_fields=["work_id", "amends"])
    family = {"operator": "OR", "conditions": [
        {"field": "meta.work_id", "operator": "in", "value": ["pp-71-2019"]},
        {"field": "meta.amends", "operator": "in", "value": ["pp-71-2019"]},
    ]}
    where, params = filters_to_sql(family, "d")
    plan = " | ".join(r[3] for r in store._conn().execute(f"EXPLAIN QUERY PLAN SELECT d.rid FROM documents d WHERE {where}", params))
    assert "ix_meta_work_id" in plan and "ix_meta_amends" in plan and "SCAN d" not in plan
    store.close()


# --- partial documents for ranking steps (pipelines.stores.references) -----------------------------


def test_partial_documents_carry_the_same_ranking_and_only_what_was_asked(pp71):
    full = pp71.bm25_search("tanda tangan elektronik nama domain", top_k=10)
    refs = pp71.bm25_search("tanda tangan elektronik nama domain", top_k=10, meta_fields=["work_id", "pasal"],
                            return_content=False)
    assert [(d.id, d.score) for d in refs] == [(d.id, d.score) for d in full]
    assert all(d.content is None and d.embedding is None for d in refs)
    assert [d.meta for d in refs] == [{"work_id": "pp-71-2019", "pasal": d.meta["pasal"]} for d in full]
    texts = pp71.bm25_search("tanda tangan elektronik nama domain", top_k=10, meta_fields=["pasal"])
    assert [(d.content, d.meta) for d in texts] == [(d.content, {"pasal": d.meta["pasal"]}) for d in full]
    no_content = pp71.bm25_search("tanda tangan elektronik", top_k=3, return_content=False)
    assert no_content[0].content is None and no_content[0].meta == pp71.bm25_search("tanda tangan elektronik", top_k=3)[0].meta


def test_partial_dense_documents_match_the_full_ranking(store):
    store.write_documents(article_docs(["2", "6", "59", "79", "99"], dim=32))
    query = article_docs(["79"], dim=32)[0].embedding
    full = store.embedding_search(query, top_k=5)
    refs = store.embedding_search(query, top_k=5, meta_fields=["pasal"], return_content=False)
    assert [(d.id, d.score, {"pasal": d.meta["pasal"]}) for d in full] == [(d.id, d.score, d.meta) for d in refs]


def test_partial_documents_see_rewrites_by_other_instances(store, path):
    """The in-memory id/meta table behind partial documents follows the generation counter: a
    rewritten chunk's new meta shows at once, a deleted chunk is gone."""
    store.write_documents(article_docs(["6", "79"]))
    assert {d.meta["pasal"] for d in store.bm25_search("nama domain", top_k=5, meta_fields=["pasal"])} == {"79"}
    other = SQLiteDocumentStore(path)  # as another process would write
    moved = article_docs(["79"])[0]
    moved.meta["pasal"] = "79A"
    from haystack.document_stores.types import DuplicatePolicy

    other.write_documents([moved], policy=DuplicatePolicy.OVERWRITE)
    assert [d.meta for d in store.bm25_search("nama domain", top_k=5, meta_fields=["pasal"], return_content=False)] == [
        {"pasal": "79A"}]
    other.delete_documents([moved.id])
    assert store.bm25_search("nama domain", top_k=5, meta_fields=["pasal"]) == []
    other.close()
