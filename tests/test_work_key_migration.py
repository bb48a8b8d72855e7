"""The chunk meta key that names the work was ``regulation_id`` and is ``work_id``: a knowledge base
written with the old key is migrated in place when it is opened, on both stores.

Embedded: a copy of the session's knowledge base (the whole shipped corpus) put back into the
format the old code wrote (schema_version 1, ``regulation_id`` in every chunk's meta at the same
place, its expression index), then opened by the store: every chunk carries ``work_id`` again, in
one transaction, and the API answers exactly as on the original. Elasticsearch: chunks written
with the old key into an index on the live node are rewritten (vectors kept) when the writer opens
it. A withdrawn work kept with the old key is restored with the new one.
"""
from __future__ import annotations

import json
import sqlite3

import pytest
from fastapi.testclient import TestClient
from haystack import Document

from tests.conftest import copy_kb
from tests.contract.articles import real_articles

WORK = "pp-71-2019"


def _downgrade(db_path) -> int:
    """Write the file as schema 1 did: ``regulation_id`` in place of ``work_id`` (same position in
    the meta object), the old expression index, schema_version 1. Returns the chunks changed."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        rows = conn.execute("SELECT rid, meta FROM documents").fetchall()
        for rid, meta in rows:
            old = {("regulation_id" if k == "work_id" else k): v for k, v in json.loads(meta).items()}
            conn.execute("UPDATE documents SET meta = ? WHERE rid = ?", (json.dumps(old, ensure_ascii=False), rid))
        conn.execute("DROP INDEX IF EXISTS ix_meta_work_id")
        conn.execute("CREATE INDEX ix_meta_regulation_id ON documents(json_extract(meta, '$.\"regulation_id\"'))")
        conn.execute("UPDATE store_state SET value = 1 WHERE key = 'schema_version'")
        conn.execute("COMMIT")
        return len(rows)
    finally:
        conn.close()


def _state(db_path) -> dict:
    conn = sqlite3.connect(db_path)
    try:
        return {
            "schema_version": conn.execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()[0],
            "generation": conn.execute("SELECT value FROM store_state WHERE key = 'generation'").fetchone()[0],
            "old_key": conn.execute("SELECT count(*) FROM documents WHERE json_type(meta, '$.regulation_id') IS NOT NULL").fetchone()[0],
            "new_key": conn.execute("SELECT count(*) FROM documents WHERE json_type(meta, '$.work_id') IS NOT NULL").fetchone()[0],
            "indexes": {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_meta_%'")},
            "first_keys": [list(json.loads(m))[:2] for (m,) in conn.execute("SELECT meta FROM documents ORDER BY rid LIMIT 3")],
        }
    finally:
        conn.close()


def _answers(settings) -> dict:
    from jdih_server.app import create_app

    with TestClient(create_app(settings, rate_limit="0")) as c:
        return {
            "search": c.get("/api/v1/search", params={"q": "pendaftaran penyelenggara sistem elektronik", "mode": "bm25"}).json(),
            "filtered": c.get("/api/v1/search", params={"q": "sistem elektronik", "mode": "bm25", "jenis": "pp"}).json(),
            "detail": c.get(f"/api/v1/regulations/{WORK}").json(),
            "jdihn": c.get("/api/jdihn").json(),
        }


def test_an_old_embedded_knowledge_base_is_migrated_on_open_and_answers_as_before(ingested_settings, tmp_path):
    from pipelines.stores.factory import open_store

    before = _answers(copy_kb(ingested_settings, tmp_path / "new", share_files=True))
    old = copy_kb(ingested_settings, tmp_path / "old", share_files=True)
    n = _downgrade(old.db_path)
    was = _state(old.db_path)
    assert was["schema_version"] == 1 and was["old_key"] == n > 1000 and was["new_key"] == 0
    assert was["first_keys"][0][0] == "regulation_id" and "ix_meta_regulation_id" in was["indexes"]

    store = open_store(old)  # the migration runs here, once
    try:
        assert {d.meta["work_id"] for d in store.filter_documents({"field": "meta.work_id", "operator": "==", "value": WORK})} == {WORK}
    finally:
        store.close()
    now = _state(old.db_path)
    assert now["schema_version"] == 2 and now["old_key"] == 0 and now["new_key"] == n
    assert now["first_keys"] == [[k if k != "regulation_id" else "work_id" for k in keys] for keys in was["first_keys"]]
    assert "ix_meta_work_id" in now["indexes"] and "ix_meta_regulation_id" not in now["indexes"]
    assert now["generation"] > was["generation"]  # readers and the shared index files re-read

    open_store(old).close()  # opened again: nothing left to do
    assert _state(old.db_path)["generation"] == now["generation"]
    assert _answers(old) == before


def test_a_knowledge_base_of_an_unknown_schema_is_refused(tmp_path):
    from pipelines.stores.sqlite import SQLiteDocumentStore

    SQLiteDocumentStore(tmp_path / "jdih.sqlite3").close()
    with sqlite3.connect(tmp_path / "jdih.sqlite3") as conn:
        conn.execute("UPDATE store_state SET value = 9 WHERE key = 'schema_version'")
    with pytest.raises(RuntimeError, match="schema version 9"):
        SQLiteDocumentStore(tmp_path / "jdih.sqlite3")


def test_a_work_withdrawn_with_the_old_key_is_restored_with_the_new_one(tmp_path):
    from pipelines.staff import curation, withdrawn
    from pipelines.staff.control import ControlPlane
    from pipelines.stores.sqlite import SQLiteDocumentStore
    from pipelines.stores.works import WorkRepository

    texts = real_articles("pp-71-2019-pste.md")
    store = SQLiteDocumentStore(tmp_path / "jdih.sqlite3", indexed_meta_fields=["work_id"])
    control = ControlPlane(store)
    with control.transaction():
        control.ensure_schema()
        WorkRepository(control.conn).upsert(WORK, record={"id": WORK}, regulation=None, content_hash="h", chunks=1,
                                            dimensions={})
        store.write_documents([Document(id=f"{WORK}#pasal-6", content=texts["6"], meta={"work_id": WORK, "pasal": "6"})])
    curation.withdraw(store, WORK, actor="staff-1 (ab12)")
    # the row as the old code kept it: the chunk's meta with the old key
    row, docs = withdrawn.get(control.conn, WORK)
    docs[0]["meta"] = {"regulation_id": WORK, "pasal": "6"}
    with control.transaction():
        withdrawn.delete(control.conn, WORK)
        withdrawn.put(control.conn, WORK, row=row, documents=docs, at="2024-01-02T00:00:00+00:00", by="staff-1", reason=None)
    curation.restore(store, WORK, actor="staff-1 (ab12)")
    (doc,) = store.filter_documents({"field": "meta.work_id", "operator": "==", "value": WORK})
    assert doc.meta == {"work_id": WORK, "pasal": "6", "status": "berlaku"} and doc.content == texts["6"]
    store.close()


@pytest.mark.elasticsearch
def test_an_old_elasticsearch_index_is_migrated_when_the_writer_opens_it(es_node, tmp_path):
    from pipelines.stores.elasticsearch import ElasticsearchStore
    from pipelines.stores.es_index import SCHEMA_VERSION

    texts = real_articles("pp-71-2019-pste.md")
    vector = [0.0] * 383 + [1.0]
    old = [Document(id=f"{WORK}#pasal-{n}", content=texts[n], embedding=vector,
                    meta={"regulation_id": WORK, "pasal": n, "jenis": "pp"}) for n in ("6", "14")]

    def open_writer():
        return ElasticsearchStore(hosts=es_node, index="legacy-chunks", control_db=str(tmp_path / "control.sqlite3"))

    store = open_writer()  # a new index: nothing to migrate
    try:
        store.write_documents(old)  # as the old code wrote them
        names = [f"{alias}-v{SCHEMA_VERSION}" for alias in store.definitions()]
        generation = store.generation()
    finally:
        store.close()
    store = open_writer()  # the index exists: the writer migrates it on open
    try:
        docs = sorted(store.filter_documents({"field": "meta.work_id", "operator": "==", "value": WORK}), key=lambda d: d.id)
        assert [d.meta for d in docs] == [{"work_id": WORK, "pasal": "14", "jenis": "pp"}, {"work_id": WORK, "pasal": "6", "jenis": "pp"}]
        assert all(d.embedding is not None and abs(d.embedding[-1] - 1.0) < 1e-6 for d in docs)  # vectors kept
        assert store.count_documents_by_filter({"field": "meta.regulation_id", "operator": "==", "value": WORK}) == 0
        assert store.generation() > generation and store.migrate_work_key() == 0
    finally:
        store.client.indices.delete(index=",".join(names))
        store.close()
