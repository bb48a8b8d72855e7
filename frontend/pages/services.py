"""The legal-basis view of the city's Smart City services: ``/layanan`` (every service with its
local and national rules, the gaps, and per dimension the 2023 realisation beside the regulations
serving it, as a bar chart with a table alternative) and ``/layanan/{id}`` (one service: its
links, evidence quoted, "proposed by the system" / "confirmed by staff").

JSON twins: ``/api/v1/services``, ``/api/v1/services/{id}``; the pages themselves answer a client
that prefers JSON (``Accept: application/json``) with the same JSON."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from frontend.i18n import translator
from frontend.pages.dimensions import bar_chart
from frontend.rendering import dimension_name, error_page, full_title, page_context, prefers_html, reader_url, render
from regulations.services import load_register
from search_api import services
from search_api.calibration import band
from search_api.deps import get_kb
from search_api.kb import KnowledgeBase

router = APIRouter(include_in_schema=False)


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and not prefers_html(dict(request.headers))


def realisation_chart(dims: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """A horizontal bar per dimension on a 0-100 % scale (inline SVG drawn by the template)."""
    rows = [{"id": d["id"], "name": dimension_name(d["id"], lang), "value": d["realisation"]} for d in dims]
    return bar_chart(rows, value="value", scale=100, label_room=60)


def region_name(region: str) -> str:
    return region.replace("-", " ").title()


@router.get("/layanan", response_class=HTMLResponse)
async def services_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    bases: dict[str, Any] = {}
    data = await run_in_threadpool(services.overview, kb, bases)
    if wants_json(request):
        return JSONResponse(data, headers={"Vary": "Accept"})
    lang = page_context(request)["lang"]
    t = translator(lang)
    chart = realisation_chart(data["dimensions"], lang)
    summary_text = "; ".join(f"{b['name']}: {b['value']}%" for b in chart["bars"] if b["value"] is not None)
    return render(request, "services.html", section="services", data=data, chart=chart, summary_text=summary_text,
                  bases=bases, json_url="/api/v1/services", region=region_name(data["region"]),
                  source=data["references"].get("paper", ""), t_dim=lambda d: dimension_name(d, lang),
                  gaps_text=t("svc.gaps", n=len(data["gaps"]), total=len(data["services"])))


@router.get("/layanan/{service_id}", response_class=HTMLResponse)
async def service_page(request: Request, service_id: str, kb: KnowledgeBase = Depends(get_kb)):
    service = load_register().get(service_id)
    if service is None:
        if wants_json(request):
            services.get_service_or_404(service_id)  # the API's problem+json
        return error_page(request, 404)
    data = await run_in_threadpool(services.detail, kb, service)
    if wants_json(request):
        return JSONResponse(data, headers={"Vary": "Accept"})
    lang = page_context(request)["lang"]
    return render(request, "service.html", section="services", svc=data, basis=data["legal_basis"],
                  json_url=f"/api/v1/services/{service.id}", region=region_name(data["region"]),
                  dim=dimension_name(service.dimension, lang), reader_url=reader_url, full_title=full_title, level=band,
                  subdimension=_subdimension_name(service.dimension, service.subdimension, lang))


def _subdimension_name(dimension: str, sub: str, lang: str) -> str:
    from frontend.rendering import taxonomy

    try:
        for s in taxonomy().get(dimension).subdimensions:
            if s.id == sub:
                return s.name["en"] if lang == "en" else s.name["id"]
    except KeyError:
        pass
    return sub
