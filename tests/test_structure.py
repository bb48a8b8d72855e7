"""Structure parser traps, each checked on the real corpus file where it occurs."""
from __future__ import annotations

import re
from functools import lru_cache

import pytest

from ingest.normalize import Line, clean_pages, heading_readings
from ingest.parser import parse_text
from ingest.structure import find_pasal_headings, Region, segment_articles, split_ayat
from tests.conftest import corpus_path


@lru_cache(maxsize=None)
def parsed(name: str):
    path = corpus_path(name)
    if path.suffix == ".pdf":
        pypdf = pytest.importorskip("pypdf")
        pages = [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]
        return parse_text("\n".join(pages), page_texts=pages)
    return parse_text(path.read_text(encoding="utf-8"))


def art(reg, number):
    found = [a for a in reg.articles if a.number == number]
    assert found, f"Pasal {number} not found in {reg.id}"
    return found[0]


# --- OCR heading repair: the literal examples of the corpus ------------------------------------

@pytest.mark.parametrize(
    "raw, glued, reading",
    [
        ("2T", None, "27"), ("T2", None, "72"), ("22", "7", "22"), ("l+O", None, "140"),
        ("2TA", None, "27A"), ("4OA", None, "40A"), ("1O", None, "10"), ("2 1", None, "21"),
        ("10 0", None, "100"), ("107", None, "107"),
    ],
)
def test_heading_readings_first_choice(raw, glued, reading):
    assert heading_readings(raw, glued)[0] == reading


def test_heading_readings_ambiguous_ones_offer_both():
    assert heading_readings("278") == ["278", "27B"]  # Pasal 278 may be 27B: the sequence decides
    assert heading_readings("I") == ["I", "1"]
    assert "722" in heading_readings("22", "7")


@pytest.mark.parametrize(
    "text, numbers",
    [
        # the heading of the real OCR text layers, after the article before them
        ("Pasal 26\nteks.\nPasal2T\n(1) teks.\nPasal 28\nteks.", ["26", "27", "28"]),
        ("Pasal 21\nteks.\nPasa722\nteks.\nPasal 23\nteks.", ["21", "22", "23"]),
        ("Pasal 21\nteks.\nPasaJ22\nteks.", ["21", "22"]),
        ("Pasal 106\nteks.\nPasa] 107\nteks.", ["106", "107"]),
        ("Pasal 139\nteks.\nPasal l+O\nteks.", ["139", "140"]),
        ("Pasal 27\nteks.\nPasal2TA\nteks.\nPasal 278\nteks.", ["27", "27A", "27B"]),
        ("Pasal 40\nteks.\nPasal 4OA\nteks.", ["40", "40A"]),
        ("Pasal 9\nteks.\nPasal 1O\nteks.", ["9", "10"]),
        ("Pasal 20\nteks.\nPasal 2 1\nteks.", ["20", "21"]),
        ("Pasal 99\nteks.\nPasal 10 0\nteks.", ["99", "100"]),
        ("Pasal 71\nteks.\nPasal T2\nteks.", ["71", "72"]),
    ],
)
def test_mangled_headings_repaired_by_sequence(text, numbers):
    lines = [Line(t) for t in text.split("\n")]
    arts, _ = segment_articles(lines)
    assert [a.number for a in arts] == numbers


def test_digit_repair_only_inside_a_heading():
    arts, _ = segment_articles([Line("Pasal 1"), Line("Nilai 2T dan l+O tetap seperti tertulis.")])
    assert arts[0].text == "Nilai 2T dan l+O tetap seperti tertulis."


def test_cross_reference_line_never_starts_an_article():
    lines = [Line(t) for t in (
        "Pasal 5", "(1) Teks satu.", "(2) Setiap Orang sebagaimana dimaksud dalam",
        "Pasal 4", "ayat (2) wajib mendaftar.", "Pasal 67 ayat (1) diatur lebih lanjut.",
        "Pasal 27 sampai dengan Pasal 33;", "Pasal 6", "Teks enam.",
    )]
    arts, _ = segment_articles(lines)
    assert [a.number for a in arts] == ["5", "6"]
    assert "Pasal 67 ayat (1) diatur" in arts[0].text


def test_ayat_sequence_ignores_cross_references():
    ayat = split_ayat("(1) Satu.\n(2) Sebagaimana dimaksud pada ayat (1) dua.\n(3) Tiga.")
    assert [y.number for y in ayat] == ["1", "2", "3"]


