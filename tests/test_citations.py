"""The citation finder/resolver on literal examples and on real Mengingat passages of the corpus."""
from __future__ import annotations

import pytest

from ingest.citations import Citation, Pinpoint, find_article_refs, find_citations, resolve
from ingest.ids import RegulationId
from tests.conftest import corpus_path


def ids(text: str, **kw) -> list[str | None]:
    return [c.work_id for c in find_citations(text, **kw)]


def lines(name: str, first: int, last: int) -> str:
    """Lines first..last (1-based, inclusive) of a corpus text file."""
    return "\n".join(corpus_path(name).read_text(encoding="utf-8").split("\n")[first - 1:last])


# --- literal examples ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, work_id",
    [
        ("Peraturan Daerah Kota Malang Nomor 4 Tahun 2023", "perda-malang-4-2023"),
        ("PP 71/2019", "pp-71-2019"),
        ("PP No. 71/2019", "pp-71-2019"),
        ("Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik", "uu-11-2008"),
        ("Undang-Undang Republik Indonesia Nomor 11 Tahun 2008", "uu-11-2008"),
        ("UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 27 TAHUN 2022", "uu-27-2022"),
        ("Undang-Undang Dasar Negara Republik Indonesia Tahun 1945", "uud-1945"),
        ("UUD 1945", "uud-1945"),
        ("Peraturan Wali Kota Malang Nomor 9 Tahun 2022", "perwal-malang-9-2022"),
        ("Perwal Malang 9/2022", "perwal-malang-9-2022"),
        ("Peraturan Walikota Malang Nomor 9 Tahun 2022", "perwal-malang-9-2022"),
        ("Peraturan Bupati Kotabaru Nomor 26 Tahun 2017", "perbup-kotabaru-26-2017"),
        ("Peraturan Daerah Kabupaten Banjarnegara Nomor 8 Tahun 2023", "perda-banjarnegara-8-2023"),
        ("Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2020", "perppu-1-2020"),
        ("Peraturan Presiden Nomor 95 Tahun 2018", "perpres-95-2018"),
        ("Peraturan Menteri Dalam Negeri Nomor 77 Tahun 2020", "permendagri-77-2020"),
        ("Peraturan Menteri Perhubungan Nomor PM 5 Tahun 2025", "permenhub-5-2025"),
        ("Ketetapan MPR Nomor XV/MPR/1998", "tap-mpr-15-1998"),
        ("TAP MPR XV/MPR/1998", "tap-mpr-15-1998"),
        ("Ketetapan Majelis Permusyawaratan Rakyat Republik Indonesia Nomor XV/MPR/1998", "tap-mpr-15-1998"),
        # OCR noise as it occurs in the corpus
        ("Und.ang-Undang Nomor 11 Tahun 2008", "uu-11-2008"),
        ("Undang-Undang Nomor 1l Tahun 2OO8", "uu-11-2008"),
        ("Undang-Undang Nomor 11 Tahun 2O08", "uu-11-2008"),
        ("Undang-Undang Nomor L2 Tahun 20ll", "uu-12-2011"),
        ("Undang-Undang Nomor 33 Tahun 2OO+", "uu-33-2004"),
        ("Undang- Undang Nomor 9 Tahun 2015", "uu-9-2015"),
        ("Undang–Undang Nomor 2 Tahun 2022", "uu-2-2022"),
        ("Undang-\nUndang Nomor 14 Tahun\n2008", "uu-14-2008"),
        ("undang-undang nomor 11 tahun 2008", "uu-11-2008"),
        # English
        ("Law No. 11 of 2008", "uu-11-2008"),
        ("Law Number 11 of 2008", "uu-11-2008"),
        ("Government Regulation 71/2019", "pp-71-2019"),
        ("Government Regulation No. 71 of 2019", "pp-71-2019"),
        ("Law 27/2022", "uu-27-2022"),
        ("Presidential Regulation No. 95 of 2018", "perpres-95-2018"),
        ("the 1945 Constitution", "uud-1945"),
    ],
)
def test_literal_examples(text, work_id):
    found = find_citations(text)
    assert [c.work_id for c in found] == [work_id]
    assert found[0].text.strip() and text.find(found[0].text) == found[0].start
    RegulationId.parse(work_id)  # every id the resolver makes is canonical


