"""`jdih reindex`'s logic between two embedded stores (the code path is the same for Elasticsearch:
only the store API is used), on real articles and real parsed regulations of the corpus."""
from __future__ import annotations

import numpy as np
import pytest
from haystack import Document

from ingest.parser import parse_file
from pipelines.indexing.reindex import ReindexError, reindex
from pipelines.stores.sqlite import SQLiteDocumentStore
from pipelines.stores.works import WorkRepository
from tests.conftest import corpus_path
from tests.contract.articles import real_articles

WORKS = {"pp-71-2019": ("pp-71-2019-pste.md", ["6", "59", "79"]), "uu-27-2022": ("uu-27-2022-pdp.md", ["3", "9"])}


def _vector(text: str) -> list[float]:
    # a stand-in embedding (not a model's): deterministic per text, only its round trip is checked
    rng = np.random.default_rng(sum(map(ord, text)))
    return rng.standard_normal(384).astype(np.float32).tolist()


@pytest.fixture
def source(tmp_path):
    store = SQLiteDocumentStore(tmp_path / "source.sqlite3")
    for work_id, (name, numbers) in WORKS.items():
        reg = parse_file(corpus_path(name))
        texts = real_articles(name)
        docs = [Document(id=f"{work_id}~pasal_{n}", content=texts[n], embedding=_vector(texts[n]),
                         meta={"work_id": work_id, "pasal": n, "tahun": reg.tahun}) for n in numbers]
        with store.transaction():
            store.write_documents(docs)
            WorkRepository.of(store).upsert(work_id, record={"id": work_id}, regulation=reg,
                                            content_hash=f"hash-of-{work_id}", chunks=len(docs), dimensions={})
    yield store
    store.close()


def test_reindex_copies_works_chunks_and_embeddings_with_a_count_check(source, tmp_path):
    target = SQLiteDocumentStore(tmp_path / "target.sqlite3")
    summary = reindex(source, target, progress=False)
    assert summary.ok, summary.describe()
    assert (summary.works, summary.chunks, summary.target_chunks, summary.target_works) == (2, 5, 5, 2)
    assert "count check OK" in summary.describe()
    repo = WorkRepository.of(target)
    assert repo.content_hash("uu-27-2022") == "hash-of-uu-27-2022"  # a later ingest skips unchanged works
    assert repo.get("pp-71-2019")["regulation"] == WorkRepository.of(source).get("pp-71-2019")["regulation"]
    got = {d.id: d for d in target.filter_documents()}
    for doc in source.filter_documents():
        assert got[doc.id].content == doc.content and got[doc.id].meta == doc.meta
        assert np.allclose(got[doc.id].embedding, doc.embedding)
    target.close()


def test_reindex_refuses_a_non_empty_target_unless_replace(source, tmp_path):
    target = SQLiteDocumentStore(tmp_path / "target.sqlite3")
    texts = real_articles("uu-27-2022-pdp.md")
    target.write_documents([Document(id="left-over", content=texts["19"], meta={"work_id": "uu-27-2022"})])
    with pytest.raises(ReindexError, match="--replace"):
        reindex(source, target, progress=False)
    summary = reindex(source, target, replace=True, progress=False)
    assert summary.ok and target.count_documents() == 5
    assert not target.filter_documents({"field": "id", "operator": "==", "value": "left-over"})
    target.close()


def test_count_check_reports_chunks_that_belong_to_no_work(source, tmp_path):
    texts = real_articles("pp-71-2019-pste.md")
    source.write_documents([Document(id="orphan", content=texts["99"], meta={})])
    target = SQLiteDocumentStore(tmp_path / "target.sqlite3")
    summary = reindex(source, target, progress=False)
    assert not summary.ok and "COUNT CHECK FAILED" in summary.describe()
    assert summary.source_chunks == 6 and summary.target_chunks == 5
    target.close()
