"""What the SQLite retrievers share."""
from __future__ import annotations

from typing import Any

from haystack import default_from_dict

from pipelines.stores.sqlite import SQLiteDocumentStore


def from_dict_with_store(cls, data: dict[str, Any]):
    """Rebuild a retriever with its store made by the store's known class, rather than imported by
    name from the data (Haystack's deserialisation allowlist would refuse the module otherwise)."""
    data = {**data, "init_parameters": dict(data.get("init_parameters", {}))}
    store = data["init_parameters"].get("document_store")
    if isinstance(store, dict):
        data["init_parameters"]["document_store"] = SQLiteDocumentStore.from_dict(store)
    return default_from_dict(cls, data)