def test_fields_and_pinpoint_after_the_work():
    c = resolve("Perda Kota Malang No. 4 Tahun 2023 Pasal 5 ayat (2)")
    assert (c.work_id, c.jenis, c.nomor, c.tahun, c.region, c.pasal, c.ayat) == (
        "perda-malang-4-2023", "perda", "4", 2023, "malang", "5", "2")
    assert c.text == "Perda Kota Malang No. 4 Tahun 2023 Pasal 5 ayat (2)"
    assert c.frbr_uri() == "/akn/id-malang/act/perda/2023/4/~pasal_5__ayat_2"

    c = resolve("UU No. 11 Tahun 2008 Pasal 27 ayat (1)")
    assert (c.work_id, c.pasal, c.ayat) == ("uu-11-2008", "27", "1")
    c = resolve("UU 11/2008 Pasal 27 ayat (1) huruf b")
    assert (c.pasal, c.ayat, c.huruf) == ("27", "1", "b")
    c = resolve("Law No. 11 of 2008 Article 27(1)")
    assert (c.work_id, c.pasal, c.ayat) == ("uu-11-2008", "27", "1")


def test_pinpoint_before_the_work():
    c = resolve("Pasal 27 ayat (3) Undang-Undang Nomor 11 Tahun 2008")
    assert (c.work_id, c.pasal, c.ayat, c.start) == ("uu-11-2008", "27", "3", 0)
    c = resolve("Article 27 paragraph (1) of Law No. 11 of 2008")
    assert (c.work_id, c.pasal, c.ayat) == ("uu-11-2008", "27", "1")


def test_a_heading_is_not_a_pinpoint():
    text = "Pasal 2\nPeraturan Daerah Kota Malang Nomor 4 Tahun 2023 mulai berlaku"
    (c,) = find_citations(text)
    assert c.work_id == "perda-malang-4-2023" and c.pasal is None and c.start == text.index("Peraturan")


def test_regional_act_without_region_needs_the_documents_region():
    text = "Peraturan Daerah Nomor 8 Tahun 2023"
    (c,) = find_citations(text)
    assert c.work_id is None and (c.jenis, c.nomor, c.tahun) == ("perda", "8", 2023)
    assert ids(text, default_region="banjarnegara") == ["perda-banjarnegara-8-2023"]
    assert ids(text, default_region="Malang") == ["perda-malang-8-2023"]
    # a region written in the citation wins over the default
    assert ids("Peraturan Bupati Kotabaru Nomor 26 Tahun 2017", default_region="malang") == ["perbup-kotabaru-26-2017"]
    # national acts never take the default region
    assert ids("Undang-Undang Nomor 11 Tahun 2008", default_region="malang") == ["uu-11-2008"]


def test_kabupaten_malang_is_not_kota_malang():
    assert ids("Peraturan Daerah Kabupaten Malang Nomor 1 Tahun 2020") == ["perda-kabupaten-malang-1-2020"]
    assert ids("Peraturan Daerah Kota Malang Nomor 1 Tahun 2020") == ["perda-malang-1-2020"]


def test_amended_by_gives_two_citations():
    text = ("Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik "
            "sebagaimana telah diubah dengan Undang-Undang Nomor 19 Tahun 2016")
    assert ids(text) == ["uu-11-2008", "uu-19-2016"]


def test_perppu_is_not_also_a_uu():
    assert ids("Undang-Undang Nomor 2 Tahun 2020 tentang Penetapan Peraturan Pemerintah Pengganti "
               "Undang-Undang Nomor 1 Tahun 2020") == ["uu-2-2020", "perppu-1-2020"]


