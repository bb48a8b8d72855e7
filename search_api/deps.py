"""Dependencies shared by the routers: the knowledge base of the app, its current snapshot."""
from __future__ import annotations

from fastapi import Depends, Request

from search_api.kb import KnowledgeBase, Snapshot


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_snapshot(kb: KnowledgeBase = Depends(get_kb)) -> Snapshot:
    return kb.snapshot()
