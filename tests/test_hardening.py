"""The hostile tester's requests (issue 17), each answered fast and right now.

Every test replays the request of the report against the app (FastAPI TestClient over a small
knowledge base built by uploads, or a live ``jdih serve`` for what only a real server shows:
proxy headers, header timeouts). Speed is asserted as work done (bounded snippet windows, small
chunks, bodies refused before they are read), never as a duration.

Synthetic inputs are made at test time from a real corpus file (Perbup Kotabaru 19/2019) and
named ``synthetic-*``: e.g. its Pasal 1 replaced by ``"omega " * 8000``.

    .venv/bin/pytest -q tests/test_hardening.py
"""
from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest

from tests.conftest import corpus_path

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tests.test_staff import _auth, _settings, upload, wait_job  # noqa: E402
from tests.conftest import staff_token  # noqa: E402

KOTABARU_19 = "perbup-kotabaru-19-2019-perubahan-penjabaran-apbd.md"
KOTABARU_19_ID = "perbup-kotabaru-19-2019"


def kotabaru_with_pasal_1(body: str) -> bytes:
    """The real Perbup Kotabaru 19/2019 with the body of its Pasal 1 replaced by ``body``."""
    lines = corpus_path(KOTABARU_19).read_text(encoding="utf-8").splitlines()
    i = lines.index("Pasal 1")
    j = lines.index("Pasal 2")
    return "\n".join(lines[: i + 1] + [body] + lines[j:]).encode("utf-8")


@pytest.fixture(scope="module")
def hkb(tmp_path_factory):
    from jdih_server.app import create_app

    settings = _settings(tmp_path_factory.mktemp("hardkb"))
    tokens = {"admin": staff_token(settings, "admin", "admin-h"), "staff": staff_token(settings, "staff", "staff-h")}
    app = create_app(settings, rate_limit="0")
    with TestClient(app) as client:
        yield {"settings": settings, "client": client, "admin": _auth(tokens["admin"]),
               "staff": _auth(tokens["staff"]), "app": app}


@pytest.fixture(scope="module")
def omega(hkb):
    """Item 1's upload: Pasal 1 is ``"omega " * 8000`` (40 KB, no '.' or ';')."""
    c = hkb["client"]
    r = upload(c, hkb["staff"], "synthetic-omega.md", kotabaru_with_pasal_1("omega " * 8000), "text/markdown")
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["id"], hkb["staff"])
    assert job["state"] == "done", job
    return job


# --- 1. quadratic snippets, chunks that never split ------------------------------------------------

def test_snippet_window_is_bounded_however_often_the_term_repeats():
    from pipelines.search.highlight import make_snippet, plain

    calls = []

    def analyze(w):
        calls.append(w)
        return w.lower()

    text = "omega " * 8000
    s = make_snippet(text, {"omega"}, width=240, analyze_word=analyze)
    assert len(plain(s)) <= 240 + 30 + 4 and s.count("<mark>omega</mark>") >= 30
    assert len(calls) <= 8000 + 60  # each word analysed once, plus the window's


def test_a_pasal_with_no_sentence_end_is_cut_into_chunks_of_the_limit():
    from ingest.parser import parse_text
    from pipelines.indexing.chunking import ArticleChunker

    reg = parse_text(kotabaru_with_pasal_1("omega " * 8000).decode())
    docs = [d for d in ArticleChunker(max_chars=1500).run([reg])["documents"] if d.meta.get("pasal") == "1"]
    assert len(docs) >= 40000 // 1500
    assert all(len(d.content) <= 1500 + 400 for d in docs)  # the limit plus the title/breadcrumb line
    assert sum(d.content.count("omega") for d in docs) >= 8000


def test_search_and_ask_for_the_repeated_term_answer_with_bounded_snippets(hkb, omega):
    from pipelines.search.highlight import plain

    c = hkb["client"]
    r = c.get("/api/v1/search", params={"q": "omega"})
    assert r.status_code == 200, r.text
    groups = r.json()["results"]
    assert groups and groups[0]["regulation"]["id"] == KOTABARU_19_ID
    for g in groups:
        for a in g["articles"]:
            assert len(plain(a["snippet"])) <= 240 + 30 + 4
    assert c.get("/", params={"q": "omega"}).status_code == 200
    assert c.post("/api/v1/ask", json={"question": "omega"}).status_code == 200


