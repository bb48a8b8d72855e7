"""Issue 17 item 11: the embedded store's search indexes shared by worker processes.

The dense matrix and the BM25 postings of each generation live in memory-mapped files next to the
SQLite file (pipelines.stores.shared_index): built once, mapped by every process (one copy in the
page cache), rebuilt when a write changes the generation, and never trusted over the rows (a stale,
truncated or altered set is ignored and rebuilt).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from pipelines.stores.shared_index import IndexFiles
from pipelines.stores.sqlite import SQLiteDocumentStore
from tests.test_sqlite_store import article_docs

ROOT = Path(__file__).resolve().parents[1]
DIM = 16


@pytest.fixture
def path(tmp_path):
    return tmp_path / "jdih.sqlite3"


@pytest.fixture
def store(path):
    s = SQLiteDocumentStore(path)
    s.write_documents(article_docs(dim=DIM))
    yield s
    s.close()


def sets(path: Path, kind: str) -> list[str]:
    root = IndexFiles(path).root
    return sorted(p.name for p in root.iterdir() if p.name.startswith(f"{kind}-")) if root.is_dir() else []


def vector_of(pasal: str) -> list[float]:
    return next(d.embedding for d in article_docs(dim=DIM) if d.meta["pasal"] == pasal)


def test_indexes_are_memory_mapped_files_of_the_current_generation(store, path):
    assert store.embedding_search(vector_of("59"), top_k=1)[0].meta["pasal"] == "59"
    assert store.bm25_search("nama domain", top_k=1)[0].meta["pasal"] == "79"
    vectors, bm25 = store._vector_index(), store._bm25_postings()
    assert isinstance(vectors.matrix, np.memmap) and isinstance(vectors.rids, np.memmap)
    assert all(isinstance(a, np.memmap) for a in (bm25.rows, bm25.weights, bm25.indptr, bm25.vocab.order))
    assert not vectors.matrix.flags.writeable  # mode "r": no process can scribble on the shared pages
    conn, generation = store._conn(), store.generation()
    assert sets(path, "vectors") == [f"vectors-{store._shared_key(conn, generation, 'vectors')}"]
    assert sets(path, "bm25") == [f"bm25-{store._shared_key(conn, generation, 'bm25')}"]
    # the mapped index is the one built from the rows
    fresh = SQLiteDocumentStore(path, shared_indexes=False)
    try:
        own = fresh._vector_index()
        assert not isinstance(own.matrix, np.memmap)
        assert np.array_equal(own.matrix, vectors.matrix) and np.array_equal(own.rids, vectors.rids)
        theirs = fresh._bm25_postings()
        assert dict(bm25.vocab.items()) == theirs.vocab
        assert np.array_equal(theirs.weights, bm25.weights) and np.array_equal(theirs.rows, bm25.rows)
        for query in ("nama domain", "penyelenggara sistem elektronik", "kata-yang-tidak-ada"):
            assert [(d.id, d.score) for d in fresh.bm25_search(query, top_k=10)] == \
                [(d.id, d.score) for d in store.bm25_search(query, top_k=10)]
    finally:
        fresh.close()


def test_a_write_makes_a_new_set_and_prunes_the_old(store, path):
    store.embedding_search(vector_of("59"), top_k=1)
    store.bm25_search("nama domain", top_k=1)
    old = sets(path, "vectors") + sets(path, "bm25")
    omega = Document(id="omega", content="omega omega sidecar", meta={"work_id": "x"}, embedding=[1.0] * DIM)
    store.write_documents([omega])  # an ingest: a new generation
    assert store.embedding_search([1.0] * DIM, top_k=1)[0].id == "omega"
    assert [d.id for d in store.bm25_search("omega", top_k=5)] == ["omega"]
    new = sets(path, "vectors") + sets(path, "bm25")
    assert len(new) == 2 and not set(new) & set(old)  # rebuilt, the previous generation's removed
    store.delete_documents(["omega"])
    assert store.bm25_search("omega", top_k=5) == []
    assert store.embedding_search([1.0] * DIM, top_k=1)[0].id != "omega"


def _corrupt_matrix(where: Path) -> None:
    data = bytearray((where / "matrix.npy").read_bytes())
    data[-8:] = b"\x7f" * 8  # one altered vector: the header still parses, the CRC does not match
    (where / "matrix.npy").write_bytes(bytes(data))


def _truncate_matrix(where: Path) -> None:
    data = (where / "matrix.npy").read_bytes()
    (where / "matrix.npy").write_bytes(data[: len(data) // 2])


def _stale_meta(where: Path) -> None:
    meta = json.loads((where / "meta.json").read_text())
    meta["key"] = "g0-0"  # a set written for another state of the rows
    (where / "meta.json").write_text(json.dumps(meta))


def _missing_file(where: Path) -> None:
    (where / "rids.npy").unlink()


@pytest.mark.parametrize("damage", [_corrupt_matrix, _truncate_matrix, _stale_meta, _missing_file])
def test_a_damaged_or_stale_set_is_ignored_and_rebuilt(store, path, damage, caplog):
    expected = [(d.id, d.score) for d in store.embedding_search(vector_of("59"), top_k=5)]
    store.close()
    (name,) = sets(path, "vectors")
    damage(IndexFiles(path).root / name)
    again = SQLiteDocumentStore(path)  # another process starting
    try:
        assert [(d.id, d.score) for d in again.embedding_search(vector_of("59"), top_k=5)] == expected
        assert "ignoring the shared index" in caplog.text
        assert isinstance(again._vector_index().matrix, np.memmap)
        assert sets(path, "vectors") == [name]  # rebuilt in place, under the same key
        assert IndexFiles(path).load("vectors", name.split("-", 1)[1]) is not None  # and it passes its checks now
    finally:
        again.close()


def test_a_set_of_another_build_recipe_is_never_opened(store, path, monkeypatch):
    """A release that builds an index differently (SHARED_RECIPES) never maps an older release's set."""
    from pipelines.stores import sqlite

    store.bm25_search("nama domain", top_k=1)
    store.close()
    (old,) = sets(path, "bm25")
    monkeypatch.setitem(sqlite.SHARED_RECIPES, "bm25", "v2-test")
    again = SQLiteDocumentStore(path)
    try:
        assert again.bm25_search("nama domain", top_k=1)[0].meta["pasal"] == "79"
        (new,) = [s for s in sets(path, "bm25") if s != old]
        assert new.endswith("-v2-test")
    finally:
        again.close()


