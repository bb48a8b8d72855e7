"""Every error the API returns is ``application/problem+json`` (RFC 9457) in one shape.

``{"type", "title", "status", "detail", "detail_id", "instance", "errors"?}``: ``detail`` is the
human message in English, ``detail_id`` the same message in Indonesian; ``type`` is a stable
relative URI naming the kind of problem (documented in docs/api.md).

Raise :class:`ApiProblem` in a route; validation errors, unknown routes and unexpected
exceptions are turned into the same shape by the handlers installed by :func:`install`.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("jdih.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# kind -> (status, title)
KINDS: dict[str, tuple[int, str]] = {
    "validation-error": (422, "Invalid request"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "Not acceptable"),
    "payload-too-large": (413, "Payload too large"),
    "rate-limited": (429, "Too many requests"),
    "not-ready": (503, "Service not ready"),
    "internal-error": (500, "Internal server error"),
    "storage-full": (507, "Insufficient storage"),
}


class ApiProblem(Exception):
    """An error for the client, with its message in English and Indonesian."""

    def __init__(self, kind: str, detail: str, detail_id: str, *, status: int | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        self.kind = kind
        self.status = status or KINDS[kind][0]
        self.detail = detail
        self.detail_id = detail_id
        self.headers = headers or {}
        self.extra = extra
        super().__init__(detail)


def problem_body(kind: str, status: int, detail: str, detail_id: str, instance: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    body = {
        "type": f"/problems/{kind}",
        "title": KINDS.get(kind, (status, "Error"))[1],
        "status": status,
        "detail": detail,
        "detail_id": detail_id,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(kind: str, status: int, detail: str, detail_id: str, *, instance: str | None = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(problem_body(kind, status, detail, detail_id, instance, **extra), status_code=status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def not_found(what_en: str, what_id: str) -> ApiProblem:
    return ApiProblem("not-found", f"{what_en} was not found.", f"{what_id} tidak ditemukan.")


def _loc(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("query", "body", "path", "header")]
    return ".".join(parts) or "request"


def _validation_messages(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    errors = []
    en, idn = [], []
    for e in exc.errors():
        where = _loc(tuple(e.get("loc", ())))
        kind = e.get("type", "")
        if kind == "extra_forbidden":
            en.append(f"unknown parameter '{where}'")
            idn.append(f"parameter '{where}' tidak dikenal")
        elif kind == "string_too_long":
            n = (e.get("ctx") or {}).get("max_length")
            en.append(f"'{where}' is longer than {n} characters")
            idn.append(f"'{where}' lebih dari {n} karakter")
        elif kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
            en.append(f"'{where}' is out of range ({e.get('msg')})")
            idn.append(f"'{where}' di luar rentang yang diizinkan ({e.get('msg')})")
        elif kind == "missing":
            en.append(f"'{where}' is required")
            idn.append(f"'{where}' wajib diisi")
        else:
            en.append(f"'{where}': {e.get('msg')}")
            idn.append(f"'{where}' tidak valid: {e.get('msg')}")
        errors.append({"field": where, "type": kind, "message": str(e.get("msg"))})
    return "; ".join(en) + ".", "; ".join(idn) + ".", errors


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents on this path (the 405's ``Allow``; Starlette names only the
    first route that matched), HEAD wherever GET is."""
    import re

    methods: set[str] = set()
    try:
        paths = request.app.openapi().get("paths", {})
    except Exception:  # noqa: BLE001 - no schema, no better answer than Starlette's
        return []
    for template, item in paths.items():
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(rx, request.url.path):
            methods |= {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


class HeadMiddleware:
    """HEAD answered as GET without the body, on every GET route (FastAPI routes answer only the
    methods they declare, so HEAD /healthz and HEAD of a download were 405)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            return await self.app(scope, receive, send)

        async def no_body(message):
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        return await self.app({**scope, "method": "GET"}, receive, no_body)


def storage_full_problem() -> ApiProblem:
    return ApiProblem("storage-full", "The server's storage is full; nothing was stored. Try again later or tell the administrator.",
                      "Penyimpanan server penuh; tidak ada yang disimpan. Coba lagi nanti atau hubungi administrator.")


def install(app: FastAPI) -> None:
    """Install the handlers that turn every error into problem+json."""

    @app.exception_handler(ApiProblem)
    async def _problem(request: Request, exc: ApiProblem):
        return problem_response(exc.kind, exc.status, exc.detail, exc.detail_id, instance=request.url.path,
                                headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        en, idn, errors = _validation_messages(exc)
        return problem_response("validation-error", 422, f"The request is not valid: {en}",
                                f"Permintaan tidak valid: {idn}", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return problem_response("not-found", 404, f"Nothing is published at {request.url.path}.",
                                    f"Tidak ada sumber daya di {request.url.path}.", instance=request.url.path)
        if exc.status_code == 405:
            headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "allow"}
            allowed = allowed_methods(request) or [m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()]
            if allowed:
                headers["Allow"] = ", ".join(allowed)
            return problem_response("method-not-allowed", 405,
                                    f"{request.method} is not allowed on {request.url.path}.",
                                    f"Metode {request.method} tidak diizinkan pada {request.url.path}.",
                                    instance=request.url.path, headers=headers)
        if exc.status_code == 413:
            mb = float(getattr(exc, "limit", 0) or 0) / 1024**2
            return problem_response("payload-too-large", 413, f"The request body is larger than the limit ({mb:,.1f} MB).",
                                    f"Isi permintaan melebihi batas ({mb:,.1f} MB).", instance=request.url.path)
        if exc.status_code == 400:  # a body FastAPI could not read (not JSON, not UTF-8, cut short)
            return problem_response("validation-error", 422, "The request body could not be read as JSON.",
                                    "Isi permintaan tidak dapat dibaca sebagai JSON.", instance=request.url.path)
        return problem_response("internal-error" if exc.status_code >= 500 else "validation-error",
                                exc.status_code, str(exc.detail), str(exc.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        from pipelines.staff.files import is_storage_full

        if is_storage_full(exc):
            log.error("storage full on %s %s: %s", request.method, request.url.path, exc)
            p = storage_full_problem()
            return problem_response(p.kind, p.status, p.detail, p.detail_id, instance=request.url.path)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response("internal-error", 500, "An unexpected error occurred; it has been logged.",
                                "Terjadi kesalahan tak terduga; kesalahan ini telah dicatat.",
                                instance=request.url.path)
