"""The search page ``/`` (``?q=&jenis=&tahun=&status=&dimension=&page=``; JSON twin
``/api/v1/search``, or ``/api/v1/regulations`` without ``q``), with results that refresh as one
types (``X-Fragment: results``), spelling and other-language hints."""
from __future__ import annotations

import difflib
import re
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from frontend.rendering import FRAGMENT_HEADER, PASSAGES_SHOWN, PER_PAGE, page_context, problem_text, reader_url, render
from pipelines.analysis.analyzer import expansions
from search_api.deps import get_kb
from search_api.errors import ApiProblem
from search_api.filters import check_filters
from search_api.kb import KnowledgeBase, Snapshot, work_text_units
from search_api.models import RegulationFilters, SearchParams
from search_api.search import facet_counts, run_search

router = APIRouter(include_in_schema=False)

FILTER_NAMES = ("jenis", "tahun", "status", "dimension")
EXAMPLE_QUERIES = ("pusat data", "informasi publik", "retribusi daerah", "data pribadi", "data centre",
                   "transformasi digital")


def _filters_from(request: Request) -> dict[str, str]:
    return {k: request.query_params[k].strip() for k in FILTER_NAMES if request.query_params.get(k, "").strip()}


def _url(path: str, params: dict[str, Any]) -> str:
    clean = [(k, v) for k, v in params.items() if v not in (None, "")]
    return path + ("?" + urlencode(clean) if clean else "")



def _browse(snap: Snapshot, filters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"regulation": w.summary(), "score": 0.0, "articles": []} for w in snap.ordered(snap.filter(**filters))]


def _vocabulary(snap: Snapshot) -> tuple[str, ...]:
    """Words of the corpus (titles and article texts, 4+ letters, seen twice or more), for spelling
    hints; computed once per snapshot (a new ingest makes a new snapshot) and kept on it."""
    vocab = getattr(snap, "_frontend_vocabulary", None)
    if vocab is None:
        counts: Counter = Counter()
        for w in snap.works.values():
            for text in [w.field("judul") or "", *work_text_units(w)]:
                counts.update(m.lower() for m in re.findall(r"[A-Za-z]{4,}", text))
        vocab = tuple(sorted(word for word, n in counts.items() if n >= 2))
        snap._frontend_vocabulary = vocab
    return vocab


def spelling_suggestions(snap: Snapshot, q: str) -> list[str]:
    """The query with each unknown word replaced by the closest corpus word, when any is close."""
    vocab = _vocabulary(snap)
    known = set(vocab)
    changed, out = False, []
    for word in re.findall(r"\w+", q.lower()):
        close = [] if len(word) < 4 or word in known or word.isdigit() else \
            difflib.get_close_matches(word, vocab, n=1, cutoff=0.78)
        out.append(close[0] if close else word)
        changed = changed or bool(close)
    return [" ".join(out)] if changed else []


def language_hints(q: str) -> list[str]:
    """Glossary equivalents of the query's terms in the other language (``data centre`` -> ``pusat data``)."""
    return expansions(q)[:6]


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, kb: KnowledgeBase = Depends(get_kb)):
    lang = page_context(request)["lang"]
    q = (request.query_params.get("q") or "").strip()
    raw_filters = _filters_from(request)
    mode = request.query_params.get("mode") or "hybrid"
    try:
        page = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        page = 1
    snap = kb.snapshot()
    error, results, filters = None, [], {}
    try:
        if q:
            params = SearchParams(q=q, mode=mode, **raw_filters)
        else:
            params = RegulationFilters(**raw_filters)
        filters = check_filters(params)
        if q:
            results = await run_in_threadpool(run_search, kb, snap, q, params.mode.value, filters)
        elif raw_filters or request.query_params.get("semua"):
            results = _browse(snap, filters)
    except (ApiProblem, ValidationError) as exc:
        error = problem_text(exc, lang)

    facets = facet_counts([r["regulation"] for r in results]) if results else None
    pages = max(1, -(-len(results) // PER_PAGE))
    page = min(page, pages)
    shown = results[(page - 1) * PER_PAGE: page * PER_PAGE]
    base = {"q": q, **raw_filters}
    if mode != "hybrid":
        base["mode"] = mode

    def link(**change: Any) -> str:
        params = {**base, **change}
        if params.get("page") == 1:
            del params["page"]
        return _url("/", params)

    active = [{"name": k, "value": v, "remove": link(**{k: None})} for k, v in raw_filters.items()]
    # hybrid search always finds something by meaning; when no passage holds a query word,
    # say so and offer the same help as for no results
    exact = any("<mark>" in (a.get("snippet") or "") for r in results for a in r["articles"])
    hints = {}
    if q and not exact and not error:
        hints = {"spelling": spelling_suggestions(snap, q), "language": language_hints(q)}
    if q:
        json_url = _url("/api/v1/search", {"q": q, **raw_filters, "mode": mode if mode != "hybrid" else None})
    else:
        json_url = _url("/api/v1/regulations", raw_filters)
    works = list(snap.works.values())
    context = dict(q=q, mode=mode, results=shown, total=len(results), facets=facets, filters=raw_filters,
                   active=active, link=link, page=page, pages=pages, error=error, hints=hints,
                   examples=EXAMPLE_QUERIES, json_url=json_url, exact=exact, browsing=not q and bool(results),
                   corpus={"works": len(works), "text": sum(1 for w in works if w.has_text)},
                   reader_url=reader_url, passages_shown=PASSAGES_SHOWN)
    if request.headers.get(FRAGMENT_HEADER) == "results":
        return render(request, "_results.html", **context)
    return render(request, "search.html", section="search", **context)



@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)
