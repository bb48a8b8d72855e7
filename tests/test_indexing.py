"""Chunking by article and the indexing pipeline on the real corpus: idempotent, atomic per work,
safe to kill."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, corpus_path


@pytest.fixture(scope="module")
def uu_19_2016():
    from ingest.parser import parse_file

    return parse_file(corpus_path("uu-19-2016-perubahan-uu-ite.pdf"))


def test_amendment_chunks_carry_the_amended_work_and_article(uu_19_2016):
    from pipelines.indexing.chunking import ArticleChunker

    docs = ArticleChunker().chunk(uu_19_2016, None)
    by_pasal = {(d.meta["kind"], d.meta["pasal"]) for d in docs}
    # the quoted new Pasal 45A of UU 11/2008 is an amendment chunk of uu-19-2016, never a body article
    assert ("amendment", "45A") in by_pasal and ("article", "45A") not in by_pasal
    pasal_45a = [d for d in docs if d.meta["pasal"] == "45A"]
    assert all(d.meta["amends"] == "uu-11-2008" and d.meta["work_id"] == "uu-19-2016" for d in pasal_45a)
    assert "Pasal I angka" in pasal_45a[0].meta["breadcrumb"]
    assert pasal_45a[0].meta["article_uri"] == "/akn/id/act/uu/2016/19/~pasal_45A"
    # an item that changes only a Penjelasan is searchable too, without an article number
    assert any(d.meta["kind"] == "amendment" and d.meta["pasal"] is None and "penjelasan pasal 27" in d.content.lower()
               for d in docs)
    # Pasal I (the frame of the items) is not a chunk; Pasal II (entry into force) is
    assert ("article", "I") not in by_pasal and ("article", "II") in by_pasal


def test_long_articles_split_at_ayat_and_keep_the_range():
    from ingest.parser import parse_file
    from pipelines.indexing.chunking import ArticleChunker

    reg = parse_file(corpus_path("pp-71-2019-pste.md"))
    docs = ArticleChunker(max_chars=600).chunk(reg, None)
    every = [d for d in docs if d.meta["pasal"] == "14"]
    assert [p.meta["part"] for p in every] == list(range(1, len(every) + 1))
    # its Penjelasan (558 characters) does not fit beside the first part (600): it comes last, in parts of its own
    explained = [d for d in every if d.meta["breadcrumb"].endswith("Pasal 14 › Penjelasan")]
    assert explained and every[-len(explained):] == explained
    assert all(d.content.startswith("Penjelasan: ") and d.meta["ayat_from"] is None for d in explained)
    assert "Yang dimaksud dengan" in explained[0].content and "Penjelasan" not in every[0].content
    parts = every[:-len(explained)]
    assert len(parts) > 1, "Pasal 14 of PP 71/2019 (10 ayat) must be split"
    assert parts[0].meta["ayat_from"] == "1"
    # consecutive ayat ranges, no ayat lost (an ayat longer than the limit goes on in the next part)
    assert int(parts[-1].meta["ayat_to"]) == len(next(a for a in reg.articles if a.number == "14").ayat)
    for a, b in zip(parts, parts[1:]):
        assert int(b.meta["ayat_from"]) == int(a.meta["ayat_to"]) + 1 or b.meta["ayat_from"] == a.meta["ayat_to"] == b.meta["ayat_to"]
    assert all(len(p.content) <= 600 + 400 for p in every)


def test_metadata_only_record_is_one_catalogue_chunk():
    from pipelines.indexing.chunking import ArticleChunker
    from regulations.catalogue import load_catalogue
    from pipelines.indexing.pipeline import _as_dict

    rec = next(_as_dict(r) for r in load_catalogue() if _as_dict(r)["id"] == "perwal-malang-9-2022")
    (doc,) = ArticleChunker().chunk(None, rec)
    assert doc.meta["kind"] == "catalogue" and doc.meta["has_text"] is False
    assert "Pusat Data" in doc.content and "Data Centers" in doc.meta["description_en"]  # English: embedded, not word-indexed
    assert doc.meta["uri"] == "/akn/id-malang/act/perwal/2022/9"
    perda = next(_as_dict(r) for r in load_catalogue() if _as_dict(r)["id"] == "perda-malang-4-2023")
    (doc,) = ArticleChunker().chunk(None, perda)  # its name as cited, the level from its Lembaran Daerah
    assert "Peraturan Daerah Kota Malang Nomor 4 Tahun 2023 tentang Pajak Daerah dan Retribusi Daerah" in doc.content


def _state(db: Path) -> dict:
    """Per work: (chunks in the works table, chunks actually in the store)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        works = dict(conn.execute("SELECT id, chunks FROM works").fetchall())
        stored: dict[str, int] = {}
        for (meta,) in conn.execute("SELECT meta FROM documents"):
            rid = json.loads(meta)["work_id"]
            stored[rid] = stored.get(rid, 0) + 1
        return {"works": works, "stored": stored}
    finally:
        conn.close()


