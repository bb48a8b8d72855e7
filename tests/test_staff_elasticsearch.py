"""The staff side on the Elasticsearch store (JDIH_STORE=elasticsearch).

First, on the recording transport of tests/es_fake.py (answering from the chunks the store itself
wrote, real articles of the corpus): edits, relation edits with the status that follows, withdraw
and restore go through the store's public boundary (the control plane over control(), update_chunk_meta(),
bump_generation(), transaction()) and never touch SQLite tables the deployment lacks.

Then, over HTTP on the live node (marker ``elasticsearch``, tests/conftest.py ``es_node``; skipped
with the reason where there is no Java): the flow of tests/test_staff.py on a knowledge base of its
own (index ``staff-chunks``): uploads of a text file, born-digital PDFs and a scanned PDF (OCR),
duplicates, versions and downloads, PATCH, relations and the status they give, withdraw and
restore, audit, the change feed, then `jdih export` / `jdih import` into a second knowledge base on
the node and `jdih reindex --to embedded|elasticsearch` on it, each checked over HTTP and against
what the node holds.

    pytest -q tests/test_staff_elasticsearch.py          # ~3 min with the node's start
"""
from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from haystack import Document

from pipelines.staff import curation
from pipelines.staff.control import ControlPlane
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
                     meta={"work_id": work_id, "pasal": n, "jenis": "uu", "status": "berlaku"})
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
                    if f'"{s.get("meta", {}).get("work_id", s.get("work_id"))}"' in wanted]
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
        ControlPlane(store).ensure_schema()
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
    assert [e["action"] for e in ControlPlane(store).audit_entries(work_id=UU1_ID)] == ["patch"]


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
    assert [w["work_id"] for w in ControlPlane(store).withdrawn()] == [UU1_ID]
    back = curation.restore(store, UU1_ID, actor="staff-1 (ab12)")
    assert back == {"work_id": UU1_ID, "withdrawn": False, "chunks": 2}
    assert WorkRepository(store.control()).get(UU1_ID)["record"]["judul"] == UU1[2]
    assert sorted(m["pasal"] for m in _metas(index, UU1_ID)) == ["1", "2"]


def test_a_work_written_again_is_published_with_its_new_record(es):
    """A new version upserts an existing works row: the outbox trigger sees old.id == new.id (a
    trigger's OR IGNORE is overridden by the upsert's ON CONFLICT, so it must not conflict)."""
    store, index, _ = es
    with store.transaction():
        WorkRepository.of(store).upsert(UU1_ID, record={"id": UU1_ID, "judul": "Judul versi 2", "jenis": "Undang-Undang"},
                                        regulation=None, content_hash="h2", chunks=2, dimensions={})
    published = {k: v for name, docs in index.docs.items() if name.endswith("-works") for k, v in docs.items()}
    assert published[UU1_ID]["record"]["judul"] == "Judul versi 2" and published[UU1_ID]["content_hash"] == "h2"

# --- over HTTP on the live node -----------------------------------------------------------------

from tests.conftest import corpus_path  # noqa: E402
from tests.test_staff import KOTABARU, TAP_MPR, _auth, _settings, upload, wait_job  # noqa: E402
from tests.conftest import staff_token  # noqa: E402

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

KOTABARU_ID = "perbup-kotabaru-18-2019"
SCAN = "perpres-83-2025-IMAGE-ONLY-derived.pdf"


def _es_settings(data_dir, url, index, **kw):
    return _settings(data_dir, store="elasticsearch", elasticsearch_url=url, elasticsearch_index=index, **kw)


def _open(settings):
    from pipelines.stores.factory import open_store

    return open_store(settings)


def node_chunks(settings, work_id=None):
    """The chunks the node holds (of one work, or all), read from the index itself."""
    store = _open(settings)
    try:
        flt = {"field": "meta.work_id", "operator": "==", "value": work_id} if work_id else None
        return store.filter_documents(flt, return_embedding=False)
    finally:
        store.close()


def consistent(settings):
    """The control file's works rows, the node's chunks and its works index agree."""
    store = _open(settings)
    try:
        works = dict(store.control().execute("SELECT id, chunks FROM works"))
        per_work = Counter(d.meta["work_id"] for d in store.iter_documents(return_embedding=False))
        published = {w["id"]: w["chunks"] for w in store.work_reader().scan()}
    finally:
        store.close()
    assert dict(per_work) == works == published
    return works


