"""Dependencies shared by the routers: the knowledge base of the app, its current snapshot."""
from __future__ import annotations

from fastapi import Depends, Request

from search_api.kb import KnowledgeBase, Snapshot


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


def get_snapshot(kb: KnowledgeBase = Depends(get_kb)) -> Snapshot:
    return kb.snapshot()


def public_base_url(request: Request) -> str:
    """The site's address for absolute URLs (feed, citations), without a trailing slash.

    ``JDIH_PUBLIC_BASE_URL`` when set (do set it in production); otherwise the address of the
    socket the server listens on. Never the request's ``Host`` header, which the client chooses
    (``Host: evil.example`` must not put links to evil.example into the harvest feed).
    """
    configured = getattr(request.app.state.settings, "public_base_url", None)
    if configured:
        return configured
    scheme = request.scope.get("scheme", "http")
    host, port = request.scope.get("server") or ("localhost", None)
    if ":" in str(host):
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")
