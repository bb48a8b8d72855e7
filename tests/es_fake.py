"""A recording Elasticsearch transport for tests without a server (no data is invented here: the
node answers each request with a canned, minimal response of the right shape and keeps the request).

Usage::

    node_class, calls = recording_node({("GET", "/jdih-chunks/_search"): {...}})
    store = ElasticsearchStore(hosts="http://es.invalid:9200", node_class=node_class)
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse

Call = dict[str, Any]


def _default(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path == "/" and method == "GET":
        return 200, {"version": {"number": "8.15.0"}, "tagline": "You Know, for Search"}
    if method == "HEAD":
        return 404, None  # no index exists yet
    if path.endswith("/_bulk"):
        items = []
        for action in body[::2] if isinstance(body, list) else []:
            op, meta = next(iter(action.items()))
            items.append({op: {"_id": meta.get("_id"), "status": 201 if op != "delete" else 200, "result": "ok"}})
        return 200, {"errors": False, "items": items, "took": 1}
    if path.endswith("/_search"):
        return 200, {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}, "aggregations": {}}
    if path.endswith("/_count"):
        return 200, {"count": 0}
    if path.endswith("/_delete_by_query"):
        return 200, {"deleted": 0}
    if "/_update/" in path or path.endswith("/_refresh"):
        return 200, {"result": "updated", "_shards": {"total": 1, "successful": 1, "failed": 0}}
    if "/_doc/" in path and method == "GET":
        return 404, {"found": False}
    if method == "PUT":
        return 200, {"acknowledged": True}
    return 200, {}


def recording_node(routes: dict[tuple[str, str], Any] | None = None,
                   handler: Callable[[str, str, Any], tuple[int, Any] | None] | None = None):
    """A node class for ``Elasticsearch(node_class=...)`` and the list it records calls into:
    ``{"method", "path", "params", "body"}`` (body parsed: JSON, or a list for NDJSON)."""
    calls: list[Call] = []
    routes = routes or {}

    class RecordingNode(BaseNode):
        def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
            path, _, query = target.partition("?")
            parsed: Any = None
            if body:
                text = body.decode("utf-8")
                try:
                    parsed = json.loads(text)
                except json.JSONDecodeError:
                    parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
            params = dict(p.split("=", 1) if "=" in p else (p, "") for p in query.split("&") if p)
            calls.append({"method": method, "path": path, "params": params, "body": parsed})
            answer = handler(method, path, parsed) if handler else None
            if answer is None:
                key = next((k for k in routes if k[0] == method and re.fullmatch(k[1], path)), None)
                answer = (200, routes[key]) if key else _default(method, path, parsed)
            status, payload = answer
            data = b"" if payload is None else json.dumps(payload).encode()
            meta = ApiResponseMeta(status=status, http_version="1.1", duration=0.0, node=self.config,
                                   headers=HttpHeaders({"x-elastic-product": "Elasticsearch",
                                                        "content-type": "application/json"}))
            return NodeApiResponse(meta, data)

    return RecordingNode, calls
