"""The legal staff's decisions on which regulations govern a Smart City service.

The system *proposes* a service's legal basis (search_api/services.py runs the product's own ask
and search machinery over the service's function); this table holds only what staff decided
about it, one row per (service, regulation), stored over ``store.control()`` like the relation
edits, so it works on both stores:

- ``confirmed`` with ``origin='system'``: a proposal staff confirmed;
- ``confirmed`` with ``origin='staff'``: a regulation staff added that the system did not propose;
- ``removed``: a link staff removed; a removed proposal stays removed however often the system
  proposes it again (until staff confirm or add it once more).

Every decision is written in one transaction with its audit entry (``service_link_confirm``,
``service_link_add``, ``service_link_remove``). The decisions do not change any work, chunk or
proposal, so they do not bump the store's generation: readers read them live (a small table).

    from pipelines.staff.service_links import decide, decisions
    with store.transaction():
        decide(store.control(), "ngalam-command-center", "uu-14-2008", "confirm", actor="staff-1 (ab12)",
               origin="system", articles=["7"], note="complaints = requests for public information")
    decisions(store.control(), "ngalam-command-center")   # {"uu-14-2008": {...}}
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from pipelines.staff import audit
from pipelines.staff.accounts import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS service_links (
    service_id TEXT NOT NULL,
    work_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('confirmed', 'removed')),
    origin TEXT NOT NULL CHECK (origin IN ('system', 'staff')),
    articles TEXT NOT NULL DEFAULT '[]',   -- JSON list of the Pasal staff cite ([] = the regulation as a whole)
    note TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (service_id, work_id)
)
"""
_COLS = ("service_id", "work_id", "state", "origin", "articles", "note", "decided_by", "decided_at")
ACTIONS = {"confirm": "confirmed", "add": "confirmed", "remove": "removed"}


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)


def _row(r: Iterable[Any]) -> dict[str, Any]:
    d = dict(zip(_COLS, r))
    d["articles"] = json.loads(d["articles"] or "[]")
    return d


def decisions(conn: sqlite3.Connection, service_id: str | None = None) -> dict[str, Any]:
    """``{work_id: decision}`` of one service, or ``{service_id: {work_id: decision}}`` of all.
    A connection without the table (a reader of an older file) has no decisions."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='service_links'").fetchone()
    if not exists:
        return {}
    if service_id is not None:
        rows = conn.execute(f"SELECT {', '.join(_COLS)} FROM service_links WHERE service_id = ? ORDER BY work_id",
                            (service_id,)).fetchall()
        return {r[1]: _row(r) for r in rows}
    out: dict[str, dict[str, Any]] = {}
    for r in conn.execute(f"SELECT {', '.join(_COLS)} FROM service_links ORDER BY service_id, work_id"):
        out.setdefault(r[0], {})[r[1]] = _row(r)
    return out


def decide(conn: sqlite3.Connection, service_id: str, work_id: str, action: str, *, actor: str, origin: str,
           articles: list[str] | None = None, note: str | None = None) -> dict[str, Any]:
    """Store one decision (``confirm``, ``add`` or ``remove``) and its audit entry, on ``conn``
    inside the caller's transaction. ``origin``: who first named the link, ``system`` (a
    proposal) or ``staff`` (added by hand). Returns the stored row."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    if origin not in ("system", "staff"):
        raise ValueError(f"origin must be system or staff, got {origin!r}")
    ensure_schema(conn)
    before = decisions(conn, service_id).get(work_id)
    row = {"service_id": service_id, "work_id": work_id, "state": ACTIONS[action], "origin": origin,
           "articles": [str(a) for a in (articles or [])], "note": note, "decided_by": actor, "decided_at": now()}
    conn.execute(f"INSERT OR REPLACE INTO service_links ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
                 [json.dumps(row[c], ensure_ascii=False) if c == "articles" else row[c] for c in _COLS])
    audit.record(conn, actor=actor, action=f"service_link_{action}", work_id=work_id,
                 before={"service": service_id, **({k: before[k] for k in ("state", "origin", "articles")} if before
                                                    else {"state": "proposed" if origin == "system" else None})},
                 after={"service": service_id, "state": row["state"], "origin": origin, "articles": row["articles"]},
                 detail=f"service {service_id}" + (f": {note}" if note else ""))
    return row


def record_decision(store, service_id: str, work_id: str, action: str, *, actor: str, origin: str,
                    articles: list[str] | None = None, note: str | None = None) -> dict[str, Any]:
    """:func:`decide` in one transaction of ``store`` (either store: its control file)."""
    from pipelines.stores.works import WorkRepository

    conn = store.control()
    with store.transaction():
        ensure_schema(conn)
        if WorkRepository(conn).get(work_id) is None:
            raise LookupError(work_id)
        return decide(conn, service_id, work_id, action, actor=actor, origin=origin, articles=articles, note=note)


__all__ = ["ACTIONS", "decide", "decisions", "ensure_schema", "record_decision"]
