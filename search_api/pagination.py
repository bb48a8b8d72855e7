"""Opaque cursors: base64url of the offset and a fingerprint of the query they belong to.

A cursor from one query used with another is rejected (422) instead of silently paging the wrong
list.

>>> c = encode_cursor(20, "q=data")
>>> decode_cursor(c, "q=data")
20
"""
from __future__ import annotations

import base64
import hashlib
import json

from search_api.errors import ApiProblem

MAX_SEQ = 2**63 - 1  # the largest SQLite INTEGER: a larger numeric cursor is a 422, not an OverflowError


def _fingerprint(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def encode_cursor(offset: int, key: str) -> str:
    raw = json.dumps({"o": offset, "k": _fingerprint(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, key: str) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset = int(data["o"])
        ok = data.get("k") == _fingerprint(key) and 0 <= offset <= 1_000_000
    except (ValueError, KeyError, TypeError, OverflowError, json.JSONDecodeError):  # 1e400 overflows
        ok = False
    if not ok:
        raise ApiProblem("validation-error",
                         "The cursor is not valid for this request; start again without a cursor.",
                         "Kursor tidak berlaku untuk permintaan ini; ulangi tanpa kursor.")
    return offset
