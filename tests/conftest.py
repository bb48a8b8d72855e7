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
