"""What the Elasticsearch store sends: Haystack filters translated to Elasticsearch queries, and the
query bodies of keyword, kNN, matching-works and facet searches (pure functions, tested without a
node in tests/test_elasticsearch_unit.py)."""
from __future__ import annotations

from typing import Any

from haystack.errors import FilterError
from haystack_integrations.document_stores.elasticsearch.filters import (
    _normalize_ranges,
    _parse_comparison_condition,
)

from pipelines.stores.es_index import ANALYSED_FIELD, query_terms
from pipelines.stores.filters import filters_to_sql

# --- filters -------------------------------------------------------------------------------

_MATCH_NONE = {"match_none": {}}
_MATCH_ALL = {"match_all": {}}


def es_filter(filters: dict[str, Any] | None) -> dict[str, Any]:
    """A Haystack filter as an Elasticsearch query (for ``bool.filter``), selecting the same documents
    as the embedded store: the filter is first checked by ``pipelines.stores.filters`` (same FilterError for
    the same bad input), then translated with the integration's comparison helpers; an empty OR (and
    a NOT of nothing) matches nothing, as in SQL, where the integration's bool would match everything."""
    if not filters:
        return _MATCH_ALL
    filters_to_sql(filters)  # validation only: raises FilterError exactly as the embedded store does
    return _translate(filters)


def checked_in_python(filters: dict[str, Any] | None) -> bool:
    """Whether the filter compares a list as a whole (``==`` with a list value): the integration
    does that with a script (``terms_set`` + ``minimum_should_match_script``), which the minimal
    distribution cannot run, so such filters are evaluated in Python over the documents
    (Haystack's ``document_matches_filter``, the reference semantics)."""
    if not filters:
        return False
    if "field" in filters:
        return filters.get("operator") == "==" and isinstance(filters.get("value"), list)
    return any(checked_in_python(c) for c in filters.get("conditions") or [])


def _translate(condition: dict[str, Any]) -> dict[str, Any]:
    if "field" in condition:
        if condition.get("operator") == "==" and isinstance(condition.get("value"), list):
            field = condition["field"].removeprefix("meta.")  # holds every value (a superset): see checked_in_python
            values = condition["value"]
            if not values:
                return {"bool": {"must_not": {"exists": {"field": field}}}}
            return {"bool": {"must": [{"term": {field: v}} for v in values]}}
        return _parse_comparison_condition(condition)
    op, conditions = condition["operator"], condition["conditions"]
    if not conditions:
        return _MATCH_ALL if op == "AND" else _MATCH_NONE
    parts = [_translate(c) for c in conditions]
    if len(parts) > 1 and op != "OR":
        parts = _normalize_ranges(parts)
    if op == "AND":
        return {"bool": {"must": parts}}
    if op == "OR":
        return {"bool": {"should": parts, "minimum_should_match": 1}}
    if op == "NOT":
        return {"bool": {"must_not": [{"bool": {"must": parts}}]}}
    raise FilterError(f"Unknown logical operator '{op}'")


# --- query bodies (pure functions: what the store sends) -------------------------------------


def source_filter(*, return_embedding: bool = False, meta_fields: list[str] | None = None,
                  return_content: bool = True) -> dict[str, Any]:
    """``_source`` of a search: without the embedding by default; with ``meta_fields``, only the id,
    those keys (and the content, unless ``return_content`` is False): the light references of the
    ranking steps (pipelines.stores.references), read as such from the cluster."""
    if meta_fields is not None:
        includes = ["id", *meta_fields] + (["content"] if return_content else [])
        return {"includes": includes + (["embedding"] if return_embedding else [])}
    excludes = ([] if return_embedding else ["embedding"]) + ([] if return_content else ["content"])
    return {"excludes": excludes} if excludes else {}


def terms_query(terms: list[str], fuzziness: str | int | None = None) -> dict[str, Any]:
    """A BM25 ``match`` of analysed terms on ``analysed_text``: each term one optional clause, as
    the embedded store ORs them; the ``whitespace`` analyzer leaves them as they are."""
    match: dict[str, Any] = {"query": " ".join(terms), "operator": "or", "analyzer": "whitespace"}
    if fuzziness not in (None, "", "0", 0):
        match["fuzziness"] = fuzziness
    return {"match": {ANALYSED_FIELD: match}}


