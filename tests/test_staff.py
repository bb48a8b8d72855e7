"""The legal staff's side, over real HTTP (FastAPI TestClient, and a live uvicorn for SIGKILL):
tokens and roles, uploads and their checks, jobs, versions, files, edits, withdrawal, relations
and status, audit, change feed, export/import.

Inputs are the real corpus files (small ones: perbup-kotabaru-18-2019 .md, tap-mpr-xv-1998 .pdf,
3 pages, uu-11-2008 / uu-19-2016 .pdf). Bad inputs are made at test time from them (an
encrypted copy with pypdf) or are real files of the wrong kind (malang-catalogue.yaml named .pdf).

    .venv/bin/pytest -q tests/test_staff.py -m "not slow"     # ~2-3 min on 2 busy cores
    .venv/bin/pytest -q tests/test_staff.py -m slow           # OCR upload, SIGKILL mid-job
"""
from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_path, staff_token

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

KOTABARU = "perbup-kotabaru-18-2019-perubahan-kedua.md"
TAP_MPR = "tap-mpr-xv-1998-otonomi-daerah.pdf"
JOB_TIMEOUT_S = 600


def _settings(data_dir: Path, **kw):
    from ingest.config import get_settings

    return dataclasses.replace(get_settings(), data_dir=data_dir, **kw)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_job(client, job_id: str, headers, timeout_s: float = JOB_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def upload(client, headers, name: str, data: bytes, content_type: str = "application/octet-stream", **fields):
    return client.post("/api/v1/regulations", headers=headers, files={"file": (name, data, content_type)},
                       data={k: str(v) for k, v in fields.items()})


def db(settings) -> sqlite3.Connection:
    return sqlite3.connect(settings.db_path)


def consistent(settings) -> None:
    """Works rows and chunks agree: every chunk belongs to a work, every work has its chunks."""
    conn = db(settings)
    try:
        per_work = dict(conn.execute("SELECT json_extract(meta, '$.work_id'), count(*) FROM documents GROUP BY 1"))
        works = dict(conn.execute("SELECT id, chunks FROM works"))
    finally:
        conn.close()
    assert per_work == works


# --- one knowledge base for the module: uploads build on each other -------------------------------

@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    from jdih_server.app import create_app

    settings = _settings(tmp_path_factory.mktemp("staffkb"))
    tokens = {"admin": staff_token(settings, "admin", "admin-1"), "staff": staff_token(settings, "staff", "staff-1")}
    app = create_app(settings, rate_limit="0")
    with TestClient(app) as client:
        yield {"settings": settings, "client": client, "admin": _auth(tokens["admin"]), "staff": _auth(tokens["staff"]),
               "state": {}}


def test_writes_without_token_get_401_with_a_challenge(kb):
    c = kb["client"]
    for method, path in (("post", "/api/v1/regulations"), ("patch", "/api/v1/regulations/uu-11-2008"),
                         ("delete", "/api/v1/regulations/uu-11-2008"), ("post", "/api/v1/regulations/uu-11-2008/restore"),
                         ("post", "/api/v1/regulations/uu-11-2008/relations"), ("get", "/api/v1/jobs/0123456789abcdef"),
                         ("get", "/api/v1/audit"), ("post", "/api/v1/accounts")):
        r = getattr(c, method)(path)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail_id"]


def test_unknown_token_is_401_and_staff_token_on_admin_routes_is_403(kb):
    c = kb["client"]
    r = c.get("/api/v1/audit", headers=_auth("jdih_" + "x" * 43))
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]
    assert c.get("/api/v1/audit", headers=kb["staff"]).status_code == 403
    r = c.post("/api/v1/accounts", headers=kb["staff"], json={"name": "x", "role": "admin"})
    assert r.status_code == 403 and "admin" in r.json()["detail"]
    assert c.get("/api/v1/audit", headers=kb["admin"]).status_code == 200


def test_revoked_token_stops_working(kb):
    c = kb["client"]
    r = c.post("/api/v1/accounts", headers=kb["admin"], json={"name": "temp-staff", "role": "staff"})
    assert r.status_code == 201
    token, account_id = r.json()["token"], r.json()["id"]
    assert c.get("/api/v1/jobs", headers=_auth(token)).status_code == 200
    assert c.delete(f"/api/v1/accounts/{account_id}", headers=kb["admin"]).status_code == 200
    assert c.get("/api/v1/jobs", headers=_auth(token)).status_code == 401
    conn = db(kb["settings"])
    stored = [r[0] for r in conn.execute("SELECT token_hash FROM accounts")]
    conn.close()
    assert token not in stored and all(len(h) == 64 for h in stored)  # only hashes are kept


