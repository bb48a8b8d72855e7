"""The `store` fixture: every DocumentStore backend the project has, so the same contract tests
run against each. Only the embedded SQLite store exists for now; the Elasticsearch backend (a
later issue) adds itself to BACKENDS, skipped when ELASTICSEARCH_URL is not set."""
from __future__ import annotations

import pytest

from pipelines.sqlite_store import SQLiteDocumentStore


def _embedded(tmp_path):
    store = SQLiteDocumentStore(tmp_path / "store.sqlite3")
    return store, store.close


BACKENDS = {"embedded": _embedded}


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path):
    instance, close = BACKENDS[request.param](tmp_path)
    yield instance
    close()


@pytest.fixture
def backend_name(request):
    return request.node.callspec.params.get("store", "")
