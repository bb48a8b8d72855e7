"""The document stores (embedded SQLite, Elasticsearch), their filters, retrievers and the works table."""
