"""Settings from JDIH_* environment variables; the one place defaults live."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:  # a clear error instead of a stack trace deep in a request
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store: str  # embedded | elasticsearch
    elasticsearch_url: str | None
    max_file_bytes: int  # largest file accepted by the parser and uploads
    parse_timeout_s: int  # a pathological PDF cannot hang the caller longer than this
    ocr_workers: int  # one single-threaded Tesseract per worker
    # multilingual-e5-small (default) | all-MiniLM-L6-v2 | a local sentence-transformers directory
    embedding_model: str = "multilingual-e5-small"
    home_region: str = "malang"  # whose regional rules /ask names first when a question names no region
    # The public address of the site (scheme://host[:port][/prefix]) for absolute URLs (JDIHN
    # feed, citations); never taken from the request's Host header. None: relative to "/".
    public_base_url: str | None = None
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs); none by default.
    trusted_proxies: tuple[str, ...] = ()
    max_json_bytes: int = 1024 * 1024  # largest body of any request other than an upload
    # the Elasticsearch chunk index alias (JDIH_ES_INDEX); the works, state... indices derive from it
    elasticsearch_index: str = "jdih-chunks"
    # The embedded store's dense matrix and BM25 postings as memory-mapped files shared by every
    # worker process (<data dir>/jdih.sqlite3.indexes/); False: each process builds its own copy.
    shared_indexes: bool = True

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jdih.sqlite3"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def get_settings() -> Settings:
    store = os.environ.get("JDIH_STORE", "embedded").strip().lower()
    if store not in ("embedded", "elasticsearch"):
        raise ValueError(f"JDIH_STORE must be 'embedded' or 'elasticsearch', got {store!r}")
    return Settings(
        data_dir=Path(os.environ.get("JDIH_DATA_DIR", "./data")),
        store=store,
        elasticsearch_url=os.environ.get("ELASTICSEARCH_URL") or None,
        max_file_bytes=_int("JDIH_MAX_FILE_BYTES", 50 * 1024 * 1024),
        parse_timeout_s=_int("JDIH_PARSE_TIMEOUT_S", 600),
        ocr_workers=_int("JDIH_OCR_WORKERS", os.cpu_count() or 1),
        embedding_model=os.environ.get("JDIH_EMBEDDING_MODEL", "").strip() or "multilingual-e5-small",
        home_region=_region(os.environ.get("JDIH_HOME_REGION", "malang")),
        public_base_url=_base_url(os.environ.get("JDIH_PUBLIC_BASE_URL")),
        trusted_proxies=tuple(p.strip() for p in os.environ.get("JDIH_TRUSTED_PROXIES", "").split(",") if p.strip()),
        max_json_bytes=_int("JDIH_MAX_JSON_BYTES", 1024 * 1024),
        elasticsearch_index=os.environ.get("JDIH_ES_INDEX", "").strip() or "jdih-chunks",
        shared_indexes=_flag("JDIH_SHARED_INDEXES", True),
    )


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0, got {raw!r}")


def _region(raw: str) -> str:
    """``"Kota Malang"`` -> ``"malang"``: the region as work ids spell it (``perwal-malang-9-2022``)."""
    import re

    words = re.sub(r"^(?:kota|kabupaten|kab\.?|provinsi)\s+", "", raw.strip().lower())
    region = re.sub(r"[^a-z0-9]+", "-", words).strip("-")
    if not region:
        raise ValueError(f"JDIH_HOME_REGION must name a region (e.g. 'malang'), got {raw!r}")
    return region


def _base_url(raw: str | None) -> str | None:
    """``JDIH_PUBLIC_BASE_URL`` checked: an http(s) URL without query or fragment, no trailing slash."""
    from urllib.parse import urlsplit

    if not raw or not raw.strip():
        return None
    u = urlsplit(raw.strip())
    if u.scheme not in ("http", "https") or not u.netloc or u.query or u.fragment:
        raise ValueError(f"JDIH_PUBLIC_BASE_URL must be an http(s) URL like https://jdih.malangkota.go.id, got {raw!r}")
    return raw.strip().rstrip("/")