def test_tokens_expire(kb):
    from datetime import datetime, timezone

    c = kb["client"]
    r = c.post("/api/v1/accounts", headers=kb["admin"], json={"name": "temp-expiring", "role": "staff",
                                                              "expires_in_days": 30})
    assert r.status_code == 201
    token, account_id, expires_at = r.json()["token"], r.json()["id"], r.json()["expires_at"]
    days = (datetime.fromisoformat(expires_at) - datetime.now(timezone.utc)).days
    assert 29 <= days <= 30 and r.json()["active"] is True
    assert c.get("/api/v1/jobs", headers=_auth(token)).status_code == 200
    default = c.post("/api/v1/accounts", headers=kb["admin"], json={"name": "temp-default", "role": "staff"}).json()
    assert 364 <= (datetime.fromisoformat(default["expires_at"]) - datetime.now(timezone.utc)).days <= 365
    never = c.post("/api/v1/accounts", headers=kb["admin"], json={"name": "temp-never", "role": "staff",
                                                                  "expires_in_days": 0}).json()
    assert never["expires_at"] is None
    assert c.post("/api/v1/accounts", headers=kb["admin"],
                  json={"name": "x", "role": "staff", "expires_in_days": -1}).status_code == 422

    conn = db(kb["settings"])  # a month later
    conn.execute("UPDATE accounts SET expires_at = '2000-01-01T00:00:00+00:00' WHERE id = ?", (account_id,))
    conn.commit()
    conn.close()
    r = c.get("/api/v1/jobs", headers=_auth(token))
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    listed = {a["id"]: a for a in c.get("/api/v1/accounts", headers=kb["admin"]).json()["results"]}
    assert listed[account_id]["active"] is False and listed[account_id]["revoked_at"] is None
    # the name is free again, and the expired account can still be revoked for the record
    again = c.post("/api/v1/accounts", headers=kb["admin"], json={"name": "temp-expiring", "role": "staff"})
    assert again.status_code == 201
    assert c.delete(f"/api/v1/accounts/{account_id}", headers=kb["admin"]).status_code == 200
    for a in (again.json(), default, never):
        assert c.delete(f"/api/v1/accounts/{a['id']}", headers=kb["admin"]).status_code == 200


def test_accounts_made_before_tokens_expired_keep_working(tmp_path):
    import sqlite3 as sq

    from pipelines.staff import accounts

    conn = sq.connect(tmp_path / "old.sqlite3")
    conn.execute("""CREATE TABLE accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, created_by TEXT,
                    revoked_at TEXT, last_used_at TEXT)""")  # the schema of the first release
    token = "jdih_" + "a" * 43
    conn.execute("INSERT INTO accounts (id, name, role, token_hash, created_at) VALUES "
                 "('abc', 'old-staff', 'staff', ?, '2026-11-01T00:00:00+00:00')", (accounts.hash_token(token),))
    account = accounts.authenticate(conn, token)
    assert account is not None and account.name == "old-staff" and account.expires_at is None


def _files_held(settings) -> set[str]:
    base = settings.files_dir / "sha256"
    return {p.name for p in base.glob("*/*/*")} if base.exists() else set()


def test_junk_bytes_named_pdf_are_refused_and_nothing_is_stored(kb):
    c, before = kb["client"], _files_held(kb["settings"])
    junk = corpus_path("malang-catalogue.yaml").read_bytes()  # a real file, but YAML, not a PDF
    r = upload(c, kb["staff"], "perwal-malang-9-2022.pdf", junk, "application/pdf")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "corrupt_pdf" and "%PDF-" in body["detail"] and body["detail_id"].startswith("PDF rusak")
    assert _files_held(kb["settings"]) == before


def test_encrypted_pdf_is_refused(kb, tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(corpus_path(TAP_MPR)))
    writer.encrypt(user_password="rahasia", owner_password="rahasia-pemilik", algorithm="RC4-128")  # RC4 needs no extra package
    buf = io.BytesIO()
    writer.write(buf)
    r = upload(kb["client"], kb["staff"], "tap-mpr-terkunci.pdf", buf.getvalue(), "application/pdf")
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "encrypted_pdf" and "password" in r.json()["detail"]


def test_pdf_with_zero_pages_is_refused(kb):
    import pypdf

    buf = io.BytesIO()
    pypdf.PdfWriter().write(buf)
    r = upload(kb["client"], kb["staff"], "kosong.pdf", buf.getvalue(), "application/pdf")
    assert r.status_code == 422 and r.json()["code"] == "empty_pdf", r.text


