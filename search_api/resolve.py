"""GET /api/v1/resolve?cite=: a citation in free text -> canonical id and permalink."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ingest.citations import resolve as resolve_citation
from search_api.deps import get_snapshot
from search_api.errors import ApiProblem
from search_api.kb import Snapshot
from search_api.models import ResolveParams, ResolveResponse
from search_api.responses import NOT_FOUND, PROBLEMS

router = APIRouter(prefix="/api/v1", tags=["resolve"])


@router.get("/resolve", response_model=ResolveResponse, responses={**PROBLEMS, **NOT_FOUND},
            summary="Resolve a citation to its identifier and permalink")
def resolve(params: Annotated[ResolveParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    """``cite`` such as "Perda Kota Malang No. 4 Tahun 2023 Pasal 5 ayat (2)", "PP 71/2019",
    "UU ITE Pasal 27". 404 when no regulation can be identified in the text; ``in_corpus`` says
    whether the knowledge base holds the work."""
    cit = resolve_citation(params.cite)
    if cit is None or not cit.work_id:
        raise ApiProblem("not-found", f"No regulation could be identified in {params.cite!r}.",
                         f"Tidak ada peraturan yang dapat dikenali dalam {params.cite!r}.")
    work = snap.get(cit.work_id)
    try:
        uri = cit.frbr_uri()
    except Exception:  # noqa: BLE001 - an id outside the URI scheme
        uri = None
    return {"cite": params.cite, "text": cit.text, "work_id": cit.work_id, "jenis": cit.jenis,
            "nomor": cit.nomor, "tahun": cit.tahun, "region": cit.region, "pasal": cit.pasal,
            "ayat": cit.ayat, "uri": uri, "in_corpus": work is not None,
            "regulation": work.summary() if work else None}
