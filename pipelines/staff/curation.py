"""What staff do to the knowledge base, each change one SQLite transaction with its audit entry.

- :func:`write_upload` — a new work, a new version of a work, or a metadata-only work upgraded in
  place when its file arrives (called by the upload job);
- :func:`patch_metadata` — edit validated catalogue fields; status only where no relation explains it;
- :func:`withdraw` / :func:`restore` — soft removal: the work row and its chunks (embeddings
  included) move to ``withdrawn_works`` and back, so search and listings stop showing it and a
  restore needs no re-indexing;
- :func:`edit_relation` — add or remove a relation by hand (stored once, active voice);
- after every change, :func:`sync_status` recomputes the derived status of every work, updates
  the chunks' ``meta.status`` of those that changed, and records them in the audit log and the
  change feed: status follows relations, in the same transaction.

Every write bumps the store's ``generation`` so the API's snapshot is re-read.

    store = open_kb(settings)
    with store.transaction():
        patch_metadata(store, "perwal-malang-9-2022", {"judul_en": "..."}, actor="staff-1 (ab12)")
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from ingest.config import get_settings
from ingest.loader import sha256_file
from ingest.vocabulary import RELATION_TYPES, STATUSES
from pipelines.indexing.pipeline import PIPELINE_VERSION, UPLOAD_HASH_PREFIX, WorkWriter
from pipelines.staff import audit, changes, files, relation_edits, versions, withdrawn
from pipelines.staff.accounts import now
from pipelines.staff.control import ControlPlane, ensure_schema
from pipelines.staff.jobs import JobFailed
from pipelines.staff.records import UploadRejected, clean_metadata, date_order_problems, invalid_metadata
from pipelines.stores.works import WorkRepository
from regulations.catalogue import get as catalogue_get
from regulations.provenance import set_field

def open_kb(settings=None):
    """The configured store with every staff table present."""
    return ControlPlane.open(settings).store


def work_row(conn: sqlite3.Connection, work_id: str) -> dict[str, Any] | None:
    return WorkRepository(conn).get(work_id)


def summary(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a works row an audit entry keeps (the record, not the whole text)."""
    if row is None:
        return None
    reg = row.get("regulation") or {}
    return {"record": {k: v for k, v in (row.get("record") or {}).items() if k != "provenance"},
            "has_text": row.get("has_text"), "chunks": row.get("chunks"),
            "articles": len(reg.get("articles") or []), "amendment_items": len(reg.get("amendments") or []),
            "sources": [{k: s.get(k) for k in ("path", "sha256", "method", "pages")} for s in reg.get("sources") or []]}


# --- status follows relations -----------------------------------------------------------------

def current_statuses(conn: sqlite3.Connection) -> dict[str, str]:
    graph = relation_edits.graph_from(conn)
    return {w: graph.status(w) for w in WorkRepository(conn).ids()}


def sync_status(store, before: dict[str, str], *, actor: str, because: str,
                touched: tuple[str, ...] = ()) -> dict[str, dict]:
    """After a change: every work whose derived status moved gets its chunks' meta.status updated,
    an audit entry and a ``status`` event in the change feed. Returns ``{work_id: {before, after}}``."""
    conn = store.control()
    after = current_statuses(conn)
    moved = {}
    for work_id, status in after.items():
        old = before.get(work_id)
        if old is not None and old != status:
            moved[work_id] = {"before": old, "after": status}
            audit.record(conn, actor=actor, action="status", work_id=work_id, before={"status": old},
                         after={"status": status}, detail=because)
            changes.note(conn, work_id, "status")
    for work_id, status in after.items():  # chunks carry the status for the store's own filters
        if before.get(work_id) != status or work_id in touched:  # moved, new, or written by this change
            store.update_chunk_meta(work_id, {"status": status})
    return moved


# --- uploads --------------------------------------------------------------------------------------

@dataclass
class RecordPlan:
    record: dict[str, Any]
    existing: dict[str, Any] | None