def _ingest_cmd(data_dir: Path, *files: Path, force: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "jdih_cli.main", "ingest", "--quiet", *map(str, files)]
    return cmd + (["--force"] if force else [])


def _env(data_dir: Path) -> dict:
    return {**os.environ, "JDIH_DATA_DIR": str(data_dir)}


def test_ingest_is_idempotent_and_survives_kill_9(tmp_path):
    small = [corpus_path("perbup-kotabaru-18-2019-perubahan-kedua.md"), corpus_path("tap-mpr-xv-1998-otonomi-daerah.pdf")]
    big = corpus_path("uu-28-2009-pdrd.md")
    first = subprocess.run(_ingest_cmd(tmp_path, *small), env=_env(tmp_path), capture_output=True, text=True,
                           cwd=ROOT, timeout=600)
    assert first.returncode == 0, first.stderr
    assert "indexed 2 work(s)" in first.stdout
    db = tmp_path / "jdih.sqlite3"
    before = _state(db)
    assert set(before["works"]) == {"perbup-kotabaru-18-2019", "tap-mpr-15-1998"}
    assert before["works"] == before["stored"]

    again = subprocess.run(_ingest_cmd(tmp_path, *small), env=_env(tmp_path), capture_output=True, text=True,
                           cwd=ROOT, timeout=600)
    assert again.returncode == 0 and "skipped 2 unchanged" in again.stdout, again.stdout + again.stderr

    # kill -9 at several moments of a big ingest (parsing, embedding, writing): every time the
    # database is consistent, the earlier works are untouched, and the big work is whole or absent.
    for delay in (2.0, 6.0, 10.0):
        proc = subprocess.Popen(_ingest_cmd(tmp_path, big, *small, force=True), env=_env(tmp_path), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = _state(db)
        assert after["works"] == after["stored"], f"partial work visible after kill at {delay}s"
        for work in before["works"]:
            assert after["works"][work] == before["works"][work]
    done = subprocess.run(_ingest_cmd(tmp_path, big), env=_env(tmp_path), capture_output=True, text=True,
                          cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr
    final = _state(db)
    assert final["works"]["uu-28-2009"] == final["stored"]["uu-28-2009"] > 180


def test_a_broken_file_fails_alone_and_loses_nothing(tmp_path):
    from ingest.config import get_settings
    from pipelines.indexing.pipeline import ingest_paths

    settings = dataclasses.replace(get_settings(), data_dir=tmp_path)
    junk = tmp_path / "synthetic-junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    good = corpus_path("perbup-kotabaru-18-2019-perubahan-kedua.md")
    summary = ingest_paths([junk, good], settings=settings, progress=False)
    assert [name for name, _ in summary.failed] == ["synthetic-junk.pdf"]
    assert "corrupt" in summary.failed[0][1] or "pdf" in summary.failed[0][1].lower()
    assert summary.indexed == ["perbup-kotabaru-18-2019"]


def test_work_dimensions_take_evidence_from_articles_only():
    from haystack import Document

    from pipelines.indexing.pipeline import _work_dimensions

    catalogue = Document(id="perwal-malang-9-2022#catalogue", content="x",
                         meta={"pasal": None, "dimensions": {"smart-governance": 0.9},
                               "dimension_evidence": {"smart-governance": ["pusat data"]}})
    dims = _work_dimensions([catalogue], {"dimensions": ["smart-governance"]})
    assert dims["smart-governance"]["source"] == "curated"
    assert dims["smart-governance"]["evidence"] == []  # never a "None" Pasal
