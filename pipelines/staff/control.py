"""The control plane: the repository of the staff's tables in the SQLite control file.

Both deployments keep one SQLite control file (the whole knowledge base on the embedded store; on
Elasticsearch the writer's ``JDIH_DATA_DIR/jdih.sqlite3``). Beside the works table it holds the
control-plane tables: accounts, jobs, files, versions, audit, relation edits, service links,
changes and withdrawn works. Each table's SQL and ``CREATE TABLE`` stay in the module that owns
it (``pipelines/staff/<table>.py``, the works table in ``pipelines/stores/works.py``); this
module is where they meet:

- :func:`ensure_schema` makes every control-plane table that is missing (the one list of them);
- :class:`ControlPlane` is what the code above ``pipelines`` (the API, the pages, the ``jdih``
  command) uses instead of a connection: typed reads and writes of those tables, and
  :meth:`ControlPlane.transaction`, which is the store's transaction, so that a control-plane
  write and the chunk writes of the same change commit or roll back together.

    control = ControlPlane(store)            # or ControlPlane.open(settings)
    with control.transaction():
        account, token = control.create_account(name="staff-1", role="staff", created_by="cli")
        control.audit(actor="cli", action="token_create", after=account.to_dict())
    control.versions("perwal-malang-9-2022")
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from pipelines.staff import accounts, audit, changes, files, jobs, relation_edits, service_links, versions, withdrawn
from pipelines.staff.accounts import Account
from pipelines.stores.factory import open_store
from pipelines.stores.works import WorkRepository
from pipelines.stores.works import ensure_schema as ensure_works
from regulations.relations import RelationGraph


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create every control-plane table that is missing (idempotent, cheap; one statement each,
    so it is safe inside the caller's transaction)."""
    ensure_works(conn)
    accounts.ensure_schema(conn)
    files.ensure_schema(conn)
    audit.ensure_schema(conn)
    versions.ensure_schema(conn)
    relation_edits.ensure_schema(conn)
    service_links.ensure_schema(conn)
    changes.ensure_schema(conn)
    jobs.ensure_schema(conn)
    withdrawn.ensure_schema(conn)


class ControlPlane:
    """The control-plane tables of one store's control file.

    A thin typed facade: each method is one call into the module that owns the table, on the
    store's connection for this thread (``store.control()``), so that its writes join the store's
    transaction. Reads outside :meth:`transaction` run in autocommit, as before.
    """

    def __init__(self, store):
        self.store = store

    @classmethod
    def open(cls, settings=None) -> "ControlPlane":
        """The configured store's control plane, every table present."""
        control = cls(open_store(settings))
        with control.transaction():
            control.ensure_schema()
        return control

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection to the control file, for the table modules of
        ``pipelines.staff`` (the code above ``pipelines`` calls the methods instead)."""
        return self.store.control()

    def ensure_schema(self) -> None:
        ensure_schema(self.conn)

    @contextmanager
    def transaction(self) -> Iterator["ControlPlane"]:
        """One atomic change: the store's transaction (nested blocks are savepoints)."""
        with self.store.transaction():
            yield self

    # --- accounts --------------------------------------------------------------------------

    def authenticate(self, token: str | None) -> Account | None:
        """The active account holding ``token`` (and its ``last_used_at`` noted), or None."""
        return accounts.authenticate(self.conn, token)

    def accounts(self, *, include_revoked: bool = True) -> list[Account]:
        return accounts.list_accounts(self.conn, include_revoked=include_revoked)

    def create_account(self, *, name: str, role: str, created_by: str | None = None,
                       expires_in_days: int | None = None) -> tuple[Account, str]:
        """A new account and its token (shown once). Raises :class:`accounts.AccountError`."""
        return accounts.create_token(self.conn, name=name, role=role, created_by=created_by,
                                     expires_in_days=expires_in_days)

    def revoke_account(self, name_or_id: str) -> list[Account]:
        """Revoke the active account(s) with this id or name. Raises :class:`accounts.AccountError`."""
        return accounts.revoke(self.conn, name_or_id)

    # --- audit and changes -----------------------------------------------------------------

    def audit(self, *, actor: str, action: str, work_id: str | None = None, before: Any = None,
              after: Any = None, detail: str | None = None) -> int:
        """Add an audit entry; returns its id."""
        return audit.record(self.conn, actor=actor, action=action, work_id=work_id, before=before, after=after,
                            detail=detail)

    def audit_entries(self, *, work_id: str | None = None, action: str | None = None, after_id: int = 0,
                      limit: int = 100) -> list[dict[str, Any]]:
        return audit.entries(self.conn, work_id=work_id, action=action, after_id=after_id, limit=limit)

    def changes(self, *, after_seq: int = 0, since: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The change feed after the cursor ``after_seq``, oldest first."""
        return changes.feed(self.conn, after_seq=after_seq, since=since, limit=limit)

    # --- works, versions, withdrawn works ------------------------------------------------------

    def work(self, work_id: str) -> dict[str, Any] | None:
        """The works row (record, parsed regulation, dimensions...) or None."""
        return WorkRepository(self.conn).get(work_id)

    def versions(self, work_id: str) -> list[dict[str, Any]]:
        return versions.list_versions(self.conn, work_id)

    def version(self, work_id: str, n: int) -> dict[str, Any] | None:
        return versions.get_version(self.conn, work_id, n)

    def is_withdrawn(self, work_id: str) -> bool:
        return withdrawn.is_withdrawn(self.conn, work_id)

    def withdrawn(self) -> list[dict[str, Any]]:
        return withdrawn.entries(self.conn)

    # --- relations and the services' legal basis -----------------------------------------------

    def relation_graph(self) -> RelationGraph:
        """The effective relations: the parsed ones with the staff's edits applied."""
        return relation_edits.graph_from(self.conn)

    def relation_edits(self) -> list[dict[str, Any]]:
        return relation_edits.edits(self.conn)

    def service_decisions(self, service_id: str | None = None) -> dict[str, Any]:
        return service_links.decisions(self.conn, service_id)

    # --- files ---------------------------------------------------------------------------------

    def find_duplicate(self, sha256: str) -> dict[str, Any] | None:
        """Where these exact bytes already are: a work (current or older version), a withdrawn
        work, or a job still running on them."""
        conn = self.conn
        ensure_schema(conn)
        for work_id, n in versions.works_with_file(conn, sha256):
            return {"work_id": work_id, "version": n, "withdrawn": withdrawn.is_withdrawn(conn, work_id)}
        holder = WorkRepository(conn).with_source(sha256)
        if holder:
            return {"work_id": holder, "version": None, "withdrawn": False}
        gone = withdrawn.holding_file(conn, sha256)
        if gone:
            return {"work_id": gone, "version": None, "withdrawn": True}
        running = jobs.active_with_file(conn, sha256)
        return {"job_id": running[0]} if running else None

    def sweep_files(self, files_dir: str | Path, *, stale_s: float = 3600) -> dict[str, list[str]]:
        """:meth:`files.FileStore.sweep` of ``files_dir`` (run it inside :meth:`transaction`)."""
        return files.FileStore(files_dir).sweep(self.conn, stale_s=stale_s)


__all__ = ["ControlPlane", "ensure_schema"]
