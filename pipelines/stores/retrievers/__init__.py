"""Haystack retriever components over SQLiteDocumentStore: BM25 (FTS5) and embedding (numpy).
Hybrid search joins both with Haystack's DocumentJoiner(join_mode="reciprocal_rank_fusion")."""
from pipelines.stores.retrievers.bm25 import SQLiteBM25Retriever
from pipelines.stores.retrievers.embedding import SQLiteEmbeddingRetriever

__all__ = ["SQLiteBM25Retriever", "SQLiteEmbeddingRetriever"]
