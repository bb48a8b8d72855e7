"""Export and import of the whole knowledge base, and the rebuild of the search index from it.

``export_kb(settings, DIR)`` writes a folder that holds everything the SQLite file and the file
store hold, in plain JSON lines (one table per file) plus the original files by SHA-256::

    DIR/manifest.json          format, counts, SHA-256 of every .jsonl
    DIR/works.jsonl            the works rows (catalogue record, parsed regulation, dimensions)
    DIR/versions.jsonl         every version (record + parsed text + file SHA-256)
    DIR/relation_edits.jsonl   relations added or removed by hand
    DIR/service_links.jsonl    the staff's decisions on the services' legal basis
    DIR/audit.jsonl            the audit log
    DIR/accounts.jsonl         accounts with token hashes (never the tokens: they are not stored)
    DIR/changes.jsonl          the change feed
    DIR/withdrawn.jsonl        withdrawn works (their row and chunks, restorable)
    DIR/jobs.jsonl             finished jobs (their results are part of the history)
    DIR/files.jsonl + DIR/files/sha256/ab/cd/<sha256>

``import_kb(DIR, settings)`` loads that into an empty knowledge base (checking every SHA-256)
and, unless told not to, rebuilds the search index: :func:`rebuild_index` chunks, tags and
embeds every work again from its stored parsed text, so no PDF is read and no OCR runs.
The chunks themselves are not exported: they are derived data, rebuilt on import.

    from pipelines.staff.transfer import export_kb, import_kb, rebuild_index
    export_kb(settings, Path("/backup/jdih-2025-01-31"))
    import_kb(Path("/backup/jdih-2025-01-31"), other_settings)
    rebuild_index(settings)            # `jdih reindex` for the embedded store
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ingest.loader import sha256_file
from ingest.models import Regulation
from pipelines.staff import audit
from pipelines.staff.accounts import now
from pipelines.staff.changes import _TRIGGERS
from pipelines.staff.curation import current_statuses, open_kb
from pipelines.staff.files import FileStore
from pipelines.staff.uploads import UploadIngester
from pipelines.stores.works import WorkRepository

FORMAT = "jdih-export/1"

# file -> (table, ORDER BY): the tables exported as they are
TABLES: dict[str, tuple[str, str]] = {
    "works": ("works", "id"),
    "versions": ("work_versions", "work_id, n"),
    "relation_edits": ("relation_edits", "id"),
    "service_links": ("service_links", "service_id, work_id"),
    "audit": ("audit_log", "id"),
    "accounts": ("accounts", "created_at, id"),
    "changes": ("changes", "seq"),
    "withdrawn": ("withdrawn_works", "work_id"),
    "files": ("files", "sha256"),
    "jobs": ("jobs", "created_at, id"),
}
_JOBS_WHERE = "state IN ('done', 'failed')"


class TransferError(ValueError):
    """The folder is not an export, is damaged, or the target is not empty."""


def _store(settings):
    return open_kb(settings)


def _columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def export_kb(settings, dest: Path) -> dict[str, Any]:
    """Write the knowledge base to ``dest`` (created; must be empty). Returns the manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise TransferError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    store = _store(settings)
    conn = store.control()
    counts, digests = {}, {}
    with store.transaction():  # one consistent read of every table
        for name, (table, order) in TABLES.items():
            cols = _columns(conn, table)
            where = f"WHERE {_JOBS_WHERE}" if table == "jobs" else ""
            path = dest / f"{name}.jsonl"
            n = 0
            with open(path, "w", encoding="utf-8") as out:
                for row in conn.execute(f"SELECT {', '.join(cols)} FROM {table} {where} ORDER BY {order}"):
                    out.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False, sort_keys=True) + "\n")
                    n += 1
            counts[name] = n
            digests[f"{name}.jsonl"] = sha256_file(path)
        shas = [r[0] for r in conn.execute("SELECT sha256 FROM files ORDER BY sha256")]
    fs = FileStore(settings.files_dir)
    copied = 0
    for sha in shas:
        if fs.exists(sha):
            fs.copy_to(sha, dest / "files")
            copied += 1
    manifest = {"format": FORMAT, "created_at": now(), "counts": counts, "files_copied": copied, "sha256": digests}
    (dest / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    return manifest


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def import_kb(src: Path, settings, *, reindex: bool = True, actor: str = "system",
              progress: bool = False, embedder=None) -> dict[str, Any]:
    """Load an export into an empty knowledge base; returns counts (and the rebuild summary)."""
    src = Path(src)
    manifest_path = src / "manifest.json"
    if not manifest_path.is_file():
        raise TransferError(f"{src} holds no manifest.json: not a jdih export")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise TransferError(f"unknown export format {manifest.get('format')!r} (expected {FORMAT})")
    for name, digest in (manifest.get("sha256") or {}).items():
        if sha256_file(src / name) != digest:
            raise TransferError(f"{name} does not match its SHA-256 in the manifest: the export is damaged")
    store = _store(settings)
    conn = store.control()
    if WorkRepository(conn).count() or conn.execute(
            "SELECT count(*) FROM withdrawn_works").fetchone()[0]:
        raise TransferError(f"the knowledge base in {settings.data_dir} is not empty: import into a new JDIH_DATA_DIR")
    # files first: a row never points at a file that is not there
    fs = FileStore(settings.files_dir)
    src_files = FileStore(src / "files")
    file_rows = list(_read_jsonl(src / "files.jsonl"))
    for row in file_rows:
        sha = row["sha256"]
        if not src_files.exists(sha):
            continue  # the source KB did not hold it either (export counted what it copied)
        if sha256_file(src_files.path(sha)) != sha:
            raise TransferError(f"files/{sha}: content does not match its SHA-256")
        fs.put_path(src_files.path(sha))
    counts = {}
    with store.transaction():
        conn.execute("DROP TRIGGER IF EXISTS works_changes_insert")  # imported rows keep their own feed
        conn.execute("DROP TRIGGER IF EXISTS works_changes_update")
        conn.execute("DELETE FROM changes")
        for name, (table, _) in TABLES.items():
            cols = set(_columns(conn, table))
            n = 0
            if not (src / f"{name}.jsonl").exists() and name not in (manifest.get("counts") or {}):
                counts[name] = 0  # an export made before the table existed
                continue
            for row in _read_jsonl(src / f"{name}.jsonl"):
                keys = [k for k in row if k in cols]
                conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                             [row[k] for k in keys])
                n += 1
            counts[name] = n

        for t in _TRIGGERS:
            conn.execute(t)
        audit.record(conn, actor=actor, action="import", detail=f"from an export made {manifest.get('created_at')}: "
                     + ", ".join(f"{k} {v}" for k, v in counts.items()))
        store.bump_generation()
    out: dict[str, Any] = {"counts": counts}
    if reindex:
        out["rebuild"] = rebuild_index(settings, store=store, progress=progress, embedder=embedder).describe()
    return out


