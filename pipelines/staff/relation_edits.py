"""Relations that staff add or correct by hand, on top of those the parser read.

A relation is stored once, in the active voice, by the work that states it: the parser's
relations live in that work's parsed regulation (``works.regulation``); this table holds staff
edits only: ``add`` (a relation the text states but the parser missed, or one a metadata-only
work states) and ``remove`` (a parsed relation that is wrong). The effective relations are the
parsed ones minus the removed plus the added; status (berlaku / diubah / dicabut) is always
derived from them (:mod:`regulations.relations`), never typed in.

    from pipelines.staff.relation_edits import add_edit, effective_graph
    add_edit(conn, "add", "mencabut", source="perwal-malang-9-2022", target="perwal-malang-55-2019", ...)
    effective_graph(db_path, {work_id: regulation_dict}).status("perwal-malang-55-2019")   # 'dicabut'
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Mapping

from ingest.vocabulary import RELATION_TYPES
from pipelines.staff.accounts import now
from pipelines.stores.works import WorkRepository
from regulations.relations import Relation, RelationGraph, relations_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS relation_edits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    citation TEXT NOT NULL DEFAULT '',
    article TEXT,
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""
_COLS = ("id", "action", "type", "source", "target", "citation", "article", "note", "created_by", "created_at")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)


def edits(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    ensure_schema(conn)
    return [dict(zip(_COLS, r)) for r in conn.execute(f"SELECT {', '.join(_COLS)} FROM relation_edits ORDER BY id")]


def add_edit(conn: sqlite3.Connection, action: str, type: str, *, source: str, target: str, created_by: str,
             citation: str = "", article: str | None = None, note: str | None = None,
             created_at: str | None = None) -> int:
    if action not in ("add", "remove"):
        raise ValueError(f"action must be add or remove, got {action!r}")
    if type not in RELATION_TYPES:
        raise ValueError(f"relation type must be one of {', '.join(RELATION_TYPES)} (active voice), got {type!r}")
    ensure_schema(conn)
    # an edit that undoes the opposite edit replaces it, so the table stays the short list of corrections
    opposite = "remove" if action == "add" else "add"
    row = conn.execute("SELECT id FROM relation_edits WHERE action = ? AND type = ? AND source = ? AND target = ?",
                       (opposite, type, source, target)).fetchone()
    if row:
        conn.execute("DELETE FROM relation_edits WHERE id = ?", (row[0],))
        return row[0]
    cur = conn.execute(
        f"INSERT INTO relation_edits ({', '.join(_COLS[1:])}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (action, type, source, target, citation or "", article, note, created_by, created_at or now()))
    return cur.lastrowid


def apply_edits(parsed: list[Relation], edit_rows: list[dict[str, Any]]) -> list[Relation]:
    removed = {(e["type"], e["source"], e["target"]) for e in edit_rows if e["action"] == "remove"}
    out = [r for r in parsed if (r.type, r.source, r.target) not in removed]
    have = {(r.type, r.source, r.target) for r in out}
    for e in edit_rows:
        key = (e["type"], e["source"], e["target"])
        if e["action"] == "add" and key not in have:
            have.add(key)
            out.append(Relation(e["type"], e["target"], e["citation"] or "", e["article"], source=e["source"]))
    return out


def graph_from(conn: sqlite3.Connection, regulations: Mapping[str, Mapping[str, Any] | None] | None = None) -> RelationGraph:
    """The effective relation graph read on ``conn`` (works rows, then the edits)."""
    if regulations is None:
        regulations = WorkRepository(conn).regulations()
    parsed = [r for wid, reg in regulations.items() for r in relations_of(wid, reg)]
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='relation_edits'").fetchone()
    return RelationGraph(apply_edits(parsed, edits(conn) if exists else []))


def effective_graph(db_path: str | Path, regulations: Mapping[str, Mapping[str, Any] | None]) -> RelationGraph:
    """For readers (the API's snapshot): the parsed relations of ``regulations`` with the staff
    edits stored in ``db_path`` applied; no edits table -> the parsed relations alone."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30.0)
    except sqlite3.OperationalError:
        return RelationGraph.from_regulations(regulations)
    try:
        return graph_from(conn, regulations)
    except sqlite3.DatabaseError:
        return RelationGraph.from_regulations(regulations)
    finally:
        conn.close()


def statuses(graph: RelationGraph, work_ids) -> dict[str, str]:
    return {w: graph.status(w) for w in work_ids}


__all__ = ["add_edit", "apply_edits", "edits", "effective_graph", "graph_from", "statuses"]