def test_text_without_articles_needs_metadata_only(kb):
    data = corpus_path("perda-banjarnegara-8-2025-metadata.txt").read_bytes()  # the source JDIH's metadata sheet
    r = upload(kb["client"], kb["staff"], "perda-banjarnegara-8-2025-metadata.txt", data, "text/plain")
    assert r.status_code == 422 and r.json()["code"] == "no_articles", r.text
    assert "metadata_only=true" in r.json()["detail"]


def test_unknown_form_field_and_bad_metadata_are_422(kb):
    data = corpus_path(KOTABARU).read_bytes()
    r = upload(kb["client"], kb["staff"], KOTABARU, data, "text/markdown", status="dicabut")
    assert r.status_code == 422 and "status" in r.json()["detail"]
    r = upload(kb["client"], kb["staff"], KOTABARU, data, "text/markdown", tanggal_penetapan="31/12/2019")
    assert r.status_code == 422 and "tanggal_penetapan" in r.json()["detail"]
    r = upload(kb["client"], kb["staff"], KOTABARU, data, "text/markdown", work_id="../../etc/passwd")
    assert r.status_code == 422 and "work_id" in r.json()["detail"]


HOSTILE_NAME = "../../../../tmp/<img src=x onerror=alert(1)>.md"


def test_upload_text_with_hostile_name_runs_a_job_to_done(kb):
    c, settings = kb["client"], kb["settings"]
    data = corpus_path(KOTABARU).read_bytes()
    r = upload(c, kb["staff"], HOSTILE_NAME, data, "text/markdown")
    assert r.status_code == 202, r.text
    assert r.headers["location"] == r.json()["links"]["job"]
    job = wait_job(c, r.json()["job"]["id"], kb["staff"])
    assert job["state"] == "done", job
    assert job["result"]["work_id"] == "perbup-kotabaru-18-2019" and job["result"]["version"] == 1
    assert job["progress"]["pages_read"] >= 1 and job["progress"]["chunks_embedded"] == job["result"]["chunks"] > 0
    # stored by hash; the name is data, cleaned
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    assert settings.files_dir.joinpath("sha256", sha[:2], sha[2:4], sha).read_bytes() == data
    assert not Path("/tmp/<img src=x onerror=alert(1)>.md").exists()
    versions = c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions").json()["versions"]
    assert versions[0]["file_name"] == "img-src-x-onerror-alert-1.md"
    reg = c.get("/api/v1/regulations/perbup-kotabaru-18-2019")
    assert reg.status_code == 200
    consistent(settings)
    kb["state"]["kotabaru_sha"] = sha


def test_duplicate_file_is_409_with_a_link(kb):
    data = corpus_path(KOTABARU).read_bytes()
    r = upload(kb["client"], kb["staff"], "lagi.md", data, "text/markdown")
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "duplicate" and body["links"]["existing"] == "/api/v1/regulations/perbup-kotabaru-18-2019"
    assert kb["client"].get(body["links"]["existing"]).status_code == 200


def test_download_has_type_safe_name_and_etag(kb):
    c = kb["client"]
    r = c.get("/api/v1/regulations/perbup-kotabaru-18-2019/file")
    assert r.status_code == 200
    assert r.content == corpus_path(KOTABARU).read_bytes()
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == 'attachment; filename="img-src-x-onerror-alert-1.md"'
    assert r.headers["etag"] == f'"{kb["state"]["kotabaru_sha"]}"'
    assert r.headers["x-content-type-options"] == "nosniff"
    again = c.get("/api/v1/regulations/perbup-kotabaru-18-2019/file", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_new_file_for_a_work_is_a_new_version_and_old_stays_readable(kb):
    c = kb["client"]
    original = corpus_path(KOTABARU).read_bytes()
    # the same law re-saved with Windows line endings: different bytes, same text (as a re-export is)
    resaved = original.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert resaved != original
    r = upload(c, kb["staff"], "perbup-kotabaru-18-2019.txt", resaved, "text/plain",
               work_id="perbup-kotabaru-18-2019", tahun=2018)
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["id"], kb["staff"])
    assert job["state"] == "done", job
    assert job["result"]["action"] == "new_version" and job["result"]["version"] == 2
    # the metadata contradicts the heading (TAHUN 2019): stored as given, with a warning for staff
    mismatch = [w for w in job["result"]["warnings"] if w["code"] == "metadata_mismatch"]
    assert mismatch and mismatch[0]["field"] == "tahun" and mismatch[0]["document"] == "2019"
    listing = c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions").json()
    assert [v["n"] for v in listing["versions"]] == [1, 2] and listing["current"] == 2
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions/1/file").content == original
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions/2/file").content == resaved
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019/file").content == resaved
    v1 = c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions/1").json()
    assert v1["regulation"]["articles"] and v1["record"].get("tahun") != 2018
    consistent(kb["settings"])


