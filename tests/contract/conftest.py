"""The `store` fixture: every DocumentStore backend the project has, so the same contract tests
run against each: the embedded SQLite store always, Elasticsearch when ELASTICSEARCH_URL is set
(skipped with the reason otherwise)."""
from __future__ import annotations

import pytest

from pipelines.sqlite_store import SQLiteDocumentStore


def _embedded(tmp_path):
    store = SQLiteDocumentStore(tmp_path / "store.sqlite3")
    return store, store.close


def _elasticsearch(tmp_path):
    """A fresh set of indices per test on the cluster at ELASTICSEARCH_URL (credentials from
    ELASTICSEARCH_USERNAME/PASSWORD or ELASTICSEARCH_API_KEY), deleted afterwards."""
    import os
    import uuid

    if not os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("ELASTICSEARCH_URL is not set: the Elasticsearch backend needs a live cluster "
                    "(see docs/deployment.md, 'Contract tests against a local cluster')")
    from pipelines.es_store import SCHEMA_VERSION, ElasticsearchStore

    store = ElasticsearchStore.from_env(index=f"jdih-test-{uuid.uuid4().hex[:10]}", replicas=0,
                                        control_db=tmp_path / "control.sqlite3")

    def close():
        if store._client is not None:  # noqa: SLF001 - only what this test created
            names = [f"{alias}-v{SCHEMA_VERSION}" for alias in store.definitions()]
            store.client.indices.delete(index=names, ignore_unavailable=True)
        store.close()

    return store, close


BACKENDS = {"embedded": _embedded, "elasticsearch": _elasticsearch}


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path):
    instance, close = BACKENDS[request.param](tmp_path)
    yield instance
    close()


@pytest.fixture
def backend_name(request):
    return request.node.callspec.params.get("store", "")
