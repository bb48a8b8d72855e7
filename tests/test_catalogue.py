"""regulations/catalogue.yaml against the real corpus files it describes."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
import yaml

from ingest.citations import resolve
from ingest.ids import RegulationId
from regulations.catalogue import (
    NOT_SOURCES, CatalogueError, CatalogueRecord, check_quotes, corpus_dir, get, load_catalogue, load_raw,
    provenance_claims, validate_catalogue,
)

MALANG_IDS = ["perwal-malang-55-2019", "perwal-malang-43-2020", "perwal-malang-8-2022",
              "perwal-malang-9-2022", "perwal-malang-8-2023", "perda-malang-4-2023"]


@pytest.fixture(scope="module")
def records():
    return load_catalogue()


@pytest.fixture(scope="module")
def malang_source():
    return {r["id"]: r for r in yaml.safe_load((corpus_dir() / "malang-catalogue.yaml").read_text(encoding="utf-8"))}


def test_corpus_is_shipped():
    names = {p.name for p in corpus_dir().iterdir()}
    assert {"MANIFEST.md", "malang-catalogue.yaml", "uu-11-2008-ite.pdf", "pp-71-2019-pste.md"} <= names
    assert sum(p.stat().st_size for p in corpus_dir().iterdir()) > 10_000_000


def test_corpus_copy_is_byte_identical_to_shared():
    shared = corpus_dir().parents[2] / "shared" / "corpus"
    if not shared.is_dir():
        pytest.skip("shared/corpus not present on this machine")
    for src in shared.iterdir():
        mine = corpus_dir() / src.name
        assert mine.is_file(), src.name
        assert hashlib.sha256(mine.read_bytes()).digest() == hashlib.sha256(src.read_bytes()).digest(), src.name


def test_every_corpus_file_is_a_source_of_exactly_one_record(records):
    owners: dict[str, list[str]] = {}
    for r in records:
        for s in r.sources:
            owners.setdefault(s.file, []).append(r.id)
    files = {p.name for p in corpus_dir().iterdir() if p.is_file()} - NOT_SOURCES
    assert files == set(owners), (files ^ set(owners))
    assert all(len(ids) == 1 for ids in owners.values()), {f: i for f, i in owners.items() if len(i) > 1}


def test_ids_are_canonical_and_agree_with_the_fields(records):
    assert len({r.id for r in records}) == len(records) == 26
    for r in records:
        rid = RegulationId.parse(r.id)
        assert str(rid) == r.id
        assert rid.tahun == r.field("tahun")
        assert rid.jenis_name == r.field("jenis"), r.id
        # the catalogue's own jenis/nomor/tahun, read as a citation, resolve to the id
        cite = f"{r.field('jenis')} Nomor {r.field('noPeraturan')} Tahun {r.field('tahun')}"
        assert resolve(cite, default_region=rid.region).work_id == r.id, cite


def test_ids_match_the_manifest(records):
    manifest = (corpus_dir() / "MANIFEST.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\|[^|]+\|\s*([a-z][a-z0-9-]+-\d{4})\s*\|", manifest, re.M))
    assert listed == {r.id for r in records if r.has_text}


def test_two_source_works(records):
    uu = get("uu-27-2022", records)
    assert [(s.file, s.role, s.form) for s in uu.sources] == [
        ("uu-27-2022-pdp.pdf", "primary", "scan-ocr"), ("uu-27-2022-pdp.md", "secondary", "text")]
    perpres = get("perpres-83-2025", records)
    assert [(s.file, s.role, s.form) for s in perpres.sources] == [
        ("perpres-83-2025-komite-digital.pdf", "primary", "scan-ocr"),
        ("perpres-83-2025-IMAGE-ONLY-derived.pdf", "secondary", "image-only")]
    assert perpres.primary_source.file == "perpres-83-2025-komite-digital.pdf"
    banjar = get("perda-banjarnegara-8-2025", records)
    assert {s.role: s.file for s in banjar.sources} == {
        "primary": "perda-banjarnegara-8-2025-perubahan-pdrd.pdf",
        "metadata": "perda-banjarnegara-8-2025-metadata.txt",
        "abstract": "abstrak-perda-banjarnegara-8-2025.pdf"}
    assert [s.file for s in banjar.text_sources()] == ["perda-banjarnegara-8-2025-perubahan-pdrd.pdf"]


def test_source_page_counts_are_real(records):
    pypdf = pytest.importorskip("pypdf")
    for r in records:
        for s in r.sources:
            if s.file.endswith(".pdf"):
                assert s.pages == len(pypdf.PdfReader(s.path()).pages), s.file


def test_six_malang_records(records, malang_source):
    for work_id in MALANG_IDS:
        r = get(work_id, records)
        src = malang_source[work_id]
        assert r is not None, work_id
        assert r.has_text is False and r.metadata_only is True and r.sources == []
        assert r.dimensions == src["dimensions"]
        assert (r.judul, r.field("judul_en"), r.field("noPeraturan"), r.tahun) == (
            src["judul"], src["judul_en"], src["nomor"], src["tahun"])
        # malang-catalogue.yaml writes one fact unquoted with ": " inside, which YAML reads as a
        # mapping; the catalogue keeps it as the sentence it is
        facts = [f if isinstance(f, str) else "; ".join(f"{k}: {v}" for k, v in f.items()) for f in src["facts"]]
        assert r.field("facts") == facts
        assert str(r.field("verified")).lower() == str(src["verified"]).lower()
    assert get("perwal-malang-43-2020", records).dimensions == [
        "smart-governance", "smart-branding", "smart-economy", "smart-living", "smart-society", "smart-environment"]
    verified = {w: get(w, records).title_verified for w in MALANG_IDS}
    assert verified == {"perwal-malang-55-2019": False, "perwal-malang-43-2020": "partly",
                        "perwal-malang-8-2022": False, "perwal-malang-9-2022": False,
                        "perwal-malang-8-2023": False, "perda-malang-4-2023": True}
    perda = get("perda-malang-4-2023", records)
    src = malang_source["perda-malang-4-2023"]
    assert perda.field("sumber") == src["sumber"] == "Lembaran Daerah Kota Malang Tahun 2024 Nomor 1"
    assert perda.field("tanggal_penetapan") == str(src["ditetapkan"])
    assert perda.field("tanggal_pengundangan") == str(src["diundangkan"])
    assert perda.field("bab") == src["bab"] and len(perda.field("bab")) == 15
    assert perda.field("citations") == ["paper", "bpk"]
    refs = load_raw()["references"]
    assert all(c in refs for r in records for c in r.field("citations") or [])


def test_text_works_have_text(records):
    text_works = [r for r in records if r.has_text]
    assert len(text_works) == 20
    assert all(r.primary_source and r.primary_source.path().is_file() for r in text_works)


def test_every_fact_has_provenance(records):
    assert validate_catalogue(records) == []
    for r in records:
        for name in r.facts():
            prov = r.provenance[name]
            if prov.startswith("derived:"):
                continue
            named = {c["file"] for c in provenance_claims(prov)} | set(re.findall(r"[\w.-]+\.(?:md|pdf|txt|yaml)", prov))
            allowed = {s.file for s in r.sources} | {"malang-catalogue.yaml"}
            assert named and named <= allowed, (r.id, name, prov)


def test_provenance_quotes_occur_in_the_documents(records):
    pytest.importorskip("pypdf")
    problems = [p for r in records for p in check_quotes(r)]
    assert problems == []


def test_validation_catches_what_it_should(records):
    r = get("uu-11-2008", records)
    broken = CatalogueRecord({**r, "status": "Berlaku",
                              "provenance": {k: v for k, v in r.provenance.items() if k != "sumber"}})
    problems = validate_catalogue([broken])
    assert any("'sumber' has no provenance" in p for p in problems)
    assert any("'status' has no provenance" in p for p in problems)
    # a quote that is not in the cited page is reported
    fake = CatalogueRecord({"id": r.id, "sumber": "x", "provenance": {
        "sumber": "uu-11-2008-ite.pdf p.25: 'LEMBARAN NEGARA REPUBLIK INDONESIA TAHUN 2008 NOMOR 59'"}})
    assert check_quotes(fake, page_text=lambda path, page: "LEMBARAN NEGARA REPUBLIK INDONESIA TAHUN 2008 NOMOR 58")


def test_bad_catalogue_files_give_clear_errors(tmp_path: Path):
    bad = tmp_path / "catalogue.yaml"
    bad.write_text("records:\n- id: uu-11-08\n  has_text: true\n  sources:\n  - {file: nope.pdf, role: main, form: text}\n")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(bad)
    text = str(err.value)
    assert "not a canonical regulation id: 'uu-11-08'" in text
    assert "nope.pdf not found" in text and "unknown role 'main'" in text and "no primary source" in text
    bad.write_text("- just a list\n")
    with pytest.raises(CatalogueError, match="expected a mapping with a 'records' list"):
        load_catalogue(bad)


def test_dates_are_iso_and_consistent(records):
    for r in records:
        for name in ("tanggal_penetapan", "tanggal_pengundangan"):
            if r.field(name):
                dt.date.fromisoformat(r.field(name))
        if r.field("tanggal_pengundangan") and r.field("tahun_pengundangan"):
            assert r.field("tanggal_pengundangan")[:4] == str(r.field("tahun_pengundangan")), r.id


def test_known_values_read_from_the_documents(records):
    uu = get("uu-11-2008", records)
    assert uu.field("sumber") == "Lembaran Negara Republik Indonesia Tahun 2008 Nomor 58"
    assert (uu.field("tanggal_penetapan"), uu.field("tempatTerbit")) == ("2008-04-21", "Jakarta")
    assert get("uu-19-2016", records).field("amends") == ["uu-11-2008"]
    # unknowns stay unknown
    assert get("uu-14-2008", records).field("tempatTerbit") is None  # "Disahkan di pada tanggal ..."
    assert get("uu-1-2022", records).field("sumber") is None  # the LN line is not in the file
    assert get("perbup-kotabaru-19-2019", records).field("tanggal_penetapan") is None  # "VZ. April 2019"
    assert get("tap-mpr-15-1998", records).field("tanggal_pengundangan") is None


def test_banjarnegara_metadata_error_is_recorded_not_propagated(records):
    r = get("perda-banjarnegara-8-2025", records)
    metadata = (corpus_dir() / "perda-banjarnegara-8-2025-metadata.txt").read_text(encoding="utf-8")
    assert re.search(r"Entitas\s*:\s*Pemerintah Provinsi", metadata)
    assert r.field("penerbit") is None
    (d,) = [d for d in r.field("discrepancies") if d["field"] == "penerbit"]
    assert d["value"] == "Pemerintah Provinsi" and d["source"] == "perda-banjarnegara-8-2025-metadata.txt"
    # the other metadata values agree with the document and are used
    assert "Diundangkan Tanggal\t:\t30 Desember 2025" in metadata and r.field("tanggal_pengundangan") == "2025-12-30"
    assert r.field("teuBadan") == "Banjarnegara" and r.field("status") == "Berlaku"
    assert r.field("amends") == ["perda-banjarnegara-8-2023"]


def test_jdihn_view_is_strings(records):
    feed = [r.to_jdihn() for r in records]
    assert all(isinstance(v, str) for obj in feed for v in obj.values())
    uu = next(o for o in feed if o["idData"] == "uu-11-2008")
    assert uu["tahun_pengundangan"] == "2008" and uu["singkatanJenis"] == "UU" and "penerbit" not in uu
    malang = next(o for o in feed if o["idData"] == "perwal-malang-9-2022")
    assert malang["abstrak"].startswith("regulates the objectives") and "sumber" not in malang


def test_records_are_plain_dicts_for_the_layers_above(records):
    r = get("perwal-malang-9-2022", records)
    d = dict(r)
    assert isinstance(r, dict) and d["judul"] == "Penyelenggaraan dan Pengoperasian Pusat Data"
    # derived on load from the id, not stored in the YAML
    assert (d["region"], d["nomor"], d["singkatan"]) == ("malang", "9", "PERWAL")
    assert "region" not in load_raw()["records"][0]
    assert get("permenhub-5-2025", records)["nomor"] == "5"
    assert get("uu-11-2008", records)["region"] is None


def test_a_perda_is_named_with_its_regions_level_from_its_sources():
    from regulations.catalogue import get, regional_name

    perda = get("perda-malang-4-2023")
    assert regional_name(perda["jenis"], "malang", perda) == "Peraturan Daerah Kota Malang"
    assert regional_name("Peraturan Wali Kota", "malang") == "Peraturan Wali Kota Malang"  # the office names it
    assert regional_name("Peraturan Daerah", "malang", {}) == "Peraturan Daerah Malang"  # level unknown: not guessed
    assert regional_name("Peraturan Daerah", "banjarnegara", get("perda-banjarnegara-8-2025")) == \
        "Peraturan Daerah Kabupaten Banjarnegara"
