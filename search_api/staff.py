"""The legal staff's side of the API: edits, withdrawal, relations, versions, files, audit, accounts.

Routes (all under /api/v1; writes need a staff token, the audit log and accounts an admin token):

- PATCH  /regulations/{id}                  edit catalogue fields (validated; status only where no relation explains it)
- DELETE /regulations/{id}                  withdraw (soft); POST /regulations/{id}/restore brings it back
- GET    /regulations/{id}/relations        effective relations both ways and the derived status
- POST   /regulations/{id}/relations        add a relation by hand (active voice); DELETE ...?type=&target= removes one
- GET    /regulations/{id}/versions         versions; /versions/{n} one version; /versions/{n}/file its file
- GET    /regulations/{id}/file             the newest original file (Content-Type, Content-Disposition, ETag)
- GET    /withdrawn                         withdrawn works (staff)
- GET    /audit                             the audit log (admin)
- GET/POST /accounts, DELETE /accounts/{id} tokens (admin)

:func:`install` wires all of it (these routers, uploads, jobs, the change feed, the body-size
limit and the job worker) into the app made by ``search_api.app.create_app``.
"""
from __future__ import annotations

import os
import threading
from contextlib import asynccontextmanager
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from pipelines.staff import accounts as acc
from pipelines.staff import audit, curation, relation_edits, versions
from pipelines.staff.accounts import Account
from pipelines.staff.files import safe_filename
from pipelines.staff.uploads import UploadRejected
from search_api.auth import AUTH_RESPONSES, FailureLimiter, require_admin, require_staff
from search_api.errors import ApiProblem, not_found
from search_api.uploads import rejected

router = APIRouter(tags=["staff"])

WorkId = Annotated[str, Path(max_length=120, pattern=r"^[a-z0-9-]+$", description="canonical id")]


class StaffService:
    """The store, job queue and worker of one app (``app.state.staff``)."""

    def __init__(self, settings, kb):
        self.settings = settings
        self.kb = kb
        self._queue = None
        self._worker = None
        self._lock = threading.Lock()
        self.ingester = None

    @property
    def store(self):
        return self.kb.store

    @property
    def queue(self):
        if self._queue is None:
            with self._lock:
                if self._queue is None:
                    from pipelines.staff.jobs import JobQueue

                    store = self.store
                    with store.transaction():
                        curation.ensure_all(store._conn())  # noqa: SLF001
                    self._queue = JobQueue(store)
        return self._queue

    def ensure_worker(self) -> None:
        if os.environ.get("JDIH_JOB_WORKER", "1").strip().lower() in ("0", "off", "false", "no"):
            return
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                return
        queue = self.queue
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                return
            from pipelines.staff.jobs import Worker
            from pipelines.staff.uploads import UploadIngester

            self.ingester = self.ingester or UploadIngester(self.store, self.settings)
            self._worker = Worker(queue, {"upload": self.ingester}, on_change=self.invalidate)
            self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def invalidate(self) -> None:
        """Read-your-writes: after a change made in this process, the next request re-reads the
        snapshot instead of waiting for the knowledge base's periodic generation check."""
        if hasattr(self.kb, "_checked"):
            self.kb._checked = 0.0  # noqa: SLF001 - KnowledgeBase has no public invalidate() yet

    def accept_upload(self, upload_file, **kw) -> dict[str, Any]:
        from search_api.uploads import accept

        return accept(self, upload_file, **kw)


def install(app) -> None:
    """Add the staff side to an app made by ``create_app`` (one call there)."""
    from search_api import changes, uploads

    app.state.staff = StaffService(app.state.settings, app.state.kb)
    app.state.auth_failures = FailureLimiter()
    prefix = "/api/v1"
    for module in (uploads, changes):
        app.include_router(module.router, prefix=prefix)
    app.include_router(router, prefix=prefix)
    app.add_middleware(uploads.BodyLimitMiddleware, limit=app.state.settings.max_file_bytes + uploads.MULTIPART_SLACK)

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a):
        # jobs left running by a process that died are resumed (or failed) as the server starts
        await run_in_threadpool(app.state.staff.ensure_worker)
        try:
            async with inner(a) as state:
                yield state
        finally:
            app.state.staff.stop()

    app.router.lifespan_context = lifespan


def _svc(request: Request) -> StaffService:
    return request.app.state.staff


def _call(request: Request, fn, *args, **kw):
    """Run a curation function; the app's readers see its effect at once."""
    try:
        return fn(_svc(request).store, *args, **kw)
    except UploadRejected as exc:
        raise rejected(exc) from None
    finally:
        _svc(request).invalidate()


def _gone_or_missing(request: Request, work_id: str):
    conn = _svc(request).store._conn()  # noqa: SLF001
    if curation.is_withdrawn(conn, work_id):
        raise ApiProblem("gone", f"Regulation {work_id!r} was withdrawn.", f"Peraturan {work_id!r} telah ditarik.",
                         links={"restore": f"/api/v1/regulations/{work_id}/restore"})
    raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")


