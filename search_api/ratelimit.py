"""Per-client token-bucket rate limiting for the public endpoints (429 with Retry-After).

Configured by ``JDIH_RATE_LIMIT`` ("60/minute", "10/second", "1000/hour"; "0" or "off" disables).
Each client (its IP address as the server sees it; put the proxy's real-IP module in front if the
API sits behind one) gets a bucket of ``N`` tokens refilled continuously at ``N`` per period; a
request takes one token. Health, readiness and metrics endpoints are never limited.

>>> RateLimit.parse("60/minute").per_second
1.0
>>> RateLimit.parse("0") is None
True
"""
from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass

from search_api.errors import problem_body

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}
_SPEC = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+)?\s*([a-z]+))?\s*$", re.I)
DEFAULT = "120/minute"
EXEMPT = ("/healthz", "/readyz", "/metrics")
MAX_CLIENTS = 100_000  # buckets kept; the idle ones are dropped first


@dataclass(frozen=True)
class RateLimit:
    capacity: int
    period_s: float

    @property
    def per_second(self) -> float:
        return self.capacity / self.period_s

    @classmethod
    def parse(cls, spec: str | None) -> "RateLimit | None":
        """``"60/minute"`` -> 60 requests per minute; ``"0"``/``"off"``/empty -> None (no limit)."""
        if spec is None or spec.strip().lower() in ("", "0", "off", "none", "false"):
            return None
        m = _SPEC.match(spec)
        if not m or (m.group(3) and m.group(3).lower().rstrip("s") not in _PERIODS
                     and m.group(3).lower() not in _PERIODS):
            raise ValueError(f"JDIH_RATE_LIMIT must look like '60/minute' (or 0 to disable), got {spec!r}")
        n = int(m.group(1))
        if n == 0:
            return None
        unit = (m.group(3) or "minute").lower()
        unit = unit if unit in _PERIODS else unit.rstrip("s")
        return cls(n, float(_PERIODS[unit] * int(m.group(2) or 1)))


class TokenBuckets:
    """Thread-safe buckets keyed by client; ``take`` returns 0 or the seconds to wait."""

    def __init__(self, limit: RateLimit, clock=time.monotonic):
        self.limit = limit
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        now = self.clock()
        rate = self.limit.per_second
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.limit.capacity), now))
            tokens = min(float(self.limit.capacity), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / rate
            if len(self._buckets) > MAX_CLIENTS:
                for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1][1])[: MAX_CLIENTS // 10]:
                    del self._buckets[key]
        return wait


class RateLimitMiddleware:
    """ASGI middleware applying :class:`TokenBuckets` to every path but the exempt ones."""

    def __init__(self, app, limit: RateLimit):
        self.app = app
        self.buckets = TokenBuckets(limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.buckets.take(client)
        if wait <= 0:
            return await self.app(scope, receive, send)
        retry = max(1, math.ceil(wait))
        import json

        body = json.dumps(problem_body(
            "rate-limited", 429,
            f"Too many requests from this client; try again in {retry} s.",
            f"Terlalu banyak permintaan dari klien ini; coba lagi dalam {retry} detik.",
            scope.get("path")), ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/problem+json"), (b"retry-after", str(retry).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
