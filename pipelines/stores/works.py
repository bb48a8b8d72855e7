"""The catalogue table: one row per work (record, parsed text, dimensions, content hash).

It lives in the same SQLite file as the chunks and is written in the same transaction, so a
work's record and its chunks are always consistent.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from ingest.models import Regulation

# The chunk meta key that named the work before ``work_id`` (chunk meta of the embedded store's
# schema 1 and of Elasticsearch indices written before it; both stores migrate it on open).
LEGACY_WORK_KEY = "regulation_id"

SCHEMA = """
CREATE TABLE IF NOT EXISTS works (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,          -- catalogue record (JDIHN fields, sources, provenance) as JSON
    regulation TEXT,               -- the parsed Regulation as JSON, NULL for metadata-only records
    dimensions TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT,
    chunks INTEGER NOT NULL DEFAULT 0,
    has_text INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
)
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)  # one statement: safe inside the caller's transaction


class WorkRepository:
    """Reads and writes work rows on a connection the caller manages (and commits)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        ensure_schema(conn)

    @classmethod
    def of(cls, store) -> "WorkRepository":
        """The repository on the store's own connection for this thread, so that writes join the
        store's transaction (``with store.transaction(): ...``)."""
        return cls(store.control())

    def content_hash(self, work_id: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM works WHERE id = ?", (work_id,)).fetchone()
        return row[0] if row else None

    def upsert(self, work_id: str, *, record: dict[str, Any], regulation: Regulation | None,
               content_hash: str, chunks: int, dimensions: dict) -> None:
        has_text = regulation is not None and bool(regulation.articles or regulation.amendments)
        self.conn.execute(
            """INSERT INTO works (id, record, regulation, dimensions, content_hash, chunks, has_text, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET record=excluded.record, regulation=excluded.regulation,
                 dimensions=excluded.dimensions, content_hash=excluded.content_hash, chunks=excluded.chunks,
                 has_text=excluded.has_text, updated_at=excluded.updated_at""",
            (work_id, json.dumps(record, ensure_ascii=False, default=str),
             json.dumps(regulation.to_dict(), ensure_ascii=False) if regulation else None,
             json.dumps(dimensions, ensure_ascii=False), content_hash, chunks, int(has_text),
             datetime.now(timezone.utc).isoformat(timespec="seconds")),
        )

    def get(self, work_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, record, regulation, dimensions, chunks, has_text, updated_at FROM works WHERE id = ?",
            (work_id,)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, record, NULL, dimensions, chunks, has_text, updated_at FROM works ORDER BY id").fetchall()
        return [_row(r) for r in rows]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM works").fetchone()[0]

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM works ORDER BY id")]

    def rows(self) -> list[dict[str, Any]]:
        """Every row whole (record, regulation, dimensions), ordered by id."""
        rows = self.conn.execute(
            "SELECT id, record, regulation, dimensions, chunks, has_text, updated_at FROM works ORDER BY id").fetchall()
        return [_row(r) for r in rows]

    def regulations(self) -> dict[str, dict[str, Any] | None]:
        """Work id -> its parsed text (as a dict; None for a metadata-only record)."""
        return {r[0]: json.loads(r[1]) if r[1] else None for r in self.conn.execute("SELECT id, regulation FROM works")}

    def updated(self) -> list[tuple[str, str]]:
        """``(id, updated_at)`` of every work, oldest change first."""
        return self.conn.execute("SELECT id, updated_at FROM works ORDER BY updated_at, id").fetchall()

    def set_record(self, work_id: str, record: dict[str, Any]) -> None:
        self.conn.execute("UPDATE works SET record = ?, updated_at = ? WHERE id = ?",
                          (json.dumps(record, ensure_ascii=False, default=str), _now(), work_id))

    def set_chunks(self, work_id: str, chunks: int) -> None:
        self.conn.execute("UPDATE works SET chunks = ? WHERE id = ? AND chunks != ?", (chunks, work_id, chunks))

    def touch(self, work_id: str) -> None:
        """Mark the work changed now (its relations were edited)."""
        self.conn.execute("UPDATE works SET updated_at = ? WHERE id = ?", (_now(), work_id))

    def delete(self, work_id: str) -> None:
        self.conn.execute("DELETE FROM works WHERE id = ?", (work_id,))

    def clear(self) -> None:
        self.conn.execute("DELETE FROM works")

    def restore(self, row: dict[str, Any]) -> None:
        """Insert a row as :meth:`get` returned it (with its ``content_hash``), e.g. a withdrawn work coming back."""
        self.conn.execute(
            "INSERT INTO works (id, record, regulation, dimensions, content_hash, chunks, has_text, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row["id"], json.dumps(row["record"], ensure_ascii=False, default=str),
             json.dumps(row["regulation"], ensure_ascii=False) if row.get("regulation") else None,
             json.dumps(row.get("dimensions") or {}, ensure_ascii=False), row.get("content_hash"),
             row.get("chunks") or 0, int(bool(row.get("has_text"))), _now()))

    def with_source(self, sha256: str) -> str | None:
        """The work one of whose sources has these bytes (``regulation.sources[].sha256``)."""
        row = self.conn.execute(
            "SELECT w.id FROM works w, json_each(w.regulation, '$.sources') s "
            "WHERE w.regulation IS NOT NULL AND json_extract(s.value, '$.sha256') = ? LIMIT 1", (sha256,)).fetchone()
        return row[0] if row else None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_rows(conn: sqlite3.Connection) -> list[tuple]:
    """Every works row as stored (id, record, regulation, dimensions, chunks, has_text,
    updated_at: JSON as text), on a read-only connection; none when the file has no works table."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='works'").fetchone()
    return conn.execute(
        "SELECT id, record, regulation, dimensions, chunks, has_text, updated_at FROM works").fetchall() if exists else []


def read_rows_at(db_path) -> list[tuple] | None:
    """:func:`read_rows` of the SQLite file at ``db_path``, opened read-only for this one read;
    None when the file cannot be opened, none when it is not a database or has no works table."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30.0)
    except sqlite3.OperationalError:
        return None
    try:
        return read_rows(conn)
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()


def _row(row) -> dict[str, Any]:
    return {
        "id": row[0],
        "record": json.loads(row[1]),
        "regulation": json.loads(row[2]) if row[2] else None,
        "dimensions": json.loads(row[3] or "{}"),
        "chunks": row[4],
        "has_text": bool(row[5]),
        "updated_at": row[6],
    }
