"""DocumentStore contract, run against every backend of the `store` fixture (tests/contract/conftest.py).

Two layers:
- Haystack's own conformance suite (haystack.testing.document_store), the reference semantics of
  write/count/filter/delete and of every filter operator (its documents are Haystack's fixtures);
- the project's contract on REAL article texts of PP 71/2019 and UU 27/2022 with their real
  metadata (work id, jenis, year, date of enactment read from the documents).
"""
from __future__ import annotations

import math

import pytest
from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from haystack.errors import FilterError
from haystack.testing.document_store import (
    CountDocumentsByFilterTest,
    DeleteAllTest,
    DeleteByFilterTest,
    DocumentStoreBaseTests,
)

from tests.contract.articles import real_articles


def _float32_equal(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-7) for x, y in zip(a, b))


class TestHaystackConformance(DocumentStoreBaseTests, DeleteAllTest, DeleteByFilterTest, CountDocumentsByFilterTest):
    """Haystack's suite. Embeddings are stored as float32 (what sentence-transformers produces), so
    the random float64 test embeddings come back rounded: compared with a float32 tolerance."""

    @pytest.fixture
    def document_store(self, store):
        return store

    @staticmethod
    def assert_documents_are_equal(received: list[Document], expected: list[Document]):
        assert [d.id for d in received] == [d.id for d in expected]
        for got, want in zip(received, expected):
            assert got.content == want.content
            assert got.meta == want.meta
            assert got.blob == want.blob
            assert _float32_equal(got.embedding, want.embedding)

    def test_write_documents(self, document_store):
        doc = Document(content="test doc")
        assert document_store.write_documents([doc]) == 1
        with pytest.raises(DuplicateDocumentError):  # NONE means FAIL, as in InMemoryDocumentStore
            document_store.write_documents([doc])
        assert document_store.count_documents() == 1


# --- the project's contract on real articles -------------------------------------------------

PP71 = {"work_id": "pp-71-2019", "jenis": "pp", "tahun": 2019, "ditetapkan": "2019-10-04"}
UU27 = {"work_id": "uu-27-2022", "jenis": "uu", "tahun": 2022, "ditetapkan": "2022-10-17"}


def _docs() -> list[Document]:
    docs = []
    for base, name, numbers in (
        (PP71, "pp-71-2019-pste.md", ["6", "59", "79", "99"]),
        (UU27, "uu-27-2022-pdp.md", ["3", "9", "19"]),
    ):
        texts = real_articles(name)
        for n in numbers:
            meta = dict(base, pasal=n, pasal_number=int(n), citation={"pasal": n, "work": base["work_id"]})
            docs.append(Document(id=f"{base['work_id']}~pasal_{n}", content=texts[n], meta=meta))
    docs[0].meta["tags"] = ["registration"]  # a list value, to compare as a whole
    return docs


@pytest.fixture
def loaded(store):
    docs = _docs()
    assert store.write_documents(docs) == len(docs)
    return store, docs


def _ids(docs):
    return sorted(d.id for d in docs)


def _expect(docs, pred):
    return sorted(d.id for d in docs if pred(d))


CASES = [
    ({"field": "meta.work_id", "operator": "==", "value": "pp-71-2019"}, lambda d: d.meta["work_id"] == "pp-71-2019"),
    ({"field": "meta.jenis", "operator": "!=", "value": "pp"}, lambda d: d.meta["jenis"] != "pp"),
    ({"field": "meta.pasal_number", "operator": ">", "value": 59}, lambda d: d.meta["pasal_number"] > 59),
    ({"field": "meta.pasal_number", "operator": ">=", "value": 59}, lambda d: d.meta["pasal_number"] >= 59),
    ({"field": "meta.pasal_number", "operator": "<", "value": 9}, lambda d: d.meta["pasal_number"] < 9),
    ({"field": "meta.pasal_number", "operator": "<=", "value": 9}, lambda d: d.meta["pasal_number"] <= 9),
    ({"field": "meta.pasal", "operator": "in", "value": ["6", "19", "404"]}, lambda d: d.meta["pasal"] in ["6", "19", "404"]),
    ({"field": "meta.pasal", "operator": "not in", "value": ["6", "19"]}, lambda d: d.meta["pasal"] not in ["6", "19"]),
    ({"field": "meta.ditetapkan", "operator": ">", "value": "2020-01-01"}, lambda d: d.meta["ditetapkan"] > "2020-01-01"),
    ({"field": "meta.ditetapkan", "operator": "==", "value": "2019-10-04T00:00:00"}, lambda d: d.meta["ditetapkan"] == "2019-10-04"),
    ({"field": "meta.citation.pasal", "operator": "==", "value": "99"}, lambda d: d.meta["pasal"] == "99"),
    ({"field": "meta.tags", "operator": "==", "value": ["registration"]}, lambda d: d.meta.get("tags") == ["registration"]),
    ({"field": "meta.missing", "operator": "==", "value": None}, lambda d: True),
    ({"field": "meta.missing", "operator": "!=", "value": "x"}, lambda d: True),
    ({"field": "meta.missing", "operator": ">", "value": 1}, lambda d: False),
    ({"field": "id", "operator": "==", "value": "uu-27-2022~pasal_9"}, lambda d: d.id == "uu-27-2022~pasal_9"),
    ({"field": "content", "operator": "!=", "value": ""}, lambda d: True),
    ({"field": "jenis", "operator": "==", "value": "uu"}, lambda d: d.meta["jenis"] == "uu"),  # legacy: no "meta."
    (
        {
            "operator": "AND",
            "conditions": [
                {"field": "meta.tahun", "operator": "==", "value": 2019},
                {
                    "operator": "OR",
                    "conditions": [
                        {"field": "meta.pasal_number", "operator": "<", "value": 10},
                        {"field": "meta.pasal", "operator": "==", "value": "99"},
                    ],
                },
            ],
        },
        lambda d: d.meta["tahun"] == 2019 and (d.meta["pasal_number"] < 10 or d.meta["pasal"] == "99"),
    ),
    (
        {
            "operator": "NOT",
            "conditions": [
                {"field": "meta.jenis", "operator": "==", "value": "pp"},
                {"operator": "OR", "conditions": [{"field": "meta.pasal", "operator": "in", "value": ["6", "79"]}]},
            ],
        },
        lambda d: not (d.meta["jenis"] == "pp" and d.meta["pasal"] in ["6", "79"]),
    ),
    ({"operator": "OR", "conditions": []}, lambda d: False),
]


