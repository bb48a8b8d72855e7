"""GET and POST /accounts, DELETE /accounts/{id}: staff and admin tokens (admin)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from pipelines.staff import accounts as acc
from pipelines.staff.accounts import Account
from search_api.auth import AUTH_RESPONSES, require_admin
from search_api.errors import ApiProblem, not_found
from search_api.staff.service import svc

router = APIRouter(tags=["staff"])

class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=acc.MAX_NAME, pattern=r"^[^\x00-\x1f]+$",
                      description="printable characters (no control characters)")
    role: str = Field(pattern="^(staff|admin)$")
    expires_in_days: int = Field(default=acc.DEFAULT_EXPIRY_DAYS, ge=0, le=3650,
                                 description="the token stops working after this many days (0: never)")


@router.get("/accounts", summary="Accounts (admin)", responses=AUTH_RESPONSES)
def list_accounts(request: Request, account: Account = Depends(require_admin)):
    return {"results": [a.to_dict() for a in svc(request).control.accounts()]}


@router.post("/accounts", status_code=201, summary="Create an account; its token is shown once (admin)", responses=AUTH_RESPONSES)
def create_account(body: AccountIn, request: Request, account: Account = Depends(require_admin)):
    with svc(request).control.transaction() as control:
        try:
            new, token = control.create_account(name=body.name, role=body.role, created_by=account.actor,
                                                expires_in_days=body.expires_in_days)
        except acc.AccountError as exc:
            raise ApiProblem("conflict" if "exists" in str(exc) else "validation-error", str(exc), str(exc),
                             status=409 if "exists" in str(exc) else 422) from None
        control.audit(actor=account.actor, action="token_create", after=new.to_dict())
    return new.to_dict() | {"token": token}


@router.delete("/accounts/{account_id}", summary="Revoke an account's token (admin)", responses=AUTH_RESPONSES)
def revoke_account(account_id: Annotated[str, Path(max_length=80)], request: Request,
                   account: Account = Depends(require_admin)):
    with svc(request).control.transaction() as control:
        try:
            done = control.revoke_account(account_id)
        except acc.AccountError as exc:
            raise not_found(f"Active account {account_id!r}", f"Akun aktif {account_id!r}") from exc
        for a in done:
            control.audit(actor=account.actor, action="token_revoke", before={"id": a.id, "name": a.name, "role": a.role})
    return {"revoked": [a.to_dict() for a in done]}
