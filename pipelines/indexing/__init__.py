"""Indexing: parse -> chunk by article -> tag dimensions -> embed -> write; and re-indexing."""
