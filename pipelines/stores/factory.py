"""Open the configured document store: the embedded SQLite file by default, Elasticsearch with
JDIH_STORE=elasticsearch (pipelines/stores/elasticsearch.py); ``retrievers_for(store)`` gives the retriever
classes that fit the store, so the pipelines are the same on both."""
from __future__ import annotations

from ingest.config import get_settings
from pipelines.stores.elasticsearch import (
    ElasticsearchBM25Retriever,
    ElasticsearchEmbeddingRetriever,
    ElasticsearchStore,
)
from pipelines.stores.retrievers import SQLiteBM25Retriever, SQLiteEmbeddingRetriever
from pipelines.stores.sqlite import SQLiteDocumentStore


def open_store(settings=None):
    settings = settings or get_settings()
    if settings.store == "embedded":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SQLiteDocumentStore(
            str(settings.db_path),
            text_meta_fields=["breadcrumb"],
            indexed_meta_fields=["work_id", "pasal", "amends", "jenis", "tahun", "status", "kind"],
            shared_indexes=getattr(settings, "shared_indexes", True),
        )
    if settings.store == "elasticsearch":
        return ElasticsearchStore.from_env(settings.elasticsearch_url, control_db=settings.db_path,
                                           index=settings.elasticsearch_index)
    raise ValueError(f"unknown store {settings.store!r}: JDIH_STORE is 'embedded' or 'elasticsearch'")


def retrievers_for(store):
    """``(bm25_retriever_class, embedding_retriever_class)`` for ``store``; both are called as
    ``cls(document_store=store, top_k=k)`` and run like Haystack retrievers.

    Elasticsearch: elasticsearch-haystack's retrievers (with the embedded retrievers'
    ``expand_query``, ``meta_fields`` and ``return_content``, pipelines.stores.elasticsearch), BM25 without fuzziness (the embedded store
    matches analysed terms exactly, and so does this backend)."""
    if getattr(store, "backend", "embedded") == "elasticsearch":
        from functools import partial

        return partial(ElasticsearchBM25Retriever, fuzziness="0"), ElasticsearchEmbeddingRetriever

    return SQLiteBM25Retriever, SQLiteEmbeddingRetriever
