"""GET /audit: the audit log (admin)."""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query, Request

from pipelines.staff.accounts import Account
from search_api.auth import AUTH_RESPONSES, require_admin
from search_api.pagination import MAX_SEQ
from search_api.staff.service import svc

router = APIRouter(tags=["staff"])

@router.get("/audit", summary="The audit log (admin)", responses=AUTH_RESPONSES)
def get_audit(request: Request, work_id: Annotated[Optional[str], Query(max_length=120)] = None,
              action: Annotated[Optional[str], Query(max_length=40)] = None,
              cursor: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100,
              account: Account = Depends(require_admin)):
    rows = svc(request).control.audit_entries(work_id=work_id, action=action, after_id=cursor, limit=limit)
    return {"results": rows, "next_cursor": rows[-1]["id"] if len(rows) == limit else None}
