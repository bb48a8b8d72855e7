"""The "Teks konsolidasi / Consolidated text" page: an amended work as it reads on a date.

| page | JSON twin |
|---|---|
| ``/peraturan/{id}/konsolidasi?tanggal=YYYY-MM-DD`` | ``/api/v1/regulations/{id}/consolidated?date=`` |
| ``/akn/.../ind@YYYY-MM-DD`` (a browser) | the same ``/akn/...`` as JSON |

The version picker is a GET form (works without JavaScript); every article shows its status
(inserted, amended, deleted), the item that set its text (linked) and, in a ``<details>``, its
history with a word-level difference between successive versions.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from frontend.i18n import translator
from frontend.rendering import cite_label, error_page, full_title, page_context, render
from ingest.ids import FrbrUri
from regulations.consolidation import word_diff
from search_api.consolidated import article_view, expression_summary, expression_uri, work_label
from search_api.deps import get_kb
from search_api.kb import KnowledgeBase, Snapshot

router = APIRouter(include_in_schema=False)


def consolidated_page(request: Request, snap: Snapshot, work_id: str, day: str | None, *, exact: bool = False,
                      target: str | None = None):
    lang = page_context(request)["lang"]
    t = translator(lang)
    work = snap.get(work_id)
    cons = snap.consolidation(work_id) if work else None
    if work is None or cons is None:
        return error_page(request, 404, f"{work_id}: " + t("error.not_found"))
    day = day or dt.date.today().isoformat()
    expr = cons.expression(day) if exact else cons.at(day)
    if expr is None:
        return error_page(request, 404, t("cons.before", date=day, first=cons.expressions[0].date))
    i = cons.expressions.index(expr)
    prev = cons.expressions[i - 1] if i else None
    summary = work.summary()
    articles = []
    for a in expr.articles:
        view = article_view(snap, cons, expr, a)
        view["anchor"] = f"pasal-{a.number}"
        view["is_target"] = bool(target) and a.number.upper() == target.upper()
        view["versions"] = _article_versions(snap, cons, a.number, upto=i)
        view["changed_here"] = bool(prev) and (prev.article(a.number) is None or prev.article(a.number).text != a.text
                                               or prev.article(a.number).penjelasan != a.penjelasan)
        articles.append(view)
    versions = [dict(expression_summary(snap, cons, e, cons.expressions[k - 1] if k else None),
                     label=_version_label(snap, t, e, k, len(cons.expressions)))
                for k, e in enumerate(cons.expressions)]
    reg = dict(summary, uri=summary.get("uri"))
    return render(
        request, "consolidated.html", section="search", reg=reg, title=full_title(regulation_title(work)),
        cite=cite_label(summary), expr=expression_summary(snap, cons, expr, prev), versions=versions,
        selected=expr.date, articles=articles, not_applied=[n.to_dict() for n in cons.not_applied],
        time_limits=cons.time_limits, amending=[{"id": a.id, "label": work_label(snap, a.id), "date": a.date,
                                                 "uri": snap.get(a.id).uri if snap.get(a.id) else None}
                                                for a in cons.amending],
        json_url=f"/api/v1/regulations/{work.id}/consolidated?date={expr.date}",
        current_uri=expression_uri(work.id, cons.current.date), is_current=expr is cons.current,
        asked=day, reader_url=summary.get("uri") or f"/peraturan/{work.id}",
        target=next(({"anchor": v["anchor"], "pasal": v["number"]} for v in articles if v["is_target"]), None))


def regulation_title(work) -> dict[str, Any]:
    s = work.summary()
    return s


def _version_label(snap: Snapshot, t, e, k: int, n: int) -> str:
    if k == 0:
        label = t("cons.original")
    else:
        label = t("cons.as_amended", by=work_label(snap, e.amended_by))
    if k == n - 1:
        label += " · " + t("cons.current")
    return f"{label} ({e.date})"


def _article_versions(snap: Snapshot, cons, number: str, upto: int) -> list[dict[str, Any]]:
    """The distinct texts of one article up to expression ``upto``, each with its diff to the one before."""
    out: list[dict[str, Any]] = []
    last_text = last_pj = None
    for e in cons.expressions[: upto + 1]:
        a = e.article(number)
        if a is None:
            continue
        if out and a.text == last_text and a.penjelasan == last_pj:
            continue
        change = next((c for c in reversed(a.history) if c.date == e.date), None) if out or e.amended_by else None
        out.append({
            "date": e.date, "by": e.amended_by, "by_label": work_label(snap, e.amended_by) if e.amended_by else None,
            "item": change.item if change else None, "what": change.what if change else "enacted",
            "status": a.status, "uri": expression_uri(cons.work, e.date, number),
            "diff": [{"op": op, "text": tx} for op, tx in word_diff(last_text or "", a.text)] if out and a.text != last_text else None,
            "penjelasan_changed": bool(out) and a.penjelasan != last_pj,
            "text": a.text,
        })
        last_text, last_pj = a.text, a.penjelasan
    return out


@router.get("/peraturan/{work_id}/konsolidasi", response_class=HTMLResponse)
def consolidated_route(request: Request, work_id: str, kb: KnowledgeBase = Depends(get_kb)):
    day = request.query_params.get("tanggal") or None
    if day:
        try:
            day = dt.date.fromisoformat(day[:10]).isoformat()
        except ValueError:
            return error_page(request, 422, translator(page_context(request)["lang"])("cons.bad_date", date=day[:20]))
    return consolidated_page(request, kb.snapshot(), work_id, day)


def expression_page(request: Request, snap: Snapshot, frbr: FrbrUri):
    """``/akn/.../ind@DATE`` in a browser: the page of that expression (a date inside a period
    redirects to the expression in force, like the JSON permalink)."""
    cons = snap.consolidation(str(frbr.work))
    if cons is not None:
        expr = cons.at(frbr.date) if frbr.date else cons.current
        if expr is not None and expr.date != frbr.date:
            if not expr.date:  # the day it took effect is unknown: no dated permalink to go to
                return error_page(request, 404)
            return RedirectResponse(str(frbr.at(expr.date)), status_code=307)
    if frbr.pasal and cons is not None and cons.expression(frbr.date or "") is not None \
            and cons.expression(frbr.date).article(frbr.pasal) is None:
        return error_page(request, 404)
    return consolidated_page(request, snap, str(frbr.work), frbr.date, exact=True, target=frbr.pasal)