@pytest.mark.parametrize("filters,pred", CASES, ids=[str(i) for i in range(len(CASES))])
def test_filters_on_real_articles(loaded, filters, pred):
    store, docs = loaded
    expected = _expect(docs, pred)
    assert _ids(store.filter_documents(filters)) == expected
    assert store.count_documents_by_filter(filters) == len(expected)


@pytest.mark.parametrize(
    "filters",
    [
        {"field": "meta.ditetapkan", "operator": ">", "value": "Oktober 2019"},  # not an ISO date
        {"field": "meta.pasal", "operator": "in", "value": "6"},
        {"field": "meta.pasal", "operator": "<", "value": ["6"]},
        {"field": "meta.pasal", "operator": "~", "value": "6"},
        {"operator": "XOR", "conditions": []},
        {"field": "embedding", "operator": "==", "value": None},
    ],
)
def test_bad_filters_raise_filter_error(loaded, filters):
    store, _ = loaded
    with pytest.raises(FilterError):
        store.filter_documents(filters)


def test_round_trip_keeps_content_and_meta(loaded):
    store, docs = loaded
    got = {d.id: d for d in store.filter_documents()}
    for doc in docs:
        assert got[doc.id].content == doc.content
        assert got[doc.id].meta == doc.meta


def test_duplicate_policies(loaded):
    store, docs = loaded
    changed = Document(id=docs[0].id, content=docs[1].content, meta=docs[1].meta)
    with pytest.raises(DuplicateDocumentError):
        store.write_documents([changed], policy=DuplicatePolicy.FAIL)
    assert store.write_documents([changed], policy=DuplicatePolicy.SKIP) == 0
    assert store.filter_documents({"field": "id", "operator": "==", "value": docs[0].id})[0].content == docs[0].content
    assert store.write_documents([changed], policy=DuplicatePolicy.OVERWRITE) == 1
    assert store.filter_documents({"field": "id", "operator": "==", "value": docs[0].id})[0].content == docs[1].content
    assert store.count_documents() == len(docs)


def test_delete_and_delete_by_filter(loaded):
    store, docs = loaded
    store.delete_documents([docs[0].id, "no-such-id"])
    assert store.count_documents() == len(docs) - 1
    assert store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": "uu-27-2022"}) == 3
    assert sorted(d.meta["pasal"] for d in store.filter_documents()) == ["59", "79", "99"]


def test_to_dict_from_dict_round_trip(loaded):
    store, docs = loaded
    clone = type(store).from_dict(store.to_dict())
    assert clone.to_dict() == store.to_dict()
    assert clone.count_documents() == len(docs)


@pytest.mark.parametrize("query, filters", [
    ("pendaftaran sistem elektronik", None),
    ("data pribadi", None),
    ("data pribadi", {"field": "meta.jenis", "operator": "==", "value": "uu"}),
    ("rendang", None),
])
def test_matching_works_counts_what_a_full_scan_finds(loaded, query, filters):
    """``matching_works``: every work with a chunk holding an analysed query term (what the
    search API's total counts), the same on each backend as a scan over the chunks."""
    from pipelines.analysis.analyzer import analyze, analyze_query

    store, docs = loaded
    terms = set(analyze_query(query, expand=True))
    keep = (lambda d: True) if filters is None else (lambda d: d.meta["jenis"] == filters["value"])
    scanned = {d.meta["work_id"] for d in docs if keep(d) and terms & set(analyze(d.content))}
    found = store.matching_works(query, filters, key="work_id")
    assert {w for w, _ in found} == scanned
    assert all(score > 0 for _, score in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_matching_work_chunks_are_each_works_best_chunk(loaded):
    store, docs = loaded
    works = store.matching_works("data pribadi sistem elektronik", key="work_id")
    chunks = store.matching_work_chunks("data pribadi sistem elektronik", key="work_id", exclude=[works[0][0]])
    assert [d.meta["work_id"] for d in chunks] == [w for w, _ in works[1:]]
    ranked = store.bm25_search("data pribadi sistem elektronik", top_k=100)
    for d in chunks:
        best = next(x for x in ranked if x.meta["work_id"] == d.meta["work_id"])
        assert d.id == best.id and d.content == best.content and d.embedding is None
