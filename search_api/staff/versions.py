"""GET /regulations/{id}/versions (+ /{n}, /{n}/file) and /regulations/{id}/file: a work's
versions and its original files (ETag, Content-Disposition; a version's file is a permanent link)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response

from pipelines.staff import curation
from pipelines.staff.files import safe_filename
from search_api.errors import not_found
from search_api.params import WorkId
from search_api.staff.service import PUBLIC_MISSING, gone_or_missing, svc

router = APIRouter(tags=["staff"])


@router.get("/regulations/{work_id}/versions", summary="Versions of a regulation", responses=PUBLIC_MISSING)
def list_versions(work_id: WorkId, request: Request):
    control = svc(request).control
    row = control.work(work_id)
    if row is None:
        gone_or_missing(request, work_id)
    out = [_public_version(v) for v in control.versions(work_id)]
    for v in out:
        v["links"] = {"self": f"/api/v1/regulations/{work_id}/versions/{v['n']}",
                      "file": f"/api/v1/regulations/{work_id}/versions/{v['n']}/file" if v["file_sha256"] else None}
    return {"work_id": work_id, "current": out[-1]["n"] if out else None, "versions": out}


@router.get("/regulations/{work_id}/versions/{n}", summary="One version: its record and parsed text",
            responses=PUBLIC_MISSING)
def get_version(work_id: WorkId, n: Annotated[int, Path(ge=1, le=100_000)], request: Request):
    v = svc(request).control.version(work_id, n)
    if v is None:
        raise not_found(f"Version {n} of {work_id!r}", f"Versi {n} dari {work_id!r}")
    return _public_version(v) | {"links": {"file": f"/api/v1/regulations/{work_id}/versions/{n}/file" if v["file_sha256"] else None}}


def _public_version(v: dict[str, Any]) -> dict[str, Any]:
    """A version as the public sees it: who made it is not shown (names and account ids of staff
    are in the audit log, for admins); only whether staff uploaded it or the corpus ingest made it."""
    out = {k: val for k, val in v.items() if k not in ("created_by", "job_id")}
    out["source"] = "system" if v.get("created_by") == "system" else "staff"
    return out


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
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}, 304: {"description": "not modified (If-None-Match)"},
                       **PUBLIC_MISSING})
def get_file(work_id: WorkId, request: Request):
    staff = svc(request)
    if staff.control.work(work_id) is None:
        gone_or_missing(request, work_id)
    info = curation.current_file(staff.store, work_id)
    if info is None:
        raise not_found(f"A file of {work_id!r}", f"Berkas {work_id!r}")
    return _file_response(request, info, work_id, immutable=False)


@router.get("/regulations/{work_id}/versions/{n}/file", summary="Download the file of one version (a permanent link)",
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}, 304: {"description": "not modified (If-None-Match)"},
                       **PUBLIC_MISSING})
def get_version_file(work_id: WorkId, n: Annotated[int, Path(ge=1, le=100_000)], request: Request):
    info = curation.version_file(svc(request).store, work_id, n)
    if info is None:
        raise not_found(f"The file of version {n} of {work_id!r}", f"Berkas versi {n} dari {work_id!r}")
    return _file_response(request, info, work_id, immutable=True)