def plan_record(conn: sqlite3.Connection, work_id: str, metadata: dict[str, Any], *, actor: str) -> RecordPlan:
    """The catalogue record an upload will write: the work's current record (or the shipped
    catalogue's, for a work of the corpus) with the metadata given on top, each given field
    naming its provenance."""
    existing = work_row(conn, work_id)
    if existing is not None:
        record = dict(existing["record"])
    else:
        record = {}
        try:
            rec = catalogue_get(work_id)
            record = dict(rec) if rec is not None else {}
        except Exception:  # noqa: BLE001 - not in the shipped catalogue
            record = {}
    record["id"] = work_id
    provenance = dict(record.get("provenance") or {})
    for key, value in metadata.items():
        set_field(record, provenance, key, value, f"entered by {actor} at upload, {now()[:10]}")
    if provenance:
        record["provenance"] = provenance
    return RecordPlan(record, existing)


def write_upload(store, *, job, queue, work_id: str, reg, record: dict[str, Any], documents: list,
                 file_sha256: str, file_name: str, media_type: str, size: int | None, actor: str,
                 warnings: list[dict]) -> dict[str, Any]:
    """Write an uploaded work in one transaction (see the module docstring); marks the job done."""
    conn = store.control()
    content_hash = f"{UPLOAD_HASH_PREFIX}{PIPELINE_VERSION}:{file_sha256}"
    with store.transaction():
        ensure_schema(conn)
        if versions.by_job(conn, job.id):  # this job's effect is already stored (a re-run after a crash)
            current = queue.get(job.id)
            return current.result or {"work_id": work_id}
        if withdrawn.is_withdrawn(conn, work_id):
            raise JobFailed("withdrawn", f"{work_id} is withdrawn; restore it before uploading a new version.",
                            f"{work_id} telah ditarik; pulihkan dulu sebelum mengunggah versi baru.")
        before_status = current_statuses(conn)
        existing = work_row(conn, work_id)
        if existing is None:
            action = "upload"
        elif not existing["has_text"]:
            action = "upgrade"  # a metadata-only record upgraded in place
        else:
            action = "new_version"
            old = (existing.get("regulation") or {}).get("sources") or [{}]
            old_sha = old[0].get("sha256")
            held = old_sha if old_sha and files.FileStore(store_settings(store).files_dir).exists(old_sha) else None
            if held is None and old_sha:
                held = _adopt_corpus_file(store, conn, old[0])
            versions.ensure_baseline(conn, existing, file_sha256=held, file_name=old[0].get("path"),
                                     media_type=old[0].get("media_type"))
        files.register(conn, file_sha256, size=size or 0, media_type=media_type, original_name=file_name, created_at=now())
        WorkWriter(store).run(documents=documents, regulations=[reg], records=[record], content_hash=content_hash)
        n = versions.add_version(conn, work_id, file_sha256=file_sha256, file_name=file_name, media_type=media_type,
                                 record=record, regulation=reg.to_dict(), created_by=actor, job_id=job.id)
        after = work_row(conn, work_id)
        audit.record(conn, actor=actor, action=action, work_id=work_id, before=summary(existing), after=summary(after),
                     detail=f"job {job.id}, version {n}, file {file_sha256}")
        moved = sync_status(store, before_status, actor=actor, because=f"relations stated by {work_id} (version {n})",
                            touched=(work_id,))
        store.bump_generation()
        result = {
            "work_id": work_id, "action": action, "version": n, "chunks": len(documents),
            "has_text": after["has_text"], "warnings": warnings, "status_changes": moved,
            "links": {"regulation": f"/api/v1/regulations/{work_id}", "file": f"/api/v1/regulations/{work_id}/file",
                      "version": f"/api/v1/regulations/{work_id}/versions/{n}"},
        }
        queue.finish(job.id, result, work_id=work_id)
    return result


