"""The audit log: every change to the knowledge base, who made it, when, and before/after.

Written in the same transaction as the change it records, so the log and the data never
disagree (a rolled-back change leaves no entry). Read by admins (GET /api/v1/audit).

    from pipelines.staff.audit import record, entries
    record(conn, actor="bagian-hukum-1 (3f2a...)", action="patch", work_id="perwal-malang-9-2022",
           before={"judul": "..."}, after={"judul": "..."})
    entries(conn, work_id="perwal-malang-9-2022")
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from pipelines.staff.accounts import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,           -- "name (account id)", or "system" / "cli:<user>"
    action TEXT NOT NULL,          -- upload, new_version, upgrade, patch, withdraw, restore,
                                   -- relation_add, relation_remove, status, token_create, token_revoke, import
    work_id TEXT,
    before TEXT,                   -- JSON
    after TEXT,                    -- JSON
    detail TEXT
)
"""
_COLS = ("id", "at", "actor", "action", "work_id", "before", "after", "detail")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)
    conn.execute("CREATE INDEX IF NOT EXISTS ix_audit_work ON audit_log (work_id, id)")


def record(conn: sqlite3.Connection, *, actor: str, action: str, work_id: str | None = None,
           before: Any = None, after: Any = None, detail: str | None = None, at: str | None = None) -> int:
    ensure_schema(conn)
    cur = conn.execute(
        "INSERT INTO audit_log (at, actor, action, work_id, before, after, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at or now(), actor, action, work_id,
         None if before is None else json.dumps(before, ensure_ascii=False, default=str),
         None if after is None else json.dumps(after, ensure_ascii=False, default=str), detail))
    return cur.lastrowid


def _entry(row) -> dict[str, Any]:
    d = dict(zip(_COLS, row))
    for k in ("before", "after"):
        d[k] = json.loads(d[k]) if d[k] is not None else None
    return d


def entries(conn: sqlite3.Connection, *, work_id: str | None = None, action: str | None = None,
            after_id: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries in order, from ``after_id`` (exclusive): pass the last id back to page on."""
    ensure_schema(conn)
    where, args = ["id > ?"], [after_id]
    if work_id:
        where.append("work_id = ?")
        args.append(work_id)
    if action:
        where.append("action = ?")
        args.append(action)
    rows = conn.execute(f"SELECT {', '.join(_COLS)} FROM audit_log WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
                        (*args, limit)).fetchall()
    return [_entry(r) for r in rows]
