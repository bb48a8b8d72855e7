"""The local Elasticsearch node's fallbacks, without starting one: where no Java can be found, the
live-node tests are skipped and the session summary says why (the rest of the suite runs)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.stores.es_local import Unavailable, find_java, required_java

ROOT = Path(__file__).resolve().parents[1]


def _no_java_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ES_JAVA_HOME", "JAVA_HOME", "JDIH_TEST_ES_URL")}
    env.update(JDIH_JVM_DIR=str(tmp_path / "no-jvm"), JDIH_JAVA_PATH=str(tmp_path / "no-bin"),
               PYTHONPATH=str(ROOT))
    return env


def test_java_requirements_follow_the_server_version():
    assert required_java("8.19.21") == (17, 24)
    assert required_java("9.1.0")[0] == 21


def test_no_java_is_a_clear_reason(tmp_path, monkeypatch):
    for name, value in _no_java_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(Unavailable, match=r"Elasticsearch 8\.19\.21 needs Java 17-24; none found"):
        find_java("8.19.21")


def test_without_java_the_live_node_tests_skip_with_the_reason_printed(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/contract/test_store_contract.py",
         "-k", "real_articles and (0 or 1)"],
        cwd=ROOT, env=_no_java_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    summary = out.stdout.splitlines()
    assert any(line.startswith("elasticsearch: ") and "skipped, no live node: " in line and "needs Java 17-24" in line
               for line in summary), out.stdout[-2000:]
    assert any(" passed" in line and " skipped" in line for line in summary)  # the embedded cases still ran


@pytest.mark.elasticsearch
def test_make_run_es_wrapper_stops_the_command_and_the_node_on_sigterm(es_node, tmp_path):
    """`make run-es` runs `python -m pipelines.stores.es_local -- COMMAND`; a `kill` of it (SIGTERM)
    stops COMMAND and the node as Ctrl-C does, leaving no orphaned node. (``es_node`` only makes
    the test skip, with its reason, where no node can run.)"""
    import signal
    import time
    import urllib.request

    marker = tmp_path / "child.pid"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.stores.es_local", "--",  # the node's data in its own temporary folder
         "bash", "-c", f"echo $$ > {marker}; exec sleep 600"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    try:
        url, said = None, []
        for line in proc.stderr:
            said.append(line)
            if " is up at " in line:
                url = line.strip().rsplit(" ", 1)[-1]
                break
        assert url, "the node did not start: " + "".join(said)
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        child = int(marker.read_text())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(120) == 128 + signal.SIGTERM
        assert "Elasticsearch stopped" in proc.stderr.read()
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)
        with pytest.raises(OSError):
            urllib.request.urlopen(url + "/_cluster/health", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