def store_settings(store):
    """Settings whose data_dir holds this store's file (files live next to the database)."""
    import dataclasses

    s = get_settings()
    return dataclasses.replace(s, data_dir=store.path.parent)


def _adopt_corpus_file(store, conn, source: dict[str, Any]) -> str | None:
    """The shipped corpus file a work was ingested from, copied into the file store when its
    bytes are the ones recorded (so its baseline version keeps a download link)."""
    from pathlib import Path

    name, sha = source.get("path"), source.get("sha256")
    if not name or not sha or "/" in name or "\\" in name:
        return None
    for base in (Path(__file__).resolve().parents[2] / "regulations" / "corpus",):
        candidate = base / name
        if candidate.is_file() and sha256_file(candidate) == sha:
            fs = files.FileStore(store_settings(store).files_dir)
            fs.put_path(candidate)
            files.register(conn, sha, size=candidate.stat().st_size, media_type=source.get("media_type") or "application/octet-stream",
                           original_name=name, created_at=now())
            return sha
    return None


def current_file(store, work_id: str) -> dict[str, Any] | None:
    """The newest file of a work: ``{sha256, file_name, media_type, path}`` or None."""
    conn = store.control()
    fs = files.FileStore(store_settings(store).files_dir)
    n = versions.latest(conn, work_id)
    if n:
        v = versions.get_version(conn, work_id, n)
        if v and v["file_sha256"] and fs.exists(v["file_sha256"]):
            return {"sha256": v["file_sha256"], "file_name": v["file_name"], "media_type": v["media_type"],
                    "path": fs.path(v["file_sha256"])}
    row = work_row(conn, work_id)
    for src in ((row or {}).get("regulation") or {}).get("sources") or []:
        sha = src.get("sha256")
        if sha and not fs.exists(sha):
            with store.transaction():
                sha = _adopt_corpus_file(store, conn, src)
        if sha and fs.exists(sha):
            return {"sha256": sha, "file_name": src.get("path"), "media_type": src.get("media_type"), "path": fs.path(sha)}
    return None


def version_file(store, work_id: str, n: int) -> dict[str, Any] | None:
    conn = store.control()
    v = versions.get_version(conn, work_id, n)
    fs = files.FileStore(store_settings(store).files_dir)
    if v is None or not v["file_sha256"] or not fs.exists(v["file_sha256"]):
        return None
    return {"sha256": v["file_sha256"], "file_name": v["file_name"], "media_type": v["media_type"],
            "path": fs.path(v["file_sha256"])}


# --- metadata edits -------------------------------------------------------------------------------

