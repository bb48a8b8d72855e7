"""Open the configured document store: the embedded SQLite file by default."""
from __future__ import annotations


def open_store(settings=None):
    from ingest.config import get_settings

    settings = settings or get_settings()
    if settings.store == "embedded":
        from pipelines.sqlite_store import SQLiteDocumentStore

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return SQLiteDocumentStore(
            str(settings.db_path),
            text_meta_fields=["breadcrumb"],
            indexed_meta_fields=["regulation_id", "pasal", "amends", "jenis", "tahun", "status", "kind"],
        )
    raise NotImplementedError(
        "JDIH_STORE=elasticsearch is not available in this version yet; unset JDIH_STORE to use the embedded store")
