"""The Elasticsearch backend without a server: the index definition it creates and the request
bodies it sends, recorded by a fake transport (tests/es_fake.py). Documents are real articles of
PP 71/2019 and UU 27/2022 (tests/contract/articles.py) with their real metadata."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from haystack import Document
from haystack.errors import FilterError

from pipelines.analysis import analyzer
from pipelines.stores.elasticsearch import ElasticsearchStore, ReadOnlyReplicaError
from pipelines.stores.es_index import all_definitions, analysed_text, index_definition
from pipelines.stores.es_queries import bm25_query_body, es_filter
from pipelines.stores.filters import filters_to_sql
from tests.contract.articles import real_articles
from tests.es_fake import recording_node

PP71 = {"work_id": "pp-71-2019", "jenis": "pp", "tahun": 2019, "ditetapkan": "2019-10-04"}
UU27 = {"work_id": "uu-27-2022", "jenis": "uu", "tahun": 2022, "ditetapkan": "2022-10-17"}


def _docs(base=PP71, name="pp-71-2019-pste.md", numbers=("6", "59")) -> list[Document]:
    texts = real_articles(name)
    return [Document(id=f"{base['work_id']}~pasal_{n}", content=texts[n], meta=dict(base, pasal=n))
            for n in numbers]


def _hit(doc: Document, score: float, **extra) -> dict:
    return {"_index": "jdih-chunks-v1", "_id": doc.id, "_score": score, "_source": doc.to_dict(), **extra}


def _store(routes=None, handler=None, **kwargs):
    node, calls = recording_node(routes, handler)
    store = ElasticsearchStore(hosts="http://es.invalid:9200", node_class=node, **kwargs)
    store.client  # noqa: B018 - connect and create the indices now, then forget those calls
    calls.clear()
    return store, calls


def _searches(calls, index="jdih-chunks"):
    return [c["body"] for c in calls if c["path"] == f"/{index}/_search"]


# --- the index definition ------------------------------------------------------------------


def test_chunks_are_indexed_with_the_embedded_stores_analysed_terms(tmp_path):
    """One analyser for both stores: the terms Elasticsearch indexes are the very text FTS5 gets."""
    from pipelines.stores.sqlite import SQLiteDocumentStore

    embedded = SQLiteDocumentStore(tmp_path / "s.sqlite3", text_meta_fields=["breadcrumb"])
    docs = _docs(numbers=("6", "59"))
    docs[0].meta["breadcrumb"] = "BAB II Penyelenggaraan Sistem Elektronik > Pasal 6"
    for doc in docs:
        assert analysed_text(doc) == embedded.analysed_text(doc) != ""
    assert "peraturan" in analysed_text(docs[0]).split()  # a protected term, never stemmed
    embedded.close()
    # no analysis of its own: no plugin, no analysis-common (the minimal distribution has neither)
    definition = index_definition()
    assert "analysis" not in definition["settings"]
    assert definition["mappings"]["properties"]["analysed_text"] == {"type": "text", "analyzer": "whitespace"}
    assert definition["mappings"]["_source"] == {"excludes": ["analysed_text"]}  # derived, never returned


def test_queries_send_the_analysed_glossary_expanded_terms():
    body = bm25_query_body("data center security", top_k=3)
    match = body["query"]["bool"]["must"][0]["match"]["analysed_text"]
    assert match["query"].split() == analyzer.analyze_query("data center security")
    assert {"pusat", "data"} <= set(match["query"].split())  # the glossary's Indonesian twin
    assert match["analyzer"] == "whitespace" and match["operator"] == "or"
    plain = bm25_query_body("data center", expand=False)["query"]["bool"]["must"][0]["match"]["analysed_text"]
    assert plain["query"].split() == analyzer.analyze_query("data center", expand=False)
    assert bm25_query_body("yang dan atau") is None  # only stopwords: nothing to search


def test_mappings_vector_citation_fields_and_dates():
    mappings = index_definition()["mappings"]
    props = mappings["properties"]
    assert props["embedding"]["type"] == "dense_vector"
    assert props["embedding"]["dims"] == 384 and props["embedding"]["similarity"] == "cosine"
    assert props["embedding"]["index"] is True
    for name in ("work_id", "jenis", "pasal", "amends", "status", "kind", "work_dimensions", "id"):
        assert props[name] == {"type": "keyword"}, name
    for name in ("tanggal_penetapan", "tanggal_pengundangan", "ditetapkan"):
        assert props[name]["type"] == "date", name
    assert props["tahun"]["type"] == "integer"
    assert props["content"]["type"] == "keyword" and props["content"]["doc_values"] is False  # displayed, not analysed
    assert index_definition(dims=768)["mappings"]["properties"]["embedding"]["dims"] == 768


def test_store_creates_every_index_with_settings_and_alias_before_use():
    node, calls = recording_node()
    store = ElasticsearchStore(hosts="http://es.invalid:9200", node_class=node, replicas=0)
    assert store.count_documents() == 0
    puts = {c["path"]: c["body"] for c in calls if c["method"] == "PUT"}
    assert set(puts) == {"/jdih-chunks-v2", "/jdih-chunks-works-v2", "/jdih-chunks-state-v2"}
    chunks = puts["/jdih-chunks-v2"]
    assert chunks["aliases"] == {"jdih-chunks": {"is_write_index": True}}
    assert not [c for c in calls if c["path"] == "/"]  # no GET /: the minimal distribution has none
    assert chunks["settings"]["index"]["number_of_replicas"] == 0
    assert chunks["mappings"] == index_definition()["mappings"]
    first_put = next(i for i, c in enumerate(calls) if c["method"] == "PUT")
    first_count = next(i for i, c in enumerate(calls) if c["path"].endswith("/_count"))
    assert first_put < first_count


def test_cli_dry_run_prints_the_definitions_without_a_server():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELASTICSEARCH_", "JDIH_ES_"))}
    env["JDIH_ES_INDEX"] = "malang-chunks"
    out = subprocess.run([sys.executable, "-m", "jdih_cli.main", "es", "init", "--dry-run"], env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    printed = json.loads(out)
    assert sorted(printed) == ["malang-chunks-state-v2", "malang-chunks-v2", "malang-chunks-works-v2"]
    assert printed["malang-chunks-v2"]["mappings"] == all_definitions("malang-chunks")["malang-chunks"]["mappings"]
    failed = subprocess.run([sys.executable, "-m", "jdih_cli.main", "es", "init"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "ELASTICSEARCH_URL" in failed.stderr


# --- filters -------------------------------------------------------------------------------


def test_filters_become_bool_queries():
    f = {"operator": "AND", "conditions": [
        {"field": "meta.jenis", "operator": "==", "value": "pp"},
        {"field": "meta.tahun", "operator": ">=", "value": 2019},
        {"field": "meta.tahun", "operator": "<", "value": 2023},
        {"operator": "OR", "conditions": [{"field": "meta.pasal", "operator": "in", "value": ["6", "59"]},
                                          {"field": "meta.amends", "operator": "==", "value": None}]},
    ]}
    assert es_filter(f) == {"bool": {"must": [
        {"term": {"jenis": "pp"}},
        {"bool": {"should": [{"terms": {"pasal": ["6", "59"]}},
                             {"bool": {"must_not": {"exists": {"field": "amends"}}}}], "minimum_should_match": 1}},
        {"range": {"tahun": {"gte": 2019, "lt": 2023}}},  # the two bounds merged into one range
    ]}}
    assert es_filter({"operator": "OR", "conditions": []}) == {"match_none": {}}  # as SQL: nothing
    assert es_filter({"operator": "NOT", "conditions": []}) == {"match_none": {}}
    assert es_filter(None) == {"match_all": {}}


@pytest.mark.parametrize("bad", [
    {"field": "meta.ditetapkan", "operator": ">", "value": "Oktober 2019"},
    {"field": "meta.pasal", "operator": "in", "value": "6"},
    {"field": "meta.pasal", "operator": "~", "value": "6"},
    {"operator": "XOR", "conditions": []},
    {"field": "embedding", "operator": "==", "value": None},
])
def test_bad_filters_raise_the_same_filter_error_as_the_embedded_store(bad):
    with pytest.raises(FilterError) as embedded:
        filters_to_sql(bad)
    with pytest.raises(FilterError) as elastic:
        es_filter(bad)
    assert str(elastic.value) == str(embedded.value)


# --- query bodies --------------------------------------------------------------------------


def test_bm25_body_and_filters():
    docs = _docs()
    store, calls = _store({("POST", "/jdih-chunks/_search"): {"hits": {"hits": [_hit(docs[1], 7.5)]}}})
    found = store.bm25_search("penempatan pusat data", top_k=5,
                              filters={"field": "meta.jenis", "operator": "==", "value": "pp"})
    (body,) = _searches(calls)
    match = body["query"]["bool"]["must"][0]["match"]["analysed_text"]
    assert match["query"].split() == analyzer.analyze_query("penempatan pusat data") and "fuzziness" not in match
    assert body["query"]["bool"]["filter"] == [{"term": {"jenis": "pp"}}]
    assert body["size"] == 5 and body["_source"] == {"excludes": ["embedding"]}
    assert [d.id for d in found] == [docs[1].id]
    assert found[0].score == 7.5 and found[0].content == docs[1].content
    assert found[0].meta["pasal"] == "59" and found[0].meta["tahun"] == 2019
    assert store.bm25_search("yang dan") == [] and len(_searches(calls)) == 1  # nothing sent for stopwords


def test_knn_body_with_filter_and_cosine_scores():
    docs = _docs(UU27, "uu-27-2022-pdp.md", ("3", "9"))
    store, calls = _store({("POST", "/jdih-chunks/_search"): {"hits": {"hits": [_hit(docs[0], 0.9), _hit(docs[1], 0.5)]}}})
    vector = [0.0] * 383 + [1.0]
    found = store.embedding_search(vector, top_k=2, filters={"field": "meta.tahun", "operator": ">", "value": 2020})
    (body,) = _searches(calls)
    assert body["knn"]["field"] == "embedding" and body["knn"]["k"] == 2 and body["knn"]["num_candidates"] == 20
    assert body["knn"]["query_vector"] == vector
    assert body["knn"]["rescore_vector"] == {"oversample": 3.0}  # int8 in the index, float order in the answer
    assert body["knn"]["filter"] == {"range": {"tahun": {"gt": 2020}}}
    assert body["size"] == 2
    assert [d.id for d in found] == [d.id for d in docs]
    assert found[0].score == pytest.approx(0.8) and found[1].score == pytest.approx(0.0)  # (1 + cos) / 2 mapped back
    with pytest.raises(ValueError, match="384"):
        store.embedding_search([1.0, 0.0], top_k=2)


def test_facets_are_terms_aggregations_counting_regulations():
    buckets = {"jenis": {"buckets": [{"key": "pp", "doc_count": 4, "regulations": {"value": 1}}]},
               "tahun": {"buckets": [{"key": 2019, "doc_count": 4, "regulations": {"value": 1}}]},
               "status": {"buckets": []}, "dimension": {"buckets": []}}
    store, calls = _store({("POST", "/jdih-chunks/_search"): {"hits": {"hits": []}, "aggregations": buckets}})
    facets = store.facets("pusat data", filters={"field": "meta.status", "operator": "==", "value": "berlaku"})
    (body,) = _searches(calls)
    assert body["size"] == 0
    assert body["aggs"]["dimension"]["terms"]["field"] == "work_dimensions"
    assert body["aggs"]["jenis"]["aggs"]["regulations"] == {"cardinality": {"field": "work_id"}}
    assert body["query"]["bool"]["filter"] == [{"term": {"status": "berlaku"}}]
    assert facets["jenis"] == [{"value": "pp", "count": 1}] and facets["tahun"] == [{"value": 2019, "count": 1}]


def test_integration_retrievers_and_the_searcher_pipeline():
    from haystack import component

    from pipelines.search.query import QueryExpander, Searcher
    from pipelines.stores.factory import retrievers_for

    docs = _docs()
    store, calls = _store({("POST", "/jdih-chunks/_search"): {"hits": {"hits": [_hit(docs[0], 3.0)]}}})
    bm25_cls, dense_cls = retrievers_for(store)
    retriever = bm25_cls(document_store=store, top_k=4)
    assert type(retriever).__name__ == "ElasticsearchBM25Retriever" and dense_cls.__name__ == "ElasticsearchEmbeddingRetriever"

    def sent():
        return _searches(calls)[-1]["query"]["bool"]["must"][0]["match"]["analysed_text"]["query"].split()

    retriever.run(query="data center")  # widened with the glossary, as the embedded retriever does
    assert sent() == analyzer.analyze_query("data center") and "pusat" in sent()
    bm25_cls(document_store=store, top_k=4, expand_query=False).run(query="data center")
    assert sent() == analyzer.analyze_query("data center", expand=False)
    expanded = QueryExpander().run(query="data center")["query"]
    retriever.run(query=expanded)  # already expanded: the same terms
    assert set(sent()) == set(analyzer.analyze_query("data center"))

    @component
    class NoEmbedder:  # the bm25 mode never embeds; the Searcher just needs a component
        @component.output_types(embedding=list[float])
        def run(self, text: str):
            raise AssertionError("bm25 mode must not embed")

        def warm_up(self):
            pass

    before = len(_searches(calls))
    found = Searcher(store, embedder_factory=NoEmbedder).retrieve("pusat data", mode="bm25", hydrate=False)
    assert [d.id for d in found] == [docs[0].id]
    assert found[0].meta["scores"]["bm25"] == 3.0
    sent_bodies = _searches(calls)[before:]
    queries = [b["query"]["bool"]["must"][0]["match"]["analysed_text"]["query"] for b in sent_bodies]
    assert queries and all("pusat data" in q for q in queries)
    # the ranking steps read light references from the cluster: id and the key fields only
    assert all(b["_source"] == {"includes": ["id", "work_id", "pasal", "lampiran"]} for b in sent_bodies)


# --- writes --------------------------------------------------------------------------------


def _bulk_ops(call):
    body = call["body"] if isinstance(call["body"], list) else [call["body"]]
    return [(next(iter(a)), a[next(iter(a))].get("_id")) for a in body[::2] if next(iter(a)) != "delete"] + \
        [("delete", a["delete"]["_id"]) for a in body if "delete" in a]


def test_transaction_writes_new_chunks_before_deleting_stale_ones():
    docs = _docs(numbers=("6", "59", "79"))
    stale = _docs(numbers=("99",))[0]

    def handler(method, path, body):  # the work has one old chunk, pasal 99, and pasal 6 as before
        if path == "/jdih-chunks/_search" and body.get("_source") is False:
            hits = [{"_id": stale.id}, {"_id": docs[0].id}]
            return 200, {"_scroll_id": "s1", "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                         "hits": {"hits": hits}}
        return None

    store, calls = _store(handler=handler)
    work = {"field": "meta.work_id", "operator": "==", "value": "pp-71-2019"}
    with store.transaction():
        store.delete_by_filter(work)
        assert store.write_documents(docs) == 3
        assert not [c for c in calls if c["path"].endswith("/_bulk")]  # nothing yet
    writes = [c for c in calls if c["path"].endswith(("/_bulk", "/_refresh", "/_doc/generation"))]
    assert [c["path"] for c in writes] == ["/jdih-chunks/_bulk", "/jdih-chunks/_bulk",
                                           "/jdih-chunks,jdih-chunks-works/_refresh", "/jdih-chunks-state/_doc/generation"]
    assert _bulk_ops(writes[0]) == [("index", d.id) for d in docs]  # replacing: overwrite, never "create"
    assert all(a["analysed_text"] == analysed_text(d) for a, d in zip(writes[0]["body"][1::2], docs))
    assert writes[0]["params"].get("refresh") == "false"
    assert _bulk_ops(writes[1]) == [("delete", stale.id)]  # by id (no _delete_by_query), minus the new chunks
    assert not [c for c in calls if "_delete_by_query" in c["path"] or "_update" in c["path"]]


def test_an_exception_in_a_transaction_writes_nothing():
    store, calls = _store()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.write_documents(_docs())
            raise RuntimeError("parser failed")
    assert not [c for c in calls if c["method"] in ("PUT", "POST", "DELETE") and not c["path"].endswith("/_count")]


def test_control_file_commits_after_the_cluster_and_publishes_changed_works(tmp_path):
    from ingest.parser import parse_file
    from pipelines.stores.works import WorkRepository
    from tests.conftest import corpus_path

    reg = parse_file(corpus_path("pp-71-2019-pste.md"))
    fail = {"on": False}

    def handler(method, path, body):
        if fail["on"] and path == "/jdih-chunks/_bulk":
            return 500, {"error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}
        return None

    store, calls = _store(handler=handler, control_db=str(tmp_path / "control.sqlite3"), retry_on_status=(), max_retries=0)
    with store.transaction():
        store.delete_by_filter({"field": "meta.work_id", "operator": "==", "value": reg.id})
        store.write_documents(_docs())
        WorkRepository.of(store).upsert(reg.id, record={"id": reg.id}, regulation=reg, content_hash="h1", chunks=2,
                                        dimensions={})
    works_bulk = next(c for c in calls if c["path"] == "/jdih-chunks-works/_bulk")
    source = works_bulk["body"][1]
    assert works_bulk["body"][0] == {"index": {"_id": reg.id}}
    assert source["content_hash"] == "h1" and source["regulation"]["judul"] == reg.judul and source["has_text"] is True
    assert WorkRepository.of(store).content_hash(reg.id) == "h1"
    # the cluster refuses: the control file rolls back, so the work keeps its old hash and is redone
    fail["on"] = True
    with pytest.raises(Exception):
        with store.transaction():
            store.write_documents(_docs(numbers=("79",)))
            WorkRepository.of(store).upsert(reg.id, record={"id": reg.id}, regulation=reg, content_hash="h2",
                                            chunks=3, dimensions={})
    assert WorkRepository.of(store).content_hash(reg.id) == "h1"
    store.close()


def test_a_reader_replica_refuses_control_writes():
    store, _ = _store(role="reader", control_db="/nonexistent/never-created.sqlite3")
    with pytest.raises(ReadOnlyReplicaError, match="writer"):
        store._conn()  # noqa: SLF001
    assert store.to_dict()["init_parameters"]["role"] == "reader"


def test_credentials_are_serialised_as_environment_variable_names(monkeypatch):
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "s3cret-from-env")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://es-a:9200, http://es-b:9200")
    monkeypatch.setenv("JDIH_ES_INDEX", "malang-chunks")
    store = ElasticsearchStore.from_env()
    data = store.to_dict()
    assert "s3cret-from-env" not in json.dumps(data)
    assert data["init_parameters"]["password"]["env_vars"] == ["ELASTICSEARCH_PASSWORD"]
    assert data["init_parameters"]["hosts"] == ["http://es-a:9200", "http://es-b:9200"]
    clone = ElasticsearchStore.from_dict(data)
    assert clone.to_dict() == data and clone.index == "malang-chunks"