# --- page furniture -----------------------------------------------------------------------------

def test_page_furniture_removed():
    page = "PRESIDEN\nREPUELIK INDONESIA\n- 2 -\nSALINAN\nPasal 3\nTeks.\nPasal 4 . . ."
    texts = [ln.text for ln in clean_pages([page, "FRESIDEN\nREPUBLIK INDONESIA\n-3-\nPasal 4\nTeks."], paged=True)]
    assert texts == ["Pasal 3", "Teks.", "Pasal 4", "Teks."]


def test_banjarnegara_esignature_footer_and_page_numbers():
    reg = parsed("perda-banjarnegara-8-2025-perubahan-pdrd.pdf")
    every_text = " ".join(a.text for a in reg.articles) + " ".join(i.text for i in reg.amendments)
    assert "BSrE" not in every_text and "ditandatangani secara elektronik" not in every_text
    assert reg.id == "perda-banjarnegara-8-2025" and reg.region == "banjarnegara"


# --- real documents -----------------------------------------------------------------------------

def test_uu_11_2008_split_word_heading_and_continuation_footers():
    reg = parsed("uu-11-2008-ite.pdf")
    assert reg.id == "uu-11-2008"
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 55)]
    # "P asal 53" in the Penjelasan is read as Pasal 53
    assert art(reg, "53").penjelasan == "Cukup jelas."
    # footer continuation "Pasal 6 . . ." does not make a duplicate
    assert not [w for w in reg.warnings if w.code in ("duplicate_article", "sequence_gap")]
    assert art(reg, "27").page == 14  # 1-based PDF page of its heading
    assert len(reg.menimbang) == 7 and reg.mengingat[0].startswith("Pasal 5 ayat (1) dan Pasal 20")
    assert reg.tanggal_penetapan == "2008-04-21" and reg.tempat == "Jakarta"


def test_pp_71_2019_inline_headings_split():
    reg = parsed("pp-71-2019-pste.md")
    assert reg.id == "pp-71-2019"
    assert art(reg, "1").bab == "BAB I KETENTUAN UMUM"
    p6 = art(reg, "6")
    assert p6.bab == "BAB II PENYELENGGARAAN SISTEM ELEKTRONIK"
    assert p6.bagian == "Bagian Kedua Pendaftaran Sistem Elektronik"
    assert "Bagian Kedua" not in art(reg, "5").text and "BAB II" not in art(reg, "1").text
    assert art(reg, "2").bagian == "Bagian Kesatu Umum"
    # the labels "Menimbang Mengingat" sit on the title line
    assert len(reg.menimbang) == 3 and reg.menimbang[1].startswith("bahwa Peraturan Pemerintah Nomor 82")
    assert reg.mengingat[0].startswith("Pasal 5 ayat (2)")
    assert reg.tanggal_penetapan == "2019-10-04"


def test_pp_71_2019_revokes_pp_82_2012():
    reg = parsed("pp-71-2019-pste.md")
    assert any(r.type == "mencabut" and r.target == "pp-82-2012" for r in reg.relations)
    assert any(r.type == "dasar_hukum" and r.target == "uu-11-2008" for r in reg.relations)


def test_pp_71_2019_penjelasan_headings_followed_by_ayat():
    """The Penjelasan runs on in long lines ("Pasal 6 Cukup jelas. Pasal 7 Ayat (1) Huruf a ...");
    a heading followed by a capitalised "Ayat" is a heading, not the cross-reference "Pasal 7
    ayat (1)". Each article gets its own explanation instead of Pasal 6 taking those of 7-34."""
    reg = parsed("pp-71-2019-pste.md")
    assert art(reg, "6").penjelasan == "Cukup jelas."
    assert art(reg, "7").penjelasan.startswith("Ayat (1)") and "interkonektivitas" in art(reg, "7").penjelasan
    assert "rencana keberlangsungan kegiatan" in art(reg, "20").penjelasan
    assert "Pasal 21" not in art(reg, "20").penjelasan and art(reg, "21").penjelasan == "Cukup jelas."
    assert sum(1 for a in reg.articles if a.penjelasan) >= 100
    # a cross-reference in the body ("Pasal 20 ayat (2)") is still not a heading
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 105)]


