"""GET, POST and DELETE /regulations/{id}/relations: a work's effective relations both ways, the
status they give it, and the staff's corrections of them (in the active voice)."""
from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from pipelines.staff import curation
from pipelines.staff.control import ControlPlane
from ingest.vocabulary import RELATION_TYPES
from pipelines.staff.accounts import Account
from search_api.auth import AUTH_RESPONSES, require_staff
from search_api.params import WorkId
from search_api.staff.service import PUBLIC_MISSING, call, gone_or_missing, svc

router = APIRouter(tags=["staff"])


class RelationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="active voice: mengubah, mencabut, mencabut_sebagian, dasar_hukum",
                      json_schema_extra={"enum": list(RELATION_TYPES)})
    target: str = Field(max_length=120, pattern=r"^[a-z0-9-]+$", description="canonical id of the other work")
    citation: str = Field("", max_length=500, description="the words of the text that state it")
    article: Optional[str] = Field(None, max_length=20)
    note: Optional[str] = Field(None, max_length=500)


def _relations_view(control: ControlPlane, work_id: str) -> dict[str, Any]:
    graph = control.relation_graph()
    return {"work_id": work_id, "status": graph.status(work_id),
            "outgoing": [r.__dict__ for r in graph.outgoing(work_id)],
            "incoming": [r.__dict__ for r in graph.incoming(work_id)],
            "edits": [e for e in control.relation_edits() if work_id in (e["source"], e["target"])]}


@router.get("/regulations/{work_id}/relations", summary="Relations both ways and the status they give",
            responses=PUBLIC_MISSING)
def get_relations(work_id: WorkId, request: Request):
    control = svc(request).control
    if control.work(work_id) is None:
        gone_or_missing(request, work_id)
    return _relations_view(control, work_id)


@router.post("/regulations/{work_id}/relations", status_code=201, summary="Add a relation by hand (staff)", responses=AUTH_RESPONSES)
def add_relation(work_id: WorkId, body: RelationIn, request: Request, account: Account = Depends(require_staff)):
    return call(request, curation.edit_relation, "add", source=work_id, type=body.type, target=body.target,
                 actor=account.actor, citation=body.citation, article=body.article, note=body.note)


@router.delete("/regulations/{work_id}/relations", summary="Remove a relation (staff): a wrong parsed one or a hand-made one", responses=AUTH_RESPONSES)
def remove_relation(work_id: WorkId, request: Request,
                    type: Annotated[str, Query(max_length=40, json_schema_extra={"enum": list(RELATION_TYPES)})],
                    target: Annotated[str, Query(max_length=120, pattern=r"^[a-z0-9-]+$")],
                    note: Annotated[Optional[str], Query(max_length=500)] = None,
                    account: Account = Depends(require_staff)):
    return call(request, curation.edit_relation, "remove", source=work_id, type=type, target=target,
                 actor=account.actor, note=note)

