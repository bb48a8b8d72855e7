"""Shared test helpers. The corpus is the real one: regulations/corpus/ in the project,
falling back to ../shared/corpus while the project copy is being built."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def corpus_path(name: str) -> Path:
    for base in (ROOT / "regulations" / "corpus", ROOT.parent / "shared" / "corpus"):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"corpus file {name} not found in regulations/corpus or ../shared/corpus")


@pytest.fixture
def corpus():
    return corpus_path


@pytest.fixture(scope="session")
def ingested_settings(tmp_path_factory):
    """Settings of a knowledge base holding the whole shipped corpus (regulations/), ingested ONCE
    per test session. Set JDIH_TEST_DATA_DIR to keep it between sessions: unchanged works are
    skipped by content hash, so a re-run costs seconds instead of minutes."""
    import dataclasses

    from ingest.config import get_settings
    from pipelines.indexing import ingest_paths

    data_dir = os.environ.get("JDIH_TEST_DATA_DIR")
    data_dir = Path(data_dir) if data_dir else tmp_path_factory.mktemp("kb")
    settings = dataclasses.replace(get_settings(), data_dir=data_dir)
    summary = ingest_paths([ROOT / "regulations"], settings=settings, progress=False)
    if summary.failed:  # visible, but the works that did ingest still serve the tests
        import warnings

        warnings.warn("some works of regulations/ failed to ingest:\n" + summary.describe(), stacklevel=1)
    return settings
