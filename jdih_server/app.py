"""The FastAPI application: ``create_app(settings=None) -> FastAPI``.

Routers (one per resource): search, ask, regulations, resolve, dimensions, services (all under /api/v1),
the JDIHN feed (/api/jdihn), permalinks (/akn/...), health (/healthz, /readyz, /metrics).
Middleware, outermost first: access log + Prometheus metrics, per-client rate limit.

The web pages (frontend.pages) are installed before the JSON permalinks, the staff side
(search_api.staff) after the public routers.

Run: ``jdih serve`` or ``uvicorn --factory jdih_server.app:create_app``.
"""
from __future__ import annotations

import logging
import os
import threading
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from frontend.pages import install as install_pages
from ingest.config import get_settings
from search_api import (
    ask,
    consolidated,
    dimensions,
    errors,
    health,
    jdihn,
    permalinks,
    regulations,
    resolve,
    search,
    services,
    staff,
)
from search_api.kb import KnowledgeBase
from search_api.models import Problem
from search_api.observability import Metrics, ObservabilityMiddleware, setup_access_log
from search_api.ratelimit import DEFAULT, RateLimit, RateLimitMiddleware

log = logging.getLogger("jdih.server")

API_PREFIX = "/api/v1"
VERSION = "1.0.0"
DESCRIPTION = """\
Regulations of Malang City and the national laws they stand on: search, cited answers, Smart City
dimension links, permalinks and the JDIHN harvest feed. Every error is `application/problem+json`
with a message in English (`detail`) and Indonesian (`detail_id`). See docs/api.md.
"""


def create_app(settings=None, *, rate_limit: str | None = None, searcher=None) -> FastAPI:
    """Build the app over one knowledge base.

    :param settings: ``ingest.config.Settings`` (default: from the JDIH_* environment).
    :param rate_limit: e.g. ``"60/minute"``; ``"0"`` disables; default ``JDIH_RATE_LIMIT`` or 120/minute.
    :param searcher: a ready ``pipelines.search.query.Searcher`` (tests); built lazily otherwise.
    """
    settings = settings or get_settings()
    limit = RateLimit.parse(rate_limit if rate_limit is not None else os.environ.get("JDIH_RATE_LIMIT", DEFAULT))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if os.environ.get("JDIH_PREWARM", "").strip().lower() in ("1", "true", "yes"):
            prewarm(app.state.kb)
        yield

    app = FastAPI(title="JDIH Kota Malang knowledge base API", version=VERSION, description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.kb = KnowledgeBase(settings, searcher=searcher)
    app.state.metrics = Metrics()
    app.state.rate_limit = limit

    for module in (search, ask, regulations, consolidated, resolve, dimensions, services):
        app.include_router(module.router)  # each router carries the /api/v1 prefix in its routes' paths
    app.include_router(jdihn.router)
    install_pages(app)  # the web pages; /akn/ HTML before the JSON permalinks
    app.include_router(permalinks.router)
    app.include_router(health.router)
    errors.install(app)
    staff.install(app)  # the staff side: uploads, jobs, edits, versions, files, audit, change feed

    if limit is not None:
        app.add_middleware(RateLimitMiddleware, limit=limit)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics, routes=lambda: app.routes)
    app.add_middleware(errors.HeadMiddleware)  # outermost: HEAD is GET without the body
    setup_access_log()
    app.openapi = lambda: _openapi(app)
    return app


def prewarm(kb: KnowledgeBase) -> threading.Thread:
    """Compute on a background thread what the first visitors would otherwise wait for: the
    services' proposed legal basis (every service's function asked and searched, 5-10 s on the
    shipped corpus; it loads the search models on the way). A request that needs it meanwhile
    waits for this computation rather than starting its own (the snapshot's memo). ``jdih
    serve`` turns it on (``JDIH_PREWARM=1``); apps made in tests do not."""
    def run() -> None:
        try:
            services.proposals(kb)
            log.info("prewarm: the services' proposed legal basis is ready")
        except Exception:  # the first request computes it, and reports what fails
            log.exception("prewarm failed")

    thread = threading.Thread(target=run, name="jdih-prewarm", daemon=True)
    thread.start()
    return thread


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every error response declared as application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            codes = {"422", "500"} | ({"429"} if not path.startswith(("/healthz", "/readyz", "/metrics")) else set())
            if path.startswith("/readyz"):
                codes.add("503")
            for code in codes:
                responses.setdefault(code, {"description": errors.KINDS.get(
                    {"422": "validation-error", "429": "rate-limited", "500": "internal-error",
                     "503": "not-ready"}[code], (0, "Error"))[1]})
            for code, resp in responses.items():
                if code.isdigit() and int(code) >= 400:
                    resp["content"] = {"application/problem+json": {"schema": problem_ref}}
                    if code == "429":
                        resp["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                           "description": "seconds to wait"}}
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    if "Problem" not in comps:
        comps["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    app.openapi_schema = schema
    return schema
