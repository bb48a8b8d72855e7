"""Memory of N reader processes over one embedded store, with and without the shared indexes.

Issue 17 item 11: server workers are separate processes; each used to build its own copy of the
store's dense matrix and BM25 postings. With ``shared_indexes`` (the default) they map one copy
(pipelines.stores.shared_index). This measures what that saves, on a store large enough to
matter: ``--chunks`` (default 100,000) chunks made from the real chunks of an ingested knowledge
base as benchmarks/search_bench.py makes them (perturbed copies; no embedding model runs).

For each setting (``private``: ``shared_indexes=False``; ``shared``: the default), ``--readers``
processes start together, each opens the store, runs BM25 (whole documents and the ranking
steps' partial ones, which build the per-process id/meta table), dense search and a filtered
dense search, then reports; the parent reads every reader's RSS, PSS (shared pages divided among
the processes that map them) and USS (private pages) from /proc/<pid>/smaps_rollup. The
imported libraries (haystack imports torch) are in every figure alike; the difference between
the two settings is the indexes.

Usage::

    JDIH_DATA_DIR=/tmp/kb .venv/bin/python benchmarks/shared_index_memory.py --chunks 100000 --readers 4 --json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

READER = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    import numpy as np
    from pipelines.stores.sqlite import SQLiteDocumentStore
    store = SQLiteDocumentStore(sys.argv[1], text_meta_fields=["breadcrumb"], shared_indexes=sys.argv[2] == "shared")
    t1 = time.perf_counter()
    q = np.asarray(store.filter_documents({"field": "id", "operator": "==", "value": sys.argv[3]})[0].embedding)
    store.bm25_search("pusat data pemerintah", top_k=10)
    store.bm25_search("retribusi parkir", top_k=50, meta_fields=["work_id", "pasal"], return_content=False)
    store.embedding_search(q, top_k=10)
    store.embedding_search(q, top_k=10, filters={"field": "meta.jenis", "operator": "==", "value": "pp"})
    print(json.dumps({"import_s": round(t1 - t0, 2), "first_queries_s": round(time.perf_counter() - t1, 2),
                      "memmap": isinstance(store._vector_index().matrix, np.memmap)}), flush=True)
    sys.stdin.readline()  # stay alive until the parent has read the memory figures
    """
)


def memory(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {"rss_mib": round(fields["Rss"] / 1024, 1), "pss_mib": round(fields["Pss"] / 1024, 1),
            "uss_mib": round((fields["Private_Clean"] + fields["Private_Dirty"]) / 1024, 1)}


def build_store(path: Path, n: int, kb: Path | None) -> None:
    from benchmarks.search_bench import _batches, base_chunks, synthetic_corpus
    from pipelines.stores.sqlite import SQLiteDocumentStore

    base = base_chunks(kb)
    store = SQLiteDocumentStore(path, text_meta_fields=["breadcrumb"], indexed_meta_fields=["jenis"],
                                shared_indexes=False)
    for batch in _batches(synthetic_corpus(base, n), 1000):
        store.write_documents(batch)
    store.close()


def measure(path: Path, setting: str, readers: int, probe_id: str) -> dict:
    shutil.rmtree(f"{path}.indexes", ignore_errors=True)  # every run builds its indexes from the rows
    env = dict(os.environ, PYTHONPATH=str(ROOT), HAYSTACK_TELEMETRY_ENABLED="False")
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", READER, str(path), setting, probe_id], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env) for _ in range(readers)]
    try:
        reports = [json.loads(p.stdout.readline()) for p in procs]
        wall = time.perf_counter() - t0
        mems = [memory(p.pid) for p in procs]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=60)
    return {"setting": setting, "readers": readers, "wall_s": round(wall, 1), "reports": reports, "memory": mems,
            "pss_total_mib": round(sum(m["pss_mib"] for m in mems), 1),
            "uss_mean_mib": round(sum(m["uss_mib"] for m in mems) / len(mems), 1),
            "loadavg": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--readers", type=int, default=4)
    ap.add_argument("--kb", type=Path, default=None, help="an ingested jdih.sqlite3 (default $JDIH_DATA_DIR/jdih.sqlite3)")
    ap.add_argument("--store", type=Path, default=None, help="reuse (or keep) the synthetic store at this path")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    kb = args.kb or (Path(os.environ["JDIH_DATA_DIR"]) / "jdih.sqlite3" if os.environ.get("JDIH_DATA_DIR") else None)
    tmp = None
    path = args.store
    if path is None:
        tmp = Path(tempfile.mkdtemp(prefix="shared-index-memory-"))
        path = tmp / "jdih.sqlite3"
    try:
        if not path.exists():
            t0 = time.perf_counter()
            build_store(path, args.chunks, kb)
            print(f"built {args.chunks} chunks in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        import sqlite3

        con = sqlite3.connect(path)
        chunks, probe = con.execute("SELECT count(*), min(id) FROM documents WHERE embedding IS NOT NULL").fetchone()
        con.close()
        results = [measure(path, s, args.readers, probe) for s in ("private", "shared")]
        out = {"chunks": chunks, "results": results, "cpus": os.cpu_count()}
        if args.json:
            print(json.dumps(out, indent=2))
        for r in results:
            print(f"{r['setting']:>7}: {r['readers']} readers, PSS total {r['pss_total_mib']} MiB, USS per reader "
                  f"{r['uss_mean_mib']} MiB, RSS " + "/".join(str(m["rss_mib"]) for m in r["memory"])
                  + f" MiB; first queries {[x['first_queries_s'] for x in r['reports']]} s; load {r['loadavg']}",
                  file=sys.stderr)
        return 0
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