def test_patch_metadata_is_validated_and_audited(kb):
    c = kb["client"]
    r = c.patch("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"], json={"tahun": 2019})
    assert r.status_code == 200 and r.json()["record"]["tahun"] == 2019
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019").json()["tahun"] == 2019
    r = c.patch("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"], json={"nonsense": 1})
    assert r.status_code == 422
    r = c.patch("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"], json={"tanggal_penetapan": "kemarin"})
    assert r.status_code == 422
    audit = c.get("/api/v1/audit", headers=kb["admin"], params={"work_id": "perbup-kotabaru-18-2019", "action": "patch"}).json()
    entry = audit["results"][-1]
    assert entry["before"] == {"tahun": 2018} and entry["after"] == {"tahun": 2019}
    assert entry["actor"].startswith("staff-1 (")
    actions = [e["action"] for e in c.get("/api/v1/audit", headers=kb["admin"],
                                          params={"work_id": "perbup-kotabaru-18-2019"}).json()["results"]]
    assert actions[:2] == ["upload", "new_version"]


def test_metadata_with_markup_is_escaped_in_pages(kb):
    c = kb["client"]
    assert c.get("/peraturan/perbup-kotabaru-18-2019").status_code == 200  # the page exists: the check below means something
    title = c.get("/api/v1/regulations/perbup-kotabaru-18-2019").json()["judul"]
    hostile = "<script>alert(1)</script> Perubahan Kedua"
    try:
        assert c.patch("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"],
                       json={"judul": hostile}).status_code == 200
        assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019").json()["judul"] == hostile  # JSON keeps it as data
        page = c.get("/peraturan/perbup-kotabaru-18-2019")
        assert page.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<script>alert(1)</script>" not in page.text
    finally:
        c.patch("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"], json={"judul": title})


def test_metadata_only_record_is_upgraded_in_place_when_its_pdf_arrives(kb):
    from regulations.catalogue import get as catalogue_get

    from pipelines.staff.curation import open_kb
    from pipelines.indexing.pipeline import WorkWriter
    from pipelines.staff.uploads import UploadIngester

    c, settings = kb["client"], kb["settings"]
    record = dict(catalogue_get("tap-mpr-15-1998"))
    record["has_text"] = False  # as the six Malang records are: known facts, no text yet
    store = open_kb(settings)
    docs = UploadIngester(store, settings).embed(None, record)
    WorkWriter(store).run(documents=docs, regulations=[None], records=[record], content_hash="metadata-only")
    store.close()
    assert c.get("/api/v1/regulations/tap-mpr-15-1998").json()["has_text"] is False
    r = upload(c, kb["staff"], TAP_MPR, corpus_path(TAP_MPR).read_bytes(), "application/pdf", work_id="tap-mpr-15-1998")
    assert r.status_code == 202 and r.json()["checks"]["pages"] == 3, r.text
    job = wait_job(c, r.json()["job"]["id"], kb["staff"])
    assert job["state"] == "done", job
    assert job["result"]["action"] == "upgrade" and job["result"]["version"] == 1
    detail = c.get("/api/v1/regulations/tap-mpr-15-1998").json()
    assert detail["has_text"] is True and detail["id"] == "tap-mpr-15-1998"
    conn = db(settings)
    rec = json.loads(conn.execute("SELECT record FROM works WHERE id = 'tap-mpr-15-1998'").fetchone()[0])
    conn.close()
    assert rec["tanggal_penetapan"] == "1998-11-13"  # the catalogue's facts are kept
    assert c.get("/api/v1/regulations/tap-mpr-15-1998/file").headers["content-type"] == "application/pdf"
    consistent(settings)


