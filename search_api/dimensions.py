"""GET /api/v1/dimensions and /dimensions/{dimension_id}: the six Smart City dimensions and the
regulations linked to each, ranked by strength, with the evidence articles."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from pipelines.indexing.dimensions import default_taxonomy
from search_api.deps import get_snapshot
from search_api.errors import not_found
from search_api.kb import Snapshot
from search_api.models import DimensionDetail, DimensionSummary, NoParams
from search_api.responses import NOT_FOUND, PROBLEMS
from ingest.ids import article_uri

router = APIRouter(prefix="/api/v1", tags=["dimensions"])


def taxonomy():
    return default_taxonomy()


def linked(snap: Snapshot, dimension_id: str) -> list[dict[str, Any]]:
    """Works linked to the dimension, strongest first (curated labels count as 1.0)."""
    out = []
    for w in snap.works.values():
        link = w.dimensions.get(dimension_id)
        if not link:
            continue
        out.append({
            "regulation": w.summary(),
            "strength": float(link.get("score") or 0.0),
            "curated": link.get("source") == "curated",
            "evidence": [{"pasal": None if e.get("pasal") is None else str(e["pasal"]),
                          "uri": article_uri(w.id, None if e.get("pasal") is None else str(e["pasal"])),
                          "score": e.get("score"), "terms": list(e.get("terms") or [])}
                         for e in link.get("evidence") or []],
        })
    out.sort(key=lambda x: (-x["strength"], not x["curated"], -len(x["evidence"]), x["regulation"]["id"]))
    return out


def summary(dim, snap: Snapshot) -> dict[str, Any]:
    return {
        "id": dim.id,
        "name_id": dim.name["id"],
        "name_en": dim.name["en"],
        "description_id": dim.description.get("id"),
        "description_en": dim.description.get("en"),
        "subdimensions": [{"id": s.id, "name_id": s.name["id"], "name_en": s.name["en"]} for s in dim.subdimensions],
        "regulations": sum(1 for w in snap.works.values() if dim.id in w.dimensions),
    }


@router.get("/dimensions", response_model=list[DimensionSummary], responses=PROBLEMS,
            summary="The six Smart City dimensions")
def list_dimensions(params: Annotated[NoParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    return [summary(d, snap) for d in taxonomy().dimensions]


@router.get("/dimensions/{dimension_id}", response_model=DimensionDetail, responses={**PROBLEMS, **NOT_FOUND},
            summary="One dimension with its linked regulations and evidence")
def get_dimension(dimension_id: Annotated[str, Path(max_length=60, description="e.g. smart-governance")],
                  params: Annotated[NoParams, Query()], snap: Snapshot = Depends(get_snapshot)):
    try:
        dim = taxonomy().get(dimension_id)
    except KeyError:
        raise not_found(f"Dimension {dimension_id!r}", f"Dimensi {dimension_id!r}") from None
    return {**summary(dim, snap), "linked": linked(snap, dim.id)}
