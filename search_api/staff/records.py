"""PATCH and DELETE /regulations/{id}, POST /regulations/{id}/restore, GET /withdrawn: a work's
catalogue fields, its withdrawal and its restoration (staff)."""
from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Body, Depends, Query, Request

from pipelines.staff import curation
from pipelines.staff.accounts import Account
from pipelines.staff.records import metadata_json_schema
from search_api.auth import AUTH_RESPONSES, require_staff
from search_api.params import WorkId
from search_api.staff.service import call, svc

router = APIRouter(tags=["staff"])


@router.patch("/regulations/{work_id}", summary="Edit a regulation's metadata (staff)", responses=AUTH_RESPONSES,
              openapi_extra={"requestBody": {"content": {"application/json": {"schema": metadata_json_schema()}}}})
def patch_regulation(work_id: WorkId, request: Request,
                     fields: Annotated[dict[str, Any], Body(description="catalogue fields to set (null clears)",
                                                            examples=[{"judul_en": "Smart city master plan"}])],
                     account: Account = Depends(require_staff)):
    record = call(request, curation.patch_metadata, work_id, fields, actor=account.actor)
    return {"work_id": work_id, "record": {k: v for k, v in record.items()}}


@router.delete("/regulations/{work_id}", summary="Withdraw a regulation (staff; soft, restorable)", responses=AUTH_RESPONSES)
def withdraw_regulation(work_id: WorkId, request: Request,
                        reason: Annotated[Optional[str], Query(max_length=500)] = None,
                        account: Account = Depends(require_staff)):
    out = call(request, curation.withdraw, work_id, actor=account.actor, reason=reason)
    return out | {"links": {"restore": f"/api/v1/regulations/{work_id}/restore"}}


@router.post("/regulations/{work_id}/restore", summary="Restore a withdrawn regulation (staff)", responses=AUTH_RESPONSES)
def restore_regulation(work_id: WorkId, request: Request, account: Account = Depends(require_staff)):
    out = call(request, curation.restore, work_id, actor=account.actor)
    return out | {"links": {"regulation": f"/api/v1/regulations/{work_id}"}}


@router.get("/withdrawn", summary="Withdrawn regulations (staff)", responses=AUTH_RESPONSES)
def list_withdrawn(request: Request, account: Account = Depends(require_staff)):
    return {"results": svc(request).control.withdrawn()}