def test_a_restored_backup_never_meets_a_set_of_other_rows(store, path, tmp_path):
    """The counter of a restored backup repeats; the random token of the next write does not."""
    store.bm25_search("nama domain", top_k=1)
    store.close()
    backup = tmp_path / "backup.sqlite3"
    shutil.copy(path, backup)
    later = SQLiteDocumentStore(path)
    later.write_documents([Document(id="a", content="alpha alpha", meta={"work_id": "x"})])
    assert [d.id for d in later.bm25_search("alpha", top_k=5)] == ["a"]  # a set for generation g+1
    later.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, path)  # the backup comes back (generation g) and gets a different write
    restored = SQLiteDocumentStore(path)
    try:
        restored.write_documents([Document(id="b", content="beta beta", meta={"work_id": "x"})])  # generation g+1 again
        assert [d.id for d in restored.bm25_search("alpha", top_k=5)] == []
        assert [d.id for d in restored.bm25_search("beta", top_k=5)] == ["b"]
    finally:
        restored.close()


def test_write_transaction_reads_its_own_rows_not_the_shared_set(store, path):
    store.bm25_search("nama domain", top_k=1)
    before = sets(path, "bm25")
    with store.transaction():
        store.write_documents([Document(id="t", content="transaksi tertunda", meta={"work_id": "x"})])
        assert [d.id for d in store.bm25_search("tertunda", top_k=5)] == ["t"]
        assert sets(path, "bm25") == before  # rows that may be rolled back are never shared
    assert [d.id for d in store.bm25_search("tertunda", top_k=5)] == ["t"]


