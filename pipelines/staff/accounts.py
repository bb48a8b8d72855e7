"""Accounts and API tokens: who may write to the knowledge base.

Roles, weakest first: ``public`` (read; no token needed), ``staff`` (upload, edit, withdraw,
relations), ``admin`` (everything staff may do, plus accounts and the audit log).

A token is ``jdih_`` + 43 URL-safe characters (256 random bits from :mod:`secrets`). Only its
SHA-256 is stored: the secret is shown once, when created. A fast hash is enough here because
the secret is random, not a password a person chose: there is no dictionary to try, and 2**256
guesses stay out of reach whatever the hash costs (see docs/security.md).

    from pipelines.staff.accounts import create_token, authenticate
    account, secret = create_token(conn, name="bagian-hukum-1", role="staff")
    authenticate(conn, secret).role      # 'staff'

Every function takes a ``sqlite3.Connection`` that the caller manages (and commits): the same
SQLite file as the store, so one backup holds the accounts too.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

ROLES = ("public", "staff", "admin")
TOKEN_PREFIX = "jdih_"
TOKEN_BYTES = 32
MAX_NAME = 80

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('public', 'staff', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,       -- sha256 hex of the token; the token itself is never stored
    created_at TEXT NOT NULL,
    created_by TEXT,
    revoked_at TEXT,
    last_used_at TEXT,
    expires_at TEXT                        -- NULL: never
)
"""
DEFAULT_EXPIRY_DAYS = 365  # of tokens made by `jdih token create` and POST /accounts (0: never)


class AccountError(ValueError):
    """A bad account request (unknown role, duplicate name, nothing to revoke)."""


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    role: str
    created_at: str
    created_by: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None
    expires_at: str | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= now()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    def has_role(self, role: str) -> bool:
        """Does this account's role include ``role`` (admin includes staff)?"""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def actor(self) -> str:
        """How the audit log names this account."""
        return f"{self.name} ({self.id})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"active": self.active}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.execute(SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(accounts)")}
    if "expires_at" not in columns:  # a knowledge base made before tokens expired: they never do
        conn.execute("ALTER TABLE accounts ADD COLUMN expires_at TEXT")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _account(row) -> Account:
    return Account(*row)


_COLUMNS = "id, name, role, created_at, created_by, revoked_at, last_used_at, expires_at"


def create_token(conn: sqlite3.Connection, *, name: str, role: str, created_by: str | None = None,
                 expires_in_days: int | None = None) -> tuple[Account, str]:
    """A new account with a fresh token; returns ``(account, token)``: show the token once. The
    token stops working after ``expires_in_days`` days (None or 0: never)."""
    ensure_schema(conn)
    name = (name or "").strip()
    if role not in ("staff", "admin"):
        raise AccountError(f"role must be 'staff' or 'admin', got {role!r}")
    if expires_in_days is not None and not 0 <= expires_in_days <= 3650:
        raise AccountError(f"expires_in_days must be between 0 (never) and 3650, got {expires_in_days}")
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise AccountError(f"name must be 1-{MAX_NAME} printable characters")
    if conn.execute("SELECT 1 FROM accounts WHERE name = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
                    (name, now())).fetchone():
        raise AccountError(f"an active account named {name!r} exists; revoke it first or choose another name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = None
    if expires_in_days:
        expires_at = (datetime.now(timezone.utc) + timedelta(days=expires_in_days)).isoformat(timespec="seconds")
    account = Account(uuid.uuid4().hex[:12], name, role, now(), created_by, expires_at=expires_at)
    conn.execute(f"INSERT INTO accounts ({_COLUMNS}, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (*asdict(account).values(), hash_token(token)))
    return account, token


def authenticate(conn: sqlite3.Connection, token: str | None) -> Account | None:
    """The active account holding ``token`` (not revoked, not expired), or None.

    The lookup is by the token's SHA-256 (an attacker cannot steer which stored hash is compared),
    and the stored hash is compared again with :func:`hmac.compare_digest` (constant time).
    """
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    ensure_schema(conn)
    digest = hash_token(token)
    row = conn.execute(f"SELECT {_COLUMNS}, token_hash FROM accounts WHERE token_hash = ?", (digest,)).fetchone()
    if row is None or not hmac.compare_digest(row[-1], digest):
        return None
    account = _account(row[:-1])
    if not account.active:
        return None
    conn.execute("UPDATE accounts SET last_used_at = ? WHERE id = ?", (now(), account.id))
    return account


def get(conn: sqlite3.Connection, name_or_id: str) -> list[Account]:
    ensure_schema(conn)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM accounts WHERE id = ? OR name = ? ORDER BY created_at",
                        (name_or_id, name_or_id)).fetchall()
    return [_account(r) for r in rows]


def revoke(conn: sqlite3.Connection, name_or_id: str) -> list[Account]:
    """Revoke the account(s) with this id or name not revoked yet (expired ones included);
    returns what was revoked."""
    found = [a for a in get(conn, name_or_id) if a.revoked_at is None]
    if not found:
        raise AccountError(f"no active account with id or name {name_or_id!r}")
    at = now()
    for a in found:
        conn.execute("UPDATE accounts SET revoked_at = ? WHERE id = ?", (at, a.id))
    return [Account(**{**asdict(a), "revoked_at": at}) for a in found]


def list_accounts(conn: sqlite3.Connection, *, include_revoked: bool = True) -> list[Account]:
    ensure_schema(conn)
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return [_account(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM accounts {where} ORDER BY created_at, id")]