# --- metadata, withdraw, restore --------------------------------------------------------------

@router.patch("/regulations/{work_id}", summary="Edit a regulation's metadata (staff)", responses=AUTH_RESPONSES)
def patch_regulation(work_id: WorkId, request: Request,
                     fields: Annotated[dict[str, Any], Body(description="catalogue fields to set (null clears)",
                                                            examples=[{"judul_en": "Smart city master plan"}])],
                     account: Account = Depends(require_staff)):
    record = _call(request, curation.patch_metadata, work_id, fields, actor=account.actor)
    return {"work_id": work_id, "record": {k: v for k, v in record.items()}}


@router.delete("/regulations/{work_id}", summary="Withdraw a regulation (staff; soft, restorable)", responses=AUTH_RESPONSES)
def withdraw_regulation(work_id: WorkId, request: Request,
                        reason: Annotated[Optional[str], Query(max_length=500)] = None,
                        account: Account = Depends(require_staff)):
    out = _call(request, curation.withdraw, work_id, actor=account.actor, reason=reason)
    return out | {"links": {"restore": f"/api/v1/regulations/{work_id}/restore"}}


@router.post("/regulations/{work_id}/restore", summary="Restore a withdrawn regulation (staff)", responses=AUTH_RESPONSES)
def restore_regulation(work_id: WorkId, request: Request, account: Account = Depends(require_staff)):
    out = _call(request, curation.restore, work_id, actor=account.actor)
    return out | {"links": {"regulation": f"/api/v1/regulations/{work_id}"}}


@router.get("/withdrawn", summary="Withdrawn regulations (staff)", responses=AUTH_RESPONSES)
def list_withdrawn(request: Request, account: Account = Depends(require_staff)):
    return {"results": curation.withdrawn_list(_svc(request).store._conn())}  # noqa: SLF001


# --- relations ---------------------------------------------------------------------------------

class RelationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="active voice: mengubah, mencabut, mencabut_sebagian, dasar_hukum")
    target: str = Field(max_length=120, pattern=r"^[a-z0-9-]+$", description="canonical id of the other work")
    citation: str = Field("", max_length=500, description="the words of the text that state it")
    article: Optional[str] = Field(None, max_length=20)
    note: Optional[str] = Field(None, max_length=500)


def _relations_view(conn, work_id: str) -> dict[str, Any]:
    graph = relation_edits.graph_from(conn)
    return {"work_id": work_id, "status": graph.status(work_id),
            "outgoing": [r.__dict__ for r in graph.outgoing(work_id)],
            "incoming": [r.__dict__ for r in graph.incoming(work_id)],
            "edits": [e for e in relation_edits.edits(conn) if work_id in (e["source"], e["target"])]}


@router.get("/regulations/{work_id}/relations", summary="Relations both ways and the status they give")
def get_relations(work_id: WorkId, request: Request):
    conn = _svc(request).store._conn()  # noqa: SLF001
    if curation.work_row(conn, work_id) is None:
        _gone_or_missing(request, work_id)
    return _relations_view(conn, work_id)


@router.post("/regulations/{work_id}/relations", status_code=201, summary="Add a relation by hand (staff)", responses=AUTH_RESPONSES)
def add_relation(work_id: WorkId, body: RelationIn, request: Request, account: Account = Depends(require_staff)):
    return _call(request, curation.edit_relation, "add", source=work_id, type=body.type, target=body.target,
                 actor=account.actor, citation=body.citation, article=body.article, note=body.note)


@router.delete("/regulations/{work_id}/relations", summary="Remove a relation (staff): a wrong parsed one or a hand-made one", responses=AUTH_RESPONSES)
def remove_relation(work_id: WorkId, request: Request,
                    type: Annotated[str, Query(max_length=40)],
                    target: Annotated[str, Query(max_length=120, pattern=r"^[a-z0-9-]+$")],
                    note: Annotated[Optional[str], Query(max_length=500)] = None,
                    account: Account = Depends(require_staff)):
    return _call(request, curation.edit_relation, "remove", source=work_id, type=type, target=target,
                 actor=account.actor, note=note)


# --- versions and files ------------------------------------------------------------------------

@router.get("/regulations/{work_id}/versions", summary="Versions of a regulation")
def list_versions(work_id: WorkId, request: Request):
    conn = _svc(request).store._conn()  # noqa: SLF001
    row = curation.work_row(conn, work_id)
    if row is None:
        _gone_or_missing(request, work_id)
    out = versions.list_versions(conn, work_id)
    for v in out:
        v["links"] = {"self": f"/api/v1/regulations/{work_id}/versions/{v['n']}",
                      "file": f"/api/v1/regulations/{work_id}/versions/{v['n']}/file" if v["file_sha256"] else None}
    return {"work_id": work_id, "current": out[-1]["n"] if out else None, "versions": out}


