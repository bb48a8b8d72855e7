"""The legal staff's decisions on a service's legal basis (a staff token; audited like relation edits):

- POST   /services/{id}/links/{work_id}/confirm   confirm a regulation the system proposes
- POST   /services/{id}/links                     add a regulation the system does not propose
- DELETE /services/{id}/links/{work_id}           remove a link (a proposal stays removed)

Each answers with the service's legal basis as it now stands (GET /services/{id}). The decisions
are stored by :mod:`pipelines.staff.service_links` in the control file, with their audit
entries (``service_link_confirm`` / ``_add`` / ``_remove``, GET /audit) in the same transaction.
"""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from pipelines.staff.accounts import Account
from pipelines.staff.service_links import record_decision
from search_api import services
from search_api.auth import AUTH_RESPONSES, require_staff
from search_api.errors import ApiProblem, not_found
from search_api.params import WorkId
from search_api.staff.service import svc

router = APIRouter(tags=["staff"])

Pasal = Annotated[str, Field(max_length=20, pattern=r"^[0-9]+[A-Za-z]?$")]


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: Optional[list[Pasal]] = Field(None, max_length=20, description="the Pasal to cite; default: those the system quotes")
    note: Optional[str] = Field(None, max_length=500)


class AddIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regulation: str = Field(max_length=120, pattern=r"^[a-z0-9-]+$", description="canonical id of the regulation")
    articles: list[Pasal] = Field([], max_length=20, description="the Pasal that govern the service ([] = the regulation as a whole)")
    note: Optional[str] = Field(None, max_length=500)


def _conflict(code: str, detail: str, detail_id: str, **extra) -> ApiProblem:
    return ApiProblem("conflict", detail, detail_id, status=409, code=code, **extra)


def _current(request: Request, service_id: str, work_id: str):
    """The service, the regulation, and the link between them as it stands (or None)."""
    kb = svc(request).kb
    service = services.get_service_or_404(service_id)
    snap = kb.snapshot()
    work = snap.get(work_id)
    if work is None:
        raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")
    basis = services.legal_basis(kb, service, snap)
    link = next((x for x in basis["local"] + basis["national"] + basis["removed"] if x["regulation"]["id"] == work.id), None)
    return kb, service, work, link


def _check_articles(work, articles: list[str]) -> list[str]:
    missing = [p for p in articles if work.article(p) is None]
    if missing:
        raise ApiProblem("validation-error", f"{work.id} has no Pasal {', '.join(missing)}.",
                         f"{work.id} tidak memuat Pasal {', '.join(missing)}.", code="no_such_article")
    return [str(work.article(p).get("number") or p) for p in articles]


def _decide(request: Request, kb, service, work, action: str, *, actor: str, origin: str, articles, note):
    try:
        record_decision(kb.store, service.id, work.id, action, actor=actor, origin=origin, articles=articles, note=note)
    except LookupError:
        raise not_found(f"Regulation {work.id!r}", f"Peraturan {work.id!r}") from None
    return services.detail(kb, service)


def _confirm(request: Request, service_id: str, work_id: str, body: ConfirmIn, actor: str):
    kb, service, work, link = _current(request, service_id, work_id)
    if link is None or not link["proposed"]:
        raise _conflict("not_proposed", f"The system does not propose {work.id} for {service.name}; add it instead.",
                        f"Sistem tidak mengusulkan {work.id} untuk {service.name}; tambahkan sebagai tautan baru.",
                        links={"add": f"/api/v1/services/{service.id}/links"})
    if link["state"] == "confirmed":
        raise _conflict("link_exists", f"{work.id} is already confirmed for {service.name}.",
                        f"{work.id} sudah dikonfirmasi untuk {service.name}.")
    articles = _check_articles(work, body.articles) if body.articles is not None else \
        [a["pasal"] for a in link["articles"] if a.get("pasal")]
    return _decide(request, kb, service, work, "confirm", actor=actor, origin="system", articles=articles, note=body.note)


def _add(request: Request, service_id: str, body: AddIn, actor: str):
    kb, service, work, link = _current(request, service_id, body.regulation)
    if link is not None and link["state"] == "confirmed":
        raise _conflict("link_exists", f"{work.id} is already confirmed for {service.name}.",
                        f"{work.id} sudah dikonfirmasi untuk {service.name}.")
    if link is not None and link["proposed"]:
        raise _conflict("link_proposed", f"The system proposes {work.id} for {service.name}: confirm it.",
                        f"Sistem mengusulkan {work.id} untuk {service.name}: konfirmasikan usulan itu.",
                        links={"confirm": f"/api/v1/services/{service.id}/links/{work.id}/confirm"})
    articles = _check_articles(work, body.articles)
    return _decide(request, kb, service, work, "add", actor=actor, origin="staff", articles=articles, note=body.note)


def _remove(request: Request, service_id: str, work_id: str, note: str | None, actor: str):
    kb, service, work, link = _current(request, service_id, work_id)
    if link is None or link["state"] == "removed":
        raise not_found(f"A link of {service.name} to {work.id}", f"Tautan {service.name} ke {work.id}")
    return _decide(request, kb, service, work, "remove", actor=actor, origin=link["origin"],
                   articles=[a["pasal"] for a in link["articles"] if a.get("pasal")] if link["state"] == "confirmed" else [],
                   note=note)


@router.post("/services/{service_id}/links/{work_id}/confirm", summary="Confirm a proposed legal basis (staff)",
             responses=AUTH_RESPONSES)
async def confirm_link(service_id: services.ServiceId, work_id: WorkId, request: Request, body: Optional[ConfirmIn] = None,
                       account: Account = Depends(require_staff)):
    """The regulation becomes the service's legal basis "confirmed by staff"; the articles cited are
    those given, else those the system quotes. 409 when it is not proposed (add it) or already confirmed."""
    return await run_in_threadpool(_confirm, request, service_id, work_id, body or ConfirmIn(), account.actor)


@router.post("/services/{service_id}/links", status_code=201, summary="Add a legal basis the system did not propose (staff)",
             responses=AUTH_RESPONSES)
async def add_link(service_id: services.ServiceId, body: AddIn, request: Request, account: Account = Depends(require_staff)):
    return await run_in_threadpool(_add, request, service_id, body, account.actor)


@router.delete("/services/{service_id}/links/{work_id}", summary="Remove a link (staff); a removed proposal stays removed",
               responses=AUTH_RESPONSES)
async def remove_link(service_id: services.ServiceId, work_id: WorkId, request: Request,
                      note: Annotated[Optional[str], Query(max_length=500)] = None,
                      account: Account = Depends(require_staff)):
    return await run_in_threadpool(_remove, request, service_id, work_id, note, account.actor)
