"""Prometheus metrics (request counts and latency per route) and one JSON access-log line per request.

The metrics live in a registry owned by the app (so two apps in one process, as in the tests, do
not collide); ``GET /metrics`` serves them in the Prometheus text format. Routes are labelled by
their template (``/api/v1/regulations/{work_id}``), never by the raw path, so label cardinality
stays bounded.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

access_log = logging.getLogger("jdih.access")

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("jdih_http_requests_total", "HTTP requests served",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("jdih_http_request_duration_seconds", "Time to serve a request",
                                 ["method", "route"], buckets=BUCKETS, registry=self.registry)
        self.in_flight = Gauge("jdih_http_requests_in_flight", "Requests being served", registry=self.registry)
        self.works = Gauge("jdih_works", "Works in the knowledge base", registry=self.registry)
        self.ask_refusals = Counter("jdih_ask_refusals_total", "Questions refused by /ask", registry=self.registry)


def _route_template(scope, templates: dict) -> str:
    """The matched route's full path template (with the router prefix), else "unmatched"."""
    endpoint = scope.get("endpoint")
    if endpoint is not None and endpoint in templates:
        return templates[endpoint]
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


def _client(scope) -> str:
    c = scope.get("client")
    return c[0] if c else "-"


def setup_access_log() -> None:
    """A plain stdout handler for the access log if nothing configured one (the lines are JSON)."""
    if not access_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False


class ObservabilityMiddleware:
    """Counts, times and logs every HTTP request (outermost, so 429s are seen too)."""

    def __init__(self, app, metrics: Metrics, routes=None):
        self.app = app
        self.metrics = metrics
        self._routes = routes  # callable returning the application's routes (full paths)
        self._templates: dict | None = None

    def templates(self) -> dict:
        if self._templates is None:
            self._templates = {getattr(r, "endpoint", None): r.path for r in (self._routes() if self._routes else [])
                               if getattr(r, "endpoint", None) is not None}
        return self._templates

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = {"code": 500, "bytes": 0}

        async def _send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body":
                status["bytes"] += len(message.get("body", b""))
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, _send)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - start
            route = _route_template(scope, self.templates()) if status["code"] != 429 else "rate-limited"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status["code"])).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                qs = scope.get("query_string", b"").decode("latin-1")
                access_log.info(json.dumps({
                    "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                    "client": _client(scope),
                    "method": method,
                    "path": scope.get("path"),
                    "query": qs[:600],
                    "route": route,
                    "status": status["code"],
                    "bytes": status["bytes"],
                    "duration_ms": round(elapsed * 1000, 2),
                }, ensure_ascii=False))
