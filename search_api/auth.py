"""Authentication for the write endpoints: ``Authorization: Bearer <token>``; roles staff and admin.

- no token -> 401 with ``WWW-Authenticate: Bearer realm="jdih"``;
- an unknown or revoked token -> 401 (``error="invalid_token"``), and the failure is counted;
- a valid token without the role -> 403;
- a client (IP address) with ``MAX_FAILURES`` failed attempts within ``WINDOW_S`` is refused
  (429 with Retry-After) for the rest of the window, valid token or not: guessing a token is
  hopeless anyway (256 random bits), this keeps a guesser from loading the server.

Tokens are checked by :func:`pipelines.staff.accounts.authenticate` (SHA-256 lookup, constant-time
compare). Use the dependencies in a router::

    @router.patch("/regulations/{work_id}")
    def patch(..., account: Account = Depends(require_staff)): ...
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pipelines.staff.accounts import Account
from search_api import errors
from search_api.errors import ApiProblem

log = logging.getLogger("jdih.auth")

MAX_FAILURES = 10
WINDOW_S = 15 * 60

# Problem kinds of the staff side (titles for problem+json), next to those of search_api.errors.
for _kind, _value in {
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "conflict": (409, "Conflict"),
    "gone": (410, "Gone"),
    "payload-too-large": (413, "Payload too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "invalid-file": (422, "The file cannot be accepted"),
}.items():
    errors.KINDS.setdefault(_kind, _value)

CHALLENGE = 'Bearer realm="jdih"'
# Declared on every route that needs a token (the app's OpenAPI hook makes them problem+json).
AUTH_RESPONSES = {
    401: {"description": "no token, or an unknown or revoked one (WWW-Authenticate: Bearer)"},
    403: {"description": "the token's role may not do this"},
    404: {"description": "Not found"},
    409: {"description": "Conflict (duplicate, already withdrawn, status explained by a relation)"},
}


class FailureLimiter:
    """Failed authentication attempts per client in a sliding window (thread-safe)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S, clock=time.monotonic):
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()
        self.total = 0

    def _recent(self, client: str, now: float) -> deque:
        q = self._failures.setdefault(client, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def blocked_for(self, client: str) -> float:
        """Seconds this client must wait, 0 when it may try."""
        now = self.clock()
        with self._lock:
            q = self._recent(client, now)
            if len(q) < self.max_failures:
                return 0.0
            return q[0] + self.window_s - now

    def fail(self, client: str) -> int:
        now = self.clock()
        with self._lock:
            q = self._recent(client, now)
            q.append(now)
            self.total += 1
            if len(self._failures) > 100_000:  # forget the quiet clients first
                for key in [k for k, v in self._failures.items() if not v][:10_000]:
                    del self._failures[key]
            return len(q)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ""
    return token.strip()


_bearer_scheme = HTTPBearer(auto_error=False, description="an API token: `jdih token create --role staff --name ...`")


def current_account(request: Request,
                    _declared: HTTPAuthorizationCredentials | None = Depends(_bearer_scheme)) -> Account | None:
    """The account of the request's token; None without a token. Raises 401/429 for a bad one.
    (``_declared`` only puts the Bearer scheme into the OpenAPI document.)"""
    token = _bearer(request)
    if token is None:
        return None
    limiter: FailureLimiter = request.app.state.auth_failures
    client = client_of(request)
    wait = limiter.blocked_for(client)
    if wait > 0:
        retry = max(1, math.ceil(wait))
        raise ApiProblem("rate-limited", f"Too many failed sign-in attempts from this client; try again in {retry} s.",
                         f"Terlalu banyak percobaan masuk yang gagal dari klien ini; coba lagi dalam {retry} detik.",
                         headers={"Retry-After": str(retry)})
    account = request.app.state.kb.control.authenticate(token) if token else None
    if account is None:
        n = limiter.fail(client)
        log.warning("failed token from %s (%d in window)", client, n)
        raise ApiProblem("unauthorized", "The token is not valid (unknown, revoked or expired).",
                         "Token tidak valid (tidak dikenal, telah dicabut, atau kedaluwarsa).",
                         headers={"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
    return account


def require(role: str):
    """A dependency that returns the account when it holds ``role`` (staff or admin)."""

    def dependency(request: Request, account: Account | None = Depends(current_account)) -> Account:
        if account is None:
            raise ApiProblem("unauthorized", f"This action needs a {role} token: send 'Authorization: Bearer <token>'.",
                             f"Tindakan ini memerlukan token {role}: kirim 'Authorization: Bearer <token>'.",
                             headers={"WWW-Authenticate": CHALLENGE})
        if not account.has_role(role):
            raise ApiProblem("forbidden", f"The token of {account.name!r} has the role {account.role!r}; this action needs {role!r}.",
                             f"Token {account.name!r} berperan {account.role!r}; tindakan ini memerlukan {role!r}.")
        return account

    dependency.__name__ = f"require_{role}"
    return dependency


require_staff = require("staff")
require_admin = require("admin")
