"""GET /api/v1/search: articles found by BM25, dense or hybrid retrieval, grouped by regulation."""
from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool

from search_api.consolidated import check_date, in_force_groups, in_force_on, snippet_maker
from search_api.deps import get_kb
from search_api.errors import ApiProblem
from search_api.filters import check_filters
from search_api.kb import KnowledgeBase, Snapshot
from search_api.models import SearchParams, SearchResponse
from search_api.pagination import decode_cursor, encode_cursor
from search_api.responses import PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["search"])

ARTICLES_SHOWN = 3  # per regulation (the searcher's default)
MAX_GROUPS = 10_000  # all matching regulations are grouped, so facets count them all


def facet_counts(summaries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    counters = {"jenis": Counter(), "tahun": Counter(), "status": Counter(), "dimension": Counter()}
    for s in summaries:
        if s.get("jenis_code"):
            counters["jenis"][s["jenis_code"]] += 1
        if s.get("tahun"):
            counters["tahun"][str(s["tahun"])] += 1
        counters["status"][s["status"]] += 1
        for d in s.get("dimensions") or []:
            counters["dimension"][d] += 1
    return {k: [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
            for k, c in counters.items()}


def run_search(kb: KnowledgeBase, snap: Snapshot, q: str, mode: str, filters: dict[str, Any],
               as_of: str | None = None) -> list[dict]:
    """Every matching regulation, best first, with the store's view replaced by the snapshot's.
    An amended article is shown once, as in force today (or on ``as_of``, or on the day the query
    names), with the work that set its text (search_api.consolidated)."""
    store_filters = None
    if filters or as_of:
        ids = sorted(w.id for w in snap.filter(**filters) if not as_of or in_force_on(snap, w, as_of))
        if not ids:
            return []
        store_filters = {"field": "meta.work_id", "operator": "in", "value": ids}
    # complete: every regulation the query matches is in the list (not only the retrievers'
    # candidates), so ``total``, the facets and the pages agree (Searcher.matching_regulations)
    out = kb.searcher.search(q, mode=mode, limit=MAX_GROUPS, filters=store_filters, complete=True)
    groups = in_force_groups(snap, out["results"], as_of=as_of, question=q, make_snippet=snippet_maker(q))
    results = []
    for g in groups:
        work = snap.get(g["regulation"]["id"] or "")
        if work is None:
            continue  # a chunk whose work row is gone: never show what the catalogue does not hold
        results.append({
            "regulation": work.summary(),
            "score": float(g["score"] or 0.0),
            "articles": [{k: a.get(k) for k in ("pasal", "ayat", "lampiran", "rows", "amends", "breadcrumb", "snippet",
                                                "uri", "consolidated", "article_status")}
                         | {"score": float(a.get("score") or 0.0)} for a in g["articles"][:ARTICLES_SHOWN]],
        })
    return results


@router.get("/search", response_model=SearchResponse, responses=PROBLEMS,
            summary="Search articles; results grouped by regulation")
async def search(params: Annotated[SearchParams, Query()], kb: KnowledgeBase = Depends(get_kb)):
    """Articles matching ``q`` (Indonesian or English), grouped by regulation, best first.

    Snippets are HTML-escaped with ``<mark>`` around the words that match. ``total`` and ``facets``
    count every matching regulation (not only this page, nor only the retrievers' best candidates):
    a regulation matches when one of its chunks holds a word of the query (glossary-expanded, as
    BM25 reads it); the ranked ones come first, the other matches after them. Pass ``next_cursor``
    back as ``cursor`` for the next page: every page of one query shows the same ``total``.
    """
    q = params.q.strip()
    if not q:
        raise ApiProblem("validation-error", "'q' is empty.", "'q' kosong.")
    filters = check_filters(params)
    as_of = check_date(params.as_of)
    key = repr((q, params.mode.value, sorted(filters.items()), as_of))
    offset = decode_cursor(params.cursor, key)
    snap = kb.snapshot()
    results = await run_in_threadpool(run_search, kb, snap, q, params.mode.value, filters, as_of)
    page = results[offset: offset + params.limit]
    nxt = offset + params.limit
    return {
        "query": q,
        "mode": params.mode.value,
        "total": len(results),
        "results": page,
        "facets": facet_counts([r["regulation"] for r in results]),
        "next_cursor": encode_cursor(nxt, key) if nxt < len(results) else None,
    }