def test_withdraw_hides_and_restore_brings_back(kb):
    c, settings = kb["client"], kb["settings"]
    before = dict(db(settings).execute("SELECT id, chunks FROM works"))
    r = c.delete("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"], params={"reason": "salah unggah"})
    assert r.status_code == 200 and r.json()["chunks"] == before["perbup-kotabaru-18-2019"]
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019").status_code == 404
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions").status_code == 410
    ids = [w["id"] for w in c.get("/api/v1/regulations").json()["results"]]
    assert "perbup-kotabaru-18-2019" not in ids
    hits = c.get("/api/v1/search", params={"q": "Kotabaru", "mode": "bm25"}).json()["results"]
    assert all(h["regulation"]["id"] != "perbup-kotabaru-18-2019" for h in hits)
    assert c.delete("/api/v1/regulations/perbup-kotabaru-18-2019", headers=kb["staff"]).status_code == 409
    consistent(settings)
    r = c.post("/api/v1/regulations/perbup-kotabaru-18-2019/restore", headers=kb["staff"])
    assert r.status_code == 200
    assert c.get("/api/v1/regulations/perbup-kotabaru-18-2019").status_code == 200
    assert dict(db(settings).execute("SELECT id, chunks FROM works")) == before
    hits = c.get("/api/v1/search", params={"q": "Kotabaru", "mode": "bm25"}).json()["results"]
    assert any(h["regulation"]["id"] == "perbup-kotabaru-18-2019" for h in hits)
    consistent(settings)


def test_change_feed_follows_with_a_cursor(kb):
    c = kb["client"]
    events, cursor = [], 0
    while True:
        page = c.get("/api/v1/changes", params={"cursor": cursor, "limit": 2}).json()
        events += page["results"]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    kinds = [e["kind"] for e in events if e["work_id"] == "perbup-kotabaru-18-2019"]
    assert kinds[0] == "created" and "withdrawn" in kinds and kinds.index("withdrawn") < kinds.index("restored")
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    late = c.get("/api/v1/changes", params={"since": events[-1]["at"]}).json()["results"]
    assert late and all(e["at"] >= events[-1]["at"] for e in late)
    assert c.get("/api/v1/changes", params={"since": "kemarin"}).status_code == 422


def test_export_import_round_trip(kb, tmp_path):
    from pipelines.staff.transfer import export_kb, import_kb

    settings = kb["settings"]
    first = export_kb(settings, tmp_path / "a")
    target = _settings(tmp_path / "kb2")
    out = import_kb(tmp_path / "a", target, progress=False)
    assert "failed 0" in out["rebuild"]
    second = export_kb(target, tmp_path / "b")
    assert first["counts"]["works"] == second["counts"]["works"] >= 2
    for name in ("works", "versions", "relation_edits", "accounts", "changes", "withdrawn", "files", "jobs"):
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() == (tmp_path / "b" / f"{name}.jsonl").read_bytes(), name
    audit_a = (tmp_path / "a" / "audit.jsonl").read_text().splitlines()
    audit_b = (tmp_path / "b" / "audit.jsonl").read_text().splitlines()
    assert audit_b[:-1] == audit_a and json.loads(audit_b[-1])["action"] == "import"
    assert sorted(p.name for p in (tmp_path / "b" / "files").rglob("*") if p.is_file()) == \
        sorted(p.name for p in (tmp_path / "a" / "files").rglob("*") if p.is_file())
    consistent(target)
    a, b = db(settings), db(target)
    chunks = lambda conn: sorted(conn.execute("SELECT id, content FROM documents"))  # noqa: E731
    assert chunks(a) == chunks(b)
    a.close()
    b.close()
    # the imported tokens work (hashes travel, secrets never do)
    from jdih_server.app import create_app

    with TestClient(create_app(target, rate_limit="0")) as c2:
        assert c2.get("/api/v1/audit", headers=kb["admin"]).status_code == 200
        assert c2.get("/api/v1/regulations/perbup-kotabaru-18-2019/versions/1/file").status_code == 200


# --- limits ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_app(tmp_path_factory):
    from jdih_server.app import create_app

    settings = _settings(tmp_path_factory.mktemp("smallkb"), max_file_bytes=20_000)
    token = staff_token(settings, "staff", "staff-small")
    with TestClient(create_app(settings, rate_limit="0")) as client:
        yield client, _auth(token), settings