def test_bare_article_reference_is_not_a_work_citation():
    text = "sebagaimana dimaksud dalam Pasal 5 ayat (2) huruf a dilaksanakan oleh Wali Kota"
    assert find_citations(text) == []
    assert resolve(text) is None
    (ref,) = find_article_refs(text)
    assert (ref.pasal, ref.ayat, ref.huruf) == ("5", "2", "a")
    assert find_article_refs("Pasal 27 Undang-Undang Nomor 11 Tahun 2008") == []


def test_not_citations():
    for text in ["Undang-Undang ini mulai berlaku pada tanggal diundangkan.",
                 "Peraturan Menteri ini mulai berlaku", "Peraturan Daerah tentang Pajak Daerah",
                 "Nomor 5 Tahun 2020", "", "   "]:
        assert find_citations(text) == [], text


def test_types_outside_the_id_scheme_are_found_but_not_resolved():
    (c,) = find_citations("Peraturan Menteri Hukum dan Hak Asasi Manusia Nomor 8 Tahun 2019")
    assert (c.work_id, c.jenis, c.nomor, c.tahun) == (None, "permen", "8", 2019)
    (c,) = find_citations("Undang-Undang Darurat Nomor 3 Tahun 1953")
    assert (c.work_id, c.jenis) == (None, "uu-darurat")


def test_impossible_year_stays_unknown():
    # pp-12-2019 OCR reads "2014" as "2074": not guessed, not resolved
    (c,) = find_citations("Undang-Undang Nomor 23 Tahun 2074 tentang Pemerintahan Daerah")
    assert (c.work_id, c.nomor, c.tahun) == (None, "23", None)


def test_resolve_identifiers_and_permalinks():
    assert resolve("uu-11-2008").work_id == "uu-11-2008"
    c = resolve("/akn/id/act/uu/2008/11/~pasal_27__ayat_1")
    assert (c.work_id, c.pasal, c.ayat) == ("uu-11-2008", "27", "1")
    assert resolve("/akn/id-malang/act/perwal/2022/9").work_id == "perwal-malang-9-2022"
    assert resolve("uud-1945").work_id == "uud-1945"
    assert resolve("tidak ada rujukan di sini") is None


def test_citation_to_dict():
    d = resolve("Pasal 5 ayat (2) UUD 1945").to_dict()
    assert d["work_id"] == "uud-1945" and d["pinpoints"] == [{"pasal": "5", "ayat": "2", "huruf": None}]
    assert isinstance(resolve("PP 71/2019"), Citation)


# --- real Mengingat passages ------------------------------------------------------------------

def test_pp_71_2019_mengingat():
    text = lines("pp-71-2019-pste.md", 5, 6)  # "Und.ang-Undang", "ten tang" in the original
    found = find_citations(text)
    assert [c.work_id for c in found] == ["uud-1945", "uu-11-2008", "uu-19-2016", "uu-11-2008"]
    assert found[0].pinpoints == (Pinpoint("5", "2"),)
    assert found[1].text == "Und.ang-Undang Nomor 11 Tahun 2008"


def test_uu_15_2019_mengingat_ocr_digits():
    text = lines("uu-15-2019-perubahan-uu-12-2011.md", 5, 6)  # "L2", "20ll", "L945"
    found = find_citations(text)
    assert [c.work_id for c in found] == ["uu-12-2011", "uud-1945", "uu-12-2011"]
    assert [p.pasal for p in found[1].pinpoints] == ["20", "21", "22A"]


def test_uu_1_2022_mengingat_article_list():
    (c,) = find_citations(lines("uu-1-2022-hkpd.md", 52, 55))
    assert c.work_id == "uud-1945" and c.pasal is None
    assert c.pinpoints == (Pinpoint("5", "1"), Pinpoint("18"), Pinpoint("18A", "2"), Pinpoint("18B"),
                           Pinpoint("20"), Pinpoint("23A"))