@pytest.fixture(scope="module")
def live(es_node, tmp_path_factory):
    from jdih_server.app import create_app

    settings = _es_settings(tmp_path_factory.mktemp("es-staffkb"), es_node, "staff-chunks")
    tokens = {"admin": staff_token(settings, "admin", "admin-es"), "staff": staff_token(settings, "staff", "staff-es")}
    with TestClient(create_app(settings, rate_limit="0")) as client:
        yield {"settings": settings, "client": client, "admin": _auth(tokens["admin"]),
               "staff": _auth(tokens["staff"]), "state": {}}


def _done(live, r):
    assert r.status_code == 202, r.text
    job = wait_job(live["client"], r.json()["job"]["id"], live["staff"])
    assert job["state"] == "done", job
    return job


def _status(c, work_id):
    return c.get(f"/api/v1/regulations/{work_id}").json()["status"]


def _bm25(c, q, limit=50):
    return c.get("/api/v1/search", params={"q": q, "mode": "bm25", "limit": limit}).json()["results"]


def test_live_upload_text_versions_and_downloads(live):
    import hashlib

    c, settings = live["client"], live["settings"]
    original = corpus_path(KOTABARU).read_bytes()
    job = _done(live, upload(c, live["staff"], KOTABARU, original, "text/markdown"))
    assert job["result"]["work_id"] == KOTABARU_ID and job["result"]["version"] == 1
    assert len(node_chunks(settings, KOTABARU_ID)) == job["result"]["chunks"] > 0
    assert any(h["regulation"]["id"] == KOTABARU_ID for h in _bm25(c, "Kotabaru"))
    dup = upload(c, live["staff"], "lagi.md", original, "text/markdown")
    assert dup.status_code == 409 and dup.json()["links"]["existing"] == f"/api/v1/regulations/{KOTABARU_ID}"

    r = c.get(f"/api/v1/regulations/{KOTABARU_ID}/file")
    assert r.status_code == 200 and r.content == original
    assert r.headers["etag"] == f'"{hashlib.sha256(original).hexdigest()}"'
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/file", headers={"If-None-Match": r.headers["etag"]}).status_code == 304

    resaved = original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # same text, other bytes
    job = _done(live, upload(c, live["staff"], "perbup-kotabaru-18-2019.txt", resaved, "text/plain",
                             work_id=KOTABARU_ID, tahun=2018))
    assert job["result"]["action"] == "new_version" and job["result"]["version"] == 2
    listing = c.get(f"/api/v1/regulations/{KOTABARU_ID}/versions").json()
    assert [v["n"] for v in listing["versions"]] == [1, 2] and listing["current"] == 2
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/versions/1/file").content == original
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/versions/2/file").content == resaved
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/file").content == resaved
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/versions/1").json()["regulation"]["articles"]
    assert {d.meta.get("tahun") for d in node_chunks(settings, KOTABARU_ID)} == {2018}  # the new version's chunks
    consistent(settings)