def test_uu_14_2008_penjelasan_attached():
    reg = parsed("uu-14-2008-kip.md")
    assert len(reg.articles) == 64
    assert art(reg, "2").penjelasan and art(reg, "64").penjelasan
    assert reg.penjelasan_umum and "PASAL DEMI PASAL" not in reg.penjelasan_umum


def test_uu_12_2011_lampiran_examples_are_not_articles():
    reg = parsed("uu-12-2011-pembentukan-pperundangan.md")
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 105)]
    assert reg.lampiran and reg.lampiran.startswith("LAMPIRAN")
    # the Lampiran's example "Pasal 1" is in the Lampiran text, not an article
    assert "Pasal 1" in reg.lampiran
    # Pasal 81 opens with "Agar setiap orang mengetahuinya": not the closing formula
    assert art(reg, "81").text.startswith("Agar setiap orang mengetahuinya, Peraturan")
    assert any(r.type == "mencabut" and r.target == "uu-10-2004" for r in reg.relations)


def test_uu_27_2022_ocr_pasal_I_is_pasal_1():
    reg = parsed("uu-27-2022-pdp.pdf")
    nums = [a.number for a in reg.articles]
    assert nums[0] == "1" and "I" not in nums and not reg.amendments
    assert {"22", "27", "72"} <= set(nums)
    assert any(w.code == "ocr_repair" for w in reg.warnings)


def test_tap_mpr_roman_number():
    reg = parsed("tap-mpr-xv-1998-otonomi-daerah.pdf")
    assert reg.id == "tap-mpr-15-1998" and len(reg.articles) == 8


@pytest.mark.parametrize(
    "name, id_",
    [
        ("perbup-kotabaru-19-2019-perubahan-penjabaran-apbd.md", "perbup-kotabaru-19-2019"),
        ("perbup-mamuju-tengah-34-2021-akuntansi-pemda.md", "perbup-mamuju-tengah-34-2021"),
        ("perda-bone-bolango-2-2019-pertanggungjawaban-apbd.md", "perda-bone-bolango-2-2019"),
        ("permenhub-pm-5-2025-jdih-kemenhub.md", "permenhub-5-2025"),
        ("uu-28-2009-pdrd.md", "uu-28-2009"),
    ],
)
def test_wrong_converter_header_ignored(name, id_):
    reg = parsed(name)
    assert reg.id == id_  # the header says "PMK ...": the document's own heading wins
    assert reg.articles


def test_uu_1_2022_lines_lost_but_no_invention():
    reg = parsed("uu-1-2022-hkpd.md")
    nums = [a.number for a in reg.articles]
    assert nums[0] == "1" and nums[-1] == "193"
    assert len(nums) == len(set(nums))


def test_no_articles_warning_for_a_non_regulation():
    reg = parse_text("Ini hanya sebuah catatan rapat, bukan peraturan.")  # synthetic input
    assert [w.code for w in reg.warnings] == ["no_heading", "no_articles"]
    assert reg.id is None


def test_sequence_gap_warning_names_missing_article():
    lines = "UNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 1 TAHUN 2099\nTENTANG\nCONTOH\nPasal 26\nA.\nPasal 28\nB."
    reg = parse_text(lines)  # synthetic input
    gaps = [w for w in reg.warnings if w.code == "sequence_gap"]
    assert gaps and "27" in gaps[0].message


def test_performance_linear_regexes_on_big_text():
    # a long synthetic line of the flattened kind: the candidate scan must stay linear
    region = Region([Line("Pasa " * 20000), Line("Pasal 1")])
    assert [h.number for h in find_pasal_headings(region)] == ["1"]


# --- headings whose position or number was lost to the layout -----------------------------------

def test_pp_12_2019_footer_copies_and_split_digit_headings():
    reg = parsed("pp-12-2019-pengelolaan-keuangan-daerah.md")
    nums = [a.number for a in reg.articles]
    assert nums == [str(i) for i in range(1, 226)]
    # "Pasal 1 1 1" = 111, "Pasal L77" = 177, "Pasa-l 15" = 15
    assert art(reg, "111").text.startswith("(1) Rancangan Perda provinsi tentang APBD")
    assert art(reg, "177").text.startswith("Kepala Daerah wajib menyampaikan rancangan Perda")
    # the footer copy "Pasal 128" before the page header is not an article of its own
    assert art(reg, "128").text.startswith("(1) Kepala Daerah dapat memberi izin")
    # Pasal 101 follows "diverifikasi." and is followed by "yang": only the sequence says heading
    assert "diverifikasi" in art(reg, "100").text


