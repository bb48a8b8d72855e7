"""The withdrawn works: a work withdrawn by staff (soft removal) keeps its works row and its
chunks (embeddings included) here, so a restore needs no re-indexing (:mod:`pipelines.staff.curation`
moves them out and back). This module owns the ``withdrawn_works`` table and its SQL."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from pipelines.stores.works import LEGACY_WORK_KEY

SCHEMA = """
CREATE TABLE IF NOT EXISTS withdrawn_works (
    work_id TEXT PRIMARY KEY,
    row TEXT NOT NULL,             -- the works row as JSON
    documents TEXT NOT NULL,       -- its chunks (Document.to_dict(), embeddings included) as JSON
    withdrawn_at TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    reason TEXT
)
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)


def is_withdrawn(conn: sqlite3.Connection, work_id: str) -> bool:
    ensure_schema(conn)
    return conn.execute("SELECT 1 FROM withdrawn_works WHERE work_id = ?", (work_id,)).fetchone() is not None


def put(conn: sqlite3.Connection, work_id: str, *, row: dict[str, Any], documents: list[dict[str, Any]],
        at: str, by: str, reason: str | None) -> None:
    """Keep a withdrawn work's row and chunks (``Document.to_dict(flatten=False)`` each)."""
    conn.execute("INSERT INTO withdrawn_works (work_id, row, documents, withdrawn_at, withdrawn_by, reason) VALUES (?, ?, ?, ?, ?, ?)",
                 (work_id, json.dumps(row, ensure_ascii=False, default=str),
                  json.dumps(documents, ensure_ascii=False), at, by, reason))


def get(conn: sqlite3.Connection, work_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The row and chunk dicts kept for a withdrawn work, or None when it is not withdrawn. Chunks
    kept before the meta key ``regulation_id`` became ``work_id`` come back with the new key."""
    got = conn.execute("SELECT row, documents FROM withdrawn_works WHERE work_id = ?", (work_id,)).fetchone()
    if got is None:
        return None
    docs = json.loads(got[1])
    for d in docs:
        meta = d.get("meta")
        if isinstance(meta, dict) and LEGACY_WORK_KEY in meta:
            d["meta"] = {("work_id" if k == LEGACY_WORK_KEY else k): v for k, v in meta.items()}
    return json.loads(got[0]), docs


def delete(conn: sqlite3.Connection, work_id: str) -> None:
    conn.execute("DELETE FROM withdrawn_works WHERE work_id = ?", (work_id,))


def entries(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every withdrawn work, the oldest withdrawal first (no rows, no chunks)."""
    ensure_schema(conn)
    return [{"work_id": r[0], "withdrawn_at": r[1], "withdrawn_by": r[2], "reason": r[3]}
            for r in conn.execute("SELECT work_id, withdrawn_at, withdrawn_by, reason FROM withdrawn_works ORDER BY withdrawn_at")]


def holding_file(conn: sqlite3.Connection, sha256: str) -> str | None:
    """The withdrawn work one of whose sources has these bytes."""
    for work_id, row_json in conn.execute("SELECT work_id, row FROM withdrawn_works"):
        reg = json.loads(row_json).get("regulation") or {}
        if any(s.get("sha256") == sha256 for s in reg.get("sources") or []):
            return work_id
    return None


__all__ = ["SCHEMA", "delete", "ensure_schema", "entries", "get", "holding_file", "is_withdrawn", "put"]
