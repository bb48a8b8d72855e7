"""GET /api/v1/regulations, /regulations/{work_id}, /regulations/{work_id}/articles/{pasal}."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from search_api.deps import get_snapshot
from search_api.errors import not_found
from search_api.filters import check_filters
from search_api.kb import Snapshot
from search_api.params import WorkId
from search_api.models import ArticleOut, NoParams, RegulationDetail, RegulationListParams, RegulationPage
from search_api.pagination import decode_cursor, encode_cursor
from search_api.responses import NOT_FOUND, PROBLEMS
from search_api.views import article_view, regulation_detail

router = APIRouter(prefix="/api/v1", tags=["regulations"])

Pasal = Annotated[str, Path(max_length=20, description='article number, e.g. "40" or "45A"')]


@router.get("/regulations", response_model=RegulationPage, responses=PROBLEMS, summary="List regulations")
def list_regulations(params: Annotated[RegulationListParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    """Every work in the knowledge base (newest first), filtered; ``next_cursor`` pages on."""
    filters = check_filters(params)
    key = repr(sorted(filters.items()))
    offset = decode_cursor(params.cursor, key)
    works = snap.ordered(snap.filter(**filters))
    nxt = offset + params.limit
    return {"total": len(works), "results": [w.summary() for w in works[offset:nxt]],
            "next_cursor": encode_cursor(nxt, key) if nxt < len(works) else None}


def get_work(snap: Snapshot, work_id: str):
    work = snap.get(work_id)
    if work is None:
        raise not_found(f"Regulation {work_id!r}", f"Peraturan {work_id!r}")
    return work


@router.get("/regulations/{work_id}", response_model=RegulationDetail, responses={**PROBLEMS, **NOT_FOUND},
            summary="One regulation: metadata, BAB tree, articles, relations, sources")
def get_regulation(work_id: WorkId, params: Annotated[NoParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    return regulation_detail(snap, get_work(snap, work_id))


def find_article(snap: Snapshot, work_id: str, pasal: str):
    work = get_work(snap, work_id)
    art = work.article(pasal)
    if art is None:
        raise not_found(f"Pasal {pasal} of {work_id}", f"Pasal {pasal} dari {work_id}")
    return work, art


@router.get("/regulations/{work_id}/articles/{pasal}", response_model=ArticleOut,
            responses={**PROBLEMS, **NOT_FOUND}, summary="One article (Pasal) with its ayat and Penjelasan")
def get_article(work_id: WorkId, pasal: Pasal, params: Annotated[NoParams, Query()],
                snap: Snapshot = Depends(get_snapshot)):
    """An article of the work; for an amending regulation, also an article its change items enact
    (``amends`` then names the amended work)."""
    work, art = find_article(snap, work_id, pasal)
    return article_view(work, art)