def test_uu_27_2022_md_inline_headings_after_specks_and_bab_titles():
    reg = parsed("uu-27-2022-pdp.md")
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 77)]
    # "Pasal 18" follows "lalu lintas atau" (scrambled columns) and opens "(1) Pemrosesan"
    assert art(reg, "18").text.startswith("(1) Pemrosesan Data Pribadi dapat")
    # "hukum. ' Pasal 23" (a speck between the sentence end and the heading)
    assert art(reg, "23").text.startswith("Klausul perjanjian")
    # "BAB xI PARTISIPASI MASYARAKAT Pasal 63" (an OCR'd Roman numeral)
    assert art(reg, "63").text.startswith("(1) Masyarakat dapat berperan")


def test_bone_bolango_pasal_alone_with_its_number_lost():
    reg = parsed("perda-bone-bolango-2-2019-pertanggungjawaban-apbd.md")
    assert [a.number for a in reg.articles] == [str(i) for i in range(1, 13)]
    # the cross-references "dalam / Pasal / 1 huruf c" (one word per line) start nothing
    assert not [w for w in reg.warnings if w.code in ("duplicate_article", "sequence_break")]
    assert art(reg, "12").text.startswith("Peraturan Daerah ini mulai berlaku")


def test_bare_number_inside_a_page_is_text_not_a_page_number():
    reg = parsed("perbup-mamuju-tengah-34-2021-akuntansi-pemda.md")
    assert "Peraturan Bupati Nomor 24 Tahun 2017" in art(reg, "8").text
    assert any(r.type == "mencabut" and r.target == "perbup-mamuju-tengah-24-2017" for r in reg.relations)


# --- preamble with detached or lost labels ---------------------------------------------------------

def test_menimbang_labels_detached_from_their_text():
    reg = parsed("perbup-kotabaru-19-2019-perubahan-penjabaran-apbd.md")
    assert len(reg.menimbang) == 6
    assert reg.menimbang[1].startswith("bahwa adanya kebutuhan mendesak")
    assert reg.menimbang[2].startswith("Bahwa pelaksanaan ketentuan Lampiran V.9")
    assert not reg.menimbang[0].endswith(("b.", "c."))  # the stray labels are not text
    # the Mengingat labels stand apart from their texts and "13." is missing: items by ";"
    assert len(reg.mengingat) == 22 and not reg.mengingat[-1].endswith("16.")


def test_mengingat_labels_without_dots_and_glued_labels():
    reg = parsed("uu-1-2024-perubahan-kedua-uu-ite.pdf")
    assert len(reg.mengingat) == 2
    assert reg.mengingat[0].startswith("Pasal 5 ayat (1), Pasal 20")
    assert reg.mengingat[1].startswith("Undang-Undang Nomor 11 Tahun 2008")
    reg = parsed("perbup-kotabaru-18-2019-perubahan-kedua.md")  # "10.Peraturan"
    assert len(reg.mengingat) == 16


def test_mengingat_scrambled_columns_items_by_their_ends():
    reg = parsed("perda-bone-bolango-2-2019-pertanggungjawaban-apbd.md")
    assert len(reg.mengingat) == 25
    assert any(r.type == "dasar_hukum" and r.target == "pp-8-2006" for r in reg.relations)


# --- dates (each checked on the page image or the text of the document) -----------------------------

@pytest.mark.parametrize(
    "name, penetapan, pengundangan",
    [
        ("uu-14-2008-kip.md", "2008-04-30", "2008-04-30"),  # "Disahkan di pada tanggal 30 April 2008"
        ("uu-1-2024-perubahan-kedua-uu-ite.pdf", "2024-01-02", "2024-01-02"),  # "2 Januari2024", "2 Jarruari 2024"
        ("perda-banjarnegara-8-2025-perubahan-pdrd.pdf", "2025-12-30", "2025-12-30"),  # "30-12-2025"
    ],
)
def test_dates_with_lost_place_glued_year_or_figures(name, penetapan, pengundangan):
    reg = parsed(name)
    assert (reg.tanggal_penetapan, reg.tanggal_pengundangan) == (penetapan, pengundangan)


def test_unfilled_dates_stay_unknown():
    reg = parsed("perbup-kotabaru-18-2019-perubahan-kedua.md")  # "pada tanggal" left blank
    assert reg.tanggal_penetapan is None
