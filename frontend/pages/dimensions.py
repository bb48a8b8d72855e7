"""The Smart City explorer: ``/dimensi`` (a bar chart of the six dimensions) and
``/dimensi/{id}`` (the regulations linked to one, with their evidence). JSON twins:
``/api/v1/dimensions``, ``/api/v1/dimensions/{id}``."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from frontend.i18n import translator
from frontend.rendering import dimension_name, error_page, page_context, reader_url, render, taxonomy
from search_api.deps import get_kb
from search_api.dimensions import linked, summary
from search_api.kb import KnowledgeBase, Snapshot

router = APIRouter(include_in_schema=False)

def _subdimension_counts(snap: Snapshot, dim) -> dict[str, int]:
    """Sub-dimension id -> works whose evidence terms for the dimension include one of its terms."""
    counts = {}
    for sub in dim.subdimensions:
        texts = {t.text.lower() for t in sub.terms}
        counts[sub.id] = sum(
            1 for w in snap.works.values()
            if any(str(term).lower() in texts
                   for ev in ((w.dimensions.get(dim.id) or {}).get("evidence") or []) for term in ev.get("terms") or []))
    return counts


BAR_COLOURS = {"smart-governance": "#1d4ed8", "smart-branding": "#a21caf", "smart-economy": "#b45309",
               "smart-living": "#047857", "smart-society": "#be123c", "smart-environment": "#3f6212"}


def bar_chart(rows: list[dict[str, Any]], *, value: str = "count", scale: float | None = None,
              label_room: int = 40) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (drawn by the template as inline SVG): each dimension's
    name on its own line above its bar, so long names fit a phone's width. ``rows[i][value]`` is
    the bar's value (None or 0: no bar); ``scale`` the value of a full bar (default the largest);
    ``label_room`` the width right of the bars for the value's label."""
    top = scale or max([r[value] or 0 for r in rows] + [1])
    bar_w, row_h = 300, 52
    bars = []
    for i, r in enumerate(rows):
        w = 0 if not r[value] else max(4, round(bar_w * float(r[value]) / top))
        bars.append({**r, "y": i * row_h, "w": w, "colour": BAR_COLOURS.get(r["id"], "#1d4ed8")})
    return {"bars": bars, "width": bar_w + label_room, "height": len(rows) * row_h, "row_h": row_h, "bar_w": bar_w}


@router.get("/dimensi", response_class=HTMLResponse)
def dimensions_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    lang = page_context(request)["lang"]
    snap = kb.snapshot()
    rows = []
    for dim in taxonomy().dimensions:
        s = summary(dim, snap)
        subs = _subdimension_counts(snap, dim)
        rows.append({"id": dim.id, "name": dimension_name(dim.id, lang), "count": s["regulations"],
                     "description": s["description_en"] if lang == "en" else s["description_id"],
                     "subs": [{"id": x["id"], "name": x["name_en"] if lang == "en" else x["name_id"],
                               "count": subs.get(x["id"], 0)} for x in s["subdimensions"]]})
    t = translator(lang)
    summary_text = "; ".join(f"{r['name']}: {t('dim.n_regulations', n=r['count'])}" for r in rows)
    return render(request, "dimensions.html", section="dimensions", rows=rows, chart=bar_chart(rows), summary_text=summary_text,
                  json_url="/api/v1/dimensions")


@router.get("/dimensi/{dimension_id}", response_class=HTMLResponse)
def dimension_page(request: Request, dimension_id: str, kb: KnowledgeBase = Depends(get_kb)):
    lang = page_context(request)["lang"]
    try:
        dim = taxonomy().get(dimension_id)
    except KeyError:
        return error_page(request, 404)
    snap = kb.snapshot()
    s = summary(dim, snap)
    subs = _subdimension_counts(snap, dim)
    links = linked(snap, dim.id)
    for link in links:  # evidence of a record without text names no Pasal (the API may spell that "None")
        link["evidence"] = [dict(e, pasal=None if str(e.get("pasal")) in ("None", "") else e["pasal"])
                            for e in link["evidence"]]
        link["evidence"] = [dict(e, url=reader_url(link["regulation"], e["pasal"]) if e["pasal"] else None)
                            for e in link["evidence"]]
    return render(request, "dimension.html", section="dimensions", dim=s, name=dimension_name(dim.id, lang),
                  description=s["description_en"] if lang == "en" else s["description_id"],
                  subs=[{"name": x["name_en"] if lang == "en" else x["name_id"], "count": subs.get(x["id"], 0)}
                        for x in s["subdimensions"]],
                  links=links, json_url=f"/api/v1/dimensions/{dim.id}", reader_url=reader_url,
                  all_dims=[(d.id, dimension_name(d.id, lang)) for d in taxonomy().dimensions])