def test_oversized_upload_is_413_before_reading_or_while_streaming(small_app):
    client, headers, settings = small_app
    big = corpus_path("uu-19-2016-perubahan-uu-ite.pdf").read_bytes()  # 710 KB: over the body limit (20 KB + form slack)
    r = upload(client, headers, "uu-19-2016.pdf", big, "application/pdf")  # refused on Content-Length
    assert r.status_code == 413 and r.json()["type"] == "/problems/payload-too-large", r.text

    def chunks(data):  # no Content-Length: counted as it arrives
        boundary = b"--jdihboundary"
        yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n' \
                         b"Content-Type: application/pdf\r\n\r\n"
        for i in range(0, len(data), 4096):
            yield data[i:i + 4096]
        yield b"\r\n" + boundary + b"--\r\n"

    r = client.post("/api/v1/regulations", headers={**headers, "Content-Type": "multipart/form-data; boundary=jdihboundary"},
                    content=chunks(big))
    assert r.status_code == 413, r.text
    # a body within the slack, whose file alone is over the limit: refused while spooling
    r = upload(client, headers, TAP_MPR, corpus_path(TAP_MPR).read_bytes(), "application/pdf")  # 32 KB
    assert r.status_code == 413 and r.json()["code"] == "too_large", r.text
    assert not list((settings.files_dir / "sha256").glob("*/*/*"))


def test_file_over_the_limit_inside_a_small_body_is_too_large(tmp_path):
    from pipelines.staff.records import UploadRejected
    from pipelines.staff.uploads import check_upload

    path = tmp_path / "x.pdf"
    path.write_bytes(corpus_path(TAP_MPR).read_bytes())
    with pytest.raises(UploadRejected) as exc:
        check_upload(path, settings=_settings(tmp_path, max_file_bytes=10_000))
    assert exc.value.code == "too_large" and exc.value.status == 413


def test_stray_leading_byte_of_the_banjarnegara_pdf_is_tolerated(tmp_path):
    from pipelines.staff.uploads import check_upload

    path = corpus_path("perda-banjarnegara-8-2025-perubahan-pdrd.pdf")
    assert not path.read_bytes().startswith(b"%PDF-")
    check = check_upload(path, settings=_settings(tmp_path))
    assert check.media_type == "application/pdf" and check.pages == 127
    assert [w["code"] for w in check.warnings] == ["pdf_header_offset"]


def test_token_guessing_is_rate_limited(tmp_path):
    from jdih_server.app import create_app
    from search_api.auth import MAX_FAILURES

    settings = _settings(tmp_path / "bf")
    good = staff_token(settings, "staff", "staff-bf")
    with TestClient(create_app(settings, rate_limit="0")) as c:
        for i in range(MAX_FAILURES):
            assert c.get("/api/v1/jobs", headers=_auth(f"jdih_guess{i:040d}")).status_code == 401
        r = c.get("/api/v1/jobs", headers=_auth("jdih_guess-again"))
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert c.get("/api/v1/jobs", headers=_auth(good)).status_code == 429  # the client is locked out for the window
        assert c.get("/api/v1/regulations").status_code == 200  # reading needs no token


def test_reingesting_the_corpus_keeps_the_staff_version_and_their_corrections(kb):
    """`jdih ingest regulations/` after staff work: a work whose current version staff uploaded is
    kept (and said so); forced, the files replace its text but the fields staff corrected stay."""
    from pipelines.indexing.pipeline import ingest_paths

    c, settings = kb["client"], kb["settings"]
    work = "perbup-kotabaru-18-2019"
    title = c.get(f"/api/v1/regulations/{work}").json()["judul"]
    heading = title.upper()  # the title as the document's own heading prints it: a real correction
    assert c.patch(f"/api/v1/regulations/{work}", headers=kb["staff"], json={"judul": heading}).status_code == 200
    try:
        current = c.get(f"/api/v1/regulations/{work}/versions").json()["current"]
        served = c.get(f"/api/v1/regulations/{work}/file").content
        assert served != corpus_path(KOTABARU).read_bytes()  # a staff upload is the current version

        summary = ingest_paths([corpus_path(KOTABARU)], settings=settings, progress=False)
        assert summary.kept == [work] and summary.indexed == [], summary.describe()
        assert "jdih ingest --force" in summary.describe()
        assert c.get(f"/api/v1/regulations/{work}/file").content == served
        assert c.get(f"/api/v1/regulations/{work}").json()["judul"] == heading

        forced = ingest_paths([corpus_path(KOTABARU)], settings=settings, progress=False, force=True)
        assert forced.indexed == [work], forced.describe()
        assert c.get(f"/api/v1/regulations/{work}").json()["judul"] == heading  # the correction stays
        conn = db(settings)
        record = json.loads(conn.execute("SELECT record FROM works WHERE id = ?", (work,)).fetchone()[0])
        conn.close()
        assert record["provenance"]["judul"].startswith("edited by staff-1")
        assert c.get(f"/api/v1/regulations/{work}/versions").json()["current"] == current  # history kept
        consistent(settings)
    finally:
        c.patch(f"/api/v1/regulations/{work}", headers=kb["staff"], json={"judul": title})


