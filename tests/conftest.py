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


# --- the live Elasticsearch node (marker `elasticsearch`) ------------------------------------

_ES = {"reason": None, "version": None, "ran": 0, "skipped": 0}


@pytest.fixture(scope="session")
def es_node():
    """One local Elasticsearch node for the whole session (pipelines.stores.es_local: the minimal
    distribution from Maven Central, 512m heap, a free loopback port), stopped at the end whatever
    happened. JDIH_TEST_ES_URL uses a node that is already running instead. Where Java or Maven
    Central is missing, every test that needs it is skipped with the reason (printed at the end)."""
    from pipelines.stores.es_local import LocalNode, Unavailable, node_version

    url = os.environ.get("JDIH_TEST_ES_URL")
    if url:
        _ES["version"] = f"{node_version(url)} at JDIH_TEST_ES_URL={url}"
        yield url
        return
    node = LocalNode()
    try:
        node.start()
    except Unavailable as exc:
        _ES["reason"] = str(exc)
        pytest.skip(f"no live Elasticsearch node: {exc}")
    _ES["version"] = node_version(node.url)
    try:
        yield node.url
    finally:
        node.stop()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "es_node" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.elasticsearch)


def pytest_runtest_logreport(report):
    if "elasticsearch" in report.keywords:
        if report.when == "call" and report.outcome != "skipped":
            _ES["ran"] += 1
        elif report.outcome == "skipped":
            _ES["skipped"] += 1


def pytest_terminal_summary(terminalreporter):
    if not (_ES["ran"] or _ES["skipped"]):
        return
    if _ES["reason"]:
        terminalreporter.write_line(f"elasticsearch: {_ES['skipped']} tests skipped, no live node: {_ES['reason']}")
    else:
        terminalreporter.write_line(f"elasticsearch: {_ES['ran']} tests ran on a live node "
                                    f"(Elasticsearch {_ES['version']}), {_ES['skipped']} skipped")


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
    from pipelines.indexing.pipeline import ingest_paths

    data_dir = os.environ.get("JDIH_TEST_DATA_DIR")
    data_dir = Path(data_dir) if data_dir else tmp_path_factory.mktemp("kb")
    settings = dataclasses.replace(get_settings(), data_dir=data_dir)
    summary = ingest_paths([ROOT / "regulations"], settings=settings, progress=False)
    # every shipped work ingests: a failure here is a defect of the parser or the pipeline, and the
    # tests built on this knowledge base would otherwise pass on a corpus missing works
    assert not summary.failed, "works of regulations/ failed to ingest:\n" + summary.describe()
    return settings


def staff_token(settings, role: str, name: str) -> str:
    """A new account's token in ``settings``' knowledge base, made through the control plane as
    `jdih token create` does (the browser suite runs the command itself)."""
    from pipelines.staff.control import ControlPlane

    control = ControlPlane.open(settings)
    try:
        with control.transaction():
            _, token = control.create_account(name=name, role=role)
    finally:
        control.store.close()
    return token


def copy_kb(settings, data_dir: Path, *, share_files: bool = False):
    """Settings of a copy of ``settings``' knowledge base in ``data_dir`` (SQLite's online backup of
    the database file), for tests that write to it. ``share_files`` links the original files
    directory in read-only use (downloads); tests that upload must leave it False."""
    import dataclasses
    import sqlite3

    data_dir.mkdir(parents=True, exist_ok=True)
    target = dataclasses.replace(settings, data_dir=data_dir)
    src, dst = sqlite3.connect(settings.db_path), sqlite3.connect(target.db_path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    if share_files and settings.files_dir.exists():
        (data_dir / "files").symlink_to(settings.files_dir.resolve(), target_is_directory=True)
    return target


@pytest.fixture(scope="session")
def es_ingested_settings(ingested_settings, es_node, tmp_path_factory):
    """The same knowledge base on the live Elasticsearch node: the embedded one of
    ``ingested_settings`` copied with ``pipelines.indexing.reindex`` (what `jdih reindex --to elasticsearch`
    does: every work, its record, its chunks with their embeddings), the original files shared.
    Settings with JDIH_STORE=elasticsearch and a control file of its own."""
    import dataclasses

    from pipelines.indexing.reindex import reindex
    from pipelines.stores.factory import open_store

    data_dir = tmp_path_factory.mktemp("es-kb")
    if ingested_settings.files_dir.exists():
        (data_dir / "files").symlink_to(ingested_settings.files_dir.resolve(), target_is_directory=True)
    settings = dataclasses.replace(ingested_settings, store="elasticsearch", elasticsearch_url=es_node,
                                   data_dir=data_dir)
    source, target = open_store(ingested_settings), open_store(settings)
    try:
        summary = reindex(source, target, replace=True, progress=False)
        assert summary.ok, summary.describe()
    finally:
        source.close()
        target.close()
    return settings


@pytest.fixture(scope="module", params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def kb_settings(request):
    """The shipped corpus on each store in turn: the embedded one, then the live Elasticsearch node
    (skipped with the reason where none runs). Tests that take it run on both."""
    return request.getfixturevalue("ingested_settings" if request.param == "embedded" else "es_ingested_settings")
