"""The change feed: new, changed and withdrawn works, in order, for services that follow the KB.

Events are written by SQLite triggers on the ``works`` table (``created`` on insert, ``changed``
on update), so every writer is covered, ``jdih ingest`` included, in the writer's own
transaction; curation code adds ``withdrawn``, ``restored`` and ``status`` (a relation elsewhere
changed this work's status). The first time the table is made, every existing work gets a
``created`` event, so a follower starting from the beginning sees the whole knowledge base.

    from pipelines.staff.changes import feed
    page = feed(conn, since="2025-01-01T00:00:00+00:00")   # or after_seq=<cursor>
    [(e["seq"], e["work_id"], e["kind"]) for e in page]
"""
from __future__ import annotations

import sqlite3
from typing import Any

from pipelines.staff.accounts import now
from pipelines.stores.works import WorkRepository
from pipelines.stores.works import ensure_schema as ensure_works

KINDS = ("created", "changed", "withdrawn", "restored", "status")

SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL
)
"""
_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS works_changes_insert AFTER INSERT ON works BEGIN
         INSERT INTO changes (work_id, kind, at) VALUES (NEW.id, 'created', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
       END""",
    """CREATE TRIGGER IF NOT EXISTS works_changes_update AFTER UPDATE ON works BEGIN
         INSERT INTO changes (work_id, kind, at) VALUES (NEW.id, 'changed', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
       END""",
)


def ensure_schema(conn: sqlite3.Connection) -> None:
    ensure_works(conn)
    fresh = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='changes'").fetchone() is None
    conn.execute(SCHEMA)
    for t in _TRIGGERS:
        conn.execute(t)
    if fresh:
        conn.executemany("INSERT INTO changes (work_id, kind, at) VALUES (?, 'created', ?)", WorkRepository(conn).updated())


def note(conn: sqlite3.Connection, work_id: str, kind: str, *, replace_last: bool = False) -> None:
    """Add an event; ``replace_last`` renames the trigger's event just written for this work
    (a restore re-inserts the row: the follower should read ``restored``, not ``created``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    ensure_schema(conn)
    if replace_last:
        row = conn.execute("SELECT max(seq) FROM changes WHERE work_id = ?", (work_id,)).fetchone()
        if row and row[0] is not None:
            conn.execute("UPDATE changes SET kind = ? WHERE seq = ?", (kind, row[0]))
            return
    conn.execute("INSERT INTO changes (work_id, kind, at) VALUES (?, ?, ?)", (work_id, kind, now()))


def feed(conn: sqlite3.Connection, *, after_seq: int = 0, since: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Events after ``after_seq`` (the cursor) and at or after ``since`` (ISO 8601), oldest first."""
    ensure_schema(conn)
    where, args = ["seq > ?"], [after_seq]
    if since:
        where.append("at >= ?")
        args.append(since)
    rows = conn.execute(f"SELECT seq, work_id, kind, at FROM changes WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?",
                        (*args, limit)).fetchall()
    return [dict(zip(("seq", "work_id", "kind", "at"), r)) for r in rows]
