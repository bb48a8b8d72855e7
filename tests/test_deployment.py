"""docker-compose.yml (Elasticsearch 8 + the API) is valid and says what docs/deployment.md promises.
Needs the Debian package docker-compose (the Makefile's test-system-deps installs it)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (Debian package docker-compose: make test-system-deps)")


def _compose(*args: str, env_file: str | None = ".env.example") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ELASTIC", "ES_", "JDIH_ES_"))}  # only the env file speaks
    cmd = [COMPOSE, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml")]
    if env_file:
        cmd += ["--env-file", str(ROOT / env_file)]
    return subprocess.run([*cmd, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_compose_config_is_valid():
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_runs_elasticsearch_8_with_security_and_the_api_against_it():
    config = yaml.safe_load(_compose("config").stdout)
    es, api = config["services"]["elasticsearch"], config["services"]["api"]
    assert es["image"].split(":")[-1].startswith("8.")
    env = es["environment"]
    assert env["xpack.security.enabled"] == "true" and env["discovery.type"] == "single-node"
    assert env["ELASTIC_PASSWORD"] == "change-me-to-a-long-random-password"  # from the env file, not the compose file
    assert env["ES_JAVA_OPTS"] == "-Xms1g -Xmx1g"
    assert es["ulimits"]["memlock"] == {"soft": -1, "hard": -1}
    assert any(str(v).split(":")[0] == "es-data" and str(v).split(":")[1] == "/usr/share/elasticsearch/data"
               for v in es["volumes"])
    assert "curl" in " ".join(es["healthcheck"]["test"])
    assert api["environment"]["JDIH_STORE"] == "elasticsearch"
    assert api["environment"]["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    assert api["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert "jdih es init" in " ".join(api["command"]) and "jdih serve --host 0.0.0.0" in " ".join(api["command"])
    assert (ROOT / "Dockerfile").exists()


def test_compose_refuses_to_start_without_credentials(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELASTIC", "ES_", "JDIH_ES_"))}
    result = subprocess.run([COMPOSE, "--project-directory", str(tmp_path), "-f", str(ROOT / "docker-compose.yml"),
                             "--env-file", str(empty), "config", "-q"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "ELASTIC_PASSWORD" in result.stderr


def test_env_file_is_ignored_and_its_example_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0
    assert ignored
    assert (ROOT / ".env.example").exists()
