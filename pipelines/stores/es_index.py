"""The Elasticsearch index definition: the chunk index's mappings and settings, the works and
state indices, and the one analyser both stores share (``analysed_text``: the terms of
pipelines.analysis.analyzer). Pure data and functions; the store (pipelines.stores.elasticsearch)
creates the indices from them and ``jdih es init --dry-run`` prints them."""
from __future__ import annotations

from typing import Any

from haystack.dataclasses import Document

from pipelines.analysis import analyzer

DEFAULT_INDEX = "jdih-chunks"
EMBEDDING_DIM = 384
SCHEMA_VERSION = 2  # concrete indices are <alias>-v<SCHEMA_VERSION> (2: analysed_text, no analysis-common)

# --- the index definition ----------------------------------------------------------------

# One analyser for both stores: pipelines.analysis.analyzer turns a chunk's breadcrumb and content into the
# very terms the embedded store's FTS5 index gets (stopwords, protected terms, PyStemmer), and the
# index only splits them on spaces (the pre-built ``whitespace`` analyzer, no plugin, no
# analysis-common). Queries send the terms of ``analyzer.analyze_query`` (expanded there with the glossary and the dictionary).
ANALYSED_FIELD = "analysed_text"
TEXT_META_FIELDS = ("breadcrumb",)  # as the embedded store's text_meta_fields (pipelines.stores.factory)

# Citation fields: exact values (filters, terms aggregations, grouping).
KEYWORD_FIELDS = (
    "id", "work_id", "jenis", "singkatan", "nomor", "region", "status", "kind",
    "pasal", "ayat_from", "ayat_to", "bab", "bagian", "paragraf", "amends", "amendment_item",
    "operation", "uri", "article_uri", "work_dimensions",
)
INTEGER_FIELDS = ("tahun", "tahun_pengundangan", "pasal_number", "part", "parts")
DATE_FIELDS = ("tanggal_penetapan", "tanggal_pengundangan", "ditetapkan", "diundangkan", "updated_at")
TITLE_FIELDS = ("judul", "breadcrumb")  # exact values; their words are in analysed_text


def analysed_text(doc: Document) -> str:
    """The terms a chunk is found by: its breadcrumb and content analysed by pipelines.analysis.analyzer,
    space-joined (``SQLiteDocumentStore.analysed_text`` with text_meta_fields=["breadcrumb"])."""
    parts = [str(doc.meta[k]) for k in TEXT_META_FIELDS if isinstance(doc.meta.get(k), (str, int, float))]
    if doc.content:
        parts.append(doc.content)
    return " ".join(analyzer.analyze("\n".join(parts)))


def query_terms(query: str, *, expand: bool = True) -> list[str]:
    """The analysed (and, with ``expand``, glossary- and dictionary-expanded) terms a query searches for: the same
    list the embedded store scores (``analyzer.analyze_query``)."""
    return analyzer.analyze_query(query, expand=expand)


def chunk_mappings(dims: int = EMBEDDING_DIM) -> dict[str, Any]:
    """Mappings of the chunk index: the analysed terms (indexed, not kept in ``_source``), the
    content as stored text (displayed, not indexed), the dense vector, citation fields as keywords,
    dates as dates; other meta strings become keywords (as in the integration's default mapping)."""
    properties: dict[str, Any] = {
        ANALYSED_FIELD: {"type": "text", "analyzer": "whitespace"},
        # displayed from _source; indexed as one exact value so that Haystack's content filters
        # (==, !=, exists) work; a chunk longer than ignore_above is kept but not indexed
        "content": {"type": "keyword", "ignore_above": 8191, "doc_values": False},
        "embedding": {
            "type": "dense_vector", "dims": dims, "index": True, "similarity": "cosine",
            "index_options": {"type": "int8_hnsw", "m": 16, "ef_construction": 100},
        },
        "blob": {"type": "object", "enabled": False},
        "dimension_evidence": {"type": "object", "enabled": False},
        "dimensions": {"type": "object", "dynamic": True},
        "subdimensions": {"type": "object", "dynamic": True},
        "has_text": {"type": "boolean"},
        "page": {"type": "integer", "ignore_malformed": True},
        "instruction": {"type": "text", "index": False},
    }
    for name in KEYWORD_FIELDS:
        properties[name] = {"type": "keyword"}
    for name in INTEGER_FIELDS:
        properties[name] = {"type": "integer", "ignore_malformed": True}
    for name in DATE_FIELDS:
        properties[name] = {"type": "date", "format": "strict_date_optional_time||yyyy-MM-dd", "ignore_malformed": True}
    for name in TITLE_FIELDS:
        properties[name] = {"type": "keyword", "ignore_above": 2048}
    return {
        "dynamic": True,
        "_source": {"excludes": [ANALYSED_FIELD]},
        "dynamic_templates": [
            {"scores": {"path_match": "*dimensions.*", "match_mapping_type": "long", "mapping": {"type": "float"}}},
            {"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword", "ignore_above": 1024}}},
        ],
        "properties": properties,
    }


def index_settings(shards: int = 1, replicas: int = 1) -> dict[str, Any]:
    """Shards and replicas; BM25 with Lucene's defaults (k1=1.2, b=0.75: FTS5's bm25() too)."""
    return {"index": {"number_of_shards": shards, "number_of_replicas": replicas}}


def index_definition(dims: int = EMBEDDING_DIM, *, shards: int = 1, replicas: int = 1) -> dict[str, Any]:
    """The chunk index: ``{"settings": ..., "mappings": ...}`` (the body of PUT /<index>)."""
    return {"settings": index_settings(shards, replicas), "mappings": chunk_mappings(dims)}


def works_definition(replicas: int = 1) -> dict[str, Any]:
    """One document per work; the record, parsed text and dimension links are stored, not indexed."""
    stored = {"type": "object", "enabled": False}
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": False,
            "properties": {
                "id": {"type": "keyword"}, "record": stored, "regulation": stored, "dimensions": stored,
                "content_hash": {"type": "keyword"}, "chunks": {"type": "integer"},
                "has_text": {"type": "boolean"}, "updated_at": {"type": "date"},
            },
        },
    }


def small_definition(replicas: int = 1, **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "settings": {"index": {"number_of_shards": 1, "number_of_replicas": replicas}},
        "mappings": {"dynamic": False, "properties": properties},
    }


def all_definitions(index: str = DEFAULT_INDEX, dims: int = EMBEDDING_DIM, *, shards: int = 1,
                    replicas: int = 1) -> dict[str, dict[str, Any]]:
    """Every index the backend uses: ``{alias: {"settings", "mappings"}}`` (`jdih es init --dry-run`)."""
    return {
        index: index_definition(dims, shards=shards, replicas=replicas),
        f"{index}-works": works_definition(replicas),
        f"{index}-state": small_definition(replicas, updated_at={"type": "date"}),
    }
