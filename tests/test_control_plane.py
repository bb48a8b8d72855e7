"""The control plane (pipelines/staff/control.py) on both stores: the control-plane tables are made
in one place, its writes join the store's transaction (chunks and control rows commit or roll back
together), and what the API reads through it is what the table modules stored. The Elasticsearch
store runs on the recording transport of tests/es_fake.py (its control file is a real SQLite file)."""
from __future__ import annotations

import pytest
from haystack import Document

from pipelines.staff import jobs, versions
from pipelines.staff.accounts import AccountError
from pipelines.staff.control import ControlPlane
from pipelines.stores.elasticsearch import ElasticsearchStore
from pipelines.stores.sqlite import SQLiteDocumentStore
from pipelines.stores.works import WorkRepository
from tests.contract.articles import real_articles
from tests.es_fake import recording_node
from tests.test_staff_elasticsearch import Index

UU1_ID, UU1_FILE = "uu-1-2022", "uu-1-2022-hkpd.md"
TABLES = {"works", "accounts", "files", "audit_log", "work_versions", "relation_edits", "service_links",
          "changes", "jobs", "withdrawn_works"}


def _chunks() -> list[Document]:
    texts = real_articles(UU1_FILE)
    return [Document(id=f"{UU1_ID}~pasal_{n}", content=texts[n], meta={"work_id": UU1_ID, "pasal": n, "status": "berlaku"})
            for n in ("1", "2")]


@pytest.fixture(params=["sqlite", "es-recording"])
def control(request, tmp_path):
    if request.param == "sqlite":
        store = SQLiteDocumentStore(tmp_path / "jdih.sqlite3", indexed_meta_fields=["work_id"])
        store.chunks_held = store.count_documents
    else:
        index = Index()
        node, _ = recording_node(handler=index.handler)
        store = ElasticsearchStore(hosts="http://es.invalid:9200", node_class=node, index="jdih-chunks",
                                   control_db=str(tmp_path / "control.sqlite3"), retry_on_status=(), max_retries=0)
        store.client  # noqa: B018 - create the indices now
        store.chunks_held = lambda: len(index.docs.get("jdih-chunks", {}))  # what the node was sent
    yield ControlPlane(store)
    store.close()


def _tables(control: ControlPlane) -> set[str]:
    return {r[0] for r in control.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_ensure_schema_makes_every_control_plane_table(control):
    assert not TABLES <= _tables(control)
    with control.transaction():
        control.ensure_schema()
    assert TABLES <= _tables(control)


def test_a_failed_change_leaves_neither_the_control_rows_nor_the_chunks(control):
    store = control.store
    with pytest.raises(RuntimeError):
        with control.transaction():
            store.write_documents(_chunks())
            WorkRepository(control.conn).upsert(UU1_ID, record={"id": UU1_ID}, regulation=None, content_hash="h",
                                                chunks=2, dimensions={})
            control.create_account(name="staff-1", role="staff", created_by="test")
            raise RuntimeError("the change fails after its writes")
    assert control.accounts() == [] and control.work(UU1_ID) is None
    assert store.chunks_held() == 0
    with control.transaction():
        store.write_documents(_chunks())
        WorkRepository(control.conn).upsert(UU1_ID, record={"id": UU1_ID}, regulation=None, content_hash="h",
                                            chunks=2, dimensions={})
        account, _ = control.create_account(name="staff-1", role="staff", created_by="test")
    assert [a.id for a in control.accounts()] == [account.id] and control.work(UU1_ID)["chunks"] == 2
    assert store.chunks_held() == 2


def test_accounts_and_their_audit_through_the_control_plane(control):
    with control.transaction():
        account, token = control.create_account(name="staff-1", role="staff", created_by="test", expires_in_days=30)
        control.audit(actor="test", action="token_create", after=account.to_dict())
    assert control.authenticate(token).id == account.id
    assert control.authenticate(token + "x") is None
    with pytest.raises(AccountError):
        control.create_account(name="staff-1", role="staff")  # an active account has the name
    with control.transaction():
        assert [a.id for a in control.revoke_account("staff-1")] == [account.id]
    assert control.authenticate(token) is None
    assert control.accounts(include_revoked=False) == []
    assert [(e["action"], e["after"]["id"]) for e in control.audit_entries()] == [("token_create", account.id)]


def test_find_duplicate_names_the_version_or_the_running_job(control):
    with control.transaction():
        control.ensure_schema()
        versions.add_version(control.conn, UU1_ID, file_sha256="a" * 64, file_name=UU1_FILE, media_type="text/markdown",
                             record={"id": UU1_ID}, regulation=None, created_by="test")
        job = jobs.JobQueue(control.store).enqueue("upload", params={}, created_by="test", file_sha256="b" * 64)
    assert control.find_duplicate("a" * 64) == {"work_id": UU1_ID, "version": 1, "withdrawn": False}
    assert control.find_duplicate("b" * 64) == {"job_id": job.id}
    assert control.find_duplicate("c" * 64) is None
    assert [v["n"] for v in control.versions(UU1_ID)] == [1] and control.version(UU1_ID, 1)["file_name"] == UU1_FILE
    assert control.version(UU1_ID, 2) is None
