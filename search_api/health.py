"""/healthz (the process serves), /readyz (the store is open and holds works), /metrics."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from search_api.errors import ApiProblem
from search_api.models import Health
from search_api.responses import NOT_READY

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="Liveness: 200 once the server serves")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", response_model=Health, responses=NOT_READY,
            summary="Readiness: 200 when the store is open and holds works, else 503")
def readyz(request: Request):
    kb = request.app.state.kb
    try:
        n = len(kb.snapshot().works)
    except Exception as exc:  # noqa: BLE001 - any failure to open the store means not ready
        raise ApiProblem("not-ready", f"The knowledge base cannot be opened: {exc}",
                         f"Basis pengetahuan tidak dapat dibuka: {exc}") from exc
    request.app.state.metrics.works.set(n)
    if n == 0:
        raise ApiProblem("not-ready", "The knowledge base holds no works yet; run `jdih ingest regulations/`.",
                         "Basis pengetahuan belum berisi peraturan; jalankan `jdih ingest regulations/`.")
    return {"status": "ready", "works": n}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(request: Request):
    m = request.app.state.metrics
    try:
        m.works.set(len(request.app.state.kb.snapshot().works))
    except Exception:  # noqa: BLE001 - metrics must answer even when the store does not
        pass
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