# --- relations and status -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ite_kb(tmp_path_factory):
    """uu-11-2008 ingested from the corpus, as `jdih ingest` does; uu-19-2016 will be uploaded."""
    from pipelines.indexing.pipeline import ingest_paths
    from jdih_server.app import create_app

    settings = _settings(tmp_path_factory.mktemp("itekb"))
    summary = ingest_paths([corpus_path("uu-11-2008-ite.pdf")], settings=settings, progress=False)
    assert summary.indexed == ["uu-11-2008"], summary.describe()
    tokens = {"staff": staff_token(settings, "staff", "staff-ite"), "admin": staff_token(settings, "admin", "admin-ite")}
    with TestClient(create_app(settings, rate_limit="0")) as client:
        yield {"settings": settings, "client": client, "staff": _auth(tokens["staff"]), "admin": _auth(tokens["admin"])}


def _status(c, work_id):
    return c.get(f"/api/v1/regulations/{work_id}").json()["status"]


def test_file_ingested_from_the_corpus_is_a_duplicate(ite_kb):
    r = upload(ite_kb["client"], ite_kb["staff"], "uu-11-2008.pdf", corpus_path("uu-11-2008-ite.pdf").read_bytes(),
               "application/pdf")
    assert r.status_code == 409 and r.json()["links"]["existing"] == "/api/v1/regulations/uu-11-2008"


def test_amending_regulation_flips_its_targets_status(ite_kb):
    c, settings = ite_kb["client"], ite_kb["settings"]
    assert _status(c, "uu-11-2008") == "berlaku"
    r = upload(c, ite_kb["staff"], "uu-19-2016-perubahan-uu-ite.pdf",
               corpus_path("uu-19-2016-perubahan-uu-ite.pdf").read_bytes(), "application/pdf")
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["id"], ite_kb["staff"])
    assert job["state"] == "done", job
    assert job["result"]["work_id"] == "uu-19-2016"
    assert job["result"]["status_changes"] == {"uu-11-2008": {"before": "berlaku", "after": "diubah"}}
    assert _status(c, "uu-11-2008") == "diubah" and _status(c, "uu-19-2016") == "berlaku"
    rel = c.get("/api/v1/regulations/uu-11-2008/relations").json()
    assert {"type": "diubah_dengan", "other": "uu-19-2016"} in [{k: r[k] for k in ("type", "other")} for r in rel["incoming"]]
    out = c.get("/api/v1/regulations/uu-19-2016/relations").json()
    assert ("mengubah", "uu-11-2008") in [(r["type"], r["other"]) for r in out["outgoing"]]
    # search results show it, and the chunks carry it
    hits = c.get("/api/v1/search", params={"q": "informasi elektronik", "mode": "bm25", "limit": 50}).json()["results"]
    assert {h["regulation"]["id"]: h["regulation"]["status"] for h in hits}.get("uu-11-2008") == "diubah"
    conn = db(settings)
    assert {r[0] for r in conn.execute("SELECT json_extract(meta, '$.status') FROM documents "
                                       "WHERE json_extract(meta, '$.work_id') = 'uu-11-2008'")} == {"diubah"}
    conn.close()
    feed = c.get("/api/v1/changes", params={"limit": 1000}).json()["results"]
    assert ("uu-11-2008", "status") in [(e["work_id"], e["kind"]) for e in feed]
    consistent(settings)


def test_status_is_not_typed_where_a_relation_explains_it(ite_kb):
    r = ite_kb["client"].patch("/api/v1/regulations/uu-11-2008", headers=ite_kb["staff"], json={"status": "berlaku"})
    assert r.status_code == 409 and r.json()["code"] == "status_from_relations"


def test_staff_correct_relations_by_hand_and_status_follows(ite_kb):
    c = ite_kb["client"]
    r = c.delete("/api/v1/regulations/uu-19-2016/relations", headers=ite_kb["staff"],
                 params={"type": "mengubah", "target": "uu-11-2008", "note": "uji koreksi"})
    assert r.status_code == 200, r.text
    assert r.json()["status_changes"] == {"uu-11-2008": {"before": "diubah", "after": "berlaku"}}
    assert _status(c, "uu-11-2008") == "berlaku"
    r = c.post("/api/v1/regulations/uu-19-2016/relations", headers=ite_kb["staff"],
               json={"type": "mengubah", "target": "uu-11-2008", "citation": "Undang-Undang Nomor 11 Tahun 2008"})
    assert r.status_code == 201 and _status(c, "uu-11-2008") == "diubah"
    again = c.post("/api/v1/regulations/uu-19-2016/relations", headers=ite_kb["staff"],
                   json={"type": "mengubah", "target": "uu-11-2008"})
    assert again.status_code == 409
    bad = c.post("/api/v1/regulations/uu-19-2016/relations", headers=ite_kb["staff"], json={"type": "diubah_dengan", "target": "uu-11-2008"})
    assert bad.status_code == 422
    actions = [e["action"] for e in c.get("/api/v1/audit", headers=ite_kb["admin"]).json()["results"]]
    assert actions.count("status") == 3 and "relation_remove" in actions and "relation_add" in actions