def patch_metadata(store, work_id: str, fields: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Edit catalogue fields of a work; returns the new record. Raises :class:`UploadRejected`."""
    clean = clean_metadata(fields)
    if not clean:
        raise UploadRejected("invalid_metadata", "Nothing to change: give at least one field.",
                             "Tidak ada yang diubah: berikan setidaknya satu kolom.")
    conn = store.control()
    with store.transaction():
        ensure_schema(conn)
        row = work_row(conn, work_id)
        if row is None:
            raise UploadRejected("not_found", f"Regulation {work_id!r} was not found.",
                                 f"Peraturan {work_id!r} tidak ditemukan.", status=404)
        before_status = current_statuses(conn)
        if "status" in clean:
            derived = relation_edits.graph_from(conn).status(work_id)
            if clean["status"] is not None and clean["status"] not in STATUSES:
                raise UploadRejected("invalid_metadata", f"'status' must be one of {', '.join(STATUSES)}.",
                                     f"'status' harus salah satu dari {', '.join(STATUSES)}.")
            if derived != "berlaku":
                raise UploadRejected(
                    "status_from_relations",
                    f"The status of {work_id} is {derived!r} because of its relations; change the relations "
                    f"(POST/DELETE /api/v1/regulations/{{id}}/relations) instead of typing the status.",
                    f"Status {work_id} adalah {derived!r} karena relasinya; ubah relasinya "
                    f"(POST/DELETE /api/v1/regulations/{{id}}/relations), bukan mengetik statusnya.", status=409)
        record = dict(row["record"])
        provenance = dict(record.get("provenance") or {})
        changed_before, changed_after = {}, {}
        for key, value in clean.items():
            old = record.get(key)
            if old == value:
                continue
            changed_before[key], changed_after[key] = old, value
            set_field(record, provenance, key, value, f"edited by {actor}, {now()[:10]}")
        if not changed_after:
            return record
        order = date_order_problems(record)
        if order:
            raise invalid_metadata(order)
        if provenance:
            record["provenance"] = provenance
        WorkRepository(conn).set_record(work_id, record)
        # the chunks repeat the title fields for display and filters
        shown = {meta_key: changed_after[key] for key, meta_key in
                 (("judul", "judul"), ("jenis", "jenis"), ("tahun", "tahun"), ("noPeraturan", "nomor"))
                 if key in changed_after and changed_after[key] is not None}
        if shown:
            store.update_chunk_meta(work_id, shown)
        audit.record(conn, actor=actor, action="patch", work_id=work_id, before=changed_before, after=changed_after)
        sync_status(store, before_status, actor=actor, because=f"metadata of {work_id} edited", touched=(work_id,))
        store.bump_generation()
    return record


# --- withdraw / restore ---------------------------------------------------------------------------

def withdraw(store, work_id: str, *, actor: str, reason: str | None = None) -> dict[str, Any]:
    conn = store.control()
    with store.transaction():
        ensure_schema(conn)
        row = work_row(conn, work_id)
        if row is None:
            gone = withdrawn.is_withdrawn(conn, work_id)
            raise UploadRejected("already_withdrawn" if gone else "not_found",
                                 f"Regulation {work_id!r} is already withdrawn." if gone else f"Regulation {work_id!r} was not found.",
                                 f"Peraturan {work_id!r} sudah ditarik." if gone else f"Peraturan {work_id!r} tidak ditemukan.",
                                 status=409 if gone else 404)
        before_status = current_statuses(conn)
        row["content_hash"] = WorkRepository(conn).content_hash(work_id)
        flt = {"field": "meta.work_id", "operator": "==", "value": work_id}
        docs = store.filter_documents(flt, return_embedding=True)
        withdrawn.put(conn, work_id, row=row, documents=[_doc_dict(d) for d in docs], at=now(), by=actor, reason=reason)
        store.delete_by_filter(flt)
        WorkRepository(conn).delete(work_id)
        changes.note(conn, work_id, "withdrawn")
        audit.record(conn, actor=actor, action="withdraw", work_id=work_id, before=summary(row), after=None, detail=reason)
        sync_status(store, before_status, actor=actor, because=f"{work_id} withdrawn")
        store.bump_generation()
    return {"work_id": work_id, "withdrawn": True, "chunks": len(docs)}


def _doc_dict(doc) -> dict[str, Any]:
    d = doc.to_dict(flatten=False)
    if d.get("embedding") is not None:
        d["embedding"] = [float(x) for x in d["embedding"]]
    d.pop("score", None)
    return d


def restore(store, work_id: str, *, actor: str) -> dict[str, Any]:
    from haystack import Document

    conn = store.control()
    with store.transaction():
        ensure_schema(conn)
        got = withdrawn.get(conn, work_id)
        if got is None:
            raise UploadRejected("not_withdrawn", f"Regulation {work_id!r} is not withdrawn.",
                                 f"Peraturan {work_id!r} tidak dalam keadaan ditarik.", status=409 if work_row(conn, work_id) else 404)
        before_status = current_statuses(conn)
        row, kept = got
        docs = [Document.from_dict(d) for d in kept]
        WorkRepository(conn).restore(dict(row, id=work_id))
        changes.note(conn, work_id, "restored", replace_last=True)
        if docs:
            store.write_documents(docs)
        withdrawn.delete(conn, work_id)
        audit.record(conn, actor=actor, action="restore", work_id=work_id, before=None, after=summary(row))
        sync_status(store, before_status, actor=actor, because=f"{work_id} restored", touched=(work_id,))
        store.bump_generation()
    return {"work_id": work_id, "withdrawn": False, "chunks": len(docs)}


# --- relations by hand ----------------------------------------------------------------------------

# Relations that put their source after their target in time: they must never form a cycle
# (two works that each revoke the other would both end "dicabut").
_LATER_THAN = ("mengubah", "mencabut", "mencabut_sebagian")


def _path(graph, start: str, goal: str) -> list[str] | None:
    """A chain start -> ... -> goal of amending/revoking relations, or None (breadth first)."""
    from collections import deque

    seen, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            out = []
            while node is not None:
                out.append(node)
                node = seen[node]
            return out[::-1]
        for r in graph.outgoing(node):
            if r.type in _LATER_THAN and r.other and r.other not in seen:
                seen[r.other] = node
                queue.append(r.other)
    return None


def edit_relation(store, action: str, *, source: str, type: str, target: str, actor: str,
                  citation: str = "", article: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Add or remove the relation ``source`` <type> ``target`` (active voice); the status of the
    target follows in the same transaction. Returns the effective relations of ``source``."""
    if type not in RELATION_TYPES:
        raise UploadRejected("invalid_relation", f"'type' must be one of {', '.join(RELATION_TYPES)} (active voice).",
                             f"'type' harus salah satu dari {', '.join(RELATION_TYPES)} (bentuk aktif).")
    if source == target:
        raise UploadRejected("invalid_relation", "A regulation cannot state a relation to itself.",
                             "Peraturan tidak dapat berelasi dengan dirinya sendiri.")
    conn = store.control()
    with store.transaction():
        ensure_schema(conn)
        if work_row(conn, source) is None:
            raise UploadRejected("not_found", f"Regulation {source!r} was not found.", f"Peraturan {source!r} tidak ditemukan.", status=404)
        graph = relation_edits.graph_from(conn)
        exists = any(r.type == type and r.other == target for r in graph.outgoing(source))
        if action == "add" and exists:
            raise UploadRejected("relation_exists", f"{source} already states {type} {target}.",
                                 f"{source} sudah menyatakan {type} {target}.", status=409)
        if action == "remove" and not exists:
            raise UploadRejected("not_found", f"{source} states no {type} relation to {target}.",
                                 f"{source} tidak menyatakan relasi {type} terhadap {target}.", status=404)
        if action == "add" and type in _LATER_THAN:
            path = _path(graph, target, source)
            if path:
                chain = " -> ".join(path)
                raise UploadRejected(
                    "relation_cycle",
                    f"{source} cannot {type} {target}: {target} already amends or revokes {source} ({chain}); "
                    f"a regulation amends or revokes only earlier ones. Remove the wrong relation first.",
                    f"{source} tidak dapat {type} {target}: {target} sudah mengubah atau mencabut {source} ({chain}); "
                    f"peraturan hanya mengubah atau mencabut peraturan yang lebih dahulu. Hapus dulu relasi yang salah.",
                    status=409, path=path)
        before_status = current_statuses(conn)
        relation_edits.add_edit(conn, action, type, source=source, target=target, created_by=actor,
                                citation=citation, article=article, note=note)
        audit.record(conn, actor=actor, action=f"relation_{action}", work_id=source,
                     before=None if action == "add" else {"type": type, "target": target},
                     after={"type": type, "target": target, "citation": citation, "article": article} if action == "add" else None,
                     detail=note)
        moved = sync_status(store, before_status, actor=actor, because=f"relation {source} {type} {target} {action}ed by hand")
        WorkRepository(conn).touch(source)
        store.bump_generation()
        graph = relation_edits.graph_from(conn)
    return {"work_id": source, "status_changes": moved,
            "relations": [r.__dict__ for r in graph.outgoing(source)] + [r.__dict__ for r in graph.incoming(source)]}