def test_unwritable_directory_falls_back_to_a_private_copy(tmp_path, caplog):
    if os.geteuid() == 0:
        blocked = tmp_path / "jdih.sqlite3.indexes"
        blocked.write_text("not a directory")  # root ignores permissions: a file where the directory goes
    else:
        blocked = None
    path = tmp_path / "jdih.sqlite3"
    store = SQLiteDocumentStore(path)
    try:
        if blocked is None:
            os.chmod(tmp_path, 0o555)
        store.write_documents(article_docs(["59", "79"], dim=DIM))
        assert store.bm25_search("nama domain", top_k=1)[0].meta["pasal"] == "79"
        assert store.embedding_search(vector_of("59"), top_k=1)[0].meta["pasal"] == "59"
        assert "shared index files unavailable" in caplog.text
    finally:
        os.chmod(tmp_path, 0o755)
        store.close()


READER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from pipelines.stores.sqlite import SQLiteDocumentStore

    store = SQLiteDocumentStore(sys.argv[1])
    vector = json.loads(sys.argv[2])
    for line in sys.stdin:  # one command per line: search, answer, wait for the next
        query = line.strip()
        dense = [d.id for d in store.embedding_search(vector, top_k=3)]
        bm25 = [d.id for d in store.bm25_search(query, top_k=3)]
        matrix = store._vector_index().matrix
        maps = [l.split()[-1] for l in open("/proc/self/maps") if l.rstrip().endswith(".npy")]
        print(json.dumps({"dense": dense, "bm25": bm25, "memmap": isinstance(matrix, np.memmap),
                          "generation": store.generation(), "maps": sorted(set(maps))}), flush=True)
    """
)


def test_two_processes_share_one_mapped_copy_and_see_each_others_writes(store, path):
    """A second process (another server worker) maps the very files this one built, and a write by
    either is seen by the other on its next query (the generation counter)."""
    vector = vector_of("59")
    ours = [d.id for d in store.embedding_search(vector, top_k=3)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", READER, str(path), json.dumps(vector)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        def ask(query: str) -> dict:
            child.stdin.write(query + "\n")
            child.stdin.flush()
            line = child.stdout.readline()
            assert line, child.stderr.read()
            return json.loads(line)

        first = ask("nama domain")
        assert first["memmap"] and first["dense"] == ours
        assert first["bm25"] == [d.id for d in store.bm25_search("nama domain", top_k=3)]
        # this store's files only: in the whole suite this process maps other knowledge bases' too
        ours_dir = f"{path}.indexes/"
        mapped_here = {l.split()[-1] for l in open("/proc/self/maps")
                       if l.rstrip().endswith(".npy") and l.split()[-1].startswith(ours_dir)}
        assert set(first["maps"]) == mapped_here and any(m.endswith("matrix.npy") for m in mapped_here)
        assert len(sets(path, "vectors")) == 1  # the child built nothing of its own

        # this process writes (an ingest): the child sees it, through a new shared set
        store.write_documents([Document(id="near", content="sidecar gamma", meta={"work_id": "x"},
                                        embedding=vector)])
        second = ask("sidecar gamma")
        assert second["generation"] == store.generation() == first["generation"] + 1
        assert second["bm25"][0] == "near" and "near" in second["dense"][:2]
        assert second["maps"] != first["maps"]

        # and the other way round: a write in the child's store is seen here (delete through SQL
        # in a third process would do the same)
        other = SQLiteDocumentStore(path)
        other.delete_documents(["near"])
        other.close()
        assert "near" not in [d.id for d in store.embedding_search(vector, top_k=3)]
        assert "near" not in ask("sidecar gamma")["bm25"]
    finally:
        child.stdin.close()
        child.wait(timeout=30)
