"""The Lampiran read along its own structure, on the real Perda Kabupaten Banjarnegara 8/2025
(127 pages, 115 of them "STRUKTUR DAN BESARAN TARIF RETRIBUSI" tables). Every expected row below
was read from the PDF (regulations/corpus/perda-banjarnegara-8-2025-perubahan-pdrd.pdf)."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pytest

from ingest.lampiran import parse_lampiran, replaced_lampiran
from tests.conftest import corpus_path

BANJARNEGARA = "perda-banjarnegara-8-2025-perubahan-pdrd.pdf"


@lru_cache(maxsize=1)
def regulation():
    from ingest.parser import parse_file

    return parse_file(corpus_path(BANJARNEGARA))


@lru_cache(maxsize=1)
def sections():
    return {s.citation: s for s in parse_lampiran(regulation().lampiran)}


def row(citation: str, number: int):
    return sections()[citation].rows[number - 1]


def test_lampiran_I_and_II_with_their_titles_and_lettered_headings():
    secs = sections()
    assert {s.lampiran for s in secs.values()} == {"I", "II"}
    first = secs["Lampiran I, A.1.a"]
    assert first.title == "STRUKTUR DAN BESARAN TARIF RETRIBUSI JASA UMUM"
    assert first.headings[0] == "A. Pelayanan Kesehatan"
    assert first.headings[2].startswith("a. Pelayanan Kesehatan di Puskesmas, Puskesmas Keliling, dan Puskesmas Pembantu")
    assert first.header == "NO JENIS PELAYANAN SATUAN TARIF (RP)"
    assert secs["Lampiran II, B"].title == "STRUKTUR DAN BESARAN TARIF RETRIBUSI JASA USAHA"
    # Lampiran I changes huruf A, B and D of the 2023 Lampiran I (Pasal I angka 11): no huruf C here
    assert not any(c.startswith("Lampiran I, C") for c in secs)
    # the same capital letter at two depths: "b. ... Rumah Sakit Umum Daerah" > "A. Pelayanan Rawat Jalan"
    assert secs["Lampiran I, A.1.b.A"].headings[-1] == "A. Pelayanan Rawat Jalan"
    assert secs["Lampiran I, A.1.b.P"].headings[-1].startswith("P. Ambulan")  # a table without a "NO" header
    assert secs["Lampiran I, D"].headings == ["D. Pelayanan Pasar"]


@pytest.mark.parametrize("citation, number, text, unit, amounts, groups", [
    ("Lampiran I, A.1.a", 1, "a. Pelayanan rawat jalan", "Per Kunjungan", ["10.000"], ["1. Tarif Pelayanan Non Medis"]),
    # a row over three lines of the text layer, kept whole
    ("Lampiran I, A.1.a", 2, "b. Pelayanan akomodasi rawat inap per hari, termasuk layanan gizi", "Per Kunjungan",
     ["300.000"], ["1. Tarif Pelayanan Non Medis"]),
    ("Lampiran I, A.1.b.A", 1, "1 Rawat Jalan TK II (dr.Spesialis)", "1 x pemeriksaan", ["57.000"], []),
    ("Lampiran I, A.1.b.E", 1, "1 Kelas III", "1 hari", ["163.000"], []),
    ("Lampiran I, A.1.b.L", 1, "1 Hemodialisa", "1 x tindakan", ["279.000"], []),
    ("Lampiran I, B.1", 1, "1. Rumah Tinggal", None, ["5.000/bulan"], []),
    ("Lampiran II, A", 5, "2. Kios Kuliner", None, ["250.000/unit/tahun"], []),
    ("Lampiran II, B", 1, "1) Umum", None, ["3.000/parkir"],
     ["1. Tempat Rekreasi (Wisata) dan Olah Raga", "a. Jenis Kendaran roda dua (sepeda motor)"]),
    ("Lampiran II, F", 1, "1) Lahan Sawah Irigasi Teknis", None, ["11.000.000/ha/tahun"],
     ["1. Tanah", "a. Tanah untuk Budidaya Pertanian"]),
    # a labelled line over unlabelled rows names them: it starts no row
    ("Lampiran I, D", 2, "Ukuran 5 s.d 8,9 m²", None, ["3.000/hari"], ["1. Pelayanan Pasar", "a. Kios Pasar Harian Kelas I"]),
    # an unlabelled group line between rows takes the place of the group above
    ("Lampiran II, C", 5, "a. Hewan Besar (Sapi, Kerbau, Kuda)", None, ["5.000/ekor/hari"], ["Pemakaian Kandang Lebih Dari 1 Hari"]),
])
def test_rows_read_from_the_document(citation, number, text, unit, amounts, groups):
    r = row(citation, number)
    assert (r.number, r.text, r.unit, r.amounts, r.groups) == (number, text, unit, amounts, groups)


def test_in_table_group_labels_are_not_headings():
    # "2. Tarif Pelayanan Medis" and "A. Pelayanan Persalinan" label rows inside the Puskesmas table
    s = sections()["Lampiran I, A.1.a"]
    persalinan = next(r for r in s.rows if r.text.startswith("1. Paket Persalinan pervaginam normal oleh Bidan"))
    assert persalinan.groups == ["2. Tarif Pelayanan Medis", "A. Pelayanan Persalinan"]
    assert (persalinan.unit, persalinan.amounts) == ("Per Tindakan", ["1.000.000"])
    khitan = next(r for r in s.rows if "Circumsisi" in r.text)
    assert (khitan.text, khitan.amounts) == ("26. Circumsisi (khitan)", ["300.000"])
    assert khitan.groups[-1] == "B. Tindakan Pelayanan Medis/Perawatan:"


def test_tables_stay_whole_across_pages():
    # Tindakan Medik Operatif runs over some 50 pages, its column header repeated on each: one
    # table, the repeated headers are no rows and the numbers run on
    tmo = sections()["Lampiran I, A.1.b.J"]
    assert tmo.header.startswith("NO JENIS TINDAKAN SATUAN TARIF (Rp)")
    assert len(tmo.rows) > 500
    assert not any(r.text.startswith("NO ") for r in tmo.rows)
    numbers = [int(r.text.split()[0]) for r in tmo.rows if r.text[:1].isdigit()]
    assert numbers[:3] == [1, 2, 3] and numbers == sorted(numbers)


def test_every_amount_line_of_the_lampiran_is_in_a_row():
    from ingest.lampiran import _ROW_END_BIG

    lampiran = regulation().lampiran
    text_lines = [ln.strip() for ln in lampiran.splitlines()]
    wanted = Counter(m.group("amounts").split()[-1] for ln in text_lines if (m := _ROW_END_BIG.search(ln)))
    got = Counter(r.amounts[-1] for s in sections().values() for r in s.rows)
    lost = wanted - got
    assert sum(lost.values()) <= 0.005 * sum(wanted.values()), lost.most_common(5)


def test_the_amendment_says_which_lampiran_it_replaces():
    rep = replaced_lampiran(regulation().amendments)
    assert rep["I"]["work"] == "perda-banjarnegara-8-2023" and rep["I"]["item"] == "11"
    assert rep["II"]["lampiran"] == "II" and rep["II"]["item"] == "12"


def test_chunks_cite_lampiran_sections_and_keep_rows_whole():
    from pipelines.indexing.chunking import ArticleChunker

    docs = ArticleChunker().chunk(regulation(), None)
    lamp = [d for d in docs if d.meta["kind"] == "lampiran"]
    assert len(lamp) > 100
    first = next(d for d in lamp if d.meta["lampiran"] == "Lampiran I, A.1.a" and d.meta["part"] == 1)
    assert first.meta["rows_from"] == 1 and first.meta["pasal"] is None
    assert first.meta["article_uri"] == "/akn/id-banjarnegara/act/perda/2025/8#lampiran-i-a-1-a"
    assert first.meta["replaces_lampiran"] == {"work": "perda-banjarnegara-8-2023", "lampiran": "I", "item": "11"}
    assert "Mengganti Lampiran I Perda Banjarnegara 8/2023 (Pasal I angka 11)" in first.content
    assert "Kolom: NO JENIS PELAYANAN SATUAN TARIF (RP)" in first.content
    assert "\n1. Tarif Pelayanan Non Medis\nbaris 1: a. Pelayanan rawat jalan | Per Kunjungan | 10.000\n" in first.content
    assert first.meta["breadcrumb"].endswith("› Lampiran I, A.1.a, baris 1-" + str(first.meta["rows_to"]))
    # a row is never cut: every "baris N:" line of a chunk is a whole row of its section
    by_citation = {s.citation: s for s in parse_lampiran(regulation().lampiran)}
    for d in lamp:
        sec = by_citation[d.meta["lampiran"]]
        for m in re.finditer(r"^baris (\d+): (.*)$", d.content, re.M):
            assert sec.rows[int(m.group(1)) - 1].cells == m.group(2)
        # the group labels of the chunk's first row head it: it reads alone
        first_row = sec.rows[d.meta["rows_from"] - 1] if d.meta["rows_from"] else None
        if first_row is not None and first_row.groups:
            assert " › ".join(first_row.groups) in d.content.split(f"baris {first_row.number}:")[0]
    assert len({d.id for d in docs}) == len(docs)
