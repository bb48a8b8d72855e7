"""POST /api/v1/regulations (staff upload, 202 + job), GET /api/v1/jobs/{id}, GET /api/v1/jobs.

The multipart body is read only after the token is checked and its Content-Length is within the
limit; a body without Content-Length is counted as it arrives (:class:`BodyLimitMiddleware`).
Checks before storing and the job itself are in :mod:`pipelines.staff.uploads`.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.ids import RegulationId
from pipelines.staff.accounts import Account
from pipelines.staff.files import FileStore, safe_filename
from pipelines.staff.records import EDITABLE_FIELDS, UploadRejected, clean_metadata
from pipelines.staff.uploads import UploadIngester, check_upload, id_from_metadata, no_id_error
from search_api.auth import AUTH_RESPONSES, require_staff
from search_api.errors import ApiProblem, not_found, problem_body, storage_full_problem

JOB_STATES = ("queued", "running", "done", "failed")

router = APIRouter(tags=["staff"])

MULTIPART_SLACK = 256 * 1024  # form fields and boundaries around the file
FORM_FIELDS = frozenset({"file", "work_id", "metadata_only", "note"}) | (EDITABLE_FIELDS - {"status"})
UPLOAD_PATHS = ("/api/v1/regulations",)


class BodyTooLarge(StarletteHTTPException):
    """Raised while a body is read past the limit; an HTTPException so that FastAPI's body
    parsing passes it on (as a 413 problem) instead of calling it a malformed body."""

    def __init__(self, seen: int, limit: int = 0):
        super().__init__(413, "payload too large")
        self.seen, self.limit = seen, limit


class BodyLimitMiddleware:
    """Refuses bodies over the limit: at once on Content-Length (413 before reading a byte), or
    as soon as a chunked body passes it. Uploads (``POST /api/v1/regulations``) may carry
    ``limit`` bytes; every other request ``json_limit`` (JSON bodies are small), so a public
    endpoint or one that answers 401 never reads a 200 MB body first."""

    def __init__(self, app, limit: int, paths: tuple[str, ...] = UPLOAD_PATHS, json_limit: int = 1024 * 1024):
        self.app = app
        self.limit = limit
        self.paths = paths
        self.json_limit = json_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = scope.get("method") == "POST" and scope.get("path", "").rstrip("/") in self.paths
        limit = self.limit if upload else self.json_limit
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = True
            if too_big:
                return await _send_413(scope, send, limit)
        seen = 0
        started = False

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(seen, limit)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            return await self.app(scope, limited, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            return await _send_413(scope, send, limit)


def too_large_problem(limit: int) -> ApiProblem:
    mb = limit / 1024**2
    return ApiProblem("payload-too-large", f"The request body is larger than the limit ({mb:,.1f} MB).",
                      f"Isi permintaan melebihi batas ({mb:,.1f} MB).")


async def _send_413(scope, send, limit: int):
    import json

    p = too_large_problem(limit)
    body = json.dumps(problem_body(p.kind, 413, p.detail, p.detail_id, scope.get("path")), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def rejected(exc: UploadRejected) -> ApiProblem:
    kind = {401: "unauthorized", 403: "forbidden", 404: "not-found", 409: "conflict", 410: "gone",
            413: "payload-too-large", 415: "unsupported-media-type"}.get(exc.status, "invalid-file")
    if exc.code == "invalid_metadata":
        kind = "validation-error"
    return ApiProblem(kind, exc.message, exc.message_id, status=exc.status, code=exc.code,
                      **{k: v for k, v in exc.extra.items() if k != "status"})


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on", "ya")


UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "PDF (text or scanned) or plain text (UTF-8)"},
            "work_id": {"type": "string", "description": "canonical id; omit to use the document's heading. "
                        "An existing work gets a new version (a metadata-only one is upgraded in place)"},
            "metadata_only": {"type": "boolean", "description": "store a text without articles as a metadata-only record"},
            **{f: {"type": "string"} for f in sorted(EDITABLE_FIELDS - {"status"})},
        }}}}}}


@router.post("/regulations", status_code=202, summary="Upload a regulation file (staff): 202 with a job",
             openapi_extra=UPLOAD_BODY, responses={202: {"description": "accepted; follow the job"}, **AUTH_RESPONSES,
                        413: {"description": "Payload too large"}, 415: {"description": "Unsupported media type"},
                        422: {"description": "the file or its metadata cannot be accepted"}})
async def upload(request: Request, account: Account = Depends(require_staff)):
    """Checks the file at once (type by magic bytes, size, encryption, damage, page count; a
    text's articles), stores it by SHA-256 and queues the ingest job. 409 when the same bytes
    are already held (with a link to the record)."""
    svc = request.app.state.staff
    limit = svc.settings.max_file_bytes
    try:
        form = await request.form(max_files=1, max_fields=len(FORM_FIELDS) + 5, max_part_size=64 * 1024)
    except BodyTooLarge:
        raise too_large_problem(limit) from None
    except Exception as exc:  # noqa: BLE001 - a malformed multipart body
        raise ApiProblem("validation-error", f"The body must be multipart/form-data with a 'file' part ({exc}).",
                         f"Isi permintaan harus multipart/form-data dengan bagian 'file' ({exc}).") from None
    try:
        unknown = sorted(set(form.keys()) - FORM_FIELDS)
        if unknown:
            raise UploadRejected("invalid_metadata", f"Unknown field(s): {', '.join(unknown)}.",
                                 f"Kolom tidak dikenal: {', '.join(unknown)}.")
        upload_file = form.get("file")
        if upload_file is None or isinstance(upload_file, str):
            raise UploadRejected("invalid_metadata", "The 'file' part is missing.", "Bagian 'file' tidak ada.")
        work_id = (form.get("work_id") or "").strip().lower() or None
        if work_id:
            try:
                work_id = str(RegulationId.parse(work_id))
            except ValueError:
                raise UploadRejected("invalid_metadata", f"'work_id' is not a canonical id (e.g. perwal-malang-9-2022): {work_id[:80]!r}.",
                                     f"'work_id' bukan id kanonik (mis. perwal-malang-9-2022): {work_id[:80]!r}.") from None
        metadata = clean_metadata({k: v for k, v in form.items() if k in EDITABLE_FIELDS and k != "status"},
                                  allowed=EDITABLE_FIELDS - {"status"})
        metadata_only = _truthy(form.get("metadata_only"))
        result = await run_in_threadpool(accept, svc, upload_file, work_id=work_id, metadata=metadata,
                                         metadata_only=metadata_only, account=account)
    except UploadRejected as exc:
        raise rejected(exc) from None
    except Exception as exc:
        from pipelines.staff.files import is_storage_full

        if is_storage_full(exc):  # 507, not a generic 500; spool and adopt removed their files
            raise storage_full_problem() from None
        raise
    finally:
        await form.close()
    job = result["job"]
    return JSONResponse(result, status_code=202, headers={"Location": f"/api/v1/jobs/{job['id']}"})


JobId = Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]{8,64}$")]


@router.get("/jobs/{job_id}", summary="State and progress of an ingest job (staff)", responses=AUTH_RESPONSES)
def get_job(job_id: JobId, request: Request, account: Account = Depends(require_staff)):
    job = request.app.state.staff.queue.get(job_id)
    if job is None:
        raise not_found(f"Job {job_id!r}", f"Tugas {job_id!r}")
    return job.public()


@router.post("/jobs/{job_id}/cancel", summary="Cancel a queued or running job (staff)",
             responses={**AUTH_RESPONSES, 404: {"description": "no such job"}})
def cancel_job(job_id: JobId, request: Request, account: Account = Depends(require_staff)):
    """A queued job fails at once with code ``cancelled``; a running one stops at its next step
    (between batches of embedded chunks) and stores nothing. A finished job is returned as it is."""
    svc = request.app.state.staff
    job = svc.queue.cancel(job_id, by=account.actor)
    if job is None:
        raise not_found(f"Job {job_id!r}", f"Tugas {job_id!r}")
    if job.state == "failed" and job.file_sha256 and (job.error or {}).get("code") == "cancelled":
        UploadIngester(svc.store, svc.settings)._discard(job.file_sha256)  # noqa: SLF001 - a cancelled job keeps no file
    return job.public()


@router.get("/jobs", summary="Recent jobs (staff)", responses=AUTH_RESPONSES)
def list_jobs(request: Request,
              state: Annotated[Optional[str], Query(json_schema_extra={"enum": list(JOB_STATES)})] = None,
              account: Account = Depends(require_staff)):
    if state is not None and state not in JOB_STATES:
        raise ApiProblem("validation-error", "'state' must be queued, running, done or failed.",
                         "'state' harus queued, running, done atau failed.")
    return {"results": [j.public() for j in request.app.state.staff.queue.list(state=state)]}


def accept(svc, upload_file, *, work_id, metadata, metadata_only, account) -> dict[str, Any]:
    """Spool, check, deduplicate, store and enqueue (runs in a worker thread of the server)."""
    fs = FileStore(svc.settings.files_dir)
    name = safe_filename(upload_file.filename)
    claimed_pdf = name.lower().endswith(".pdf") or (upload_file.content_type or "").lower() == "application/pdf"
    suffix = ".pdf" if claimed_pdf else (".md" if name.lower().endswith(".md") else ".txt")
    upload_file.file.seek(0)
    try:
        tmp, sha, size = fs.spool(upload_file.file, limit=svc.settings.max_file_bytes, suffix=suffix)
    except OverflowError:
        raise UploadRejected("too_large", f"The file is larger than the limit ({svc.settings.max_file_bytes:,} bytes).",
                             f"Berkas melebihi batas ({svc.settings.max_file_bytes:,} bita).", status=413) from None
    try:
        if size == 0:
            raise UploadRejected("no_text", "The file is empty.", "Berkas kosong.")
        check = check_upload(tmp, settings=svc.settings, metadata_only=metadata_only)
        if not work_id and check.heading_read and not check.heading_id and not id_from_metadata(
                metadata, region=check.heading_region, home_region=getattr(svc.settings, "home_region", None)):
            raise no_id_error()  # at once, not a failed job later (a scan's heading is read by the job)
        with svc.control.transaction() as control:
            control.ensure_schema()
            dup = control.find_duplicate(sha)
            if dup:
                raise duplicate_error(sha, dup)
            if work_id and control.is_withdrawn(work_id):
                raise UploadRejected("withdrawn", f"{work_id} is withdrawn; restore it (POST /api/v1/regulations/{work_id}/restore) first.",
                                     f"{work_id} telah ditarik; pulihkan dulu (POST /api/v1/regulations/{work_id}/restore).",
                                     status=409, links={"restore": f"/api/v1/regulations/{work_id}/restore"})
            fs.adopt(tmp, sha)
            job = svc.queue.enqueue("upload", created_by=account.actor, work_id=work_id, file_sha256=sha, params={
                "sha256": sha, "size": size, "file_name": name, "media_type": check.media_type, "pages": check.pages,
                "work_id": work_id, "metadata": metadata, "metadata_only": metadata_only, "checks": check.warnings})
    finally:
        tmp.unlink(missing_ok=True)
    svc.ensure_worker()
    return {"job": job.public(), "checks": {"media_type": check.media_type, "pages": check.pages, "warnings": check.warnings},
            "links": {"job": f"/api/v1/jobs/{job.id}"}}


def duplicate_error(sha: str, dup: dict[str, Any]) -> UploadRejected:
    if dup.get("job_id"):
        link = f"/api/v1/jobs/{dup['job_id']}"
        return UploadRejected("duplicate", f"The same file (SHA-256 {sha}) is being ingested already: {link}.",
                              f"Berkas yang sama (SHA-256 {sha}) sedang diproses: {link}.", status=409,
                              links={"job": link}, sha256=sha)
    link = f"/api/v1/regulations/{dup['work_id']}"
    where = f"version {dup['version']} of {dup['work_id']}" if dup.get("version") else dup["work_id"]
    where_id = f"versi {dup['version']} dari {dup['work_id']}" if dup.get("version") else dup["work_id"]
    extra = " (withdrawn: restore it instead)" if dup.get("withdrawn") else ""
    extra_id = " (ditarik: pulihkan saja)" if dup.get("withdrawn") else ""
    return UploadRejected("duplicate", f"The same file (SHA-256 {sha}) is already stored as {where}{extra}: {link}.",
                          f"Berkas yang sama (SHA-256 {sha}) sudah tersimpan sebagai {where_id}{extra_id}: {link}.",
                          status=409, links={"existing": link}, existing=dup["work_id"], sha256=sha)
