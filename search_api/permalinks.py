"""Permalinks: ``/akn/...`` Akoma Ntoso FRBR work URIs, HTML for a browser, JSON for a client.

``/akn/id/act/pp/2019/71`` is the work PP 71/2019; ``/akn/id-malang/act/perwal/2022/9`` a Malang
Perwal; ``/akn/id/act/pp/2019/71/~pasal_20`` its Pasal 20 (``~pasal_20__ayat_2`` pins an ayat;
the article is returned with its ayat). A request whose Accept header prefers ``text/html`` gets
a small server-rendered page; anything else gets the same JSON as /api/v1/regulations/{id}
(or /articles/{pasal}).
"""
from __future__ import annotations

from typing import Annotated, Union

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape

from ingest.ids import FrbrUri, RegulationId
from search_api.consolidated import consolidated_view
from search_api.deps import get_snapshot
from search_api.errors import not_found
from search_api.kb import Snapshot
from search_api.models import ArticleOut, NoParams, RegulationDetail
from search_api.regulations import find_article, get_work
from search_api.responses import NOT_FOUND, PROBLEMS
from search_api.views import article_view, regulation_detail

router = APIRouter(tags=["permalinks"])

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_PAGE = _ENV.from_string("""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="alternate" type="application/json" href="{{ api_url }}">
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.meta{color:#555}.pasal{margin:1.5rem 0}.status{font-weight:bold}pre{white-space:pre-wrap;font:inherit}</style>
</head><body>
<p class="meta"><a href="{{ work_uri }}">{{ reg.singkatan or reg.jenis }} {{ reg.nomor }}/{{ reg.tahun }}</a>
 · status: <span class="status">{{ reg.status }}</span>{% if reg.dimensions %} · {{ reg.dimensions|join(", ") }}{% endif %}</p>
<h1>{{ title }}</h1>
{% if not reg.has_text %}<p><strong>Metadata saja: teks lengkap belum diunggah.</strong>
 Metadata only: the full text has not been uploaded yet.</p>
 {% for f in reg.facts %}<p>{{ f }}</p>{% endfor %}{% endif %}
{% for a in articles %}<section class="pasal" id="pasal_{{ a.pasal }}">
<h2><a href="{{ a.uri }}">Pasal {{ a.pasal }}</a>{% if a.amends %} <small>(mengubah {{ a.amends }})</small>{% endif %}</h2>
{% if a.ayat %}{% for y in a.ayat %}<p{% if y.number == ayat %} style="background:#ffe"{% endif %}>({{ y.number }}) {{ y.text }}</p>{% endfor %}
{% else %}<pre>{{ a.text }}</pre>{% endif %}
{% if a.penjelasan %}<p class="meta">Penjelasan: {{ a.penjelasan }}</p>{% endif %}
</section>{% endfor %}
<p class="meta">JSON: <a href="{{ api_url }}">{{ api_url }}</a></p>
</body></html>
""")


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    if "application/json" not in accept:
        return True
    return accept.index("text/html") < accept.index("application/json")


@router.get("/akn/{frbr_path:path}", response_model=Union[RegulationDetail, ArticleOut],
            responses={**PROBLEMS, **NOT_FOUND, 200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
            summary="Permalink of a work or an article (HTML or JSON by Accept)")
def permalink(request: Request, frbr_path: Annotated[str, Path(max_length=300)],
              params: Annotated[NoParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    uri = "/akn/" + frbr_path
    try:
        frbr = FrbrUri.parse(uri)
    except ValueError:
        raise not_found(f"The permalink {uri}", f"Tautan permanen {uri}") from None
    if frbr.language:  # a dated expression: the consolidated text of that day
        return expression_permalink(request, snap, frbr)
    rid = frbr.work
    work_id = str(rid)
    if frbr.pasal:
        work, art = find_article(snap, work_id, frbr.pasal)
        data = article_view(work, art)
        if frbr.ayat and not any(y["number"] == frbr.ayat for y in data["ayat"]):
            raise not_found(f"Ayat ({frbr.ayat}) of Pasal {frbr.pasal} of {work_id}",
                            f"Ayat ({frbr.ayat}) Pasal {frbr.pasal} dari {work_id}")
        if wants_html(request):
            return _html(work.summary() | {"facts": []}, [data], rid, frbr.ayat,
                         f"/api/v1/regulations/{work_id}/articles/{data['pasal']}")
        return data
    work = get_work(snap, work_id)
    detail = regulation_detail(snap, work)
    if wants_html(request):
        return _html(detail, detail["articles"] + [a for m in detail["amendments"] for a in m["articles"]],
                     rid, None, f"/api/v1/regulations/{work_id}")
    return detail


def _html(reg: dict, articles: list[dict], rid: RegulationId, ayat: str | None, api_url: str) -> HTMLResponse:
    title = f"{reg.get('jenis') or ''} Nomor {reg.get('nomor') or ''} Tahun {reg.get('tahun') or ''}"
    if reg.get("judul"):
        title += f" tentang {reg['judul']}"
    return HTMLResponse(_PAGE.render(title=title, reg=reg, articles=articles, ayat=ayat, api_url=api_url,
                                     work_uri=rid.frbr_uri()))


def expression_permalink(request: Request, snap: Snapshot, frbr: FrbrUri):
    """``/akn/.../ind@2024-01-02[/~pasal_27]``: the expression that took effect that day (JSON of
    /consolidated); a date inside an expression's period redirects to that expression's permalink."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.responses import JSONResponse, RedirectResponse

    work_id = str(frbr.work)
    if not frbr.date:
        cons = snap.consolidation(work_id)
        if cons is None or not cons.current.date:  # no text, or the day it took effect is unknown
            raise not_found(f"The permalink {frbr}", f"Tautan permanen {frbr}")
        return RedirectResponse(str(frbr.at(cons.current.date)), status_code=307)
    cons = snap.consolidation(work_id)
    expr = cons.at(frbr.date) if cons else None
    if expr is not None and expr.date != frbr.date:
        return RedirectResponse(str(frbr.at(expr.date)), status_code=307)
    data = consolidated_view(snap, work_id, frbr.date, exact=True)
    if frbr.pasal:
        art = next((a for a in data["articles"] if a["number"].upper() == frbr.pasal.upper()), None)
        if art is None or (frbr.ayat and not any(y["number"] == frbr.ayat for y in art["ayat"])):
            raise not_found(f"The permalink {frbr}", f"Tautan permanen {frbr}")
        return JSONResponse(jsonable_encoder({**art, "work_id": work_id, "expression": data["expression"]}))
    return JSONResponse(jsonable_encoder(data))