@router.get("/regulations/{work_id}/versions/{n}", summary="One version: its record and parsed text")
def get_version(work_id: WorkId, n: Annotated[int, Path(ge=1, le=100_000)], request: Request):
    v = versions.get_version(_svc(request).store._conn(), work_id, n)  # noqa: SLF001
    if v is None:
        raise not_found(f"Version {n} of {work_id!r}", f"Versi {n} dari {work_id!r}")
    return v | {"links": {"file": f"/api/v1/regulations/{work_id}/versions/{n}/file" if v["file_sha256"] else None}}


def _file_response(request: Request, info: dict[str, Any], work_id: str, *, immutable: bool) -> Response:
    etag = f'"{info["sha256"]}"'
    headers = {"ETag": etag, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache"}
    inm = request.headers.get("if-none-match", "")
    if etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
        return Response(status_code=304, headers=headers)
    media = info.get("media_type") or "application/octet-stream"
    if media.startswith("text/"):
        media += "; charset=utf-8"
    name = safe_filename(info.get("file_name") or work_id, default=work_id)
    if media.startswith("application/pdf"):  # the name's extension never contradicts the type
        name = safe_filename(name, suffix=".pdf")
    elif not name.lower().endswith((".txt", ".md")):
        name = safe_filename(name, suffix=".txt")
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return FileResponse(info["path"], media_type=media, headers=headers)


@router.get("/regulations/{work_id}/file", summary="Download the newest original file",
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}})
def get_file(work_id: WorkId, request: Request):
    svc = _svc(request)
    if curation.work_row(svc.store._conn(), work_id) is None:  # noqa: SLF001
        _gone_or_missing(request, work_id)
    info = curation.current_file(svc.store, work_id)
    if info is None:
        raise not_found(f"A file of {work_id!r}", f"Berkas {work_id!r}")
    return _file_response(request, info, work_id, immutable=False)


@router.get("/regulations/{work_id}/versions/{n}/file", summary="Download the file of one version (a permanent link)",
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}})
def get_version_file(work_id: WorkId, n: Annotated[int, Path(ge=1, le=100_000)], request: Request):
    info = curation.version_file(_svc(request).store, work_id, n)
    if info is None:
        raise not_found(f"The file of version {n} of {work_id!r}", f"Berkas versi {n} dari {work_id!r}")
    return _file_response(request, info, work_id, immutable=True)


# --- audit and accounts (admin) ----------------------------------------------------------------

@router.get("/audit", summary="The audit log (admin)", responses=AUTH_RESPONSES)
def get_audit(request: Request, work_id: Annotated[Optional[str], Query(max_length=120)] = None,
              action: Annotated[Optional[str], Query(max_length=40)] = None,
              cursor: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100,
              account: Account = Depends(require_admin)):
    rows = audit.entries(_svc(request).store._conn(), work_id=work_id, action=action, after_id=cursor, limit=limit)  # noqa: SLF001
    return {"results": rows, "next_cursor": rows[-1]["id"] if len(rows) == limit else None}


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=acc.MAX_NAME)
    role: str = Field(pattern="^(staff|admin)$")
    expires_in_days: int = Field(default=acc.DEFAULT_EXPIRY_DAYS, ge=0, le=3650,
                                 description="the token stops working after this many days (0: never)")


@router.get("/accounts", summary="Accounts (admin)", responses=AUTH_RESPONSES)
def list_accounts(request: Request, account: Account = Depends(require_admin)):
    return {"results": [a.to_dict() for a in acc.list_accounts(_svc(request).store._conn())]}  # noqa: SLF001


@router.post("/accounts", status_code=201, summary="Create an account; its token is shown once (admin)", responses=AUTH_RESPONSES)
def create_account(body: AccountIn, request: Request, account: Account = Depends(require_admin)):
    store = _svc(request).store
    with store.transaction():
        conn = store._conn()  # noqa: SLF001
        try:
            new, token = acc.create_token(conn, name=body.name, role=body.role, created_by=account.actor,
                                          expires_in_days=body.expires_in_days)
        except acc.AccountError as exc:
            raise ApiProblem("conflict" if "exists" in str(exc) else "validation-error", str(exc), str(exc),
                             status=409 if "exists" in str(exc) else 422) from None
        audit.record(conn, actor=account.actor, action="token_create", after=new.to_dict())
    return new.to_dict() | {"token": token}


@router.delete("/accounts/{account_id}", summary="Revoke an account's token (admin)", responses=AUTH_RESPONSES)
def revoke_account(account_id: Annotated[str, Path(max_length=80)], request: Request,
                   account: Account = Depends(require_admin)):
    store = _svc(request).store
    with store.transaction():
        conn = store._conn()  # noqa: SLF001
        try:
            done = acc.revoke(conn, account_id)
        except acc.AccountError as exc:
            raise not_found(f"Active account {account_id!r}", f"Akun aktif {account_id!r}") from exc
        for a in done:
            audit.record(conn, actor=account.actor, action="token_revoke", before={"id": a.id, "name": a.name, "role": a.role})
    return {"revoked": [a.to_dict() for a in done]}