# --- 2. body-size limit on every JSON endpoint ------------------------------------------------------

def test_large_json_bodies_are_refused_before_they_are_read(hkb):
    c = hkb["client"]
    limit = hkb["settings"].max_json_bytes
    big = b'{"question": "' + b"a" * (limit + 10) + b'"}'
    for path in ("/api/v1/ask", "/api/v1/accounts"):
        r = c.post(path, content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413, (path, r.status_code, r.text[:200])
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "/problems/payload-too-large"

    # without Content-Length (chunked): counted as it arrives, 413 as soon as it passes the limit
    r = c.post("/api/v1/ask", content=iter([b"a" * (limit // 4)] * 50), headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text[:200]


def test_a_chunked_body_is_read_only_up_to_the_limit():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from search_api.staff.uploads import BodyLimitMiddleware

    async def app(scope, receive, send):  # reads the whole body, as a JSON endpoint would
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    pulled, sent = [], []

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": b"a" * 1000, "more_body": len(pulled) < 200_000}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/ask", "headers": []}
    # on a thread of its own: the browser tests' sync Playwright keeps an event loop running on this one
    middleware = BodyLimitMiddleware(app, limit=10**9, json_limit=10_000)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    assert sent[0]["status"] == 413 and len(pulled) == 11  # 11 KB read of a 200 MB body


# --- 5. cursors that overflow -----------------------------------------------------------------------

def test_huge_cursors_are_422_not_500(hkb):
    c = hkb["client"]
    inf = base64.b64encode(b'{"o":1e400,"k":"x"}').decode()
    for path, params, headers in [
        ("/api/v1/changes", {"cursor": "99999999999999999999999"}, {}),
        ("/api/v1/audit", {"cursor": "99999999999999999999999"}, hkb["admin"]),
        ("/api/v1/search", {"q": "data", "cursor": inf}, {}),
        ("/api/v1/regulations", {"cursor": inf}, {}),
    ]:
        r = c.get(path, params=params, headers=headers)
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.json()["type"] == "/problems/validation-error"


# --- 4. the Host header never makes absolute URLs ----------------------------------------------------

def test_host_header_does_not_reach_the_feed_or_the_reader(hkb, omega):
    c = hkb["client"]
    r = c.get("/api/jdihn", headers={"Host": "evil.example"})
    assert r.status_code == 200 and r.json()
    assert "evil.example" not in r.text
    urls = [x["urlDetailPeraturan"] for x in r.json() if x["urlDetailPeraturan"]]
    assert urls and all(u.startswith("http://testserver/") for u in urls)  # the socket's address
    assert "max-age" in r.headers["cache-control"]
    page = c.get(f"/peraturan/{KOTABARU_19_ID}", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "data-cite" in page.text and "evil.example" not in page.text


def test_configured_public_base_url_is_used_for_absolute_urls(hkb, omega):
    from jdih_server.app import create_app

    settings = dataclasses.replace(hkb["settings"], public_base_url="https://jdih.malangkota.go.id")
    with TestClient(create_app(settings, rate_limit="0")) as c:
        feed = c.get("/api/jdihn", headers={"Host": "evil.example"}).json()
        urls = [x["urlDetailPeraturan"] for x in feed if x["urlDetailPeraturan"]]
        assert urls and all(u.startswith("https://jdih.malangkota.go.id/") for u in urls)
        page = c.get(f"/peraturan/{KOTABARU_19_ID}")
        assert "(https://jdih.malangkota.go.id/akn/" in page.text


def test_public_base_url_must_be_an_http_url(monkeypatch):
    from ingest.config import get_settings

    monkeypatch.setenv("JDIH_PUBLIC_BASE_URL", "https://jdih.malangkota.go.id/")
    assert get_settings().public_base_url == "https://jdih.malangkota.go.id"
    monkeypatch.setenv("JDIH_PUBLIC_BASE_URL", "javascript:alert(1)")
    with pytest.raises(ValueError, match="JDIH_PUBLIC_BASE_URL"):
        get_settings()


# --- 7. a full disk is a clear 507 --------------------------------------------------------------------

def test_upload_on_a_full_disk_is_507_storage_full_and_leaves_nothing(hkb, monkeypatch):
    import errno
    import os

    import pipelines.staff.files as files_mod

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def write(self, block):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(files_mod.os, "fdopen", lambda fd, mode="r", *a, **k: FullDisk(real_fdopen(fd, mode, *a, **k)))
    c = hkb["client"]
    tmp = hkb["settings"].files_dir / "tmp"
    before = set(tmp.glob("upload-*")) if tmp.exists() else set()
    r = upload(c, hkb["staff"], "synthetic-full-disk.md", kotabaru_with_pasal_1("Pasal satu."), "text/markdown")
    assert r.status_code == 507, r.text
    body = r.json()
    assert body["type"] == "/problems/storage-full" and "penuh" in body["detail_id"]
    assert set(tmp.glob("upload-*")) == before


# --- 6. nothing left behind by a process that died --------------------------------------------------

def test_start_up_sweeps_temporary_files_of_dead_processes_and_unowned_stored_files(tmp_path):
    import hashlib
    import subprocess
    import sys

    from pipelines.staff.files import FileStore
    from jdih_server.app import create_app

    settings = _settings(tmp_path / "sweepkb")
    staff = _auth(staff_token(settings, "staff", "staff-sweep"))
    with TestClient(create_app(settings, rate_limit="0")) as c:
        data = kotabaru_with_pasal_1("Pasal satu tetap.")
        r = upload(c, staff, "synthetic-kept.md", data, "text/markdown")
        assert r.status_code == 202, r.text
        assert wait_job(c, r.json()["job"]["id"], staff)["state"] == "done"
    kept = hashlib.sha256(data).hexdigest()
    fs = FileStore(settings.files_dir)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = settings.files_dir / "tmp" / f"upload-{dead.pid}-abc123.pdf"  # what kill -9 mid-check left
    left.write_bytes(b"%PDF-1.4 partial")
    orphan_bytes = b"synthetic orphan: stored by a job that failed on a full disk"
    orphan = hashlib.sha256(orphan_bytes).hexdigest()
    fs.path(orphan).parent.mkdir(parents=True, exist_ok=True)
    fs.path(orphan).write_bytes(orphan_bytes)
    with TestClient(create_app(settings, rate_limit="0")) as c:  # the restart
        assert c.get("/healthz").status_code == 200
    assert not left.exists() and not fs.exists(orphan)
    assert fs.exists(kept)  # the held file stays


def test_a_reader_child_dies_with_its_parent(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT

    parent = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "from ingest.loader import child_env\n"
        f"env = child_env({str(ROOT)!r})\n"
        "p = subprocess.Popen([sys.executable, '-c', 'from ingest.loader import die_with_parent; "
        "die_with_parent(); import time; time.sleep(120)'], env=env, start_new_session=True)\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(120)\n")], cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    child = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as fh:  # a zombie waiting for init counts as gone
            if fh.read().split()[2] == "Z":
                break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the reader child outlived its parent")


# --- 9. validation gaps -------------------------------------------------------------------------------

def test_negative_numbers_and_reversed_dates_are_refused(hkb, omega):
    c = hkb["client"]
    r = upload(c, hkb["staff"], "synthetic-negative.md", kotabaru_with_pasal_1("Pasal negatif."), "text/markdown",
               noPeraturan="-5")
    assert r.status_code == 422 and "noPeraturan" in r.json()["detail"], r.text
    assert r.json()["errors"][0]["field"] == "noPeraturan"  # objects, as the schema says
    r = c.patch(f"/api/v1/regulations/{KOTABARU_19_ID}", headers=hkb["staff"],
                json={"tanggal_penetapan": "9999-12-31", "tanggal_pengundangan": "0001-01-01"})
    assert r.status_code == 422, r.text
    assert {e["field"] for e in r.json()["errors"]} == {"tanggal_penetapan", "tanggal_pengundangan"}
    r = c.patch(f"/api/v1/regulations/{KOTABARU_19_ID}", headers=hkb["staff"],
                json={"tanggal_penetapan": "2019-10-02", "tanggal_pengundangan": "2019-10-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tanggal_pengundangan", r.text
    r = c.patch(f"/api/v1/regulations/{KOTABARU_19_ID}", headers=hkb["staff"], json={"bogus": 1})
    assert r.status_code == 422 and isinstance(r.json()["errors"][0], dict)


def test_two_works_cannot_each_revoke_the_other(hkb, blank_number):
    c = hkb["client"]
    a, b = KOTABARU_19_ID, blank_number
    r = c.post(f"/api/v1/regulations/{a}/relations", headers=hkb["staff"], json={"type": "mencabut", "target": b})
    assert r.status_code == 201, r.text
    r = c.post(f"/api/v1/regulations/{b}/relations", headers=hkb["staff"], json={"type": "mencabut", "target": a})
    assert r.status_code == 409 and r.json()["code"] == "relation_cycle", r.text
    assert c.get(f"/api/v1/regulations/{a}").json()["status"] == "berlaku"
    r = c.request("DELETE", f"/api/v1/regulations/{a}/relations", headers=hkb["staff"],
                  params={"type": "mencabut", "target": b})
    assert r.status_code == 200, r.text


# --- 12. staff metadata forms the id when the heading lacks it -----------------------------------------

def kotabaru_without_number() -> bytes:
    text = corpus_path(KOTABARU_19).read_text(encoding="utf-8")
    assert "NOMOR 19 TAHUN 2019" in text
    return text.replace("NOMOR 19 TAHUN 2019", "NOMOR      TAHUN 2019", 1).encode()


@pytest.fixture(scope="module")
def blank_number(hkb):
    c = hkb["client"]
    r = upload(c, hkb["staff"], "synthetic-unnumbered-salinan.md", kotabaru_without_number(), "text/markdown",
               jenis="Peraturan Bupati", noPeraturan="1", tahun="2019")
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["id"], hkb["staff"])
    assert job["state"] == "done", job
    return job["result"]["work_id"]


def test_an_unnumbered_heading_takes_its_id_from_the_staff_fields(hkb, blank_number):
    assert blank_number == "perbup-kotabaru-1-2019"
    assert hkb["client"].get(f"/api/v1/regulations/{blank_number}").status_code == 200


def test_no_id_from_heading_or_fields_is_422_at_once(hkb):
    c = hkb["client"]
    data = kotabaru_without_number().replace(b"PERATURAN BUPATI KOTABARU\n", b"")
    before = len(c.get("/api/v1/jobs", headers=hkb["staff"]).json()["results"])
    r = upload(c, hkb["staff"], "synthetic-no-id.md", data + b"\n", "text/markdown")
    assert r.status_code == 422 and r.json()["code"] == "no_id", r.text
    assert len(c.get("/api/v1/jobs", headers=hkb["staff"]).json()["results"]) == before  # no job queued


# --- 13. the public versions do not name staff ------------------------------------------------------------

def test_public_versions_do_not_show_who_made_them(hkb, omega):
    r = hkb["client"].get(f"/api/v1/regulations/{KOTABARU_19_ID}/versions")
    assert r.status_code == 200
    assert "staff-h" not in r.text and "created_by" not in r.text
    assert r.json()["versions"][-1]["source"] == "staff"
    v = hkb["client"].get(f"/api/v1/regulations/{KOTABARU_19_ID}/versions/1").json()
    assert "created_by" not in v


# --- 3 and 13: what only a live server shows (jdih_server.serving, as jdih serve runs it) ---------------

@pytest.fixture(scope="module")
def live(tmp_path_factory):
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.conftest import ROOT
    from tests.test_staff import _free_port

    data_dir = tmp_path_factory.mktemp("livekb")
    staff = _auth(staff_token(_settings(data_dir), "staff", "staff-live"))
    port = _free_port()
    log_path = data_dir / "server.log"
    env = {**os.environ, "JDIH_DATA_DIR": str(data_dir), "JDIH_RATE_LIMIT": "5/minute", "JDIH_HEADER_TIMEOUT_S": "1",
           "JDIH_JOB_WORKER": "0", "PYTHONPATH": str(ROOT)}
    env.pop("JDIH_TRUSTED_PROXIES", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", f"from jdih_server.serving import serve; serve('127.0.0.1', {port})"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text())
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield {"base": f"http://127.0.0.1:{port}", "port": port, "staff": staff, "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit(live):
    import httpx

    codes = [httpx.get(live["base"] + "/api/v1/regulations", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(1, 11)]
    assert codes[:5] == [200] * 5 and 429 in codes[5:], codes
    assert "203.0.113." not in live["log"].read_text()  # the log records the real peer


def test_a_connection_that_never_finishes_its_headers_is_closed(live):
    import socket

    with socket.create_connection(("127.0.0.1", live["port"]), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert s.recv(1024) == b""  # closed by the server (after JDIH_HEADER_TIMEOUT_S=1), not a timeout


def test_serving_options_trust_no_proxy_unless_configured():
    from ingest.config import get_settings
    from jdih_server.serving import uvicorn_options

    s = get_settings()
    assert uvicorn_options(dataclasses.replace(s, trusted_proxies=()))["proxy_headers"] is False
    opts = uvicorn_options(dataclasses.replace(s, trusted_proxies=("10.0.0.5",)))
    assert opts["proxy_headers"] is True and opts["forwarded_allow_ips"] == ["10.0.0.5"]


# --- 10. job limits, progress with ETA, cancel ----------------------------------------------------------

def test_a_text_with_more_articles_than_the_limit_is_refused_at_once(hkb, monkeypatch):
    monkeypatch.setenv("JDIH_MAX_ARTICLES", "10")
    body = "\n".join(f"Pasal {i}\nKetentuan nomor {i} berlaku." for i in range(1, 40))
    data = kotabaru_with_pasal_1("Pasal satu.").replace(b"Pasal 2\n", (body + "\nPasal 2\n").encode(), 1)
    r = upload(hkb["client"], hkb["staff"], "synthetic-many-articles.md", data, "text/markdown")
    assert r.status_code == 422 and r.json()["code"] == "too_many_articles", r.text


def test_job_progress_has_an_eta_and_staff_can_cancel(hkb, omega, tmp_path):
    from pipelines.staff.jobs import JobFailed, JobQueue

    assert omega["progress"]["chunks_total"] == omega["progress"]["chunks_embedded"] > 0
    assert "eta_s" in omega["progress"]
    c = hkb["client"]
    staff = hkb["app"].state.staff
    staff.stop()  # no worker claims the synthetic jobs meanwhile
    staff._worker.join(30)
    store = staff.store
    queue = JobQueue(store)
    with store.transaction():
        queued = queue.enqueue("synthetic-never-claimed", params={}, created_by="test")
        running = queue.enqueue("synthetic-never-claimed", params={}, created_by="test")
        queue.conn.execute("UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?",
                           ("2026-01-01T00:00:00+00:00", running.id))
    r = c.post(f"/api/v1/jobs/{queued.id}/cancel", headers=hkb["staff"])
    assert r.status_code == 200 and r.json()["state"] == "failed" and r.json()["error"]["code"] == "cancelled"
    r = c.post(f"/api/v1/jobs/{running.id}/cancel", headers=hkb["staff"])
    assert r.status_code == 200 and r.json()["progress"]["cancel_requested"]
    with pytest.raises(JobFailed) as e:
        queue.check(running.id)
    assert e.value.code == "cancelled"
    assert c.post("/api/v1/jobs/" + "0" * 32 + "/cancel", headers=hkb["staff"]).status_code == 404
    assert c.post(f"/api/v1/jobs/{queued.id}/cancel").status_code == 401
    with store.transaction():
        queue.fail(running.id, {"code": "test"})
    staff.ensure_worker()


def test_a_job_past_its_time_limit_stops(hkb, monkeypatch):
    from pipelines.staff.jobs import JobFailed, JobQueue

    store = hkb["app"].state.staff.store
    queue = JobQueue(store)
    with store.transaction():
        job = queue.enqueue("synthetic-never-claimed", params={}, created_by="test")
        queue.conn.execute("UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?",
                           ("2026-01-01T00:00:00+00:00", job.id))
    monkeypatch.setenv("JDIH_JOB_TIMEOUT_S", "60")
    with pytest.raises(JobFailed) as e:
        queue.check(job.id)
    assert e.value.code == "job_timeout"
    with store.transaction():
        queue.fail(job.id, {"code": "test"})


def test_a_large_job_does_not_stall_the_small_ones_behind_it(tmp_path):
    import threading
    import time

    from pipelines.staff.jobs import JobQueue, Worker, is_large, wait_for
    from pipelines.stores.sqlite import SQLiteDocumentStore

    # what makes a job large: a long text, or a PDF of many pages (read page by page, OCR)
    assert is_large({"size": 670_000, "media_type": "text/plain", "pages": None})
    assert is_large({"size": 3_000_000, "media_type": "application/pdf", "pages": 141})
    assert not is_large({"size": 3_000_000, "media_type": "application/pdf", "pages": 12})
    assert not is_large({"size": 40_000, "media_type": "text/markdown", "pages": None})
    assert not is_large({})  # a metadata-only upload

    store = SQLiteDocumentStore(tmp_path / "jdih.sqlite3")
    queue = JobQueue(store)
    release, ran = threading.Event(), []

    def handler(job, q):  # a synthetic job: the large one runs until released
        ran.append(job.params["name"])
        if job.params["name"] == "large":
            assert release.wait(60)
        return {"name": job.params["name"]}

    with store.transaction():
        large = queue.enqueue("synthetic", params={"name": "large", "size": 670_000, "media_type": "text/plain"},
                              created_by="test")
    workers = [Worker(queue, {"synthetic": handler}, poll_s=0.1),
               Worker(queue, {"synthetic": handler}, poll_s=0.1, small_only=True)]
    for w in workers:
        w.start()
    try:
        deadline = time.monotonic() + 30
        while queue.get(large.id).state != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with store.transaction():
            small = queue.enqueue("synthetic", params={"name": "small", "size": 40_000, "media_type": "text/markdown"},
                                  created_by="test")
        done = wait_for(queue, small.id, timeout_s=30, poll_s=0.05)
        assert done.state == "done" and queue.get(large.id).state == "running"  # not queued behind it
        with store.transaction():  # the express worker leaves a second large job to the main one
            large2 = queue.enqueue("synthetic", params={"name": "large2", "size": 3_000_000,
                                                        "media_type": "application/pdf", "pages": 141}, created_by="test")
        time.sleep(1.0)
        assert queue.get(large2.id).state == "queued"
        release.set()
        assert wait_for(queue, large.id, timeout_s=30, poll_s=0.05).state == "done"
        assert wait_for(queue, large2.id, timeout_s=30, poll_s=0.05).state == "done"
        assert ran == ["large", "small", "large2"]
    finally:
        release.set()
        for w in workers:
            w.stop()


# --- 8. contract drift ------------------------------------------------------------------------------------

def test_head_is_answered_wherever_get_is_and_405_lists_every_method(hkb, omega):
    c = hkb["client"]
    for path in ("/healthz", "/api/v1/regulations", f"/api/v1/regulations/{KOTABARU_19_ID}/file"):
        get, head = c.get(path), c.head(path)
        assert head.status_code == get.status_code == 200, (path, head.status_code)
        assert head.content == b"" and head.headers.get("content-type") == get.headers.get("content-type")
    r = c.put("/api/v1/regulations")
    assert r.status_code == 405
    assert {"GET", "HEAD", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}


def test_malformed_json_is_a_documented_422_in_both_languages(hkb):
    r = hkb["client"].post("/api/v1/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["type"] == "/problems/validation-error" and body["detail"] != body["detail_id"]