def test_uu_14_2008_spaced_article_letters():
    (c,) = find_citations(lines("uu-14-2008-kip.md", 11, 11))
    assert [p.pasal for p in c.pinpoints] == ["20", "21", "28F", "28J"]


def test_perbup_kotabaru_18_2019_mengingat():
    text = lines("perbup-kotabaru-18-2019-perubahan-kedua.md", 35, 122)
    assert ids(text, default_region="kotabaru") == [
        "uu-27-1959", None, "uu-17-2003", "uu-1-2004", "uu-15-2004", "uu-33-2004", "uu-17-2014",
        "uu-23-2014", "uu-9-2015", "uu-23-2014", "uu-30-2014", "pp-58-2005", "pp-3-2007", "pp-18-2017",
        "permendagri-13-2006", "permendagri-21-2011", "permendagri-13-2006", "permendagri-62-2017",
        "perda-kotabaru-13-2017", "perda-kotabaru-30-2017", "pergub-kalimantan-selatan-98-2017",
        "perda-provinsi-kalimantan-selatan-9-2017",
    ]


def test_perbup_kotabaru_18_2019_heading_and_default_region():
    text = corpus_path("perbup-kotabaru-18-2019-perubahan-kedua.md").read_text(encoding="utf-8")
    found = find_citations(text, default_region="kotabaru")
    assert found[0].work_id == "perbup-kotabaru-18-2019"  # the document's own heading
    assert "perda-kotabaru-16-2017" in [c.work_id for c in found]  # "Peraturan Daerah Nomor 16 Tahun 2017"


def test_permenhub_mengingat_split_words():
    text = lines("permenhub-pm-5-2025-jdih-kemenhub.md", 39, 62)  # "ten tang", "Kernen terian"
    found = find_citations(text)
    assert [c.work_id for c in found] == ["uud-1945", "uu-39-2008", "uu-61-2024", "uu-39-2008",
                                          "perpres-33-2012", "perpres-173-2024", None, "permenhub-4-2025"]
    assert found[0].pinpoints == (Pinpoint("17", "3"),)


def test_pp_12_2019_mengingat_ocr_years():
    assert ids(lines("pp-12-2019-pengelolaan-keuangan-daerah.md", 5, 5)) == [
        "uud-1945", "uu-33-2004", None, "uu-9-2015", "uu-23-2014"]


def test_perbup_mamuju_tengah_scrambled_columns():
    # justified columns moved "Peraturan Pemerintah" away from "Pengganti Undang-Undang Nomor 1"
    text = corpus_path("perbup-mamuju-tengah-34-2021-akuntansi-pemda.md").read_text(encoding="utf-8")
    start = text.index("Mengingat")
    found = find_citations(text[start:start + 3000], default_region="mamuju-tengah")
    assert found[0].work_id == "uud-1945" and found[0].pinpoints == (Pinpoint("18", "6"),)
    assert "uu-1-2020" not in [c.work_id for c in found]
    assert [c.work_id for c in found].count("perppu-1-2020") >= 1


def test_banjarnegara_pdf_mengingat_keeps_the_published_year():
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(corpus_path("perda-banjarnegara-8-2025-perubahan-pdrd.pdf"))
    text = "\n".join(reader.pages[i].extract_text() for i in range(3))
    menimbang, mengingat = text[: text.index("Mengingat")], text[text.index("Mengingat"): text.index("MEMUTUSKAN")]
    assert ("uu-1-2022", "99") in [(c.work_id, c.pasal) for c in find_citations(menimbang)]
    found = ids(mengingat, default_region="banjarnegara")
    assert found[:6] == ["uud-1945", "uu-13-1950", "uu-23-2014", "uu-6-2023", "perppu-2-2022", "uu-1-2022"]
    # the source cites the Perda it amends with the wrong year (2025 for 2023): kept as published
    assert found[-1] == "perda-banjarnegara-8-2025"
