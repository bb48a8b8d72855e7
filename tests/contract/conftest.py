"""The `store` fixture: every DocumentStore backend the project has, so the same contract tests
run against each: the embedded SQLite store always, Elasticsearch on the session's live node
(tests/conftest.py `es_node`; skipped with the reason where none can be started)."""
from __future__ import annotations

import pytest

from pipelines.stores.sqlite import SQLiteDocumentStore


def _embedded(tmp_path, request):
    store = SQLiteDocumentStore(tmp_path / "store.sqlite3")
    return store, store.close


def _elasticsearch(tmp_path, request):
    """A fresh set of indices per test on the session's live node, deleted afterwards."""
    import uuid

    url = request.getfixturevalue("es_node")
    from pipelines.stores.elasticsearch import ElasticsearchStore
    from pipelines.stores.es_index import SCHEMA_VERSION

    # embedding_dim=768: the dimension of Haystack's conformance fixtures (the embedded store takes any)
    store = ElasticsearchStore.from_env(url, index=f"jdih-test-{uuid.uuid4().hex[:10]}", replicas=0, embedding_dim=768,
                                        control_db=tmp_path / "control.sqlite3")

    def close():
        if store._client is not None:  # noqa: SLF001 - only what this test created
            names = [f"{alias}-v{SCHEMA_VERSION}" for alias in store.definitions()]
            store.client.indices.delete(index=names, ignore_unavailable=True)
        store.close()

    return store, close


BACKENDS = {"embedded": _embedded, "elasticsearch": _elasticsearch}


@pytest.fixture(params=[pytest.param(name, marks=[pytest.mark.elasticsearch] if name == "elasticsearch" else [])
                        for name in sorted(BACKENDS)])
def store(request, tmp_path):
    instance, close = BACKENDS[request.param](tmp_path, request)
    yield instance
    close()


@pytest.fixture
def backend_name(request):
    return request.node.callspec.params.get("store", "")