def test_live_patch_rewrites_the_record_and_the_chunks_on_the_node(live):
    c, settings = live["client"], live["settings"]
    r = c.patch(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"], json={"tahun": 2019})
    assert r.status_code == 200 and r.json()["record"]["tahun"] == 2019
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}").json()["tahun"] == 2019  # served from the works index
    assert {d.meta.get("tahun") for d in node_chunks(settings, KOTABARU_ID)} == {2019}
    title = c.get(f"/api/v1/regulations/{KOTABARU_ID}").json()["judul"]
    assert c.patch(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"],
                   json={"judul": title.upper()}).status_code == 200
    assert {d.meta.get("judul") for d in node_chunks(settings, KOTABARU_ID)} == {title.upper()}
    assert c.patch(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"], json={"judul": title}).status_code == 200
    assert c.patch(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"], json={"nonsense": 1}).status_code == 422
    entries = c.get("/api/v1/audit", headers=live["admin"], params={"work_id": KOTABARU_ID, "action": "patch"}).json()["results"]
    assert entries[0]["before"] == {"tahun": 2018} and entries[0]["after"] == {"tahun": 2019}
    consistent(settings)


def test_live_born_digital_pdfs_and_the_status_their_relations_give(live):
    c, settings = live["client"], live["settings"]
    job = _done(live, upload(c, live["staff"], TAP_MPR, corpus_path(TAP_MPR).read_bytes(), "application/pdf"))
    assert job["progress"]["method"] != "ocr" and job["result"]["chunks"] > 0
    _done(live, upload(c, live["staff"], "uu-11-2008.pdf", corpus_path("uu-11-2008-ite.pdf").read_bytes(), "application/pdf"))
    assert _status(c, "uu-11-2008") == "berlaku"
    job = _done(live, upload(c, live["staff"], "uu-19-2016.pdf",
                             corpus_path("uu-19-2016-perubahan-uu-ite.pdf").read_bytes(), "application/pdf"))
    assert job["result"]["work_id"] == "uu-19-2016"
    assert job["result"]["status_changes"] == {"uu-11-2008": {"before": "berlaku", "after": "diubah"}}
    assert _status(c, "uu-11-2008") == "diubah"
    assert {d.meta.get("status") for d in node_chunks(settings, "uu-11-2008")} == {"diubah"}
    hits = _bm25(c, "informasi elektronik")
    assert {h["regulation"]["id"]: h["regulation"]["status"] for h in hits}.get("uu-11-2008") == "diubah"
    incoming = c.get("/api/v1/regulations/uu-11-2008/relations").json()["incoming"]
    assert ("diubah_dengan", "uu-19-2016") in [(r["type"], r["other"]) for r in incoming]
    assert c.patch("/api/v1/regulations/uu-11-2008", headers=live["staff"],
                   json={"status": "berlaku"}).json()["code"] == "status_from_relations"
    consistent(settings)


def test_live_relation_edits_move_the_status_of_the_chunks(live):
    c, settings = live["client"], live["settings"]
    r = c.delete("/api/v1/regulations/uu-19-2016/relations", headers=live["staff"],
                 params={"type": "mengubah", "target": "uu-11-2008", "note": "uji koreksi"})
    assert r.status_code == 200, r.text
    assert r.json()["status_changes"] == {"uu-11-2008": {"before": "diubah", "after": "berlaku"}}
    assert {d.meta.get("status") for d in node_chunks(settings, "uu-11-2008")} == {"berlaku"}
    r = c.post("/api/v1/regulations/uu-19-2016/relations", headers=live["staff"],
               json={"type": "mengubah", "target": "uu-11-2008", "citation": "Undang-Undang Nomor 11 Tahun 2008"})
    assert r.status_code == 201 and _status(c, "uu-11-2008") == "diubah"
    assert {d.meta.get("status") for d in node_chunks(settings, "uu-11-2008")} == {"diubah"}
    assert c.post("/api/v1/regulations/uu-19-2016/relations", headers=live["staff"],
                  json={"type": "mengubah", "target": "uu-11-2008"}).status_code == 409


def test_live_scanned_pdf_goes_through_ocr_onto_the_node(live):
    c = live["client"]
    assert not any(h["regulation"]["id"] == "perpres-83-2025" for h in _bm25(c, "Komite Percepatan Transformasi Digital"))
    r = upload(c, live["staff"], "perpres-83-2025.pdf", corpus_path(SCAN).read_bytes(), "application/pdf")
    assert r.status_code == 202 and r.json()["checks"]["pages"] == 9, r.text
    job = _done(live, r)
    assert job["progress"]["ocr_pages"] == 9 and job["progress"]["method"] == "ocr"
    hits = _bm25(c, "Komite Percepatan Transformasi Digital Pemerintah", limit=10)
    assert hits[0]["regulation"]["id"] == "perpres-83-2025"
    consistent(live["settings"])


def test_live_withdraw_removes_the_chunks_from_the_node_and_restore_brings_them_back(live):
    c, settings = live["client"], live["settings"]
    before = consistent(settings)
    r = c.delete(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"], params={"reason": "salah unggah"})
    assert r.status_code == 200 and r.json()["chunks"] == before[KOTABARU_ID]
    assert node_chunks(settings, KOTABARU_ID) == []
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}").status_code == 404
    assert c.get(f"/api/v1/regulations/{KOTABARU_ID}/versions").status_code == 410
    assert KOTABARU_ID not in [w["id"] for w in c.get("/api/v1/regulations").json()["results"]]
    assert all(h["regulation"]["id"] != KOTABARU_ID for h in _bm25(c, "Kotabaru"))
    assert c.delete(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"]).status_code == 409
    assert c.post(f"/api/v1/regulations/{KOTABARU_ID}/restore", headers=live["staff"]).status_code == 200
    assert consistent(settings) == before
    assert any(h["regulation"]["id"] == KOTABARU_ID for h in _bm25(c, "Kotabaru"))


def test_live_audit_and_change_feed(live):
    c = live["client"]
    assert c.get("/api/v1/audit", headers=live["staff"]).status_code == 403
    actions = [e["action"] for e in c.get("/api/v1/audit", headers=live["admin"], params={"limit": 500}).json()["results"]]
    for action in ("upload", "new_version", "patch", "status", "relation_remove", "relation_add", "withdraw", "restore"):
        assert action in actions, (action, actions)
    events, cursor = [], 0
    while True:
        page = c.get("/api/v1/changes", params={"cursor": cursor, "limit": 3}).json()
        events += page["results"]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    kinds = [e["kind"] for e in events if e["work_id"] == KOTABARU_ID]
    assert kinds[0] == "created" and kinds.index("withdrawn") < kinds.index("restored")
    assert ("uu-11-2008", "status") in [(e["work_id"], e["kind"]) for e in events]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def _jdih(monkeypatch, settings, *argv):
    """`jdih ARGV` in this process (the model stays loaded), on ``settings``' knowledge base."""
    from jdih_cli.main import main

    monkeypatch.setenv("JDIH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("JDIH_STORE", settings.store)
    monkeypatch.setenv("ELASTICSEARCH_URL", settings.elasticsearch_url or "")
    monkeypatch.setenv("JDIH_ES_INDEX", settings.elasticsearch_index)
    return main(list(argv))


def _contents(settings, store=None):
    import dataclasses

    from pipelines.stores.factory import open_store

    s = open_store(dataclasses.replace(settings, store=store or settings.store))
    try:
        return sorted((d.id, d.content) for d in s.filter_documents(return_embedding=False))
    finally:
        s.close()


def test_live_export_import_and_reindex_both_ways_with_the_cli(live, tmp_path, monkeypatch, capsys):
    from jdih_server.app import create_app

    src = live["settings"]
    works = consistent(src)
    assert _jdih(monkeypatch, src, "export", str(tmp_path / "export")) == 0
    target = _es_settings(tmp_path / "kb2", src.elasticsearch_url, "staff2-chunks")
    t0 = time.monotonic()
    assert _jdih(monkeypatch, target, "import", str(tmp_path / "export"), "--quiet") == 0
    live["state"]["import_s"] = time.monotonic() - t0
    assert "failed 0" in capsys.readouterr().out
    assert consistent(target) == works
    assert _contents(target) == _contents(src)
    with TestClient(create_app(target, rate_limit="0")) as c2:  # the imported tokens, files, history
        assert c2.get("/api/v1/audit", headers=live["admin"]).status_code == 200
        assert c2.get(f"/api/v1/regulations/{KOTABARU_ID}/versions/1/file").content == corpus_path(KOTABARU).read_bytes()
        assert _status(c2, "uu-11-2008") == "diubah"
        assert _bm25(c2, "Komite Percepatan Transformasi Digital Pemerintah", limit=10)[0]["regulation"]["id"] == "perpres-83-2025"

    # the imported knowledge base moves to the embedded store in place, and back
    assert _jdih(monkeypatch, target, "reindex", "--to", "embedded", "--quiet") == 0
    assert "count check OK" in capsys.readouterr().out
    embedded = _settings(target.data_dir, store="embedded")
    assert _contents(embedded) == _contents(target)
    with TestClient(create_app(embedded, rate_limit="0")) as c3:
        assert {w["id"] for w in c3.get("/api/v1/regulations", params={"limit": 100}).json()["results"]} == set(works)
        assert c3.get("/api/v1/audit", headers=live["admin"]).status_code == 200
        assert _bm25(c3, "Komite Percepatan Transformasi Digital Pemerintah", limit=10)[0]["regulation"]["id"] == "perpres-83-2025"
        r = c3.patch(f"/api/v1/regulations/{KOTABARU_ID}", headers=live["staff"], json={"tahun": 2020})
        assert r.status_code == 200  # staff work on the embedded copy ...
    assert _jdih(monkeypatch, target, "reindex", "--to", "elasticsearch", "--quiet") == 2
    assert "--replace" in capsys.readouterr().err
    assert _jdih(monkeypatch, target, "reindex", "--to", "elasticsearch", "--replace", "--quiet") == 0
    assert "count check OK" in capsys.readouterr().out
    assert consistent(target) == works
    assert {d.meta.get("tahun") for d in node_chunks(target, KOTABARU_ID)} == {2020}  # ... is on the node again
    with TestClient(create_app(target, rate_limit="0")) as c4:
        assert c4.get(f"/api/v1/regulations/{KOTABARU_ID}").json()["tahun"] == 2020
        assert _status(c4, "uu-11-2008") == "diubah"