@dataclass
class RebuildSummary:
    works: list[str] = field(default_factory=list)
    chunks: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        lines = [f"rebuilt {len(self.works)} work(s), {self.chunks} chunks; failed {len(self.failed)}; {self.seconds:.1f} s"]
        lines += [f"  failed: {w}: {why}" for w, why in self.failed]
        return "\n".join(lines)


def rebuild_index(settings=None, *, store=None, work_ids: list[str] | None = None, progress: bool = True,
                  embedder=None, tagger=None) -> RebuildSummary:
    """Rebuild every work's chunks (search index) from its stored record and parsed text.

    The works rows are left as they are (no re-parse, no OCR): each work's chunks are made again
    (chunk -> tag -> embed) and replaced in one transaction per work, their status and work
    dimensions taken from the stored state. This is ``jdih reindex`` for the embedded store.
    """
    store = store or _store(settings)
    conn = store.control()
    summary = RebuildSummary()
    t0 = time.perf_counter()
    repo = WorkRepository(conn)
    ids = work_ids or repo.ids()
    ingester = UploadIngester(store, settings, embedder=embedder, tagger=tagger)
    statuses = current_statuses(conn)
    from pipelines.embedding.models import begin_reembedding, embedder_model, finish_reembedding

    # the model of the new vectors; searches refuse a half re-embedded knowledge base
    model = embedder_model(ingester.embedding_component(), settings)
    begin_reembedding(store, model)
    for i, work_id in enumerate(ids, 1):
        row = repo.get(work_id)
        if row is None:
            summary.failed.append((work_id, "no such work"))
            continue
        try:
            record = row["record"]
            reg = Regulation.from_dict(row["regulation"]) if row["regulation"] else None
            docs = ingester.embed(reg, record)
            dims = row["dimensions"]
            for d in docs:
                d.meta["work_dimensions"] = list(dims)
                d.meta["status"] = statuses.get(work_id, d.meta.get("status"))
            flt = {"field": "meta.work_id", "operator": "==", "value": work_id}
            with store.transaction():
                store.delete_by_filter(flt)
                store.write_documents(docs)
                repo.set_chunks(work_id, len(docs))
                store.bump_generation()
            summary.works.append(work_id)
            summary.chunks += len(docs)
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others; its old chunks stay
            summary.failed.append((work_id, f"{type(exc).__name__}: {exc}"))
        if progress:
            print(f"\rreindex {i}/{len(ids)} {work_id:40.40}", end="", file=sys.stderr, flush=True)
    if progress and ids:
        print(file=sys.stderr)
    if not summary.failed and (work_ids is None or store.embedding_model() == model.name):
        finish_reembedding(store, model)
    summary.seconds = time.perf_counter() - t0
    return summary
