"""GET /api/v1/changes: the change feed (new, changed, withdrawn, restored works; status moves).

``since`` (ISO 8601 date or time) starts the feed at a moment; ``cursor`` (the ``next_cursor`` of
the previous page) continues it. A follower keeps the last cursor and polls with it.
"""
from __future__ import annotations

import re
from typing import Annotated, Optional

from fastapi import APIRouter, Query, Request

from search_api.errors import ApiProblem
from search_api.pagination import MAX_SEQ

router = APIRouter(tags=["changes"])

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")


@router.get("/changes", summary="Change feed of the knowledge base (cursor-paginated)")
def get_changes(request: Request,
                since: Annotated[Optional[str], Query(max_length=40, json_schema_extra={"pattern": _ISO.pattern},
                                                      description="ISO 8601 date or time, e.g. 2025-01-31T00:00:00Z")] = None,
                cursor: Annotated[Optional[int], Query(ge=0, le=MAX_SEQ)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """Events oldest first: ``{seq, work_id, kind, at, link}``; ``kind`` is created, changed,
    withdrawn, restored or status (a relation elsewhere changed this work's status)."""
    if since is not None:
        if not _ISO.match(since):
            raise ApiProblem("validation-error", "'since' must be an ISO 8601 date or time, e.g. 2025-01-31T00:00:00Z.",
                             "'since' harus tanggal atau waktu ISO 8601, mis. 2025-01-31T00:00:00Z.")
        since = since.replace(" ", "T").replace("Z", "+00:00")
    svc = request.app.state.staff
    svc.queue  # noqa: B018 - the first use makes the staff tables (the feed's triggers among them)
    rows = svc.control.changes(after_seq=cursor or 0, since=since, limit=limit)
    for r in rows:
        r["link"] = None if r["kind"] == "withdrawn" else f"/api/v1/regulations/{r['work_id']}"
    nxt = rows[-1]["seq"] if rows else (cursor or 0)
    return {"results": rows, "next_cursor": nxt, "more": len(rows) == limit}