def bm25_query_body(query: str, *, top_k: int = 10, filters: dict[str, Any] | None = None, expand: bool = True,
                    fuzziness: str = "0", return_embedding: bool = False, meta_fields: list[str] | None = None,
                    return_content: bool = True) -> dict[str, Any] | None:
    """BM25 over the analysed terms of breadcrumb + content (the embedded store's FTS5 text), for
    the query's analysed terms (glossary-expanded with ``expand``, in Python, by pipelines.analysis.analyzer).
    None when the query has no term left (only stopwords): nothing to search for."""
    terms = query_terms(query, expand=expand)
    if not terms:
        return None
    body: dict[str, Any] = {
        "size": top_k,
        "query": {"bool": {"must": [terms_query(terms, fuzziness)]}},
        "track_total_hits": False,
    }
    if filters:
        body["query"]["bool"]["filter"] = [es_filter(filters)]
    source = source_filter(return_embedding=return_embedding, meta_fields=meta_fields, return_content=return_content)
    if source:
        body["_source"] = source
    return body


RESCORE_OVERSAMPLE = 3.0  # Elasticsearch >= 8.18 (knn.rescore_vector); the test node is 8.19


def knn_query_body(query_embedding: list[float], *, top_k: int = 10, filters: dict[str, Any] | None = None,
                   num_candidates: int | None = None, return_embedding: bool = False,
                   meta_fields: list[str] | None = None, return_content: bool = True) -> dict[str, Any]:
    """Approximate kNN (HNSW) on the cosine dense_vector, the filter applied inside the kNN search
    (so ``top_k`` hits come back even when the filter is selective). The index holds the vectors
    quantised to int8 (a quarter of the memory); the best ``RESCORE_OVERSAMPLE * top_k`` of them are
    re-scored on the original float vectors, so the order is the exact cosine's, as on the embedded
    store (the multilingual model's top cosines differ in the third decimal, where int8 reorders)."""
    knn: dict[str, Any] = {
        "field": "embedding", "query_vector": [float(x) for x in query_embedding], "k": top_k,
        "num_candidates": min(10_000, max(num_candidates or top_k * 10, top_k)),
        "rescore_vector": {"oversample": RESCORE_OVERSAMPLE},
    }
    if filters:
        knn["filter"] = es_filter(filters)
    body: dict[str, Any] = {"size": top_k, "knn": knn, "track_total_hits": False}
    source = source_filter(return_embedding=return_embedding, meta_fields=meta_fields, return_content=return_content)
    if source:
        body["_source"] = source
    return body


def matching_works_body(query: str, *, filters: dict[str, Any] | None = None, expand: bool = True,
                        key: str = "work_id", size: int = 10_000) -> dict[str, Any] | None:
    """The works a keyword query matches, each with its best score (``ElasticsearchStore.matching_works``):
    a ``terms`` aggregation with the best chunk of each bucket (``top_hits``, size 1: its
    ``max_score``), no script (the minimal distribution has none); the store orders the buckets.
    None when the query has no term left."""
    body = bm25_query_body(query, top_k=0, filters=filters, expand=expand)
    if body is None:
        return None
    body.pop("_source", None)
    body["aggs"] = {"works": {"terms": {"field": key, "size": size, "shard_size": size},
                              "aggs": {"best": {"top_hits": {"size": 1, "_source": False}}}}}
    return body


FACET_FIELDS = {"jenis": "jenis", "tahun": "tahun", "status": "status", "dimension": "work_dimensions"}


def facets_body(query: str | None = None, *, filters: dict[str, Any] | None = None,
                fields: dict[str, str] | None = None, size: int = 50) -> dict[str, Any]:
    """Terms aggregations for the API's facets; each bucket counts distinct regulations
    (``cardinality`` of work_id), as the API counts regulations, not chunks."""
    fields = fields or FACET_FIELDS
    must: list[dict[str, Any]] = []
    terms = query_terms(query) if query else []
    if terms:
        must.append(terms_query(terms))
    body: dict[str, Any] = {
        "size": 0,
        "query": {"bool": {"must": must or [_MATCH_ALL]}},
        "aggs": {
            name: {"terms": {"field": field, "size": size},
                   "aggs": {"regulations": {"cardinality": {"field": "work_id"}}}}
            for name, field in fields.items()
        },
    }
    if filters:
        body["query"]["bool"]["filter"] = [es_filter(filters)]
    return body
