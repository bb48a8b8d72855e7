"""The staff side on the Elasticsearch store (JDIH_STORE=elasticsearch): edits, relation edits
with the status that follows, withdraw and restore go through the store's public boundary
(control(), update_chunk_meta(), bump_generation(), transaction()) and never touch SQLite tables
the deployment lacks. Elasticsearch is the recording transport of tests/es_fake.py, answering from
the chunks the store itself wrote (real articles of the corpus)."""
from __future__ import annotations

import json

import pytest
from haystack import Document

from pipelines.staff import audit, curation
from pipelines.stores.elasticsearch import ElasticsearchStore
from pipelines.stores.works import WorkRepository
from tests.contract.articles import real_articles
from tests.es_fake import recording_node

# UU 1/2022 (HKPD) revoked UU 28/2009 (PDRD): a real relation, stated here by hand as staff would
UU1 = ("uu-1-2022", "uu-1-2022-hkpd.md", "Hubungan Keuangan antara Pemerintah Pusat dan Pemerintahan Daerah")
UU28 = ("uu-28-2009", "uu-28-2009-pdrd.md", "Pajak Daerah dan Retribusi Daerah")
UU1_ID, UU28_ID = UU1[0], UU28[0]


def _chunks(work_id: str, name: str) -> list[Document]:
    texts = real_articles(name)
    return [Document(id=f"{work_id}~pasal_{n}", content=texts[n],
                     meta={"regulation_id": work_id, "pasal": n, "jenis": "uu", "status": "berlaku"})
            for n in ("1", "2")]


SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


class Index:
    """What the node holds: the sources the store bulk-wrote, by index and id."""

    def __init__(self):
        self.docs: dict[str, dict[str, dict]] = {}
        self.bulks: list[list] = []

    def handler(self, method, path, body):
        if path.endswith("/_bulk"):
            body = [body] if isinstance(body, dict) else body  # one NDJSON line reads as one object
            self.bulks.append(body)
            items, i = [], 0
            while i < len(body):
                op, meta = next(iter(body[i].items()))
                index = meta.get("_index") or path.strip("/").split("/")[0]
                if op == "delete":
                    self.docs.get(index, {}).pop(meta["_id"], None)
                    i += 1
                else:
                    self.docs.setdefault(index, {})[meta["_id"]] = body[i + 1]
                    i += 2
                items.append({op: {"_id": meta.get("_id"), "status": 200, "result": "ok"}})
            return 200, {"errors": False, "items": items, "took": 1}
        if path.endswith("/_search") and "chunks" in path:
            wanted = json.dumps(body)
            hits = [{"_index": "jdih-chunks-v1", "_id": i, "_score": None, "_source": s}
                    for i, s in self.docs.get("jdih-chunks", {}).items()
                    if f'"{s.get("meta", {}).get("regulation_id", s.get("regulation_id"))}"' in wanted]
            return 200, {"_scroll_id": "s1", "_shards": SHARDS, "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}
        if path == "/_search/scroll":
            return 200, {"_scroll_id": "s1", "_shards": SHARDS, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
        return None


@pytest.fixture
def es(tmp_path):
    index = Index()
    node, calls = recording_node(handler=index.handler)
    store = ElasticsearchStore(hosts="http://es.invalid:9200", node_class=node, index="jdih-chunks",
                               control_db=str(tmp_path / "control.sqlite3"), retry_on_status=(), max_retries=0)
    store.client  # noqa: B018 - create the indices now
    with store.transaction():
        curation.ensure_all(store.control())
        repo = WorkRepository.of(store)
        for work_id, name, judul in (UU1, UU28):
            docs = _chunks(work_id, name)
            store.write_documents(docs)
            repo.upsert(work_id, record={"id": work_id, "judul": judul, "jenis": "Undang-Undang"},
                        regulation=None, content_hash="h", chunks=len(docs), dimensions={})
    yield store, index, calls
    store.close()


def _metas(index, work_id):
    return [s.get("meta", s) for i, s in index.docs.get("jdih-chunks", {}).items() if i.startswith(work_id)]


def test_patch_on_elasticsearch_updates_the_record_and_the_chunks(es):
    store, index, _ = es
    assert {m.get("status") for m in _metas(index, UU1_ID)} == {"berlaku"}
    record = curation.patch_metadata(store, UU1_ID, {"judul": "Judul yang dikoreksi"}, actor="staff-1 (ab12)")
    assert record["judul"] == "Judul yang dikoreksi"
    assert WorkRepository(store.control()).get(UU1_ID)["record"]["judul"] == "Judul yang dikoreksi"
    assert {m.get("judul") for m in _metas(index, UU1_ID)} == {"Judul yang dikoreksi"}  # chunks rewritten
    assert [e["action"] for e in audit.entries(store.control(), work_id=UU1_ID)] == ["patch"]


def test_relation_edit_on_elasticsearch_moves_the_status_of_the_target_chunks(es):
    store, index, _ = es
    out = curation.edit_relation(store, "add", source=UU1_ID, type="mencabut", target=UU28_ID, actor="staff-1 (ab12)",
                                 citation="Undang-Undang Nomor 28 Tahun 2009 tentang Pajak Daerah dan Retribusi Daerah dicabut")
    assert out["status_changes"] == {UU28_ID: {"before": "berlaku", "after": "dicabut"}}
    assert {m.get("status") for m in _metas(index, UU28_ID)} == {"dicabut"}
    assert {m.get("status") for m in _metas(index, UU1_ID)} == {"berlaku"}
    curation.edit_relation(store, "remove", source=UU1_ID, type="mencabut", target=UU28_ID, actor="staff-1 (ab12)")
    assert {m.get("status") for m in _metas(index, UU28_ID)} == {"berlaku"}


def test_withdraw_and_restore_on_elasticsearch(es):
    store, index, _ = es
    out = curation.withdraw(store, UU1_ID, actor="staff-1 (ab12)", reason="duplikat")
    assert out == {"work_id": UU1_ID, "withdrawn": True, "chunks": 2}
    assert WorkRepository(store.control()).get(UU1_ID) is None and _metas(index, UU1_ID) == []
    assert [w["work_id"] for w in curation.withdrawn_list(store.control())] == [UU1_ID]
    back = curation.restore(store, UU1_ID, actor="staff-1 (ab12)")
    assert back == {"work_id": UU1_ID, "withdrawn": False, "chunks": 2}
    assert WorkRepository(store.control()).get(UU1_ID)["record"]["judul"] == UU1[2]
    assert sorted(m["pasal"] for m in _metas(index, UU1_ID)) == ["1", "2"]
