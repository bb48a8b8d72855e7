"""Versions of a work: each file staff upload for it is a new version; old versions stay readable.

A version keeps its file (by SHA-256, in :mod:`pipelines.staff.files`), the catalogue record and the
parsed regulation as they were, so ``/regulations/{id}/versions/{n}`` and its file link never
break. The works row always holds the newest version (the one that is searched).

A work ingested from the shipped corpus has no version rows until its first upload; then its
state is kept as version 1 (:func:`ensure_baseline`) before the upload becomes version 2.

    from pipelines.staff.versions import add_version, list_versions
    n = add_version(conn, "uu-11-2008", file_sha256=sha, file_name="uu-11-2008.pdf", ...)
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from pipelines.staff.accounts import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS work_versions (
    work_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    file_sha256 TEXT,              -- NULL: a version whose file is not held (e.g. metadata-only)
    file_name TEXT,                -- cleaned display name
    media_type TEXT,
    record TEXT NOT NULL,          -- JSON
    regulation TEXT,               -- JSON (Regulation.to_dict()), NULL when it had no text
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    job_id TEXT,
    note TEXT,
    PRIMARY KEY (work_id, n)
)
"""
_COLS = ("work_id", "n", "file_sha256", "file_name", "media_type", "record", "regulation", "created_at",
         "created_by", "job_id", "note")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)
    conn.execute("CREATE INDEX IF NOT EXISTS ix_versions_sha ON work_versions (file_sha256)")


def _row(row, full: bool) -> dict[str, Any]:
    d = dict(zip(_COLS, row))
    d["record"] = json.loads(d["record"]) if full else None
    d["regulation"] = json.loads(d["regulation"]) if (full and d["regulation"]) else None
    if not full:
        d.pop("record")
        d.pop("regulation")
    return d


def list_versions(conn: sqlite3.Connection, work_id: str) -> list[dict[str, Any]]:
    ensure_schema(conn)
    rows = conn.execute(f"SELECT {', '.join(_COLS)} FROM work_versions WHERE work_id = ? ORDER BY n", (work_id,))
    return [_row(r, False) for r in rows]


def get_version(conn: sqlite3.Connection, work_id: str, n: int) -> dict[str, Any] | None:
    ensure_schema(conn)
    row = conn.execute(f"SELECT {', '.join(_COLS)} FROM work_versions WHERE work_id = ? AND n = ?", (work_id, n)).fetchone()
    return _row(row, True) if row else None


def latest(conn: sqlite3.Connection, work_id: str) -> int:
    ensure_schema(conn)
    return conn.execute("SELECT coalesce(max(n), 0) FROM work_versions WHERE work_id = ?", (work_id,)).fetchone()[0]


def by_job(conn: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    ensure_schema(conn)
    row = conn.execute(f"SELECT {', '.join(_COLS)} FROM work_versions WHERE job_id = ?", (job_id,)).fetchone()
    return _row(row, False) if row else None


def works_with_file(conn: sqlite3.Connection, sha256: str) -> list[tuple[str, int]]:
    ensure_schema(conn)
    return [tuple(r) for r in conn.execute("SELECT work_id, n FROM work_versions WHERE file_sha256 = ? ORDER BY work_id, n",
                                           (sha256,))]


def add_version(conn: sqlite3.Connection, work_id: str, *, file_sha256: str | None, file_name: str | None,
                media_type: str | None, record: dict, regulation: dict | None, created_by: str,
                job_id: str | None = None, note: str | None = None, n: int | None = None,
                created_at: str | None = None) -> int:
    ensure_schema(conn)
    n = n or latest(conn, work_id) + 1
    conn.execute(f"INSERT INTO work_versions ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
                 (work_id, n, file_sha256, file_name, media_type, json.dumps(record, ensure_ascii=False, default=str),
                  json.dumps(regulation, ensure_ascii=False) if regulation else None, created_at or now(),
                  created_by, job_id, note))
    return n


def ensure_baseline(conn: sqlite3.Connection, work_row: dict[str, Any], *, file_sha256: str | None,
                    file_name: str | None, media_type: str | None) -> int | None:
    """Keep the current state of a work that has text but no version rows as version 1."""
    if latest(conn, work_row["id"]) or not work_row.get("has_text"):
        return None
    return add_version(conn, work_row["id"], file_sha256=file_sha256, file_name=file_name, media_type=media_type,
                       record=work_row["record"], regulation=work_row.get("regulation"),
                       created_by="system", note="the state before the first upload (ingested from the corpus)",
                       created_at=work_row.get("updated_at"))


def all_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    ensure_schema(conn)
    return [_row(r, True) for r in conn.execute(f"SELECT {', '.join(_COLS)} FROM work_versions ORDER BY work_id, n")]