# --- slow: OCR, SIGKILL -------------------------------------------------------------------------

@pytest.mark.slow
def test_scanned_pdf_goes_through_ocr_and_becomes_searchable(tmp_path):
    from jdih_server.app import create_app

    settings = _settings(tmp_path / "ocrkb")  # a fresh KB: no text-layer copy of this Perpres in it
    token = _auth(staff_token(settings, "staff", "staff-ocr"))
    with TestClient(create_app(settings, rate_limit="0")) as c:
        assert c.get("/api/v1/search", params={"q": "Komite Percepatan Transformasi Digital", "mode": "bm25"}).json()["results"] == []
        r = upload(c, token, "perpres-83-2025.pdf", corpus_path("perpres-83-2025-IMAGE-ONLY-derived.pdf").read_bytes(),
                   "application/pdf")
        assert r.status_code == 202 and r.json()["checks"]["pages"] == 9, r.text
        job = wait_job(c, r.json()["job"]["id"], token)
        assert job["state"] == "done", job
        assert job["progress"]["ocr_pages"] == 9 and job["progress"]["method"] == "ocr"
        assert job["result"]["work_id"] == "perpres-83-2025"
        hits = c.get("/api/v1/search", params={"q": "Komite Percepatan Transformasi Digital Pemerintah", "mode": "bm25"}).json()
        assert hits["results"][0]["regulation"]["id"] == "perpres-83-2025"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path, port: int, log) -> subprocess.Popen:
    env = {**os.environ, "JDIH_DATA_DIR": str(data_dir), "JDIH_RATE_LIMIT": "0", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "jdih_server.app:create_app",
                             "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not start")


@pytest.mark.slow
def test_server_killed_mid_ingest_resumes_the_job_and_loses_nothing(tmp_path):
    import httpx

    data_dir = tmp_path / "killkb"
    settings = _settings(data_dir)
    headers = _auth(staff_token(settings, "staff", "staff-kill"))
    log = open(tmp_path / "server.log", "wb")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(data_dir, port, log)
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            # something stored before the crash
            r = upload(c, headers, KOTABARU, corpus_path(KOTABARU).read_bytes(), "text/markdown")
            assert wait_job(c, r.json()["job"]["id"], headers)["state"] == "done"
            before = dict(db(settings).execute("SELECT id, chunks FROM works"))
            kotabaru_chunks = sorted(db(settings).execute(
                "SELECT id, content FROM documents WHERE json_extract(meta, '$.work_id') = 'perbup-kotabaru-18-2019'"))
            # a longer job, killed while running
            r = upload(c, headers, "uu-19-2016.pdf", corpus_path("uu-19-2016-perubahan-uu-ite.pdf").read_bytes(),
                       "application/pdf")
            job_id = r.json()["job"]["id"]
            deadline = time.monotonic() + 120
            while c.get(f"/api/v1/jobs/{job_id}", headers=headers).json()["state"] == "queued":
                assert time.monotonic() < deadline
                time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        conn = db(settings)
        state = conn.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
        conn.close()
        consistent(settings)  # whatever the moment of the kill
        if state == "running":  # killed mid-job (the usual case): nothing of it was written
            assert dict(db(settings).execute("SELECT id, chunks FROM works")) == before
        proc = _serve(data_dir, port, log)
        with httpx.Client(base_url=base, timeout=60) as c:
            job = wait_job(c, job_id, headers)
            assert job["state"] == "done", job
            if state == "running":
                assert job["attempts"] == 2 and "resumed_after" in job["progress"]
            works = c.get("/api/v1/regulations").json()["results"]
            assert {w["id"] for w in works} == {"perbup-kotabaru-18-2019", "uu-19-2016"}
        consistent(settings)
        assert sorted(db(settings).execute(
            "SELECT id, content FROM documents WHERE json_extract(meta, '$.work_id') = 'perbup-kotabaru-18-2019'")) \
            == kotabaru_chunks
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
        log.close()
